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


# -- red-team, 2026-12-04: values that reached the catch-all "unexpected" error ------------------


def test_an_interview_date_past_any_date_flashdl_sets_is_refused(invoke, home):
    """9999-12-31 was saved, and every later `stats` overflowed a date."""
    line = one_line_error(invoke("study", "--until", "9999-12-31"))
    assert "more than 3650 days ahead" in line
    assert invoke("stats").exit_code == 0


@pytest.mark.parametrize("stored", ["9999-12-31", b"\xff\x00", "1-01-01"])
def test_a_damaged_stored_interview_date_is_ignored(invoke, home, stored):
    """A value no flashdl writes (a far date, a blob) in a copied database: no interview."""
    import sqlite3

    invoke("study", "--deck", "gan", "--new", "1", input="\n4\n")
    with sqlite3.connect(home / "flashdl.db") as conn:
        conn.execute(
            "INSERT OR REPLACE INTO settings(key, value) VALUES('interview_date', ?)", [stored]
        )
    for args in (["stats"], ["study", "--deck", "gan", "--new", "0"], ["export", "progress"]):
        result = invoke(*args, "-o", "-") if args[0] == "export" else invoke(*args)
        assert result.exit_code == 0, (args, result.output)


def test_a_progress_file_with_a_far_interview_date_is_refused(invoke, home, tmp_path):
    invoke("study", "--deck", "gan", "--new", "1", input="\n4\n")
    exported = invoke("export", "progress", "-o", "-")
    document = json.loads(exported.stdout)
    document.setdefault("settings", {})["interview_date"] = "9999-12-31"
    path = tmp_path / "progress.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    line = one_line_error(invoke("import", "progress", str(path)))
    assert "settings.interview_date" in line and "9999-12-31" in line


