"""Leech marks in the ``leeches`` table: one row per grade that made a card a leech.

The lapses themselves are counted from the review log (``flashdl.core.leeches``); a row records
that a grade crossed the threshold and whether marking the card suspended it, so that undoing that
grade takes the mark, and the suspension, back. A progress file does not carry the rows (their
review ids are local): ``rebuild_leeches`` finds them again in the merged log.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from flashdl.core.leeches import Answer, LeechRule, lapse_flags, leech_level, marks_leech
from flashdl.store.connection import Connection
from flashdl.store.records import parse_instant

# (``+mode``: not by the mode index; with a list of card ids SQLite chose it over the card index
# on a 1M-review store and read every study review: 0.3 s for the ten hardest cards in stats)
_ANSWERS = (
    "SELECT id, card_id, deck, grade, mode, reviewed_at FROM reviews WHERE undone_at IS NULL"
    " AND (+mode IN ('study', 'repeat') OR (+mode = 'quiz' AND state_before != state_after))"
)


@dataclass(frozen=True)
class LeechMark:
    """What one grade did: the card's lapses, and whether the card was suspended for it."""

    lapses: int
    suspended: bool


@dataclass(frozen=True)
class Leech:
    card_id: str
    deck: str
    lapses: int
    suspended: bool


def _answers(rows: list[tuple], reset_at: str | None) -> list[tuple[int, Answer]]:
    """(review id, answer) of the rows after the card's last reset, in log order."""
    since = parse_instant(reset_at) if reset_at else None
    return [
        (int(review_id), Answer(int(grade), scheduling=mode != "repeat"))
        for review_id, _card, _deck, grade, mode, stamp in rows
        if since is None or parse_instant(stamp) > since
    ]


def card_answers(conn: sqlite3.Connection, card_id: str) -> list[tuple[int, Answer]]:
    reset = conn.execute("SELECT reset_at FROM card_state WHERE card_id = ?", [card_id]).fetchone()
    rows = conn.execute(_ANSWERS + " AND card_id = ? ORDER BY id", [card_id]).fetchall()
    return _answers(rows, reset[0] if reset else None)


def lapses_of(conn: sqlite3.Connection, card_id: str) -> int:
    return sum(lapse_flags(answer for _, answer in card_answers(conn, card_id)))


_CHUNK = 500  # card ids per query, well under SQLite's limit on bound parameters


def lapse_counts(conn: sqlite3.Connection, card_ids: Iterable[str]) -> dict[str, int]:
    """Each card's lapses counted from the review log (as ``lapses_of``), for many cards at once.

    This is the count every command shows; ``card_state.lapses`` is the scheduler's own tally
    (SM-2 counts every failing grade, a new card's too) and is not shown."""
    ids = list(dict.fromkeys(card_ids))
    counts = dict.fromkeys(ids, 0)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        resets = dict(
            conn.execute(
                f"SELECT card_id, reset_at FROM card_state WHERE card_id IN ({marks})", chunk
            )
        )
        by_card: dict[str, list[tuple]] = {}
        for row in conn.execute(_ANSWERS + f" AND card_id IN ({marks}) ORDER BY id", chunk):
            by_card.setdefault(row[1], []).append(row)
        for card_id, rows in by_card.items():
            answers = _answers(rows, resets.get(card_id))
            counts[card_id] = sum(lapse_flags(answer for _, answer in answers))
    return counts


