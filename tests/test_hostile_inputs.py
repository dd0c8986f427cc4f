"""Odd and hostile input anywhere: one clear line on stderr, never a traceback or "internal error".

Issue 11, items 6, 7, 15, 16 and 17: special files given by path, numbers that are not numbers,
Rich markup in a query, a symlink loop, a deeply nested settings file, an encoding that cannot
show Chinese, output that cannot be written, and user text echoed in messages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flashdl.core.latex import replace_formulas


def one_line_error(result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("flashdl: ")
    assert "\x1b" not in lines[0] and "\x07" not in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ["quiz", "--minutes", "nan"],
        ["quiz", "--minutes", "inf"],
        ["quiz", "--minutes", "1e308"],
        ["simulate", "--retention", "nan"],
        ["simulate", "--retention", "-inf"],
        ["study", "--new", "lots"],
        ["no-such-command"],
    ],
)
def test_bad_option_values_are_one_line(invoke, args):
    line = one_line_error(invoke(*args, input=""), code=2)
    assert "--help" in line


def test_a_query_is_text_not_markup(invoke):
    result = invoke("search", "[/]")
    assert result.exit_code == 0 and "No cards match '[/]'." in result.output
    result = invoke("search", "[bold red]x[/]")
    assert "[bold red]x[/]" in result.output


@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "loop", "folder_of_nothing"])
def test_special_files_are_refused_without_hanging(invoke, tmp_path, monkeypatch, home, kind):
    """Issue 11.15: check, import progress, FLASHDL_DECKS and config.toml."""
    target = tmp_path / f"special-{kind}.yaml"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "dev_zero":
        target = Path("/dev/zero")
    elif kind == "loop":
        target.symlink_to(tmp_path / "loop-b.yaml")
        (tmp_path / "loop-b.yaml").symlink_to(target)
    else:
        target = tmp_path / "missing" / "x.yaml"
    for args in (["check", str(target)], ["import", "progress", str(target)]):
        result = invoke(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "Traceback" not in result.output and "internal error" not in result.output
    monkeypatch.setenv("FLASHDL_DECKS", str(target))
    result = invoke("decks")  # the special file is skipped with a warning; the rest is listed
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.exit_code == 0 and "warning" in result.stderr and "cnn" in result.stdout
    monkeypatch.delenv("FLASHDL_DECKS")
    if kind != "folder_of_nothing":
        home.mkdir(exist_ok=True)
        config = home / "config.toml"
        config.unlink(missing_ok=True)
        config.symlink_to(target)
        line = one_line_error(invoke("config", "show"))
        assert "config.toml" in line


def test_a_deeply_nested_settings_file(invoke, home):
    home.mkdir()
    (home / "config.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    line = one_line_error(invoke("config", "show"))
    assert "config.toml" in line


def test_deep_formulas_never_crash_rendering():
    """Issue 11.7: check refuses them (tests/data/bad_decks/deep_formula.yaml); rendering still
    copes with anything."""
    formulas = (
        "\\frac{" * 300 + "x" + "}{y}" * 300,
        "{" * 5000 + "}" * 5000,
        "\\sqrt{" * 999,
        "\\href{javascript:x}{b}",  # pylatexenc raises on it: shown as written
    )
    for formula in formulas:
        assert isinstance(replace_formulas(f"${formula}$"), str)


def test_user_text_in_messages_is_escaped(invoke, tmp_path):
    """Issue 11.17: ids, names, paths and values the user typed cannot drive the terminal."""
    payload = "x\x1b]0;owned\x07\x1b[2J"
    checks = [
        ["show", payload],
        ["new-deck", payload],
        ["config", "set", payload, "1"],
        ["config", "set", "scheduler", payload],
        ["study", "--deck", payload],
        ["backup", "--db", str(tmp_path / payload / "db")],
    ]
    for args in checks:
        result = invoke(*args, input="q\n")
        assert result.exit_code != 0, args
        assert "\x1b" not in result.stderr and "\x07" not in result.stderr, args
        assert "\\x1b" in result.stderr, args  # named, as an escape


def _run(args, **kwargs):
    env = {**os.environ, **kwargs.pop("env", {})}
    return subprocess.run(
        [sys.executable, "-m", "flashdl", *args], capture_output=True, env=env, **kwargs
    )


def test_output_that_cannot_be_written(tmp_path):
    """Issue 11.16: a closed pipe, a full disk, and an encoding without Chinese."""
    env = {"FLASHDL_HOME": str(tmp_path / "home")}
    reader = subprocess.Popen(["head", "-c", "1"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    done = subprocess.run(
        [sys.executable, "-m", "flashdl", "doctor"],
        stdout=reader.stdin,
        stderr=subprocess.PIPE,
        env={**os.environ, **env},
        check=False,
    )
    reader.stdin.close()
    reader.wait()
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "flashdl", "decks"], stdout=full,
                                stderr=subprocess.PIPE, env={**os.environ, **env}, check=False)  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.decode().strip().startswith("flashdl: ")
    assert b"Traceback" not in result.stderr
    ascii_env = {**env, "PYTHONIOENCODING": "ascii"}
    result = _run(["decks"], env=ascii_env, check=False)
    assert b"Traceback" not in result.stderr
    assert result.returncode in (0, 1)
    assert result.returncode == 0 or result.stderr.decode().startswith("flashdl: ")


def test_imported_text_is_never_markup_or_escapes(invoke, tmp_path):
    """Issue 11.6: a progress file's strings are validated when they come in, and shown as text."""
    document = {
        "format": "flashdl-progress",
        "schema_version": 1,
        "cards": [],
        "reviews": [
            {"card_id": "cnn-conv-vs-fully-connected", "deck": "cnn",
             "reviewed_at": "2026-11-28T09:00:00.000+08:00", "day": "2026-11-28", "grade": 4,
             "mode": "[link=file:///etc/passwd]x[/link]\x1b]0;t\x07",
             "state_before": json.dumps({"repetitions": 0, "interval": 0, "easiness": 2.5,
                                         "due": None, "lapses": 0}),
             "state_after": json.dumps({"repetitions": 1, "interval": 1, "easiness": 2.5,
                                        "due": "2026-11-29", "lapses": 0})},
        ],
        "settings": {},
    }  # fmt: skip
    file = tmp_path / "p.json"
    file.write_text(json.dumps(document), encoding="utf-8")
    line = one_line_error(invoke("import", "progress", str(file)))
    assert "mode must be one of study, repeat, quiz" in line