@pytest.mark.parametrize("zone", ["UTC+24", "UTC-25", "UTC+24:59", "UTC+20", "UTC-15"])
def test_a_time_zone_further_from_utc_than_any_place_is_one_line(tmp_path, zone):
    env = {**os.environ, "FLASHDL_HOME": str(tmp_path / "home"), "TZ": zone}
    done = subprocess.run(
        [sys.executable, "-m", "flashdl", "decks"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip() == (
        f"flashdl: the time zone TZ='{zone}' is more than 14 hours from UTC, as no place is; set"
        " TZ to a real zone such as Asia/Shanghai, or unset it"
    )


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    ("damage", "parameters"),
    [
        ("PRAGMA ignore_check_constraints = ON; UPDATE reviews SET grade = 'x'", ()),
        ("UPDATE card_state SET card_id = ? WHERE rowid = 1", (b"\xff\x00",)),
        ("UPDATE card_state SET deck = ?", (b"\xff",)),
        ("UPDATE reviews SET typed = ?", (b"\xff\x00",)),
        ("UPDATE reviews SET mode = 'quiz', coverage = 0.5, typed = ?", (b"\xff\x00",)),
        ("UPDATE reviews SET state_before = ?", (DEEP,)),
        ("UPDATE reviews SET mode = 'quiz', coverage = 0.5, missed = ?", (DEEP,)),
    ],
)
def test_a_value_of_the_wrong_kind_in_the_database_is_never_unexpected(
    invoke, home, damage, parameters
):
    """Binary data, text for a number, JSON nested too deep: each command runs, or stops with one
    line (and doctor names the damage) — never the catch-all "unexpected" error of exit 2."""
    import sqlite3

    invoke("study", "--deck", "gan", "--new", "2", "--lang", "en", input="\n4\n\n4\n")
    with sqlite3.connect(home / "flashdl.db") as conn:
        *pragmas, statement = damage.split("; ")
        for pragma in pragmas:
            conn.execute(pragma)
        conn.execute(statement, parameters)
    card = invoke("show", "gan-training-procedure")
    for result in (
        invoke("decks"),
        invoke("stats"),
        invoke("study", "--deck", "gan", "--new", "0"),
        invoke("export", "progress", "-o", "-"),
        card,
    ):
        assert result.exit_code in (0, 1), result.output
        if result.exit_code:
            one_line_error(result)
    if any(r.exit_code for r in (card, invoke("export", "progress", "-o", "-"))):
        assert invoke("doctor").exit_code == 1


def test_a_size_over_a_limit_never_reads_as_the_limit():
    from flashdl.files import _mib

    assert _mib(64 * 2**20) == "64 MiB"
    assert _mib(64 * 2**20 + 1) == "64.1 MiB"  # was "64 MiB; ... limited to 64 MiB"
    assert _mib(int(1.9 * 2**20)) == "1.9 MiB"


@pytest.mark.parametrize("typed", ["١٠", "1_0", "１０", " 1 0", "0x10", "infinity"])
def test_config_set_takes_ascii_numbers_only(invoke, home, typed):
    line = one_line_error(invoke("config", "set", "new_per_day", typed))
    assert "new_per_day must be a whole number from 0 to 9999" in line


def test_a_settings_file_with_a_number_of_thousands_of_digits(invoke, home):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("new_per_day = " + "9" * 5000 + "\n", encoding="utf-8")
    line = one_line_error(invoke("config", "show"))
    assert line.endswith("config.toml: not a settings file flashdl can read (a number in it is"
                         " too long for a setting)")  # fmt: skip
    assert "sys.set_int_max_str_digits" not in line


def test_simulate_until_a_long_number_names_the_range(invoke):
    line = one_line_error(invoke("simulate", "--until", "99999999999"))
    assert line == "flashdl: --until must be 1 to 3650 days ahead, not 99999999999"


def test_a_database_link_to_itself_is_named(invoke, home, tmp_path):
    loop = tmp_path / "loop.db"
    loop.symlink_to(loop)
    line = one_line_error(invoke("stats", "--db", str(loop)))
    assert "is a symbolic link to a missing file or to itself" in line
    result = invoke("doctor", "--db", str(loop))
    assert result.exit_code == 1 and "is a symbolic link to a missing file" in result.stdout


@pytest.mark.parametrize("how", ["--db", "FLASHDL_DB"])
def test_a_database_link_to_nothing_is_refused_not_followed(
    invoke, home, tmp_path, how, monkeypatch
):
    """SQLite created the file a dangling link points to: a new, empty history elsewhere."""
    link, target = tmp_path / "link.db", tmp_path / "real.db"
    link.symlink_to(target)
    args = ["--db", str(link)] if how == "--db" else []
    if how == "FLASHDL_DB":
        monkeypatch.setenv("FLASHDL_DB", str(link))
    for command in (["stats"], ["study", "--deck", "gan", "--new", "1"]):
        line = one_line_error(invoke(*command, *args, input="\n4\n"))
        assert line == (
            f"flashdl: {link} is a symbolic link to a missing file or to itself ({target});"
            " flashdl creates no database through it: remove the link, or point --db or"
            " FLASHDL_DB at the database"
        )
    assert not target.exists()
    assert link.is_symlink() and not link.exists()
    result = invoke("doctor", *args)
    assert (
        result.exit_code == 1
        and f"{link} is a symbolic link to a missing file or to itself ({target})" in result.stdout
    )


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (
            "DELETE FROM _sqlite_migrations WHERE rowid = (SELECT max(rowid) FROM _sqlite_migrations)",
            "does not match the schema version it records (index",
        ),
        ("DROP TABLE leeches", "lacks part of its schema (no such table: leeches)"),
    ],
)
def test_a_damaged_schema_is_named_as_such(invoke, home, damage, expected):
    """SQLite's own words ("index reviews_day_deck already exists") named no cause."""
    import sqlite3

    invoke("study", "--deck", "gan", "--new", "1", input="\n4\n")
    with sqlite3.connect(home / "flashdl.db") as conn:
        conn.execute(damage)
    line = one_line_error(invoke("stats"))
    assert expected in line and "restore a backup, or run `flashdl doctor`" in line
