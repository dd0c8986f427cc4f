"""The aggregate queries behind ``flashdl stats`` and ``flashdl decks``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from flashdl.store.connection import Connection
from flashdl.store.leeches import lapse_counts
from flashdl.store.records import is_finite_number

if TYPE_CHECKING:
    pass


MAX_TIED = 200  # cards tied with the last of the hardest whose lapses are counted to rank them


class StatsQueries(Connection):
    """Statistics queries (a part of ``Store``)."""

    def state_counts(
        self, today: date, *, repeat_below: int | None = None
    ) -> dict[str, dict[str, float]]:
        """Per deck: cards, new, learning, young, mature, due, overdue, suspended, mean easiness.

        ``due`` includes today's learning queue (cards failed today that come back today)."""
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
        # Cards failed today come back today: they count as due (their scheduled due is later).
        below = {} if repeat_below is None else {"repeat_below": repeat_below}
        learning = list(self.learning_cards(today, **below))  # type: ignore[attr-defined]
        for start in range(0, len(learning), 900):
            batch = learning[start : start + 900]
            marks = ",".join("?" * len(batch))
            for (deck,) in self._rows(
                f"SELECT d.deck FROM temp.deck_cards d JOIN card_state s ON s.card_id = d.card_id"
                f" WHERE d.card_id IN ({marks}) AND s.due > ?",
                [*batch, day],
            ):
                counts.setdefault(deck, {}).setdefault("due", 0)
                counts[deck]["due"] += 1
        # Cards buried today (``b`` in the study app) wait for tomorrow: not due today.
        buried = sorted(self.buried_ids(today))  # type: ignore[attr-defined]
        waiting = set(learning)
        for start in range(0, len(buried), 900):
            batch = buried[start : start + 900]
            marks = ",".join("?" * len(batch))
            for card_id, deck, due in self._rows(
                f"SELECT d.card_id, d.deck, s.due FROM temp.deck_cards d"
                f" JOIN card_state s ON s.card_id = d.card_id"
                f" WHERE d.card_id IN ({marks}) AND s.suspended = 0",
                batch,
            ):
                if (due is not None and due <= day) or card_id in waiting:
                    counts[deck]["due"] -= 1
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
        with self._decoded("review day or due date"):
            return {date.fromisoformat(day): count for day, count in rows}

    def review_days(self, decks: Sequence[str], until: date) -> Iterator[date]:
        """Days with at least one review, newest first from ``until``, read lazily so that the
        streak stops reading at its first gap instead of walking a million rows.

        One query per day, each the newest review day before the last one: the day index finds
        it after a row or two, where ``SELECT DISTINCT day`` would read every review of every
        day of a long streak (730 days of a daily user are most of the table)."""
        marks = ",".join("?" * len(decks))
        sql = (
            "SELECT day FROM reviews INDEXED BY reviews_day_deck WHERE day < ?"
            f" AND undone_at IS NULL AND deck IN ({marks}) ORDER BY day DESC LIMIT 1"
        )
        before = (until + timedelta(days=1)).isoformat()
        while True:
            with self._errors():
                row = self.conn.execute(sql, [before, *decks]).fetchone()
            if row is None:
                return
            before = row[0]
            with self._decoded("review day"):
                yield date.fromisoformat(before)

    def waited_between(self, decks: Sequence[str], after: date, before: date) -> bool:
        """Whether a card of ``decks`` was due on a day strictly between ``after`` and ``before``,
        days with no review: the streak breaks only on such a day.

        The state a card had on those days is the ``state_before`` of its next review (which is
        on ``before`` or later; a review never schedules a card before its own day, so a
        ``state_before`` due earlier than ``before`` can only be that one), or, for a card not
        reviewed since, its state now."""
        marks = ",".join("?" * len(decks))
        until = before.isoformat()
        with self._errors():
            reviewed = self.conn.execute(
                "SELECT 1 FROM reviews INDEXED BY reviews_day_deck WHERE day >= ?"
                f" AND undone_at IS NULL AND deck IN ({marks})"
                " AND json_extract(state_before, '$.due') < ? LIMIT 1",
                [until, *decks, until],
            ).fetchone()
            if reviewed:
                return True
            waiting = self.conn.execute(
                "SELECT 1 FROM card_state s WHERE s.due < ? AND s.suspended = 0"
                f" AND s.deck IN ({marks}) AND NOT EXISTS (SELECT 1 FROM reviews r"
                " WHERE r.card_id = s.card_id AND r.day > ? AND r.undone_at IS NULL) LIMIT 1",
                [until, *decks, after.isoformat()],
            ).fetchone()
        return waiting is not None

    def due_forecast(self, today: date, last: date) -> dict[date, int]:
        """Cards due on each day up to ``last``; overdue cards count as due today."""
        rows = self._rows(
            "SELECT max(s.due, ?) AS day, count(*) FROM card_state s"
            " JOIN temp.deck_cards d ON d.card_id = s.card_id"
            " WHERE s.suspended = 0 AND s.due IS NOT NULL AND s.due <= ? GROUP BY day",
            [today.isoformat(), last.isoformat()],
        )
        with self._decoded("review day or due date"):
            return {date.fromisoformat(day): count for day, count in rows}

    def quiz_coverage_per_day(self, decks: Sequence[str]) -> dict[date, tuple[float, int]]:
        marks = ",".join("?" * len(decks))
        rows = self._rows(
            "SELECT day, avg(coverage), count(*) FROM reviews INDEXED BY reviews_quiz WHERE mode = 'quiz'"
            f" AND coverage IS NOT NULL AND undone_at IS NULL AND deck IN ({marks}) GROUP BY day",
            decks,
        )
        with self._decoded("review day"):
            return {date.fromisoformat(day): (avg, count) for day, avg, count in rows}

    def hardest(self, limit: int = 10) -> list[tuple[str, str, float, int]]:
        """(card id, deck, easiness, lapses): the highest FSRS difficulty first where FSRS built the
        states, else the lowest SM-2 easiness; then the most lapses, counted from the review log
        (``flashdl.core.leeches``, as everywhere the lapses are shown)."""
        order = " ORDER BY coalesce(s.difficulty, 0) DESC, s.easiness ASC, s.card_id"
        # CROSS JOIN: from the cards in the decks, however many more the store holds
        select = (
            "SELECT s.card_id, d.deck, s.easiness, coalesce(s.difficulty, 0) FROM temp.deck_cards d"
            " CROSS JOIN card_state s ON s.card_id = d.card_id WHERE s.due IS NOT NULL"
        )
        rows = self._rows(select + order + " LIMIT ?", [limit])
        if rows and len(rows) == limit:
            # the lapses break ties: every card tied with the last one may be among the hardest
            _card, _deck, easiness, difficulty = rows[-1]
            # (at most MAX_TIED of them, those the scheduler tallies most lapses for: a large
            # deck has thousands at the lowest easiness, and counting each one's log took a
            # third of ``stats``)
            rows += self._rows(
                select + " AND s.easiness = ? AND coalesce(s.difficulty, 0) = ?"
                " ORDER BY s.lapses DESC, s.card_id LIMIT ?",
                [easiness, difficulty, MAX_TIED],
            )
        with self._decoded("card state"):
            for card_id, _deck, easiness, _difficulty in rows:
                if not is_finite_number(easiness):
                    raise ValueError(f"card {str(card_id)[:60]!r} has a state out of range")
            lapses = lapse_counts(self.conn, (row[0] for row in rows))
        unique = {row[0]: row for row in rows}.values()
        ranked = sorted(unique, key=lambda r: (-r[3], r[2], -lapses[r[0]], r[0]))
        return [
            (card_id, deck, easiness, lapses[card_id]) for card_id, deck, easiness, _ in ranked
        ][:limit]

    def missed_key_points(
        self, decks: Sequence[str], limit: int = 50
    ) -> list[tuple[str, int, int]]:
        """(card id, key point index, times missed) in quizzes, most missed first."""
        marks = ",".join("?" * len(decks))
        rows = self._rows(
            "SELECT r.card_id, CAST(j.value AS INTEGER) AS point, count(*) AS n"
            " FROM reviews r INDEXED BY reviews_quiz, json_each(r.missed) j"
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
