"""When the database or its folder is unusable: one clear line saying what to do, exit code 1, the
file left exactly as it was, and no review lost.

CI runs as root, which ignores file permissions, so read-only files and full disks are simulated:
a connection opened with SQLite's ``mode=ro`` gives SQLite's own read-only errors, ``PRAGMA
max_page_count`` makes SQLite itself report a full disk, and injected errors carry the exact texts
SQLite uses.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import pytest
from conftest import NOW
from studyproc import write_decks

from flashdl.core.scheduling import NEW_CARD
from flashdl.core.sm2 import review
from flashdl.store import Store
from flashdl.store.migrations import SCHEMA_VERSION

REAL_CONNECT = sqlite3.connect
DONE = re.compile(r"(\d+) done · |已完成 (\d+) · ")  # the header's count, in en or zh


@pytest.fixture
def decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = write_decks(tmp_path / "decks", {"drill": 30})
    monkeypatch.setenv("FLASHDL_DECKS", str(folder))
    return folder


def keys(grades: int) -> str:
    return " \n5\n" * grades


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("flashdl: ")
    return line


def acknowledged(stdout: str) -> int:
    """Grades the session had confirmed: the last 'N done' it showed."""
    return max((int(en or zh) for en, zh in DONE.findall(stdout)), default=0)


def grade_directly(path: Path, count: int) -> None:
    with Store.open(path) as store:
        for i in range(count):
            store.record_review(
                card_id=f"drill-{i % 30 + 1}", deck="drill", grade=5, mode="study",
                reviewed_at=NOW, before=NEW_CARD, after=review(NEW_CARD, 5, NOW),
                typed="x" * 300,
            )  # fmt: skip


def files_beside(db: Path) -> list[str]:
    """The database's own files (the parsed-deck cache folder may come and go beside them)."""
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith(db.name))


