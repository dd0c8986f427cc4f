"""The only module that talks to SQLite: card state, the append-only review log, and settings.

Tables (documented in the README, "Where data lives"):
- ``card_state``: one row per card the user has seen, keyed by the deck's card id.
- ``reviews``: every grade ever given, with the state before and after (JSON), the mode (``study``,
  ``repeat`` for same-session repeats, ``quiz``), the answer time and, for quizzes, the typed answer.
  Rows are never deleted; an undo stamps ``undone_at`` and restores the state before.
- ``settings``: small key/value pairs (e.g. the interview date, and ``scheduler``: which scheduler
  built the card states, so that switching rebuilds them from the log; see ``rebuild_states``).

The database is opened in WAL mode with a busy timeout, so two terminals can study at once, and
every grade is one ``BEGIN IMMEDIATE`` transaction committed before the next card is shown.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flashdl import __version__, migrations
from flashdl.errors import StoreError
from flashdl.migrations import KNOWN, SCHEMA_VERSION

if TYPE_CHECKING:
    from sqlite_utils import Database

from flashdl.scheduler import NEW_CARD, CardState, Scheduler, replay, scheduler_key

SQLITE_HEADER = b"SQLite format 3\x00"
# settings key: the scheduler (``scheduler_key``) that built the card states; absent means SM-2.
SCHEDULER_SETTING = "scheduler"
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
    coverage: float | None = None
    missed: tuple[int, ...] | None = None


def state_to_json(state: CardState) -> str:
    return json.dumps(
        {
            "repetitions": state.repetitions,
            "interval": state.interval,
            "easiness": state.easiness,
            "due": state.due.isoformat() if state.due else None,
            "lapses": state.lapses,
            # FSRS memory, only when there is some: SM-2 rows keep their original shape.
            **({"stability": state.stability} if state.stability is not None else {}),
            **({"difficulty": state.difficulty} if state.difficulty is not None else {}),
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
        stability=raw.get("stability"),
        difficulty=raw.get("difficulty"),
    )


def _describe(exc: sqlite3.Error, path: Path) -> str:
    message = str(exc)
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"database {path} is busy in another flashdl process; try again in a moment"
    if "readonly" in lowered or "read-only" in lowered:
        return f"cannot write {path}: the file or its folder is read-only (set FLASHDL_HOME or --db to move it)"
    if "disk is full" in lowered:
        return (
            f"cannot write {path}: {message}; free some space and retry (earlier reviews are saved)"
        )
    if "disk i/o" in lowered:
        return (
            f"cannot write {path}: disk I/O error; check the disk (or move the file with --db) "
            "and retry (earlier reviews are saved)"
        )
    if "unable to open" in lowered:
        return f"cannot open database {path}: check the folder exists and is writable, or use --db"
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return f"database {path} is damaged ({message}); move it aside or restore a backup"
    return f"database {path}: {message}"


class Store:
    """Progress for one database file. Use ``Store.open(path)``; close it (or use ``with``)."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path

    @property
    def db(self) -> Database:
        """A sqlite-utils view of the same connection (imported on first use, for speed)."""
        from sqlite_utils import Database

        return Database(self.conn, execute_plugins=False, recursive_triggers=False)

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
        store = cls(conn, path)
        try:
            with store._errors():
                store._prepare()
        except BaseException:
            conn.close()
            raise
        return store

    def _prepare(self) -> None:
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        applied: list[str] = []
        if "_sqlite_migrations" in tables:
            applied = migrations.applied(conn)
        if tables and not applied and not _unfinished_start(conn, tables):
            raise StoreError(
                f"{self.path} is a SQLite database, but not a flashdl one; it was left untouched "
                "(use --db to choose another file)"
            )
        unknown = [name for name in applied if name not in KNOWN]
        if unknown:
            raise StoreError(
                f"database {self.path} was written by a newer flashdl (it has schema change "
                f"'{unknown[0]}', which this version {__version__} does not know); upgrade flashdl "
                "(pip install -U flashdl) — the file was left untouched"
            )
        _use_wal(conn)
        conn.execute("PRAGMA synchronous = FULL")
        if len(applied) < SCHEMA_VERSION:
            self._migrate()

    def _migrate(self) -> None:
        """Apply the pending migrations in one write transaction, deciding again under the lock:
        two processes opening a new database at once must not both migrate it, and a kill -9
        part-way leaves the file as it was before (the next open finishes the job)."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if len(migrations.applied(conn)) < SCHEMA_VERSION:
                migrations.apply(conn)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

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
        conn = self.conn
        with self._errors():
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                # SQLite has already rolled back after some errors (a full disk, an I/O error);
                # a second ROLLBACK would replace the real error with "no transaction is active".
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # -- reading ---------------------------------------------------------------------------

    def schema_version(self) -> int:
        with self._errors():
            return len([name for name in migrations.applied(self.conn) if name in KNOWN])

    def states(self) -> dict[str, StoredCard]:
        with self._errors():
            rows = self.conn.execute(
                "SELECT card_id, deck, repetitions, interval, easiness, due, lapses, introduced_on,"
                " suspended, stability, difficulty FROM card_state"
            ).fetchall()
        return {row[0]: _stored_card(row) for row in rows}

    def state_of(self, card_id: str) -> StoredCard | None:
        """One card's stored state, or None for a card never seen."""
        with self._errors():
            row = self.conn.execute(
                "SELECT card_id, deck, repetitions, interval, easiness, due, lapses, introduced_on,"
                " suspended, stability, difficulty FROM card_state WHERE card_id = ?",
                [card_id],
            ).fetchone()
        return _stored_card(row) if row else None

    def due_cards(self, today: date) -> dict[str, date]:
        """Card id -> due date of every unsuspended card due on or before ``today``."""
        with self._errors():
            rows = self.conn.execute(
                "SELECT card_id, due FROM card_state WHERE due <= ? AND suspended = 0",
                [today.isoformat()],
            ).fetchall()
        return {card_id: date.fromisoformat(due) for card_id, due in rows}

    def not_new_ids(self) -> set[str]:
        """Ids of cards that are not new: reviewed at least once, or suspended."""
        with self._errors():
            rows = self.conn.execute(
                "SELECT card_id FROM card_state WHERE due IS NOT NULL OR suspended = 1"
            ).fetchall()
        return {row[0] for row in rows}

    def suspended_ids(self) -> set[str]:
        with self._errors():
            rows = self.conn.execute(
                "SELECT card_id FROM card_state WHERE suspended = 1"
            ).fetchall()
        return {row[0] for row in rows}

    def introduced_on(self, day: date) -> int:
        """How many cards were seen for the first time on ``day`` (counts against the new-card limit)."""
        with self._errors():
            row = self.conn.execute(
                "SELECT count(*) FROM card_state WHERE introduced_on = ?", [day.isoformat()]
            ).fetchone()
        return int(row[0])

    def next_due(self, after: date) -> date | None:
        """The first day after ``after`` on which some card is due."""
        with self._errors():
            row = self.conn.execute(
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
            " state_after, typed, undone_at, coverage, missed FROM reviews"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY id"
        )
        with self._errors():
            rows = self.conn.execute(sql, params).fetchall()
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
                coverage=r[12],
                missed=tuple(json.loads(r[13])) if r[13] else None,
            )
            for r in rows
        ]

    def setting(self, key: str) -> str | None:
        with self._errors():
            row = self.conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    # -- statistics (aggregates in SQL, so they stay fast on a million reviews) ---------------

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with self._errors():
            return self.conn.execute(sql, list(params)).fetchall()

    def focus_cards(self, cards: Iterable[tuple[str, str]]) -> None:
        """Name the (card id, deck) pairs that ``state_counts``, ``due_forecast`` and ``hardest``
        look at: the cards in the decks now, each under the deck that holds it now."""
        with self._errors():
            conn = self.conn
            conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS deck_cards(card_id TEXT PRIMARY KEY, deck TEXT NOT NULL)"
            )
            conn.execute("DELETE FROM temp.deck_cards")
            conn.executemany("INSERT OR IGNORE INTO temp.deck_cards VALUES (?, ?)", cards)

    def first_new(self, card_ids: Iterable[str], limit: int, *, batch: int = 900) -> list[str]:
        """The first ``limit`` of ``card_ids`` (in their order) never reviewed and not suspended.

        Asks about a few hundred ids at a time (under SQLite's old limit of 999 parameters), so a
        session on a 20k-card deck does not first load every id of a large store."""
        found: list[str] = []
        chunk: list[str] = []

        def flush() -> None:
            marks = ",".join("?" * len(chunk))
            taken = {
                row[0]
                for row in self._rows(
                    f"SELECT card_id FROM card_state WHERE card_id IN ({marks})"
                    " AND (due IS NOT NULL OR suspended = 1)",
                    chunk,
                )
            }
            found.extend(card_id for card_id in chunk if card_id not in taken)
            chunk.clear()

        if limit <= 0:
            return found
        for card_id in card_ids:
            chunk.append(card_id)
            if len(chunk) == batch:
                flush()
                if len(found) >= limit:
                    break
        if chunk and len(found) < limit:
            flush()
        return found[:limit]

    def focus_states(self, *, with_memory_only: bool = False) -> dict[str, StoredCard]:
        """Stored states of the focused cards only (a store may hold many more); with
        ``with_memory_only``, just those FSRS has a memory state for."""
        rows = self._rows(
            "SELECT s.card_id, s.deck, s.repetitions, s.interval, s.easiness, s.due, s.lapses,"
            " s.introduced_on, s.suspended, s.stability, s.difficulty"
            " FROM temp.deck_cards d JOIN card_state s ON s.card_id = d.card_id"
            + (" WHERE s.stability IS NOT NULL" if with_memory_only else "")
        )
        return {row[0]: _stored_card(row) for row in rows}

    def state_counts(self, today: date) -> dict[str, dict[str, float]]:
        """Per deck: cards, new, learning, young, mature, due, overdue, suspended, mean easiness."""
        day = today.isoformat()
        rows = self._rows(
            "SELECT d.deck, count(*),"
            " sum(s.due IS NULL AND coalesce(s.suspended, 0) = 0),"
            " sum(s.due IS NOT NULL AND s.repetitions <= 1 AND s.suspended = 0),"
            " sum(s.repetitions >= 2 AND s.interval < 21 AND s.suspended = 0),"
            " sum(s.repetitions >= 2 AND s.interval >= 21 AND s.suspended = 0),"
            " sum(s.due <= ? AND s.suspended = 0), sum(s.due < ? AND s.suspended = 0),"
            " sum(coalesce(s.suspended, 0)), avg(CASE WHEN s.due IS NOT NULL THEN s.easiness END)"
            " FROM temp.deck_cards d LEFT JOIN card_state s ON s.card_id = d.card_id"
            " GROUP BY d.deck",
            [day, day],
        )
        keys = ("cards", "new", "learning", "young", "mature", "due", "overdue", "suspended")
        counts: dict[str, dict[str, float]] = {}
        for row in rows:
            counts[row[0]] = {
                key: int(value or 0) for key, value in zip(keys, row[1:9], strict=True)
            }
            counts[row[0]]["easiness"] = row[9]
        return counts

    def review_counts(self, since: date, decks: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Per deck: (graded reviews, those graded 3 or more) since a day, repeats excluded."""
        marks = ",".join("?" * len(decks))
        rows = self._rows(
            "SELECT deck, count(*), sum(grade >= 3) FROM reviews"
            f" WHERE day >= ? AND undone_at IS NULL AND mode != 'repeat' AND deck IN ({marks})"
            " GROUP BY deck",
            [since.isoformat(), *decks],
        )
        return {row[0]: (row[1], row[2] or 0) for row in rows}

    def reviews_per_day(self, since: date, decks: Sequence[str]) -> dict[date, int]:
        marks = ",".join("?" * len(decks))
        rows = self._rows(
            "SELECT day, count(*) FROM reviews"
            f" WHERE day >= ? AND undone_at IS NULL AND deck IN ({marks}) GROUP BY day",
            [since.isoformat(), *decks],
        )
        return {date.fromisoformat(day): count for day, count in rows}

    def review_days(self, decks: Sequence[str], until: date) -> Iterator[date]:
        """Days with at least one review, newest first from ``until``, read lazily so that the
        streak stops reading at its first gap instead of walking a million rows."""
        marks = ",".join("?" * len(decks))
        with self._errors():
            cursor = self.conn.execute(
                "SELECT DISTINCT day FROM reviews INDEXED BY reviews_day WHERE day <= ?"
                f" AND undone_at IS NULL AND deck IN ({marks}) ORDER BY day DESC",
                [until.isoformat(), *decks],
            )
            for (day,) in cursor:
                yield date.fromisoformat(day)

    def due_forecast(self, today: date, last: date) -> dict[date, int]:
        """Cards due on each day up to ``last``; overdue cards count as due today."""
        rows = self._rows(
            "SELECT max(s.due, ?) AS day, count(*) FROM card_state s"
            " JOIN temp.deck_cards d ON d.card_id = s.card_id"
            " WHERE s.suspended = 0 AND s.due IS NOT NULL AND s.due <= ? GROUP BY day",
            [today.isoformat(), last.isoformat()],
        )
        return {date.fromisoformat(day): count for day, count in rows}

    def quiz_coverage_per_day(self, decks: Sequence[str]) -> dict[date, tuple[float, int]]:
        marks = ",".join("?" * len(decks))
        rows = self._rows(
            "SELECT day, avg(coverage), count(*) FROM reviews WHERE mode = 'quiz'"
            f" AND coverage IS NOT NULL AND undone_at IS NULL AND deck IN ({marks}) GROUP BY day",
            decks,
        )
        return {date.fromisoformat(day): (avg, count) for day, avg, count in rows}

    def hardest(self, limit: int = 10) -> list[tuple[str, str, float, int]]:
        """(card id, deck, easiness, lapses): the highest FSRS difficulty first where FSRS built the
        states, else the lowest SM-2 easiness; then the most lapses."""
        return [
            tuple(row)
            for row in self._rows(
                "SELECT s.card_id, d.deck, s.easiness, s.lapses FROM card_state s"
                " JOIN temp.deck_cards d ON d.card_id = s.card_id WHERE s.due IS NOT NULL"
                " ORDER BY coalesce(s.difficulty, 0) DESC, s.easiness ASC, s.lapses DESC, s.card_id"
                " LIMIT ?",
                [limit],
            )
        ]

    def missed_key_points(
        self, decks: Sequence[str], limit: int = 50
    ) -> list[tuple[str, int, int]]:
        """(card id, key point index, times missed) in quizzes, most missed first."""
        marks = ",".join("?" * len(decks))
        rows = self._rows(
            "SELECT r.card_id, CAST(j.value AS INTEGER) AS point, count(*) AS n"
            " FROM reviews r INDEXED BY reviews_mode_day, json_each(r.missed) j"
            " WHERE r.mode = 'quiz' AND r.missed IS NOT NULL AND r.missed != '[]'"
            f" AND r.undone_at IS NULL AND r.deck IN ({marks})"
            " GROUP BY r.card_id, point ORDER BY n DESC, r.card_id, point LIMIT ?",
            [*decks, limit],
        )
        return [(card_id, point, count) for card_id, point, count in rows]

    def reviews_on(self, day: date, decks: Sequence[str]) -> dict[str, int]:
        """Reviews (repeats included) per deck on one day."""
        marks = ",".join("?" * len(decks))
        rows = self._rows(
            "SELECT deck, count(*) FROM reviews"
            f" WHERE day = ? AND undone_at IS NULL AND deck IN ({marks}) GROUP BY deck",
            [day.isoformat(), *decks],
        )
        return dict(rows)

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
        coverage: float | None = None,
        missed: Sequence[int] | None = None,
    ) -> int:
        """Log one grade and, if it changed the schedule, the card's new state; one transaction."""
        day = reviewed_at.date().isoformat()
        stamp = reviewed_at.isoformat(timespec="milliseconds")
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO reviews(card_id, deck, reviewed_at, day, grade, mode, answer_ms,"
                " state_before, state_after, typed, coverage, missed)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
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
                    coverage,
                    json.dumps(list(missed)) if missed is not None else None,
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

    def reset_cards(self, cards: Iterable[tuple[str, str]], reset_at: datetime) -> int:
        """Make cards new again; their review log stays. Returns how many had progress."""
        stamp = reset_at.isoformat(timespec="milliseconds")
        changed = 0
        with self._write() as conn:
            for card_id, _deck in cards:
                cursor = conn.execute(
                    "UPDATE card_state SET repetitions = 0, interval = 0, easiness = ?, due = NULL,"
                    " lapses = 0, introduced_on = NULL, reset_at = ?, stability = NULL,"
                    " difficulty = NULL"
                    " WHERE card_id = ? AND due IS NOT NULL",
                    [NEW_CARD.easiness, stamp, card_id],
                )
                changed += cursor.rowcount
        return changed

    def built_with(self) -> str:
        """The key of the scheduler that built the card states (``sm2`` for older databases)."""
        return self.setting(SCHEDULER_SETTING) or "sm2"

    def use_scheduler(self, scheduler: Scheduler, *, until: date | None = None) -> int | None:
        """Make the card states those ``scheduler`` gives; rebuild them if another one built them.

        Returns the number of cards rebuilt, or None when nothing had to change. Idempotent.
        """
        if self.built_with() == scheduler_key(scheduler):
            return None
        return self.rebuild_states(scheduler, until=until)

    def rebuild_states(self, scheduler: Scheduler, *, until: date | None = None) -> int:
        """Replay every card's scheduling reviews through ``scheduler``; one transaction.

        A scheduling review is a ``study`` row, or any other row except a same-session ``repeat``
        that changed the card's state (a ``quiz`` graded into the schedule); undone rows and rows
        from before a card's reset are skipped. The review log is only read: no row is added,
        changed or removed. Suspension and the day a card was introduced are kept. Returns how
        many cards' states changed.
        """
        with self._write() as conn:
            resets = {
                card_id: datetime.fromisoformat(stamp)
                for card_id, stamp in conn.execute(
                    "SELECT card_id, reset_at FROM card_state WHERE reset_at IS NOT NULL"
                )
            }
            history: dict[str, list[tuple[int, datetime]]] = {}
            decks: dict[str, str] = {}
            for card_id, deck, stamp, grade, mode, before, after in conn.execute(
                "SELECT card_id, deck, reviewed_at, grade, mode, state_before, state_after"
                " FROM reviews WHERE undone_at IS NULL ORDER BY id"
            ):
                decks[card_id] = deck
                at = datetime.fromisoformat(stamp)
                if card_id in resets and at <= resets[card_id]:
                    continue
                if mode == "study" or (
                    mode != "repeat" and state_from_json(before) != state_from_json(after)
                ):
                    history.setdefault(card_id, []).append((grade, at))
            current = {
                row[0]: _stored_card(row)
                for row in conn.execute(
                    "SELECT card_id, deck, repetitions, interval, easiness, due, lapses,"
                    " introduced_on, suspended, stability, difficulty FROM card_state"
                )
            }
            changed = 0
            for card_id in sorted(set(current) | set(history)):
                events = history.get(card_id, [])
                state = replay(scheduler, events, until=until)
                old = current.get(card_id)
                if old is not None and old.state == state:
                    continue
                _write_state(
                    conn,
                    card_id,
                    old.deck if old is not None else decks[card_id],
                    state,
                    introduced_on=events[0][1].date().isoformat() if events else None,
                    reviewed_at=events[-1][1].isoformat(timespec="milliseconds")
                    if events
                    else None,
                )
                changed += 1
            conn.execute(
                "INSERT INTO settings(key, value) VALUES(?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [SCHEDULER_SETTING, scheduler_key(scheduler)],
            )
        return changed

    def set_suspended(self, card_id: str, deck: str, suspended: bool) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO card_state(card_id, deck, suspended) VALUES (?, ?, ?)"
                " ON CONFLICT(card_id) DO UPDATE SET suspended = excluded.suspended",
                [card_id, deck, int(suspended)],
            )

    # -- backup and progress between machines (the file format is flashdl/progress.py's) ------

    def backup(self, target: Path) -> None:
        """Copy the database to ``target`` with SQLite's online backup API, replacing ``target``.

        The copy is one consistent snapshot even while other flashdl processes write. It is built
        beside ``target`` and renamed into place, and uses a rollback journal, so it is one
        self-contained file that ``Store.open`` (or ``--db``) can use directly.
        """
        from flashdl.files import atomic_path

        target = Path(target)
        with atomic_path(target, force=True, private=True) as temp:
            try:
                copy = sqlite3.connect(str(temp))
                try:
                    with self._errors():
                        self.conn.backup(copy)
                    copy.execute("PRAGMA journal_mode = DELETE")
                finally:
                    copy.close()
            except sqlite3.Error as exc:
                raise StoreError(f"cannot write the backup {target}: {exc}") from None

    def progress_rows(self) -> tuple[list[dict], list[dict], dict[str, str]]:
        """Every ``card_state`` row, every review (undone ones too, without the local ``id``) and
        the settings, read in one transaction so they agree with each other."""
        conn = self.conn
        with self._errors():
            conn.execute("BEGIN")
            try:
                cards = _dicts(conn.execute("SELECT * FROM card_state ORDER BY card_id"))
                reviews = _dicts(conn.execute("SELECT * FROM reviews ORDER BY id"))
                settings = dict(conn.execute("SELECT key, value FROM settings ORDER BY key"))
            finally:
                conn.execute("COMMIT")
        for review in reviews:
            review.pop("id", None)
        return cards, reviews, settings

    def merge_progress(
        self, cards: Iterable[dict], reviews: Iterable[dict], settings: dict[str, str]
    ) -> MergeCounts:
        """Merge progress from another database, in one transaction; merging twice changes nothing.

        - Reviews are the same review when ``card_id``, ``reviewed_at``, ``grade`` and ``mode``
          agree (the time has milliseconds and the UTC offset): each is added once. An undo on
          either side wins: ``undone_at`` is filled in, never cleared.
        - A card takes the whole row of the side that changed it last (the later of
          ``last_reviewed_at`` and ``reset_at``); on a tie this database's row stays.
        - Settings that this database lacks are added; its own settings are kept.
        - If another scheduler built the incoming card states (the ``scheduler`` setting differs)
          and some were taken, the ``scheduler`` setting becomes ``mixed``, so that
          ``use_scheduler`` rebuilds every state from the merged log (``needs_rebuild``).

        Columns this version does not have are ignored, so rows can come from a newer schema.
        """
        counts = MergeCounts()
        theirs = settings.get(SCHEDULER_SETTING, "sm2")
        with self._write() as conn:
            ours = conn.execute(
                "SELECT value FROM settings WHERE key = ?", [SCHEDULER_SETTING]
            ).fetchone()
            review_columns = _columns(conn, "reviews") - {"id"}
            card_columns = _columns(conn, "card_state")
            for review in reviews:
                key = [review["card_id"], review["reviewed_at"], review["grade"], review["mode"]]
                found = conn.execute(
                    "SELECT id, undone_at FROM reviews"
                    " WHERE card_id = ? AND reviewed_at = ? AND grade = ? AND mode = ?",
                    key,
                ).fetchone()
                if found is None:
                    _insert(conn, "reviews", review, review_columns)
                    counts.reviews_added += 1
                elif found[1] is None and review.get("undone_at"):
                    conn.execute(
                        "UPDATE reviews SET undone_at = ? WHERE id = ?",
                        [review["undone_at"], found[0]],
                    )
                    counts.reviews_undone += 1
            for card in cards:
                cursor = conn.execute(
                    "SELECT * FROM card_state WHERE card_id = ?", [card["card_id"]]
                )
                local = _dicts(cursor)
                if not local:
                    _insert(conn, "card_state", card, card_columns)
                    counts.cards_added += 1
                elif _last_change(card) > _last_change(local[0]):
                    columns = [c for c in card if c in card_columns and c != "card_id"]
                    conn.execute(
                        "UPDATE card_state SET "
                        + ", ".join(f"{c} = ?" for c in columns)
                        + " WHERE card_id = ?",
                        [card[c] for c in columns] + [card["card_id"]],
                    )
                    counts.cards_updated += 1
            for key, value in settings.items():
                if key == SCHEDULER_SETTING:
                    continue
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO settings(key, value) VALUES (?, ?)", [key, value]
                )
                counts.settings_added += cursor.rowcount
            if theirs != (ours[0] if ours else "sm2") and (
                counts.cards_added or counts.cards_updated
            ):
                conn.execute(
                    "INSERT INTO settings(key, value) VALUES (?, 'mixed')"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [SCHEDULER_SETTING],
                )
                counts.needs_rebuild = True
        return counts


