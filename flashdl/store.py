"""The only module that talks to SQLite: card state, the append-only review log, and settings.

Tables (documented in the README, "Where data lives"):
- ``card_state``: one row per card the user has seen, keyed by the deck's card id.
- ``reviews``: every grade ever given, with the state before and after (JSON), the mode (``study``,
  ``repeat`` for same-session repeats, ``quiz``), the answer time and, for quizzes, the typed answer.
  Rows are never deleted; an undo stamps ``undone_at`` and restores the state before.
- ``settings``: small key/value pairs (e.g. the interview date).

The database is opened in WAL mode with a busy timeout, so two terminals can study at once, and
every grade is one ``BEGIN IMMEDIATE`` transaction committed before the next card is shown.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlite_utils import Database

from flashdl.errors import StoreError
from flashdl.migrations import KNOWN, SCHEMA_VERSION, migrations
from flashdl.scheduler import CardState

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class StoredCard:
    card_id: str
    deck: str
    state: CardState
    introduced_on: date | None = None
    suspended: bool = False


@dataclass(frozen=True)
class Review:
    id: int
    card_id: str
    deck: str
    reviewed_at: str
    day: str
    grade: int
    mode: str
    answer_ms: int | None
    state_before: CardState
    state_after: CardState
    typed: str | None = None
    undone_at: str | None = None


def state_to_json(state: CardState) -> str:
    return json.dumps(
        {
            "repetitions": state.repetitions,
            "interval": state.interval,
            "easiness": state.easiness,
            "due": state.due.isoformat() if state.due else None,
            "lapses": state.lapses,
        },
        separators=(",", ":"),
    )


def state_from_json(text: str) -> CardState:
    raw = json.loads(text)
    return CardState(
        repetitions=raw["repetitions"],
        interval=raw["interval"],
        easiness=raw["easiness"],
        due=date.fromisoformat(raw["due"]) if raw["due"] else None,
        lapses=raw["lapses"],
    )


def _describe(exc: sqlite3.Error, path: Path) -> str:
    message = str(exc)
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"database {path} is busy in another flashdl process; try again in a moment"
    if "readonly" in lowered or "read-only" in lowered:
        return f"cannot write {path}: the file or its folder is read-only (set FLASHDL_HOME or --db to move it)"
    if "disk is full" in lowered or "disk i/o" in lowered:
        return (
            f"cannot write {path}: {message}; free some space and retry (earlier reviews are saved)"
        )
    if "unable to open" in lowered:
        return f"cannot open database {path}: check the folder exists and is writable, or use --db"
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return f"database {path} is damaged ({message}); move it aside or restore a backup"
    return f"database {path}: {message}"


class Store:
    """Progress for one database file. Use ``Store.open(path)``; close it (or use ``with``)."""

    def __init__(self, db: Database, path: Path):
        self.db = db
        self.path = path

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating if missing) and migrate; refuse foreign, damaged or newer databases."""
        path = Path(path)
        _check_file(path)
        try:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, path)) from None
        store = cls(Database(conn, execute_plugins=False, recursive_triggers=False), path)
        try:
            with store._errors():
                store._prepare()
        except BaseException:
            conn.close()
            raise
        return store

    def _prepare(self) -> None:
        conn = self.db.conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        applied: list[str] = []
        if "_sqlite_migrations" in tables:
            applied = [m.name for m in migrations.applied(self.db)]
        if tables and not applied:
            raise StoreError(
                f"{self.path} is a SQLite database, but not a flashdl one; it was left untouched "
                "(use --db to choose another file)"
            )
        unknown = [name for name in applied if name not in KNOWN]
        if unknown:
            raise StoreError(
                f"database {self.path} was written by a newer flashdl (schema {len(applied)}, this "
                f"version knows {SCHEMA_VERSION}); upgrade flashdl (pip install -U flashdl)"
            )
        if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        if len(applied) < SCHEMA_VERSION:
            migrations.apply(self.db)

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, self.path)) from None

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One immediate transaction: takes the write lock up front, so WAL readers never deadlock."""
        conn = self.db.conn
        with self._errors():
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # -- reading ---------------------------------------------------------------------------

    def schema_version(self) -> int:
        with self._errors():
            return len([m for m in migrations.applied(self.db) if m.name in KNOWN])

    def states(self) -> dict[str, StoredCard]:
        with self._errors():
            rows = self.db.conn.execute(
                "SELECT card_id, deck, repetitions, interval, easiness, due, lapses, introduced_on,"
                " suspended FROM card_state"
            ).fetchall()
        return {row[0]: _stored_card(row) for row in rows}

    def introduced_on(self, day: date) -> int:
        """How many cards were seen for the first time on ``day`` (counts against the new-card limit)."""
        with self._errors():
            row = self.db.conn.execute(
                "SELECT count(*) FROM card_state WHERE introduced_on = ?", [day.isoformat()]
            ).fetchone()
        return int(row[0])

    def next_due(self, after: date) -> date | None:
        """The first day after ``after`` on which some card is due."""
        with self._errors():
            row = self.db.conn.execute(
                "SELECT min(due) FROM card_state WHERE due > ? AND suspended = 0",
                [after.isoformat()],
            ).fetchone()
        return date.fromisoformat(row[0]) if row and row[0] else None

    def reviews(self, card_id: str | None = None, include_undone: bool = False) -> list[Review]:
        where, params = [], []
        if card_id is not None:
            where.append("card_id = ?")
            params.append(card_id)
        if not include_undone:
            where.append("undone_at IS NULL")
        sql = (
            "SELECT id, card_id, deck, reviewed_at, day, grade, mode, answer_ms, state_before,"
            " state_after, typed, undone_at FROM reviews"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY id"
        )
        with self._errors():
            rows = self.db.conn.execute(sql, params).fetchall()
        return [
            Review(
                id=r[0],
                card_id=r[1],
                deck=r[2],
                reviewed_at=r[3],
                day=r[4],
                grade=r[5],
                mode=r[6],
                answer_ms=r[7],
                state_before=state_from_json(r[8]),
                state_after=state_from_json(r[9]),
                typed=r[10],
                undone_at=r[11],
            )
            for r in rows
        ]

    def setting(self, key: str) -> str | None:
        with self._errors():
            row = self.db.conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    # -- writing ---------------------------------------------------------------------------

    def set_setting(self, key: str, value: str | None) -> None:
        with self._write() as conn:
            if value is None:
                conn.execute("DELETE FROM settings WHERE key = ?", [key])
            else:
                conn.execute(
                    "INSERT INTO settings(key, value) VALUES(?, ?)"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [key, value],
                )

    def record_review(
        self,
        *,
        card_id: str,
        deck: str,
        grade: int,
        mode: str,
        reviewed_at: datetime,
        before: CardState,
        after: CardState,
        answer_ms: int | None = None,
        typed: str | None = None,
    ) -> int:
        """Log one grade and, if it changed the schedule, the card's new state; one transaction."""
        day = reviewed_at.date().isoformat()
        stamp = reviewed_at.isoformat(timespec="milliseconds")
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO reviews(card_id, deck, reviewed_at, day, grade, mode, answer_ms,"
                " state_before, state_after, typed) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    card_id,
                    deck,
                    stamp,
                    day,
                    int(grade),
                    mode,
                    answer_ms,
                    state_to_json(before),
                    state_to_json(after),
                    typed,
                ],
            )
            if after != before:
                _write_state(conn, card_id, deck, after, introduced_on=day, reviewed_at=stamp)
            return int(cursor.lastrowid or 0)

    def undo_review(self, review_id: int, undone_at: datetime) -> Review:
        """Mark a review undone and put the card back in the state it had before it."""
        with self._write() as conn:
            row = conn.execute(
                "SELECT card_id, deck, state_before, state_after FROM reviews"
                " WHERE id = ? AND undone_at IS NULL",
                [review_id],
            ).fetchone()
            if row is None:
                raise StoreError(f"review {review_id} does not exist or was already undone")
            conn.execute(
                "UPDATE reviews SET undone_at = ? WHERE id = ?",
                [undone_at.isoformat(timespec="milliseconds"), review_id],
            )
            if row[2] != row[3]:
                before = state_from_json(row[2])
                _write_state(conn, row[0], row[1], before, introduced_on=None, reviewed_at=None)
                if before.is_new:
                    conn.execute(
                        "UPDATE card_state SET introduced_on = NULL WHERE card_id = ?", [row[0]]
                    )
        return next(r for r in self.reviews(row[0], include_undone=True) if r.id == review_id)

    def set_suspended(self, card_id: str, deck: str, suspended: bool) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO card_state(card_id, deck, suspended) VALUES (?, ?, ?)"
                " ON CONFLICT(card_id) DO UPDATE SET suspended = excluded.suspended",
                [card_id, deck, int(suspended)],
            )