def integrity(path: Path) -> str:
    conn = REAL_CONNECT(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# -- files flashdl must refuse and leave alone ---------------------------------------------------


def truncated(path: Path) -> None:
    grade_directly(path, 200)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def newer_schema(path: Path) -> None:
    grade_directly(path, 3)
    conn = REAL_CONNECT(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at)"
        " VALUES ('flashdl', 'm999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()


def not_sqlite(path: Path) -> None:
    path.write_text("deck: notes\nthese are my notes, not a database\n" * 50, encoding="utf-8")


def foreign_sqlite(path: Path) -> None:
    conn = REAL_CONNECT(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO photos(name) VALUES ('cat.jpg')")
    conn.commit()
    conn.close()


def header_only(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84)  # a header, then nothing


BROKEN = {
    "truncated": (truncated, r"is damaged \(.+\); move it aside or restore a backup"),
    "newer_schema": (newer_schema, r"newer flashdl .+ upgrade flashdl .+ left untouched"),
    "not_sqlite": (not_sqlite, r"is not a SQLite database .+ left untouched — move it aside"),
    "foreign_sqlite": (foreign_sqlite, r"not a flashdl one; it was left untouched \(use --db"),
    "header_only": (header_only, r"is damaged .+ move it aside or restore a backup"),
}
COMMANDS = {
    "study": (["study", "--deck", "drill"], keys(2)),
    "quiz": (["quiz", "--deck", "drill", "-n", "1", "--no-type"], " \n5\n"),
    "decks": (["decks"], None),
    "stats": (["stats"], None),
    "show": (["show", "drill-1"], None),
    "suspend": (["suspend", "drill-1"], None),
    "reset": (["reset", "--yes", "drill-1"], None),
    "backup": (["backup"], None),
    "export progress": (["export", "progress", "-o", "out.json"], None),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", BROKEN)
def test_a_broken_database_is_one_line_and_left_byte_for_byte(
    kind, command, invoke, home, decks, tmp_path, monkeypatch
):
    make, message = BROKEN[kind]
    home.mkdir(parents=True)
    db = home / "flashdl.db"
    make(db)
    before = digest(db)
    siblings = files_beside(db)
    monkeypatch.chdir(tmp_path)
    args, stdin = COMMANDS[command]
    line = one_error_line(invoke(*args, input=stdin))
    assert re.search(message, line), line
    assert str(db) in line
    assert digest(db) == before
    # No journal or WAL file was left beside it, and no output file was written.
    assert files_beside(db) == siblings
    assert not (tmp_path / "out.json").exists()


# -- folders that are missing or cannot be written ---------------------------------------------


def test_a_missing_data_folder_is_created(invoke, home, decks):
    nested = home / "not" / "there" / "yet"
    result = invoke("study", "--deck", "drill", "--db", str(nested / "flashdl.db"), input=keys(1))
    assert result.exit_code == 0, result.output
    with Store.open(nested / "flashdl.db") as store:
        assert [r.card_id for r in store.reviews()] == ["drill-1"]


@pytest.mark.parametrize("command", ["study", "decks", "stats", "quiz"])
def test_a_data_folder_that_cannot_be_created(command, invoke, tmp_path, monkeypatch, decks):
    blocker = tmp_path / "blocker"  # a file where a folder should be: mkdir fails, even for root
    blocker.write_text("mine\n", encoding="utf-8")
    monkeypatch.setenv("FLASHDL_HOME", str(blocker / "flashdl"))
    line = one_error_line(invoke(command, input=keys(1)))
    assert "cannot create the data folder" in line and "(set FLASHDL_HOME or --db)" in line
    assert blocker.read_text(encoding="utf-8") == "mine\n"


def read_only_connect(database, *args, **kwargs):
    """What SQLite does with a file it may read but not write (a read-only file or mount)."""
    return REAL_CONNECT(f"file:{database}?mode=ro", *args, uri=True, **kwargs)


def test_a_read_only_database_keeps_its_reviews_and_bytes(invoke, home, decks, monkeypatch):
    home.mkdir(parents=True)
    db = home / "flashdl.db"
    grade_directly(db, 3)
    before = digest(db)
    monkeypatch.setattr(sqlite3, "connect", read_only_connect)
    result = invoke("study", "--deck", "drill", input=keys(2))
    line = one_error_line(result)
    assert "is read-only" in line and "(set FLASHDL_HOME or --db to move it)" in line
    monkeypatch.setattr(sqlite3, "connect", REAL_CONNECT)
    assert digest(db) == before
    with Store.open(db) as store:
        assert len(store.reviews()) == 3


def test_a_database_that_cannot_be_opened(invoke, home, decks, monkeypatch):
    """A read-only folder: SQLite cannot create the file (or its WAL) there."""

    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(sqlite3, "connect", refuse)
    line = one_error_line(invoke("study", "--deck", "drill", input=keys(1)))
    assert "cannot open database" in line and "writable, or use --db" in line


# -- writes that fail in the middle of a session ------------------------------------------------


def test_a_full_disk_keeps_every_grade_given_before_it(invoke, home, decks, monkeypatch):
    """The disk fills up after five grades: SQLite itself reports SQLITE_FULL (the database may
    not grow by a page), the session stops with one line, and the grades before are all there."""
    real_record = Store.record_review
    calls = 0

    def record(self, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 6:
            pages = self.conn.execute("PRAGMA page_count").fetchone()[0]
            self.conn.execute(f"PRAGMA max_page_count = {pages}")
        return real_record(self, **kwargs)

    monkeypatch.setattr(Store, "record_review", record)
    result = invoke("study", "--deck", "drill", "--new", "30", input=keys(30))
    line = one_error_line(result)
    assert "database or disk is full; free some space and retry (earlier reviews are saved)" in line
    done = acknowledged(result.stdout)
    assert 5 <= done < 30 and calls == done + 1  # the grade that failed was the next one
    db = home / "flashdl.db"
    assert integrity(db) == "ok"
    with Store.open(db) as store:
        log = store.reviews(include_undone=True)
        assert [r.card_id for r in log] == [f"drill-{i}" for i in range(1, done + 1)]
        assert set(store.states()) == {r.card_id for r in log}  # no state without its review


class FailingInsert(sqlite3.Connection):
    """Fails the third review insert with the error text SQLite gives."""

    message = ""
    inserts = 0

    def execute(self, sql, *args):
        if sql.lstrip().startswith("INSERT INTO reviews"):
            FailingInsert.inserts += 1
            if FailingInsert.inserts == 3:
                raise sqlite3.OperationalError(self.message)
        return super().execute(sql, *args)


@pytest.mark.parametrize(
    ("sqlite_says", "user_reads"),
    [
        ("attempt to write a readonly database", "is read-only (set FLASHDL_HOME or --db"),
        ("database or disk is full", "free some space and retry (earlier reviews are saved)"),
        ("disk I/O error", "disk I/O error; check the disk"),
        (
            "database is locked",
            "is busy: another process (flashdl, or a program that opened it) is writing to it; try again in a moment",
        ),
    ],
)
def test_a_failed_write_mid_session(sqlite_says, user_reads, invoke, home, decks, monkeypatch):
    FailingInsert.message, FailingInsert.inserts = sqlite_says, 0
    monkeypatch.setattr(
        sqlite3, "connect", lambda *a, **k: REAL_CONNECT(*a, factory=FailingInsert, **k)
    )
    result = invoke("study", "--deck", "drill", input=keys(5))
    line = one_error_line(result)
    assert user_reads in line, line
    assert acknowledged(result.stdout) == 2
    monkeypatch.setattr(sqlite3, "connect", REAL_CONNECT)
    with Store.open(home / "flashdl.db") as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert [r.card_id for r in store.reviews()] == ["drill-1", "drill-2"]
        assert set(store.states()) == {"drill-1", "drill-2"}


@pytest.mark.parametrize(
    ("change", "what"),
    [
        ("UPDATE card_state SET due = 'not-a-date'", "card state"),
        ("UPDATE card_state SET due = 12345", "card state"),
        ("UPDATE card_state SET introduced_on = 'x'", "card state"),
        ("UPDATE card_state SET interval = 9223372036854775807", "card state"),
        ("UPDATE card_state SET interval = -3", "card state"),
        ("UPDATE card_state SET easiness = 'abc'", "card state"),
        ("UPDATE card_state SET stability = 'x'", "card state"),
        ("UPDATE reviews SET reviewed_at = 'garbage'", "review time"),
        ("UPDATE reviews SET reviewed_at = '2026-12-03T10:00:00+99:00'", "review time"),
    ],
)
def test_a_value_flashdl_never_writes_is_one_line_naming_it(invoke, home, change, what):
    """The schema guard sees the schema only: a copied or edited database can hold any value in
    a column. Reading one is a one-line error naming the column, never the catch-all."""
    first = invoke("study", "--deck", "basics", "--new", "2", input="\n0\n\n5\n")
    assert first.exit_code == 0, first.output
    with sqlite3.connect(home / "flashdl.db") as conn:
        conn.execute(change)
    for command in (["study", "--deck", "basics", "--new", "2"], ["stats"], ["decks"]):
        result = invoke(*command, input="\n5\n")
        assert "unexpected" not in result.stderr and "Traceback" not in result.output
        if result.exit_code:
            [line] = result.stderr.strip().splitlines()
            assert re.search(rf"holds a {what}|holds a due date", line), line
            assert "flashdl cannot read" in line and result.exit_code == 1
