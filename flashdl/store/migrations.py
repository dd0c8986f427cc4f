"""Schema migrations for the flashdl database: named, append-only, each in its own transaction.

Never edit or reorder a migration that has shipped; add a new one at the end. The schema version of
a database is the number of flashdl migrations applied to it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_SET = "flashdl"
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' table, shared with its Migrations class
_STEPS: list[Callable[[Database], None]] = []


def _migration(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    """Register ``fn`` under its own name, in definition order."""
    _STEPS.append(fn)
    return fn


def applied(conn: sqlite3.Connection) -> list[str]:
    """Names of the flashdl migrations already applied, in order (no sqlite-utils import needed)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]
    ).fetchone()
    if not exists:
        return []
    rows = conn.execute(
        f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ? ORDER BY rowid",
        [MIGRATION_SET],
    )
    return [row[0] for row in rows]


def apply(conn: sqlite3.Connection, *, stop_before: str | None = None) -> None:
    """Apply the pending migrations with sqlite-utils, each in its own transaction.

    sqlite-utils is imported only here, so opening an up-to-date database stays cheap.
    ``stop_before`` (for tests of upgrades) leaves that migration and the later ones pending."""
    from sqlite_utils import Database, Migrations

    migrations = Migrations(MIGRATION_SET)
    for step in _STEPS:
        migrations(name=step.__name__)(step)
    migrations.apply(
        Database(conn, execute_plugins=False, recursive_triggers=False), stop_before=stop_before
    )


@_migration
def m001_initial(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE card_state (
            card_id TEXT PRIMARY KEY,
            deck TEXT NOT NULL,
            repetitions INTEGER NOT NULL DEFAULT 0,
            interval INTEGER NOT NULL DEFAULT 0,
            easiness REAL NOT NULL DEFAULT 2.5,
            due TEXT,
            lapses INTEGER NOT NULL DEFAULT 0,
            introduced_on TEXT,
            last_reviewed_at TEXT,
            suspended INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute("CREATE INDEX card_state_due ON card_state(due)")
    db.execute("CREATE INDEX card_state_introduced ON card_state(introduced_on)")
    db.execute(
        """
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            card_id TEXT NOT NULL,
            deck TEXT NOT NULL,
            reviewed_at TEXT NOT NULL,
            day TEXT NOT NULL,
            grade INTEGER NOT NULL CHECK (grade BETWEEN 0 AND 5),
            mode TEXT NOT NULL,
            answer_ms INTEGER,
            state_before TEXT NOT NULL,
            state_after TEXT NOT NULL,
            typed TEXT,
            undone_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX reviews_card ON reviews(card_id, reviewed_at)")
    db.execute("CREATE INDEX reviews_day ON reviews(day)")
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@_migration
def m002_quiz_details_and_reset(db: Database) -> None:
    """Quiz coverage per answer, missed key points, and when a card's progress was reset."""
    db.execute("ALTER TABLE reviews ADD COLUMN coverage REAL")
    db.execute("ALTER TABLE reviews ADD COLUMN missed TEXT")
    db.execute("ALTER TABLE card_state ADD COLUMN reset_at TEXT")
    db.execute("CREATE INDEX reviews_mode_day ON reviews(mode, day)")


@_migration
def m003_fsrs_memory(db: Database) -> None:
    """FSRS memory per card (NULL under SM-2): stability in days and difficulty 1–10."""
    db.execute("ALTER TABLE card_state ADD COLUMN stability REAL")
    db.execute("ALTER TABLE card_state ADD COLUMN difficulty REAL")


@_migration
def m004_due_covering_index(db: Database) -> None:
    """Lets a session find the cards due today from the index alone (no table lookups)."""
    db.execute("CREATE INDEX card_state_due_cover ON card_state(due, suspended, card_id)")


@_migration
def m005_leeches(db: Database) -> None:
    """Leech marks: one row per grade that made a card a leech (``flashdl.core.leeches``)."""
    db.execute(
        """
        CREATE TABLE leeches (
            review_id INTEGER PRIMARY KEY,
            card_id TEXT NOT NULL,
            deck TEXT NOT NULL,
            lapses INTEGER NOT NULL,
            suspended INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute("CREATE INDEX leeches_card ON leeches(card_id)")


@_migration
def m006_stats_covering_indexes(db: Database) -> None:
    """Lets ``stats`` count reviews per day and deck from indexes alone (no table lookups).

    ``reviews_day_deck`` replaces ``reviews_day`` (the same first column, so every search by day
    still uses it); ``reviews_quiz`` holds the quiz rows only, with what the quiz figures read."""
    db.execute("CREATE INDEX reviews_day_deck ON reviews(day, deck, undone_at, mode, grade)")
    db.execute("DROP INDEX reviews_day")
    db.execute(
        "CREATE INDEX reviews_quiz"
        " ON reviews(day, deck, undone_at, coverage, card_id, missed, mode) WHERE mode = 'quiz'"
    )


KNOWN: list[str] = [step.__name__ for step in _STEPS]
SCHEMA_VERSION = len(KNOWN)
