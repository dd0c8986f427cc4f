"""kill -9 during a study session: the database stays sound and no acknowledged grade is lost.

Each trial starts a real ``python -m flashdl study`` on a small deck, drives it line by line through
a pipe (reveal, grade, sometimes undo), and SIGKILLs it at a seeded random point: during start-up
(imports, creating and migrating the database) or a few milliseconds after a keypress, while the
grade may be mid-commit. A grade or undo is *acknowledged* when the child printed what comes after
it (the next prompt or the next question, which the session shows only after the commit).
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from studyproc import PROMPT, QUESTION, SUMMARY, StudyProcess, write_decks

from flashdl.store import Store

SEED = 20261129
TRIALS = 36
GRADES = (1, 2, 3, 4, 4, 5, 5)  # low grades requeue the card, so sessions also log repeats


@dataclass(frozen=True)
class Fixtures:
    decks: Path  # a folder with one 4-card deck
    template: Path  # an empty, already migrated database to copy
    start_up: float  # seconds from spawn to the first prompt on this machine


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> Fixtures:
    root = tmp_path_factory.mktemp("crash")
    decks = write_decks(root / "decks", {"crash": 4})
    template = root / "template.db"
    Store.open(template).close()
    started = time.monotonic()
    proc = StudyProcess(root / "warm-up", decks, "--deck", "crash")
    try:
        proc.wait_prompts(1)
    finally:
        proc.kill()
    return Fixtures(decks, template, time.monotonic() - started)


def plan(number: int) -> tuple[random.Random, bool, int]:
    """The seeded choices of one trial: its rng, whether a database is already there, and how
    many keys are sent before the kill (0 = kill during start-up)."""
    rng = random.Random(SEED * 1000 + number)
    existing = rng.random() < 0.5
    kill_after = 0 if rng.random() < 0.2 else rng.randint(1, 10)
    return rng, existing, kill_after


@dataclass
class Trial:
    keys: list[str] = field(default_factory=list)
    acknowledged: int = 0  # how many of ``keys`` the child finished handling before it died
    output: str = ""


def run_trial(rng: random.Random, kill_after: int, home: Path, fixtures: Fixtures) -> Trial:
    trial = Trial()
    proc = StudyProcess(home, fixtures.decks, "--deck", "crash")
    try:
        if kill_after == 0:  # late in start-up, where the database is opened and migrated
            time.sleep(rng.uniform(0.5, 1.1) * fixtures.start_up)
        else:
            at_reveal = True
            for count in range(1, kill_after + 1):
                if not proc.wait_prompts(count):
                    break  # the session ended: every card is done
                if at_reveal:
                    key = "u" if rng.random() < 0.15 else " "
                else:
                    key = str(rng.choice(GRADES))
                if not proc.send(key):
                    break
                trial.keys.append(key)
                at_reveal = key == "u" or not at_reveal
            time.sleep(rng.uniform(0.0, 0.004))  # the last key is in flight
    finally:
        proc.kill()
    out = proc.output
    trial.output = out
    if SUMMARY in out:
        trial.acknowledged = len(trial.keys)
    elif PROMPT in out:
        answered = out.count(PROMPT) - 1  # the first prompt comes before any key
        if QUESTION.search(out.rsplit(PROMPT, 1)[1]):
            answered += 1  # the next question is on screen: the last key's commit is done
        trial.acknowledged = min(answered, len(trial.keys))
    return trial


def expected_log(trial: Trial) -> tuple[list[int], int, list[tuple[int | None, bool]]]:
    """The grades sent in order, how many of them were acknowledged, and for every undo the index
    of the grade it takes back (None if there was nothing to undo) and whether it was acknowledged."""
    grades: list[int] = []
    acked_grades = 0
    stack: list[int] = []
    undos: list[tuple[int | None, bool]] = []
    for index, key in enumerate(trial.keys):
        acked = index < trial.acknowledged
        if key.isdigit():
            grades.append(int(key))
            stack.append(len(grades) - 1)
            acked_grades += acked
        elif key == "u":
            undos.append((stack.pop() if stack else None, acked))
    return grades, acked_grades, undos


@pytest.mark.parametrize("number", range(TRIALS))
def test_kill_9_keeps_the_database_sound_and_acknowledged_grades(
    number: int, tmp_path: Path, fixtures: Fixtures
):
    rng, existing, kill_after = plan(number)
    home = tmp_path / "flashdl-home"
    if existing:
        home.mkdir()
        shutil.copyfile(fixtures.template, home / "flashdl.db")
    trial = run_trial(rng, kill_after, home, fixtures)
    context = (
        f"trial {number}: keys {trial.keys}, acknowledged {trial.acknowledged}\n{trial.output}"
    )
    assert "Traceback" not in trial.output and "internal error" not in trial.output, context
    grades, acked_grades, undos = expected_log(trial)
    db = home / "flashdl.db"
    if not db.exists():
        assert acked_grades == 0, context
        return
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)], context
    finally:
        conn.close()
    with Store.open(db) as store:  # still a flashdl database, even if killed mid-migration
        log = store.reviews(include_undone=True)
    logged = [r.grade for r in log]
    assert logged == grades[: len(logged)], context  # nothing invented, nothing out of order
    assert len(logged) >= acked_grades, context  # every acknowledged grade is there
    targets = {target for target, _ in undos if target is not None}
    for target, acked in undos:
        if acked and target is not None:
            assert log[target].undone_at is not None, context
    for index, review in enumerate(log):
        if review.undone_at is not None:
            assert index in targets, context


def test_the_trials_cover_start_up_and_mid_session_kills():
    """The seeds give both kinds of kill, on new and existing databases."""
    plans = [plan(number)[1:] for number in range(TRIALS)]
    assert sum(1 for existing, keys in plans if keys == 0 and not existing) >= 3
    assert sum(1 for existing, keys in plans if keys == 0 and existing) >= 2
    assert sum(1 for _, keys in plans if keys >= 3) >= TRIALS // 2
