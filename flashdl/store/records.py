"""Rows and the values they become: a card's stored state, a review, and their JSON forms."""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from flashdl.core.scheduling import MAX_INTERVAL_DAYS, CardState


def is_count(value: object) -> bool:
    return type(value) is int and value >= 0


def is_finite_number(value: object) -> bool:
    return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]


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


def stored_card(row: tuple) -> StoredCard:
    """A ``card_state`` row as flashdl wrote it; ValueError for a value it would not write
    (the scheduler would fail on it later, further from the cause)."""
    card_id, repetitions, interval, easiness, lapses = row[0], row[2], row[3], row[4], row[6]
    if not (
        type(card_id) is str
        and is_count(repetitions)
        and is_count(lapses)
        and is_count(interval)
        and interval <= MAX_INTERVAL_DAYS
        and is_finite_number(easiness)
        and all(value is None or is_finite_number(value) for value in (row[9], row[10]))
    ):
        raise ValueError(f"card {str(card_id)[:60]!r} has a state out of range")
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


def write_state(
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


def parse_instant(stamp: object) -> datetime:
    """An ISO time as an aware datetime; missing or unreadable times sort first."""
    try:
        moment = datetime.fromisoformat(str(stamp)) if stamp else None
    except ValueError:
        moment = None
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def last_change(card: dict) -> datetime:
    return max(parse_instant(card.get("last_reviewed_at")), parse_instant(card.get("reset_at")))


def dict_rows(cursor: sqlite3.Cursor) -> list[dict]:
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def table_columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def insert_known(conn: sqlite3.Connection, table: str, row: dict, allowed: set[str]) -> None:
    """Insert ``row``'s values for the columns this table has (names never come from the file)."""
    columns = [c for c in row if c in allowed]
    conn.execute(
        f"INSERT INTO {table}({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        [row[c] for c in columns],
    )
