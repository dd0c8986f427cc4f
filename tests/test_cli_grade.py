"""`flashdl grade`: a typed answer on stdin, JSON out; bad input is one line and exit 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from decktext import VALID
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from flashdl.cli import Env, _json_text, app

PITFALL_DECK = VALID.replace(
    "    source: https://example.com/vanishing\n",
    "    pitfalls:\n"
    "      - zh: 梯度消失不是过拟合\n"
    "        en: A vanishing gradient is not overfitting\n"
    "        terms: [overfitting, 过拟合]\n"
    "    source: https://example.com/vanishing\n",
)


@pytest.fixture
def deck_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "extra"
    folder.mkdir()
    (folder / "demo.yaml").write_text(PITFALL_DECK, encoding="utf-8")
    return folder


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(
        app, list(args), input=input, obj=Env(environ=dict(os.environ)), catch_exceptions=False
    )


def test_grade_prints_the_points_pitfalls_coverage_and_suggested_grade(deck_dir):
    typed = (
        "Gradients shrink because a long product of small factors\nmakes early layers learn slowly"
    )
    result = run("grade", "demo-one", "--decks-dir", str(deck_dir), "--lang", "en", input=typed)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"card_id", "points", "pitfalls", "coverage", "suggested_grade"}
    assert data["card_id"] == "demo-one"
    assert [p["index"] for p in data["points"]] == [0, 1, 2]
    assert [p["covered"] for p in data["points"]] == [True, True, False]
    assert set(data["points"][0]) == {"index", "covered", "stated", "weight", "evidence"}
    assert "product" in data["points"][0]["evidence"] and data["points"][2]["evidence"] is None
    assert data["pitfalls"] == [] and data["coverage"] == pytest.approx(2 / 3, abs=1e-3)
    assert data["suggested_grade"] == 4


def test_a_wrong_claim_comes_with_its_correction_in_the_language_asked(deck_dir):
    typed = "a vanishing gradient is overfitting of early layers, a long product of small factors"
    for lang, correction in (
        ("zh", "梯度消失不是过拟合"),
        ("en", "A vanishing gradient is not overfitting"),
    ):
        result = run("grade", "demo-one", "--decks-dir", str(deck_dir), "--lang", lang, input=typed)
        data = json.loads(result.stdout)
        assert data["pitfalls"][0]["correction"] == correction
        assert "overfitting" in data["pitfalls"][0]["evidence"]
        assert data["suggested_grade"] <= 2


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["grade", "demo-nope"],
            "an answer",
            "no card with id 'demo-nope'; did you mean 'demo-one'?",
        ),
        (["grade", "demo-one"], "", "no answer on stdin"),
        (["grade", "demo-one"], "  \n\n", "no answer on stdin"),
        (["grade", "demo-one", "--lang", "fr"], "an answer", "--lang must be zh or en, not 'fr'"),
        (["grade", "demo-one", "--lang", "both"], "an answer", "--lang must be zh or en"),
        (["grade", "demo-one"], b"\xff\xfe\x00binary", "not UTF-8 text"),
        (["grade", "demo-one"], b"text\x00with nul", "looks binary"),
        (["grade", "demo-one"], "x" * (64 * 1024 + 1), "over 64 KiB"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(deck_dir, args, stdin, message):
    result = run(*args, "--decks-dir", str(deck_dir), input=stdin)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("flashdl: ") and message in lines[0], lines


def test_a_real_process_with_binary_stdin_prints_no_traceback(deck_dir, tmp_path):
    env = {**os.environ, "FLASHDL_HOME": str(tmp_path / "home")}
    for stdin in (b"\x89PNG\r\n\x1a\n\x00\x00\xff", b""):
        result = subprocess.run(
            [sys.executable, "-m", "flashdl", "grade", "demo-one", "--decks-dir", str(deck_dir)],
            input=stdin,
            env=env,
            capture_output=True,
            check=False,
        )
        assert result.returncode == 1
        assert b"Traceback" not in result.stderr
        assert result.stderr.decode().count("\n") == 1 and result.stderr.startswith(b"flashdl: ")


def test_grade_is_the_function_quiz_uses(deck_dir, tmp_path):
    """The same answer gets the same suggestion from `grade` and from a quiz round."""
    typed = "Gradients shrink because a long product of small factors"
    graded = json.loads(run("grade", "demo-one", "--decks-dir", str(deck_dir), input=typed).stdout)
    quiz = run(
        "quiz", "--decks-dir", str(deck_dir), "--deck", "demo", "-n", "1", "--in-order",
        "--db", str(tmp_path / "q.db"), "--lang", "en", input=typed + "\n\n\n",
    )  # fmt: skip
    assert quiz.exit_code == 0, quiz.output
    assert f"suggested grade {graded['suggested_grade']}" in quiz.stdout


JSON_DATA = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_DATA)
def test_the_json_writer_agrees_with_the_json_module(value):
    assert json.loads(_json_text(value)) == value
