"""The readiness forecast of ``flashdl stats``: the reviews of each day until the interview.

A projection, not a promise: every card is graded the same and studied on its due day, so the
figure shows where the interview cap puts the load (``flashdl.core.interview``), day by day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flashdl.core.interview import Interview
from flashdl.core.scheduling import CardState, Scheduler


@dataclass(frozen=True)
class Forecast:
    """Reviews a day from today up to the interview, as ``forecast_reviews`` projects them."""

    per_day: dict[date, int]
    per_card: dict[str, int]

    @property
    def peak(self) -> tuple[date, int] | None:
        """The heaviest day and its reviews (the earliest such day), or None if none is due."""
        if not self.per_day:
            return None
        day = min(self.per_day, key=lambda d: (-self.per_day[d], d))
        return day, self.per_day[day]


def forecast_reviews(
    scheduler: Scheduler,
    cards: Sequence[tuple[str, CardState]],
    today: date,
    interview: Interview,
    *,
    new_per_day: int = 10,
    grade: int = 4,
) -> Forecast:
    """The reviews of each day from ``today`` to the interview's last day if the learner studies
    every day, grades every card ``grade`` and introduces ``new_per_day`` new cards a day in the
    order given: each review is placed by the same cap, with the same per-day load, as the store
    places a real one. Overdue cards are reviewed today."""
    states = dict(cards)
    load: Counter[date] = Counter(s.due for s in states.values() if s.due is not None)
    waiting: dict[date, list[str]] = {}
    for card_id, state in cards:
        if state.due is not None:
            waiting.setdefault(max(state.due, today), []).append(card_id)
    new = [card_id for card_id, state in cards if state.is_new]
    per_day: Counter[date] = Counter()
    per_card: Counter[str] = Counter()
    day, introduced = today, 0
    while day <= interview.last_day:
        due = sorted(waiting.pop(day, []), key=lambda c: (states[c].due, c))
        fresh = new[introduced : introduced + new_per_day]
        introduced += len(fresh)
        for card_id in due + fresh:
            before = states[card_id]
            if before.due is not None:
                load[before.due] -= 1
            cap = interview.for_card(card_id).with_load(load)
            after = scheduler.review(before, grade, day, until=cap)
            states[card_id] = after
            assert after.due is not None
            load[after.due] += 1
            waiting.setdefault(after.due, []).append(card_id)
            per_day[day] += 1
            per_card[card_id] += 1
        day += timedelta(days=1)
    return Forecast(dict(per_day), dict(per_card))
