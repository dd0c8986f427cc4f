"""``flashdl doctor``: every check, its plain-words verdict and exit code, and that it changes nothing."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from conftest import NOW
from studyproc import write_decks

from flashdl.app import doctor
from flashdl.app.doctor import Finding, Status
from flashdl.core.scheduling import NEW_CARD
from flashdl.core.sm2 import review
from flashdl.store import Store, migrations
from flashdl.store.migrations import KNOWN, SCHEMA_VERSION


@pytest.fixture
def decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = write_decks(tmp_path / "decks", {"drill": 3})
    monkeypatch.setenv("FLASHDL_DECKS", str(folder))
    return folder


def run(invoke, *args: str):
    result = invoke("doctor", *args)
    assert "Traceback" not in result.output
    verdict = result.stdout.strip().splitlines()[-1]
    assert verdict == "No problems found." if result.exit_code == 0 else verdict.endswith(" found.")
    return result


def line(result, check: str) -> str:
    """The first output line of ``check`` (e.g. 'database')."""
    return next(
        row for row in result.stdout.splitlines() if row[9:].startswith(check)
    )  # status is 8 wide, then a space


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def graded_db(path: Path, count: int = 2) -> Path:
    with Store.open(path) as store:
        for i in range(count):
            store.record_review(
                card_id=f"drill-{i + 1}", deck="drill", grade=5, mode="study", reviewed_at=NOW,
                before=NEW_CARD, after=review(NEW_CARD, 5, NOW),
            )  # fmt: skip
    return path


def test_a_fresh_install_is_fine_and_nothing_is_created(invoke, home, decks):
    result = run(invoke)
    assert result.exit_code == 0, result.output
    assert line(result, "data folder").startswith("note     data folder")
    assert "does not exist yet; flashdl creates it" in line(result, "data folder")
    assert "does not exist yet; the first `flashdl study` creates it" in line(result, "database")
    assert line(result, "decks").startswith("ok       decks") and "all valid" in line(
        result, "decks"
    )
    assert "no cache" in line(result, "cache")
    assert result.stdout.strip().endswith("No problems found.")
    assert not home.exists()  # doctor only looks


def test_after_studying_everything_is_ok_and_the_database_is_untouched(invoke, home, decks):
    invoke("study", "--deck", "drill", input=" \n5\n \n5\n")
    db = home / "flashdl.db"
    before = digest(db)
    beside = {p.name for p in home.iterdir()} - {"flashdl.db-wal", "flashdl.db-shm"}
    result = run(invoke)
    assert result.exit_code == 0, result.output
    assert line(result, "data folder").startswith(f"ok       data folder  {home} (writable, ")
    assert line(result, "database").endswith(
        f"{db}: integrity ok, schema version {SCHEMA_VERSION} (current), 2 reviews of 2 cards"
    )
    assert "all valid" in line(result, "decks")
    assert "up to date" in line(result, "cache") and line(result, "cache").startswith("ok")
    assert digest(db) == before
    # SQLite may leave empty -wal/-shm companions after a read-only open; nothing else appears.
    assert {p.name for p in home.iterdir()} - {"flashdl.db-wal", "flashdl.db-shm"} == beside
    assert not any(p.name.startswith(".flashdl-doctor-") for p in home.iterdir())
    with Store.open(db) as store:
        assert len(store.reviews()) == 2


def test_an_older_schema_is_a_note_and_is_not_migrated(invoke, home, decks):
    home.mkdir()
    db = home / "flashdl.db"
    conn = sqlite3.connect(db, isolation_level=None)
    migrations.apply(conn, stop_before=KNOWN[-1])
    conn.close()
    before = digest(db)
    result = run(invoke)
    assert result.exit_code == 0, result.output
    older = line(result, "database")
    assert (
        older.startswith("note")
        and f"schema version {SCHEMA_VERSION - 1} of {SCHEMA_VERSION}" in older
    )
    assert "flashdl upgrades it the next time it opens it" in older
    assert "(will be upgraded)" in result.stdout
    assert digest(db) == before
    conn = sqlite3.connect(db)
    assert len(migrations.applied(conn)) == SCHEMA_VERSION - 1
    conn.close()


def corrupt_page(db: Path) -> None:
    """Overwrite one page in the middle with junk: SQLite opens the file, the check fails."""
    graded_db(db, 300)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    data = bytearray(db.read_bytes())
    middle = (pages // 2) * page_size
    data[middle + 8 : middle + page_size] = b"\xa5" * (page_size - 8)
    db.write_bytes(bytes(data))


def truncate(db: Path) -> None:
    graded_db(db, 300)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])


def newer(db: Path) -> None:
    graded_db(db)
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at)"
        " VALUES ('flashdl', 'm999_future', 'x')"
    )
    conn.commit()
    conn.close()


def foreign(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()


def not_sqlite(db: Path) -> None:
    db.write_text("my notes\n" * 100, encoding="utf-8")


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (corrupt_page, r"(fails SQLite's integrity check|is damaged) .*restore a backup"),
        (truncate, r"(is damaged|fails SQLite's integrity check).*restore a backup"),
        (
            newer,
            r"was written by a newer flashdl \(schema change 'm999_future' .*pip install -U flashdl",
        ),
        (foreign, r"is a SQLite database, but not flashdl's \(tables: photos\); point --db"),
        (not_sqlite, r"is not a SQLite database .*move it aside"),
    ],
    ids=["corrupt_page", "truncated", "newer_schema", "foreign", "not_sqlite"],
)
def test_a_bad_database_is_a_problem_and_left_byte_for_byte(make, says, invoke, home, decks):
    home.mkdir()
    db = home / "flashdl.db"
    make(db)
    for companion in ("flashdl.db-wal", "flashdl.db-shm"):
        (home / companion).unlink(missing_ok=True)
    before = digest(db)
    result = run(invoke)
    assert result.exit_code == 1, result.output
    found = line(result, "database")
    assert found.startswith("PROBLEM  database") and re.search(says, found), found
    assert result.stdout.strip().endswith("1 problem found.")
    assert digest(db) == before


def test_a_database_elsewhere_gets_its_folder_checked(invoke, home, decks, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    result = run(invoke, "--db", str(blocker / "sub" / "flashdl.db"))
    assert result.exit_code == 1
    folder = line(result, "database folder")
    assert folder.startswith("PROBLEM") and f"{blocker} is a file, not a folder" in folder


def test_a_data_folder_that_cannot_be_created(invoke, tmp_path, monkeypatch, decks):
    blocker = tmp_path / "blocker"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("FLASHDL_HOME", str(blocker / "flashdl"))
    result = run(invoke)
    assert result.exit_code == 1
    assert "cannot be created: " in line(result, "data folder")
    assert "set FLASHDL_HOME" in line(result, "data folder")


def test_a_read_only_data_folder(invoke, home, decks, monkeypatch):
    """Root ignores permissions, so os.access and the probe write are told the truth of a
    read-only mount."""
    home.mkdir()
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda path, mode, **kw: False if Path(path) == home else real_access(path, mode, **kw),
    )
    result = run(invoke)
    assert result.exit_code == 1
    assert f"{home} is not writable (permission denied)" in line(result, "data folder")


def test_a_folder_where_writing_fails(invoke, home, decks, monkeypatch):
    home.mkdir()
    real_mkstemp = tempfile.mkstemp

    def read_only(*args, **kwargs):
        if Path(kwargs.get("dir", "")) == home:
            raise OSError(30, "Read-only file system")
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    result = run(invoke)
    assert result.exit_code == 1
    assert "is not writable (Read-only file system)" in line(result, "data folder")


def test_a_nearly_full_disk(invoke, home, decks, monkeypatch):
    home.mkdir()
    monkeypatch.setattr(
        shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 10**6, 10**6)
    )
    result = run(invoke)
    assert result.exit_code == 1
    assert "the disk is nearly full (0.95 MB free); free some space" in line(result, "data folder")


def test_bad_and_missing_decks_are_listed(invoke, tmp_path, monkeypatch):
    bad = Path(__file__).parents[1] / "data" / "bad_decks" / "bad_id.yaml"
    monkeypatch.setenv("FLASHDL_DECKS", os.pathsep.join([str(bad), str(tmp_path / "gone")]))
    result = run(invoke)
    assert result.exit_code == 1
    rows = result.stdout.splitlines()
    assert any(f"FLASHDL_DECKS names {tmp_path / 'gone'}, which does not exist" in r for r in rows)
    index = next(i for i, r in enumerate(rows) if "1 problem in deck files" in r)
    assert rows[index + 1].startswith(" " * 20)  # the problems, indented below
    assert (
        rows[index + 1]
        .strip()
        .endswith(
            "bad_id.yaml:19: card id 'Demo Two' must be lowercase letters, digits, '-' or '_' (max 100)"
        )
    )
    assert result.stdout.strip().endswith("2 problems found.")


def test_a_broken_settings_file(invoke, home, decks):
    home.mkdir()
    (home / "config.toml").write_text("scheduler = [", encoding="utf-8")
    result = run(invoke)
    assert result.exit_code == 1
    assert "not valid TOML" in line(result, "settings")


def test_the_cache_is_described(invoke, home, decks, monkeypatch):
    invoke("study", "--deck", "drill", input="q\n")  # fills the cache
    cache = home / "cache"
    entries = sorted(cache.glob("deck-*.index"))
    assert entries
    described = line(run(invoke), "cache")
    assert described.startswith("ok       cache")
    on_disk = sum(f.stat().st_size for f in cache.glob("deck-*"))  # the card files too
    assert f"({on_disk / 2**20:.1f} MB)" in described and on_disk >= 2**20
    deck = decks / "drill.yaml"
    deck.write_text(deck.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # changed since
    (cache / "deck-0123456789abcdef0123456789abcdef.index").write_bytes(b"not json")
    result = run(invoke)
    assert result.exit_code == 0
    described = line(result, "cache")
    assert described.startswith("note     cache")
    assert "for decks changed since (parsed again on next use)" in described
    assert "1 unreadable or from another version (ignored, then rewritten)" in described
    shutil.rmtree(decks)
    write_decks(decks.parent / "other", {"other": 3})
    monkeypatch.setenv("FLASHDL_DECKS", str(decks.parent / "other"))
    assert "for deck files that are gone (harmless)" in line(run(invoke), "cache")


def test_a_cache_that_is_a_file(invoke, home, decks):
    home.mkdir()
    (home / "cache").write_text("x", encoding="utf-8")
    result = run(invoke)
    assert result.exit_code == 1
    assert "is a file, so decks are parsed again at every start; remove it" in line(result, "cache")


def test_report_lines_and_verdict():
    findings = [
        Finding("database", Status.OK, "fine"),
        Finding("decks", Status.PROBLEM, "2 problems", ("a.yaml:1: x", "b.yaml:2: y")),
        Finding("cache", Status.NOTE, "no cache"),
    ]
    assert doctor.report(findings) == [
        "ok       database  fine",
        "PROBLEM  decks     2 problems",
        "                     a.yaml:1: x",
        "                     b.yaml:2: y",
        "note     cache     no cache",
        "1 problem found.",
    ]
    assert doctor.has_problems(findings) and not doctor.has_problems(findings[::2])


def test_a_user_decks_folder_that_is_a_file(invoke, home, decks):
    home.mkdir()
    (home / "decks").write_text("deck: oops\n", encoding="utf-8")
    result = run(invoke)
    assert result.exit_code == 1
    assert f"{home / 'decks'} should be your decks folder but is a file" in result.stdout


def _db_with_a_review(path):
    from conftest import NOW

    from flashdl.core.sm2 import SM2
    from flashdl.store import Store

    with Store.open(path) as store:
        store.record_review(card_id="c", deck="d", grade=4, mode="study", reviewed_at=NOW,
                            scheduler=SM2())  # fmt: skip
    return path


UNREADABLE = [  # the store refuses each where it reads it: "... cannot read ...; run `flashdl doctor`"
    "UPDATE card_state SET introduced_on = 'someday'",
    "UPDATE card_state SET interval = 9223372036854775807",
    "UPDATE card_state SET easiness = 'abc'",
    "UPDATE card_state SET lapses = -1",
    "UPDATE reviews SET reviewed_at = '2026-11-29T09:30:00.000+99:00'",
    "UPDATE reviews SET state_after = 'not json'",
]


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("UPDATE card_state SET due = '9999-12-31'", "impossible due date"),
        ("UPDATE reviews SET reviewed_at = '9999-12-31T00:00:00.000+00:00'", "dated in the future"),
        ("INSERT INTO settings VALUES ('interview_date', 'soon')", "is not a date"),
        # Values the store refuses with "run `flashdl doctor`": doctor must name them too.
        *((damage, "values flashdl never writes") for damage in UNREADABLE),
        ("DROP TABLE leeches", "is missing its table(s) leeches although its schema version"),
        # Values every command runs with (red-team, 2026-12-04) but flashdl never writes.
        *(
            (damage, "values flashdl never writes")
            for damage in (
                "UPDATE reviews SET mode = 'evil'",
                "UPDATE reviews SET answer_ms = -5",
                "UPDATE reviews SET typed = x'ff00'",
                "UPDATE reviews SET missed = printf('%.*c', 99999, '[') || printf('%.*c', 99999,"
                " ']')",  # (nested 99,999 deep)
                "UPDATE card_state SET suspended = 'yes'",
                "UPDATE card_state SET lapses = 9223372036854775807",
                "UPDATE card_state SET last_reviewed_at = 'x'",
                "UPDATE card_state SET card_id = x'ff00'",
                # what `import progress` refuses too (red-team, 2026-12-04)
                "UPDATE reviews SET undone_at = '2026-11-29T09:29:59.999+08:00'",
                "UPDATE reviews SET undone_at = 'later'",
                "UPDATE reviews SET day = '2026-11-20'",
                "UPDATE reviews SET reviewed_at = '2026-11-29T02:00:00.000+08:00',"
                " day = '2026-11-27'",
            )
        ),
    ],
)
def test_doctor_finds_values_no_flashdl_writes(invoke, tmp_path, monkeypatch, damage, expected):
    import sqlite3

    path = _db_with_a_review(tmp_path / "db")
    conn = sqlite3.connect(path)
    conn.execute(damage)
    conn.commit()
    conn.close()
    monkeypatch.setenv("FLASHDL_DB", str(path))
    result = invoke("doctor")
    assert result.exit_code == 1 and expected in result.output, result.output


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (
            "UPDATE reviews SET mode = 'evil'",
            "has 0 card state(s) and 1 review(s) with values flashdl never writes (the first:"
            " review 1 of card 'c')",
        ),
        ("UPDATE card_state SET suspended = 'yes'", "never writes (the first: card 'c')"),
        (
            "UPDATE card_state SET lapses = 9223372036854775807",
            "never writes (the first: card 'c')",
        ),
        (
            "UPDATE card_state SET suspended = 'yes', interval = -1",  # counted once
            "has 1 card state(s) and 0 review(s) with values flashdl never writes",
        ),
        (
            "INSERT INTO leeches(review_id, card_id, deck, lapses) VALUES (99, 'ghost', 'd', 8)",
            "has 1 leech mark(s) of cards that have no card state (the first: card 'ghost')",
        ),
        (
            "INSERT OR REPLACE INTO settings VALUES ('scheduler', 'evil')",
            "the stored scheduler 'evil' (settings table, key scheduler) names none flashdl writes",
        ),
        ("INSERT OR REPLACE INTO settings VALUES ('scheduler', x'ff')", "the stored scheduler"),
    ],
)
def test_doctor_names_what_flashdl_never_writes(invoke, tmp_path, monkeypatch, damage, expected):
    """Red-team, 2026-12-04: each is named (which card, which review, which table)."""
    path = _db_with_a_review(tmp_path / "db")
    with sqlite3.connect(path) as conn:
        conn.execute(damage)
    conn.close()
    monkeypatch.setenv("FLASHDL_DB", str(path))
    result = invoke("doctor")
    assert result.exit_code == 1 and expected in result.stdout, result.output
    assert result.stdout.count("PROBLEM") == 1, result.output


@pytest.mark.parametrize("scheduler", ["sm2", "fsrs(desired_retention=0.9)", "mixed"])
def test_doctor_takes_every_scheduler_flashdl_stores(invoke, tmp_path, monkeypatch, scheduler):
    path = _db_with_a_review(tmp_path / "db")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT OR REPLACE INTO settings VALUES ('scheduler', ?)", [scheduler])
    conn.close()
    monkeypatch.setenv("FLASHDL_DB", str(path))
    assert "PROBLEM  database" not in invoke("doctor").stdout


def test_doctor_reports_a_read_only_database(invoke, tmp_path, monkeypatch):
    path = _db_with_a_review(tmp_path / "db")
    path.chmod(0o444)
    real_access = os.access  # root may write anyway: ask as a normal user would be answered
    monkeypatch.setattr(
        "flashdl.app.doctor.os.access",
        lambda p, mode: False if Path(p) == path and mode == os.W_OK else real_access(p, mode),
    )
    monkeypatch.setenv("FLASHDL_DB", str(path))
    result = invoke("doctor")
    assert result.exit_code == 1 and "is read-only" in result.output


def test_an_error_raised_by_a_trigger_is_not_called_busy(tmp_path):
    import sqlite3

    from flashdl.store.connection import _describe

    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x)")
    conn.execute(
        "CREATE TRIGGER r BEFORE INSERT ON t BEGIN SELECT RAISE(ABORT, 'database is busy'); END"
    )
    with pytest.raises(sqlite3.Error) as info:
        conn.execute("INSERT INTO t VALUES (1)")
    message = _describe(info.value, tmp_path / "db")
    assert "is busy: another process" not in message and "refused a write" in message
