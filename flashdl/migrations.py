"""Schema migrations for the flashdl database: named, append-only, each in its own transaction.

Never edit or reorder a migration that has shipped; add a new one at the end. The schema version of
a database is the number of flashdl migrations applied to it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database, Migrations

MIGRATION_SET = "flashdl"
migrations = Migrations(MIGRATION_SET)
KNOWN: list[str] = []


def _migration(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    """Register ``fn`` under its own name, in definition order."""
    KNOWN.append(fn.__name__)
    return migrations(name=fn.__name__)(fn)


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


SCHEMA_VERSION = len(KNOWN)
