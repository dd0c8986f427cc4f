"""Real sessions in a pseudo-terminal: the plain mode (``--plain``: single keypresses, no Enter,
escape sequences decoded whole) and one full session in the full-screen app."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import pytest

from flashdl.store import Store

pexpect = pytest.importorskip("pexpect")


def flashdl_in_terminal(
    args: list[str], env: dict[str, str], *, timeout: float = 20, dimensions=(40, 100)
):
    """``python -m flashdl ARGS`` in a pseudo-terminal of ``dimensions`` (rows, columns)."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "flashdl", *args],
        env=env,
        encoding="utf-8",
        timeout=timeout,
        dimensions=dimensions,
    )


@pytest.mark.pty
def test_study_session_in_a_real_terminal(home: Path):
    env = {
        **os.environ,
        "FLASHDL_HOME": str(home),
        "COLUMNS": "100",
        "LINES": "40",
        "TERM": "xterm-256color",
    }
    child = flashdl_in_terminal(
        ["study", "--plain", "--deck", "basics", "--new", "3", "--lang", "en"], env
    )
    try:
        child.expect("any key shows the answer")
        child.send(" ")  # reveal: one keypress, no Enter
        child.expect("perfect recall")
        child.send("5")
        child.expect("1 done")
        child.send("x")
        child.expect("perfect recall")
        child.send("2")  # below 4: comes back later in the session
        child.expect("1 done")  # a failed card is not done: it comes back
        child.send("u")  # undo the 2
        child.expect("Undid the grade")
        child.send("\r")
        child.expect("perfect recall")
        child.send("4")
        child.expect("2 done")
        child.send("q")
        child.expect("Session summary")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    with Store.open(home / "flashdl.db") as store:
        assert [r.grade for r in store.reviews()] == [5, 4]
        assert [r.grade for r in store.reviews(include_undone=True)] == [5, 2, 4]


@pytest.mark.pty
def test_ctrl_c_keeps_acknowledged_grades(home: Path):
    env = {**os.environ, "FLASHDL_HOME": str(home), "TERM": "xterm-256color"}
    child = flashdl_in_terminal(["study", "--plain", "--deck", "cnn", "--lang", "en"], env)
    try:
        child.expect("any key shows the answer")
        child.send(" ")
        child.expect("perfect recall")
        child.send("5")
        child.expect("1 done")
        child.sendcontrol("c")
        child.expect("interrupted")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130
    with Store.open(home / "flashdl.db") as store:
        assert [r.grade for r in store.reviews()] == [5]


@pytest.mark.pty
def test_quiz_in_a_real_terminal(home: Path):
    env = {**os.environ, "FLASHDL_HOME": str(home), "TERM": "xterm-256color"}
    child = flashdl_in_terminal(
        ["quiz", "--plain", "--deck", "gan", "-n", "2", "--in-order", "--lang", "en", "--timed"],
        env,
    )
    try:
        child.expect(r"/ 3:00\] > ")
        child.sendline("alternate updates of D and G, minimax")  # a typed line, cooked mode
        child.expect(r"\] > ")
        child.sendline("")  # an empty line ends the answer
        child.expect("Key points named")
        child.expect("Enter = ")
        child.send("\r")  # one keypress accepts the suggested grade
        child.expect(r"\] > ")
        child.sendline("")  # skip typing
        child.expect("perfect recall")
        child.send("2")
        child.expect("Quiz report")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    with Store.open(home / "flashdl.db") as store:
        first, second = store.reviews()
        assert first.mode == "quiz" and first.typed == "alternate updates of D and G, minimax"
        assert first.coverage and first.coverage > 0
        assert second.grade == 2 and second.typed == ""


@pytest.mark.pty
def test_failed_cards_survive_quitting_and_come_back_after_a_restart(home: Path):
    """Issue 13.1: the learning queue is in the database, not in the session's memory."""
    env = {**os.environ, "FLASHDL_HOME": str(home), "TERM": "xterm-256color"}

    def session():
        return flashdl_in_terminal(["study", "--plain", "--deck", "cnn", "--lang", "en"], env)

    child = session()
    try:
        for grade in ("1", "0", "5"):
            child.expect("any key shows the answer")
            child.send(" ")
            child.expect("perfect recall")
            child.send(grade)
        child.expect("any key shows the answer")
        child.send("q")
        child.expect("Still due today")
        child.expect("3")  # the two failed cards and the one not yet shown
        child.expect(pexpect.EOF)
    finally:
        child.close()
    child = session()  # a new process: nothing of the first one's memory is left
    try:
        child.expect(r"0 done · 3 left")
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    with Store.open(home / "flashdl.db") as store:
        today = date.fromisoformat(store.reviews()[0].day)
        assert sorted(store.learning_cards(today)) == sorted(
            r.card_id for r in store.reviews() if r.grade < 4
        )


