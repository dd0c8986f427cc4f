"""Two study sessions on one database at once: no "database is locked" reaches the user, and no
review is lost. Also several connections creating and writing a new database at the same moment."""

from __future__ import annotations

import itertools
import random
import sqlite3
import threading
import time
from pathlib import Path

from conftest import NOW
from studyproc import StudyProcess, write_decks

from flashdl.core.errors import StoreError
from flashdl.core.scheduling import NEW_CARD
from flashdl.core.sm2 import review
from flashdl.store import Store
from flashdl.store.migrations import SCHEMA_VERSION


def grade_many(path: Path, worker: int, count: int, barrier: threading.Barrier, errors: list):
    try:
        barrier.wait()
        with Store.open(path) as store:  # every worker opens (and may create) the database
            for i in range(count):
                store.record_review(
                    card_id=f"w{worker}-{i % 5}", deck=f"d{worker}", grade=4, mode="study",
                    reviewed_at=NOW, before=NEW_CARD, after=review(NEW_CARD, 4, NOW),
                    answer_ms=i,
                )  # fmt: skip
    except Exception as exc:  # collected, so the main thread can report it
        errors.append(exc)


def test_connections_creating_one_new_database_at_once_all_succeed(tmp_path: Path):
    """Each opener migrates under the write lock, so none sees half a schema or migrates twice."""
    for attempt in range(15):
        path = tmp_path / f"new-{attempt}.db"
        workers, count = 4, 15
        barrier = threading.Barrier(workers)
        errors: list[Exception] = []
        threads = [
            threading.Thread(target=grade_many, args=(path, w, count, barrier, errors))
            for w in range(workers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with Store.open(path) as store:
            assert store.schema_version() == SCHEMA_VERSION
            log = store.reviews()
        assert len(log) == workers * count
        assert sorted(r.id for r in log) == list(range(1, workers * count + 1))
        for w in range(workers):
            assert [r.answer_ms for r in log if r.deck == f"d{w}"] == list(range(count))


def test_a_grade_waits_for_another_writer_instead_of_failing(tmp_path: Path):
    path = tmp_path / "db"
    Store.open(path).close()
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another flashdl holds the write lock for a moment
    other.execute("INSERT INTO settings(key, value) VALUES ('x', 'y')")
    releaser = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    with Store.open(path) as store:
        assert store.states() == {}  # WAL: reading is not blocked by the writer
        releaser.start()
        started = time.monotonic()
        store.record_review(
            card_id="a", deck="d", grade=5, mode="study", reviewed_at=NOW,
            before=NEW_CARD, after=review(NEW_CARD, 5, NOW),
        )  # fmt: skip
        waited = time.monotonic() - started
        assert [r.card_id for r in store.reviews()] == ["a"]
        assert store.setting("x") == "y"
    releaser.join()
    other.close()
    assert waited >= 0.2


def test_a_file_left_by_an_interrupted_first_start_is_finished_not_refused(tmp_path: Path):
    """Older versions created the migrations table before the first migration; a kill between
    the two left only that empty table behind. Opening it now completes the database."""
    path = tmp_path / "db"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT,"
        " name TEXT, applied_at TEXT)"
    )
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert store.schema_version() == SCHEMA_VERSION


def test_a_foreign_migrations_table_is_still_refused(tmp_path: Path):
    path = tmp_path / "db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE _sqlite_migrations (migration_set TEXT, name TEXT)")
    conn.execute("INSERT INTO _sqlite_migrations VALUES ('other-app', 'm001')")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    try:
        Store.open(path).close()
    except StoreError as exc:
        assert "not a flashdl one" in str(exc)
    else:
        raise AssertionError("a database of another app was opened")
    assert path.read_bytes() == before


def test_two_study_sessions_interleave_grades_on_one_new_database(tmp_path: Path):
    """Both start at once on a database that does not exist yet, then grade at the same moments."""
    decks = write_decks(tmp_path / "decks", {"alpha": 6, "beta": 6})
    home = tmp_path / "home"
    rng = random.Random(7)
    sessions = {
        name: StudyProcess(home, decks, "--deck", name, "--new", "20") for name in ("alpha", "beta")
    }
    grades: dict[str, list[int]] = {name: [] for name in sessions}
    try:
        at_reveal = dict.fromkeys(sessions, True)
        prompts = dict.fromkeys(sessions, 1)
        for _ in range(60):
            live = [n for n, s in sessions.items() if s.wait_prompts(prompts[n])]
            if not live:
                break
            for name in live:  # send to both before waiting for either: the commits race
                key = " " if at_reveal[name] else str(rng.choice((2, 3, 4, 5, 5)))
                sessions[name].send(key)
                if key.isdigit():
                    grades[name].append(int(key))
                at_reveal[name] = not at_reveal[name]
                prompts[name] += 1
        codes = {name: session.close() for name, session in sessions.items()}
    finally:
        for session in sessions.values():
            if session.proc.poll() is None:
                session.kill()
    for name, session in sessions.items():
        out = session.output
        assert codes[name] == 0, out
        assert "Session summary" in out, out
        for bad in ("locked", "busy", "flashdl:", "Traceback"):
            assert bad not in out, out
    with Store.open(home / "flashdl.db") as store:
        log = store.reviews(include_undone=True)
    assert len(log) == sum(len(g) for g in grades.values()) >= 24
    assert len({r.id for r in log}) == len(log)
    for name in sessions:
        assert [r.grade for r in log if r.deck == name] == grades[name]
        assert {r.card_id for r in log if r.deck == name} == {f"{name}-{i}" for i in range(1, 7)}
    decks_in_order = [r.deck for r in log]
    switches = sum(1 for a, b in itertools.pairwise(decks_in_order) if a != b)
    # Both sessions grade in the same rounds; each round puts both decks in the log, in either order.
    assert switches >= min(len(g) for g in grades.values()) >= 6