@dataclass
class MergeCounts:
    """What ``Store.merge_progress`` changed."""

    reviews_added: int = 0
    reviews_undone: int = 0
    cards_added: int = 0
    cards_updated: int = 0
    settings_added: int = 0
    needs_rebuild: bool = False  # card states from another scheduler were taken

    @property
    def changed(self) -> bool:
        return any(vars(self).values())


def _dicts(cursor: sqlite3.Cursor) -> list[dict]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def _insert(conn: sqlite3.Connection, table: str, row: dict, allowed: set[str]) -> None:
    """Insert ``row``'s values for the columns this table has (names never come from the file)."""
    columns = [c for c in row if c in allowed]
    conn.execute(
        f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [row[c] for c in columns],
    )


def _instant(stamp: object) -> datetime:
    """An ISO time as an aware datetime; missing or unreadable times sort first."""
    try:
        moment = datetime.fromisoformat(str(stamp)) if stamp else None
    except ValueError:
        moment = None
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _last_change(card: dict) -> datetime:
    return max(_instant(card.get("last_reviewed_at")), _instant(card.get("reset_at")))


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
            stability=row[9],
            difficulty=row[10],
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
        " introduced_on, last_reviewed_at, stability, difficulty) VALUES (?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT(card_id) DO UPDATE SET deck = excluded.deck,"
        " repetitions = excluded.repetitions, interval = excluded.interval,"
        " easiness = excluded.easiness, due = excluded.due, lapses = excluded.lapses,"
        " stability = excluded.stability, difficulty = excluded.difficulty,"
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
            state.stability,
            state.difficulty,
        ],
    )


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL mode. Another process switching the same new file at the same moment makes
    SQLite answer "locked" at once, without the busy timeout, so wait for it here."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _unfinished_start(conn: sqlite3.Connection, tables: set[str]) -> bool:
    """True for a file whose creation was cut short by an older flashdl: an empty migrations
    table and nothing else (that version created the table outside the first migration)."""
    if tables != {migrations.MIGRATIONS_TABLE}:
        return False
    return conn.execute(f"SELECT count(*) FROM {migrations.MIGRATIONS_TABLE}").fetchone()[0] == 0


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


class StateLookup(Mapping[str, CardState]):
    """Card states read from the store one card at a time, when a session needs them.

    Reading every state up front costs most of a second on a store of 100k cards; a session
    only ever looks at the cards it shows."""

    def __init__(self, store: Store):
        self.store = store
        self._cache: dict[str, CardState | None] = {}

    def __getitem__(self, card_id: str) -> CardState:
        if card_id not in self._cache:
            entry = self.store.state_of(card_id)
            self._cache[card_id] = entry.state if entry is not None else None
        state = self._cache[card_id]
        if state is None:
            raise KeyError(card_id)
        return state

    def __iter__(self) -> Iterator[str]:
        return iter(self.store.not_new_ids())

    def __len__(self) -> int:
        return len(self.store.not_new_ids())
