"""The schema guard: databases with objects flashdl did not create are refused, listed and repaired."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from conftest import NOW

from flashdl.core.errors import StoreError
from flashdl.core.sm2 import SM2
from flashdl.store import Store, migrations
from flashdl.store.guard import KNOWN_OBJECTS, fingerprint, foreign_objects


def test_the_fingerprints_are_what_the_migrations_create():
    """KNOWN_OBJECTS is a constant for speed; rebuild it from every schema version."""
    built: dict[tuple[str, str], set[str]] = {}
    for count in range(1, len(migrations.KNOWN) + 1):
        conn = sqlite3.connect(":memory:", isolation_level=None)
        stop = migrations.KNOWN[count] if count < len(migrations.KNOWN) else None
        migrations.apply(conn, stop_before=stop)
        assert foreign_objects(conn) == []
        for kind, name, sql in conn.execute("SELECT type, name, sql FROM sqlite_master"):
            if (kind, name) in KNOWN_OBJECTS:
                built.setdefault((kind, name), set()).add(fingerprint(sql))
    assert built == {key: set(value) for key, value in KNOWN_OBJECTS.items()}


def graded_db(path: Path) -> Path:
    with Store.open(path) as store:
        for grade in (4, 5):
            store.record_review(card_id="c", deck="d", grade=grade, mode="study",
                                reviewed_at=NOW, scheduler=SM2())  # fmt: skip
    return path


PLANTS = {
    "trigger": "CREATE TRIGGER wipe AFTER INSERT ON reviews BEGIN DELETE FROM reviews; END",
    "raise": "CREATE TRIGGER busy BEFORE INSERT ON reviews BEGIN SELECT RAISE(ABORT, 'database is busy'); END",
    "view": "CREATE VIEW v AS SELECT * FROM reviews",
    "table": "CREATE TABLE extra (x)",
    "index": "CREATE INDEX sneaky ON reviews(typed)",
    # a name the guard takes without its SQL, on another table: it would refuse every grade
    "named index": "DROP INDEX idx__sqlite_migrations_migration_set_name;"
    " CREATE INDEX idx__sqlite_migrations_migration_set_name ON reviews(deck, day)",
}


def plant(path: Path, sql: str) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize("kind", PLANTS)
def test_a_planted_object_is_refused_and_the_file_left_untouched(tmp_path, kind):
    path = graded_db(tmp_path / "db")
    plant(path, PLANTS[kind])
    before = path.read_bytes()
    with pytest.raises(StoreError, match="schema objects flashdl did not create") as info:
        Store.open(path)
    assert "flashdl doctor --remove-foreign" in str(info.value)
    assert path.read_bytes() == before


def test_an_altered_table_is_refused(tmp_path):
    path = graded_db(tmp_path / "db")
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE reviews ADD COLUMN extra TEXT DEFAULT 'x'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="altered table 'reviews'"):
        Store.open(path)


def test_doctor_lists_them_and_remove_foreign_repairs_without_losing_reviews(
    invoke, tmp_path, monkeypatch
):
    path = graded_db(tmp_path / "db")
    monkeypatch.setenv("FLASHDL_DB", str(path))
    plant(path, PLANTS["trigger"])
    plant(path, PLANTS["view"])
    listed = invoke("doctor")
    assert listed.exit_code == 1
    assert "trigger 'wipe'" in listed.output and "view 'v'" in listed.output
    repaired = invoke("doctor", "--remove-foreign")
    assert repaired.exit_code == 0, repaired.output
    assert "Removed: trigger 'wipe', view 'v'." in repaired.output
    backups = list(tmp_path.glob("db.before-repair-*"))
    assert len(backups) == 1
    assert any(row[0] == "wipe" for row in sqlite3.connect(backups[0]).execute(
        "SELECT name FROM sqlite_master"))  # fmt: skip
    with Store.open(path) as store:
        assert len(store.reviews("c")) == 2
        store.record_review(card_id="c", deck="d", grade=5, mode="study", reviewed_at=NOW,
                            scheduler=SM2())  # fmt: skip
        assert len(store.reviews("c")) == 3


@pytest.mark.parametrize("target", [":memory:", "file::memory:", "/dev/null", "folder", "fifo"])
def test_non_file_databases_are_refused(invoke, tmp_path, monkeypatch, target):
    """Issue 11.8: grades must never be acknowledged into something that does not keep them."""
    if target == "folder":
        target = str(tmp_path)
    elif target == "fifo":
        target = str(tmp_path / "pipe")
        os.mkfifo(target)
    monkeypatch.setenv("FLASHDL_DB", target)
    for command in (["study"], ["stats"], ["decks"]):
        result = invoke(*command, input="1\n")
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("flashdl: ") and ("not a" in line or "is a folder" in line)


def test_fingerprints_are_sha256_as_hashlib_gives_them():
    """The guard uses hashlib's SHA-256 module without importing hashlib; the same digests."""
    import hashlib

    from flashdl.store.guard import fingerprint

    sql = "CREATE TABLE  t (\n  a TEXT )"
    assert fingerprint(sql) == hashlib.sha256(b"CREATE TABLE t ( a TEXT )").hexdigest()[:16]