def mark_if_leech(
    conn: sqlite3.Connection, *, card_id: str, deck: str, review_id: int, rule: LeechRule
) -> LeechMark | None:
    """Inside the grade's write transaction: if the grade ``review_id`` was a lapse that makes the
    card a leech, record the mark and (per ``rule``) suspend the card."""
    answers = card_answers(conn, card_id)
    flags = lapse_flags(answer for _, answer in answers)
    if not answers or answers[-1][0] != review_id or not flags[-1]:
        return None
    lapses = sum(flags)
    marks = conn.execute("SELECT count(*) FROM leeches WHERE card_id = ?", [card_id]).fetchone()
    if leech_level(lapses, rule) <= marks[0]:
        return None
    row = conn.execute("SELECT suspended FROM card_state WHERE card_id = ?", [card_id]).fetchone()
    suspend = rule.suspend and row is not None and not row[0]
    conn.execute(
        "INSERT OR IGNORE INTO leeches(review_id, card_id, deck, lapses, suspended)"
        " VALUES (?, ?, ?, ?, ?)",
        [review_id, card_id, deck, lapses, int(suspend)],
    )
    if suspend:
        conn.execute("UPDATE card_state SET suspended = 1 WHERE card_id = ?", [card_id])
    return LeechMark(lapses, suspended=rule.suspend)


def unmark(conn: sqlite3.Connection, review_id: int) -> None:
    """Inside an undo's write transaction: take back the mark ``review_id`` made, and the
    suspension that came with it."""
    row = conn.execute(
        "SELECT card_id, suspended FROM leeches WHERE review_id = ?", [review_id]
    ).fetchone()
    if row is None:
        return
    conn.execute("DELETE FROM leeches WHERE review_id = ?", [review_id])
    if row[1]:
        conn.execute("UPDATE card_state SET suspended = 0 WHERE card_id = ?", [row[0]])


class LeechStore(Connection):
    """Leech marks (a part of ``Store``)."""

    def leeches(self) -> list[Leech]:
        """The leeches among the focused cards (``focus_cards``), most lapses first, with their
        lapses counted from the log now."""
        rows = self._rows(
            "SELECT DISTINCT l.card_id, d.deck, coalesce(s.suspended, 0) FROM leeches l"
            " JOIN temp.deck_cards d ON d.card_id = l.card_id"
            " LEFT JOIN card_state s ON s.card_id = l.card_id"
        )
        with self._errors():
            found = [
                Leech(card_id, deck, lapses_of(self.conn, card_id), bool(suspended))
                for card_id, deck, suspended in rows
            ]
        return sorted(found, key=lambda leech: (-leech.lapses, leech.card_id))

    def lapses(self, card_ids: Iterable[str]) -> dict[str, int]:
        """Each card's lapses, counted from the review log (``flashdl.core.leeches``)."""
        with self._decoded("review time"):
            return lapse_counts(self.conn, card_ids)

    def leech_ids(self) -> set[str]:
        return {row[0] for row in self._rows("SELECT DISTINCT card_id FROM leeches")}

    def rebuild_leeches(self, rule: LeechRule) -> int:
        """Add the marks the review log implies and the table lacks (after a progress import);
        suspends nothing, since the imported card rows carry their suspension. Idempotent;
        returns how many marks were added."""
        added = 0
        with self._write() as conn:
            resets = dict(
                conn.execute("SELECT card_id, reset_at FROM card_state WHERE reset_at IS NOT NULL")
            )
            marked = {row[0] for row in conn.execute("SELECT review_id FROM leeches")}
            marks = dict(
                conn.execute("SELECT card_id, count(*) FROM leeches GROUP BY card_id").fetchall()
            )
            by_card: dict[str, list[tuple]] = {}
            for row in conn.execute(_ANSWERS + " ORDER BY id"):
                by_card.setdefault(row[1], []).append(row)
            decks = dict(conn.execute("SELECT card_id, deck FROM card_state"))
            for card_id, rows in by_card.items():
                answers = _answers(rows, resets.get(card_id))
                flags = lapse_flags(answer for _, answer in answers)
                missing = leech_level(sum(flags), rule) - marks.get(card_id, 0)
                lapses = 0
                for (review_id, _), lapse in zip(answers, flags, strict=True):
                    lapses += lapse
                    if missing <= 0:
                        break
                    if lapse and marks_leech(lapses, rule) and review_id not in marked:
                        missing -= 1
                        conn.execute(
                            "INSERT INTO leeches(review_id, card_id, deck, lapses) VALUES (?,?,?,?)",
                            [review_id, card_id, decks.get(card_id, rows[-1][2]), lapses],
                        )
                        added += 1
        return added