PGUP, END, DELETE, F5 = "\x1b[5~", "\x1b[4~", "\x1b[3~", "\x1b[15~"


@pytest.mark.pty
def test_plain_mode_reads_an_escape_sequence_as_one_key_never_a_grade(home: Path):
    env = {**os.environ, "FLASHDL_HOME": str(home), "TERM": "xterm-256color"}
    child = flashdl_in_terminal(["study", "--plain", "--deck", "cnn", "--lang", "en"], env)
    try:
        child.expect("any key shows the answer")
        child.send(" ")
        child.expect("perfect recall")
        for sequence in (PGUP, END, DELETE, F5):  # once recorded grades 5, 4, 3 and 1
            child.send(sequence)
            child.expect("Press 0–5 to grade")
        child.send("q")
        child.expect("Session summary")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    with Store.open(home / "flashdl.db") as store:
        assert store.reviews(include_undone=True) == []


@pytest.mark.pty
def test_one_full_session_in_the_full_screen_app(home: Path):
    env = {**os.environ, "FLASHDL_HOME": str(home), "TERM": "xterm-256color"}
    env.pop("FLASHDL_DEBUG", None)
    child = flashdl_in_terminal(
        ["study", "--deck", "basics", "--new", "2", "--lang", "en"],
        env,
        timeout=30,
        dimensions=(24, 80),
    )
    try:
        child.expect("show answer")
        child.send(PGUP)  # on the question side: nothing
        child.send(" ")  # reveal
        child.expect("perfect")
        for sequence in (PGUP, END, DELETE, F5, "\x1b[6~", "j", "k"):  # scroll, never grade
            child.send(sequence)
        child.send("5")
        child.expect("1 done")
        child.send(" ")
        child.expect("perfect")
        child.send("u")  # undo is for the last grade: the first card comes back
        child.expect("0 done")
        child.send(" ")
        child.expect("perfect")
        child.send("4")
        child.expect("1 done")
        child.send("\r")
        child.expect("perfect")
        child.send("5")
        child.expect("queue is done")
        child.send("q")
        child.expect("Session summary")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    with Store.open(home / "flashdl.db") as store:
        assert [r.grade for r in store.reviews()] == [4, 5]
        assert [r.grade for r in store.reviews(include_undone=True)] == [5, 4, 5]


@pytest.mark.pty
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the early read forks (Linux)")
def test_a_large_new_deck_in_a_real_terminal_is_read_early_and_cached_behind(home: Path):
    """A deck over 1 MB with 2,000 cards and no cache entry: the session starts from its
    outline, the terminal is released as soon as the session ends (the background parse holds
    none of it), and the parse leaves the deck cached for the next start."""
    sys.path.insert(0, str(Path(__file__).parent / "decks"))
    from test_split_parse import big_deck

    from flashdl.decks.cache import background_done, entry_path, read_entry

    decks = home / "decks"
    decks.mkdir(parents=True)
    text = big_deck(2100)
    text += "# " + "padding " * ((1_100_000 - len(text.encode())) // 8) + "\n"
    (decks / "demo.yaml").write_text(text, encoding="utf-8")
    env = {**os.environ, "FLASHDL_HOME": str(home), "TERM": "xterm-256color"}
    child = flashdl_in_terminal(
        ["study", "--plain", "--deck", "demo", "--new", "2", "--lang", "en"], env
    )
    try:
        child.expect("Question 0")
        child.send(" ")
        child.expect("perfect recall")
        child.send("4")
        child.expect("1 done")
        child.send("q")
        child.expect("Session summary")
        child.expect(pexpect.EOF, timeout=5)
    finally:
        child.close()
    assert child.exitstatus == 0, child.before
    assert list((home / "cache").glob("deck-demo-*.parsing"))  # it was read early
    assert background_done(home / "cache", timeout=60)
    assert read_entry(entry_path(home / "cache", decks / "demo.yaml")) is not None
    with Store.open(home / "flashdl.db") as store:
        assert [(r.card_id, r.grade) for r in store.reviews()] == [("card-0", 4)]