def _stored_card(row: tuple) -> StoredCard:
    return StoredCard(
        card_id=row[0],
        deck=row[1],
        state=CardState(
            repetitions=row[2],
            interval=row[3],
            easiness=row[4],
            due=date.fromisoformat(row[5]) if row[5] else None,
            lapses=row[6],
        ),
        introduced_on=date.fromisoformat(row[7]) if row[7] else None,
        suspended=bool(row[8]),
    )


def _write_state(
    conn: sqlite3.Connection,
    card_id: str,
    deck: str,
    state: CardState,
    *,
    introduced_on: str | None,
    reviewed_at: str | None,
) -> None:
    conn.execute(
        "INSERT INTO card_state(card_id, deck, repetitions, interval, easiness, due, lapses,"
        " introduced_on, last_reviewed_at) VALUES (?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT(card_id) DO UPDATE SET deck = excluded.deck,"
        " repetitions = excluded.repetitions, interval = excluded.interval,"
        " easiness = excluded.easiness, due = excluded.due, lapses = excluded.lapses,"
        " introduced_on = COALESCE(card_state.introduced_on, excluded.introduced_on),"
        " last_reviewed_at = COALESCE(excluded.last_reviewed_at, card_state.last_reviewed_at)",
        [
            card_id,
            deck,
            state.repetitions,
            state.interval,
            state.easiness,
            state.due.isoformat() if state.due else None,
            state.lapses,
            introduced_on,
            reviewed_at,
        ],
    )


def _check_file(path: Path) -> None:
    """Refuse a folder or a non-SQLite file before SQLite can touch it; create the parent folder."""
    if path.is_dir():
        raise StoreError(f"{path} is a folder; --db / FLASHDL_DB must name a database file")
    if path.exists():
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise StoreError(f"cannot read database {path}: {exc.strerror}") from None
        if header and header != SQLITE_HEADER:
            raise StoreError(
                f"{path} is not a SQLite database (a damaged or foreign file); it was left "
                "untouched — move it aside or pass --db"
            )
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the data folder {path.parent}: {exc.strerror} (set FLASHDL_HOME or --db)"
        ) from None
