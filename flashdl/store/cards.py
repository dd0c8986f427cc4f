"""Card state and the append-only review log: recording, undoing, resetting and suspending,
and rebuilding the states when the scheduler changes."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flashdl.core.days import study_day
from flashdl.core.errors import StoreError, one_line
from flashdl.store.connection import Connection
from flashdl.store.leeches import LeechMark, mark_if_leech, unmark
from flashdl.store.records import (
    Review,
    StoredCard,
    state_from_json,
    state_to_json,
    stored_card,
    write_state,
)

if TYPE_CHECKING:
    from flashdl.core.leeches import LeechRule
    from flashdl.store import Store

    pass

from flashdl.core.interview import Deadline, Interview, for_card
from flashdl.core.schedulers import scheduler_from_key
from flashdl.core.scheduling import (
    NEW_CARD,
    REPEAT_BELOW,
    CardState,
    Scheduler,
    replay,
    scheduler_key,
)

# settings key: the scheduler (``scheduler_key``) that built the card states; absent means SM-2.
SCHEDULER_SETTING = "scheduler"


@dataclass(frozen=True)
class RecordedReview:
    """A review as logged: its row id, the card's state before and after it, and whether it
    scheduled the card (a same-day repeat does not)."""

    id: int
    before: CardState
    after: CardState
    scheduled: bool = True
    leech: LeechMark | None = None  # this grade made the card a leech


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


class CardStore(Connection):
    """Card state and the review log (a part of ``Store``)."""

    def states(self) -> dict[str, StoredCard]:
        with self._errors():
            rows = self.conn.execute(
                "SELECT card_id, deck, repetitions, interval, easiness, due, lapses, introduced_on,"
                " suspended, stability, difficulty FROM card_state"
            ).fetchall()
        with self._decoded("card state"):
            return {row[0]: stored_card(row) for row in rows}

    def state_of(self, card_id: str) -> StoredCard | None:
        """One card's stored state, or None for a card never seen."""
        with self._errors():
            row = self.conn.execute(
                "SELECT card_id, deck, repetitions, interval, easiness, due, lapses, introduced_on,"
                " suspended, stability, difficulty FROM card_state WHERE card_id = ?",
                [card_id],
            ).fetchone()
        with self._decoded("card state"):
            return stored_card(row) if row else None

    def _state_now(self, card_id: str) -> CardState:
        """The card's state as stored now (inside a write transaction: as it will be changed)."""
        entry = self.state_of(card_id)
        return entry.state if entry is not None else NEW_CARD

    def _interview_for(self, card_id: str, until: Deadline | None) -> Interview | None:
        """The interview cap for one card: its hash, and how many other (unsuspended) cards are
        due on each of the final days now, so the cap can place it on the lightest one."""
        interview = for_card(until, card_id)
        if interview is None:
            return None
        rows = self.conn.execute(
            "SELECT due, COUNT(*) FROM card_state WHERE due >= ? AND due <= ? AND suspended = 0"
            " AND card_id != ? GROUP BY due",
            [interview.first_day.isoformat(), interview.last_day.isoformat(), card_id],
        ).fetchall()
        with self._decoded("due date"):
            return interview.with_load({date.fromisoformat(due): count for due, count in rows})

    def due_cards(self, today: date) -> dict[str, date]:
        """Card id -> due date of every unsuspended card due on or before ``today``."""
        with self._errors():
            rows = self.conn.execute(
                "SELECT card_id, due FROM card_state WHERE due <= ? AND suspended = 0",
                [today.isoformat()],
            ).fetchall()
        with self._decoded("due date"):
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

    def reviewed_due_on(self, day: date) -> int:
        """How many cards that were not new got their scheduling review on ``day`` (counts against
        the daily review limit; repeats and new cards do not)."""
        with self._errors():
            row = self.conn.execute(
                "SELECT count(DISTINCT card_id) FROM reviews WHERE day = ? AND mode = 'study'"
                " AND undone_at IS NULL AND instr(state_before, '\"due\":null') = 0",
                [day.isoformat()],
            ).fetchone()
        return int(row[0])

    def introduced_ids_on(self, day: date) -> set[str]:
        """The ids of the cards seen for the first time on ``day``."""
        with self._errors():
            rows = self.conn.execute(
                "SELECT card_id FROM card_state WHERE introduced_on = ?", [day.isoformat()]
            ).fetchall()
        return {row[0] for row in rows}

    def next_due(self, after: date) -> date | None:
        """The first day after ``after`` on which some card is due."""
        with self._errors():
            row = self.conn.execute(
                "SELECT min(due) FROM card_state WHERE due > ? AND suspended = 0",
                [after.isoformat()],
            ).fetchone()
        with self._decoded("due date"):
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
        with self._decoded("review"):
            return self._reviews_of(rows)

    @staticmethod
    def _reviews_of(rows: list[tuple]) -> list[Review]:
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
                typed=_text_or_none(r[10], "typed"),
                undone_at=r[11],
                coverage=r[12],
                missed=tuple(json.loads(r[13])) if r[13] else None,
            )
            for r in rows
        ]

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
            " FROM temp.deck_cards d CROSS JOIN card_state s ON s.card_id = d.card_id"
            + (" WHERE s.stability IS NOT NULL" if with_memory_only else "")
        )
        with self._decoded("card state"):
            return {row[0]: stored_card(row) for row in rows}

    def record_review(
        self,
        *,
        card_id: str,
        deck: str,
        grade: int,
        mode: str,
        reviewed_at: datetime,
        scheduler: Scheduler | None = None,
        until: Deadline | None = None,
        before: CardState | None = None,
        after: CardState | None = None,
        answer_ms: int | None = None,
        typed: str | None = None,
        coverage: float | None = None,
        missed: Sequence[int] | None = None,
    ) -> RecordedReview:
        """Log one grade and, if it changes the schedule, the card's new state; one transaction.

        With ``scheduler``, the new state is computed here, inside the write transaction, from the
        card's state as stored now and by the scheduler that built the stored states: another
        flashdl process may have graded the same card or switched schedulers since this one read
        them, and neither its grade nor this one may be lost or mislabelled. Without it, the
        ``before`` and ``after`` given are logged as they are (a review that does not schedule).
        """
        day = study_day(reviewed_at).isoformat()
        stamp = reviewed_at.isoformat(timespec="milliseconds")
        with self._write() as conn:
            if scheduler is not None:
                before = self._state_now(card_id)
                setting = conn.execute(
                    "SELECT value FROM settings WHERE key = ?", [SCHEDULER_SETTING]
                ).fetchone()
                in_force = scheduler_from_key(setting[0]) if setting else None
                if in_force is None or scheduler_key(in_force) == scheduler_key(scheduler):
                    in_force = scheduler
                after = in_force.review(
                    before, grade, reviewed_at, until=self._interview_for(card_id, until)
                )
            before = NEW_CARD if before is None else before
            after = before if after is None else after
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
                write_state(conn, card_id, deck, after, introduced_on=day, reviewed_at=stamp)
            return RecordedReview(int(cursor.lastrowid or 0), before, after, after != before)

    def record_study_grade(
        self,
        *,
        card_id: str,
        deck: str,
        grade: int,
        reviewed_at: datetime,
        scheduler: Scheduler,
        until: Deadline | None = None,
        answer_ms: int | None = None,
        leech: LeechRule | None = None,
    ) -> RecordedReview:
        """A grade given in ``flashdl study``. SM-2's rule: only a card's first grade of the day
        schedules it; later grades that day (the repeats of a failed card) are logged as
        ``repeat`` and change nothing but the learning queue (``learning_cards``). The store
        decides, inside the write transaction, from the log itself, so the rule holds across
        quitting, a crash, a restart and a second terminal. With ``leech``, a lapse that makes
        the card a leech marks it (and may suspend it) in the same transaction."""
        with self._write() as conn:
            scheduled_today = conn.execute(
                "SELECT 1 FROM reviews WHERE card_id = ? AND day = ? AND undone_at IS NULL"
                " AND (mode = 'study' OR (mode = 'quiz' AND state_before != state_after))"
                " LIMIT 1",
                [card_id, study_day(reviewed_at).isoformat()],
            ).fetchone()
            if scheduled_today is None:
                recorded = self.record_review(card_id=card_id, deck=deck, grade=grade,
                                              mode="study", reviewed_at=reviewed_at,
                                              scheduler=scheduler, until=until,
                                              answer_ms=answer_ms)  # fmt: skip
                if leech is None:
                    return recorded
                mark = mark_if_leech(conn, card_id=card_id, deck=deck, review_id=recorded.id,
                                     rule=leech)  # fmt: skip
                return replace(recorded, leech=mark)
            state = self._state_now(card_id)
            recorded = self.record_review(card_id=card_id, deck=deck, grade=grade, mode="repeat",
                                          reviewed_at=reviewed_at, before=state,
                                          answer_ms=answer_ms)  # fmt: skip
            return RecordedReview(recorded.id, state, state, scheduled=False)

    def learning_cards(
        self, today: date, *, repeat_below: int = REPEAT_BELOW
    ) -> dict[str, datetime]:
        """Today's learning queue: card id -> when it was last failed, for every unsuspended card
        whose last grade today (in study) was below ``repeat_below`` (4 under SM-2's grades, 3
        under Anki's buttons: see ``flashdl.core.grades``).

        It is read from the review log, not kept beside it, so it survives quitting, a crash and a
        restart, and an undo takes a card out of it (or puts it back) with no extra bookkeeping."""
        rows = self._rows(
            "SELECT card_id, reviewed_at, grade FROM reviews WHERE day = ? AND undone_at IS NULL"
            " AND mode IN ('study', 'repeat') AND typeof(grade) = 'integer' ORDER BY id",
            [today.isoformat()],
        )
        last: dict[str, tuple[str, int]] = {}
        for card_id, stamp, grade in rows:
            last[card_id] = (stamp, grade)
        failed = [card_id for card_id, (_, grade) in last.items() if grade < repeat_below]
        # Only the failed cards are looked up in card_state (a day's thousand reviews joined to
        # it cost 5 ms of each start): those with a state that is not suspended.
        active: set[str] = set()
        for start in range(0, len(failed), 900):
            chunk = failed[start : start + 900]
            marks = ",".join("?" * len(chunk))
            active.update(
                row[0]
                for row in self._rows(
                    f"SELECT card_id FROM card_state WHERE suspended = 0 AND card_id IN ({marks})",
                    chunk,
                )
            )
        with self._decoded("review time"):
            return {c: datetime.fromisoformat(last[c][0]) for c in failed if c in active}

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
                write_state(conn, row[0], row[1], before, introduced_on=None, reviewed_at=None)
                if before.is_new:
                    conn.execute(
                        "UPDATE card_state SET introduced_on = NULL WHERE card_id = ?", [row[0]]
                    )
            unmark(conn, review_id)
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
                conn.execute("DELETE FROM leeches WHERE card_id = ?", [card_id])
        return changed

    def built_with(self) -> str:
        """The key of the scheduler that built the card states (``sm2`` for older databases)."""
        return self.setting(SCHEDULER_SETTING) or "sm2"

    def use_scheduler(self, scheduler: Scheduler, *, until: Deadline | None = None) -> int | None:
        """Make the card states those ``scheduler`` gives; rebuild them if another one built them.

        Returns the number of cards rebuilt, or None when nothing had to change. Idempotent.
        """
        if self.built_with() == scheduler_key(scheduler):
            return None
        return self.rebuild_states(scheduler, until=until)

    def rebuild_states(self, scheduler: Scheduler, *, until: Deadline | None = None) -> int:
        """Replay every card's scheduling reviews through ``scheduler``; one transaction.

        A scheduling review is a ``study`` row, or any other row except a same-session ``repeat``
        that changed the card's state (a ``quiz`` graded into the schedule); undone rows and rows
        from before a card's reset are skipped. The review log is only read: no row is added,
        changed or removed. Suspension and the day a card was introduced are kept. Returns how
        many cards' states changed. A log no scheduler can replay (a damaged or hostile database)
        is a ``StoreError``, and nothing is changed.
        """
        try:
            return self._rebuild_states(scheduler, until)
        except (OverflowError, ValueError, TypeError, KeyError) as exc:
            raise StoreError(
                f"cannot rebuild the card states of {self.path}: its review log has a value no "
                f"scheduler accepts ({one_line(str(exc), 80)}); nothing was changed — run "
                "`flashdl doctor`"
            ) from None

    def _rebuild_states(self, scheduler: Scheduler, until: Deadline | None) -> int:
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
                row[0]: stored_card(row)
                for row in conn.execute(
                    "SELECT card_id, deck, repetitions, interval, easiness, due, lapses,"
                    " introduced_on, suspended, stability, difficulty FROM card_state"
                )
            }
            states = (
                {card_id: replay(scheduler, events) for card_id, events in history.items()}
                if until is None
                else replay_with_load(
                    scheduler,
                    history,
                    until,
                    {card_id for card_id, old in current.items() if old.suspended},
                )
            )
            changed = 0
            for card_id in sorted(set(current) | set(history)):
                events = history.get(card_id, [])
                state = states.get(card_id, NEW_CARD)
                old = current.get(card_id)
                if old is not None and old.state == state:
                    continue
                write_state(
                    conn,
                    card_id,
                    old.deck if old is not None else decks[card_id],
                    state,
                    introduced_on=study_day(events[0][1]).isoformat() if events else None,
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


def replay_with_load(
    scheduler: Scheduler,
    history: Mapping[str, Sequence[tuple[int, datetime]]],
    until: Deadline,
    suspended: set[str],
) -> dict[str, CardState]:
    """Every card's state from its scheduling reviews, replayed in time order across all cards, so
    the interview cap sees the same per-day load it saw when each review was made (the other
    unsuspended cards' due days), as ``record_review`` gives it."""
    events = sorted(
        ((at, card_id, grade) for card_id, rows in history.items() for grade, at in rows),
        key=lambda event: event[0],
    )
    states: dict[str, CardState] = {}
    load: Counter[date] = Counter()
    for at, card_id, grade in events:
        before = states.get(card_id, NEW_CARD)
        if card_id not in suspended and before.due is not None:
            load[before.due] -= 1
        interview = for_card(until, card_id)
        assert interview is not None
        after = scheduler.review(before, grade, at, until=interview.with_load(load))
        states[card_id] = after
        if card_id not in suspended and after.due is not None:
            load[after.due] += 1
    return states


def _text_or_none(value: object, column: str) -> str | None:
    """A text column as read: text or NULL, else (binary data, a number) it is no value flashdl
    writes, and reading it is the one-line error of ``_decoded``."""
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"{column} is {type(value).__name__}, not text")
