"""FSRS scheduling through the maintained ``fsrs`` package (py-fsrs), in flashdl's whole-day model.

FSRS models each card's memory with a stability S (days until recall probability falls to 90 %)
and a difficulty D (1–10), updated after every review from the grade and the predicted recall at
that moment; the next interval is the one at which predicted recall falls to the desired retention.
flashdl uses py-fsrs's default parameters and chooses as follows:

1. Grades. flashdl keeps its 0–5 keys; this module holds the only mapping to FSRS's four ratings:
   0, 1, 2 → Again; 3 → Hard; 4 → Good; 5 → Easy. Back (for the simulation and display):
   Again → 1, Hard → 3, Good → 4, Easy → 5.
2. Whole days. A review is placed at midnight UTC of its local calendar day, so elapsed time is a
   whole number of days counted exactly as SM-2 counts them. FSRS's minute-long learning and
   relearning steps are off: a new or lapsed card gets a day interval at once. The study loop's
   same-session repeats of cards graded below 4 play the part of those steps and, as under SM-2,
   change no state.
3. No fuzz. py-fsrs randomises intervals with the global ``random`` module; flashdl turns that off
   so a review is a pure function of state, grade and day.
4. Storage. S and D live in ``CardState.stability`` and ``.difficulty``; the day of the last review
   is ``due - interval`` (``CardState.reviewed_on``). A state without S and D is reviewed as a first
   review; switching schedulers rebuilds every card from its log first (``Store.rebuild_states``).
5. ``repetitions`` counts successful reviews in a row, ``lapses`` the reviews graded Again, as in
   SM-2; the SM-2 easiness factor is left as it was.

``fsrs`` is imported inside the functions that need it, so importing this module is cheap.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from flashdl.core.days import study_day
from flashdl.core.interview import Deadline, capped_interval
from flashdl.core.scheduling import (
    DEFAULT_RETENTION,
    MAX_RETENTION,
    MIN_RETENTION,
    CardState,
    Grade,
)

if TYPE_CHECKING:
    import fsrs


# FSRS's ratings, with the values of ``fsrs.Rating``.
AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}

RATING_OF_GRADE: dict[Grade, int] = {
    Grade.BLACKOUT: AGAIN,
    Grade.WRONG: AGAIN,
    Grade.WRONG_BUT_FAMILIAR: AGAIN,
    Grade.HARD: HARD,
    Grade.HESITANT: GOOD,
    Grade.PERFECT: EASY,
}
GRADE_OF_RATING: dict[int, Grade] = {
    AGAIN: Grade.WRONG,
    HARD: Grade.HARD,
    GOOD: Grade.HESITANT,
    EASY: Grade.PERFECT,
}


def to_rating(grade: int) -> int:
    """The FSRS rating (1 Again … 4 Easy) for a 0–5 grade."""
    return RATING_OF_GRADE[Grade(grade)]


def to_grade(rating: int) -> Grade:
    """The 0–5 grade that stands for an FSRS rating."""
    if rating not in GRADE_OF_RATING:
        raise ValueError(f"{rating} is not an FSRS rating (1 Again, 2 Hard, 3 Good, 4 Easy)")
    return GRADE_OF_RATING[rating]


def check_retention(value: float) -> float:
    if not MIN_RETENTION <= value <= MAX_RETENTION:
        raise ValueError(
            f"desired retention must be between {MIN_RETENTION} and {MAX_RETENTION}, got {value}"
        )
    return float(value)


@functools.lru_cache(maxsize=8)
def _engine(desired_retention: float) -> fsrs.Scheduler:
    import fsrs

    return fsrs.Scheduler(
        desired_retention=desired_retention,
        learning_steps=(),
        relearning_steps=(),
        enable_fuzzing=False,
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _day(moment: datetime | date) -> date:
    return study_day(moment) if isinstance(moment, datetime) else moment


def _card(state: CardState) -> fsrs.Card:
    import fsrs

    if state.due is None or state.stability is None or state.difficulty is None:
        # card_id is given: py-fsrs otherwise sleeps a millisecond to make one from the clock.
        return fsrs.Card(card_id=1, state=fsrs.State.Learning)
    reviewed_on = state.reviewed_on
    assert reviewed_on is not None
    return fsrs.Card(
        card_id=1,
        state=fsrs.State.Review,
        step=None,
        stability=state.stability,
        difficulty=state.difficulty,
        due=_midnight(state.due),
        last_review=_midnight(reviewed_on),
    )


@dataclass(frozen=True)
class FSRS:
    """The FSRS scheduler: py-fsrs with default parameters, whole days and no fuzz."""

    desired_retention: float = DEFAULT_RETENTION
    name: str = "fsrs"

    def __post_init__(self) -> None:
        check_retention(self.desired_retention)

    @property
    def key(self) -> str:
        return f"fsrs(desired_retention={self.desired_retention:g})"

    def review(
        self,
        state: CardState,
        grade: int,
        reviewed_at: datetime | date,
        *,
        until: Deadline | None = None,
    ) -> CardState:
        import fsrs

        rating = to_rating(grade)
        day = _day(reviewed_at)
        card, _ = _engine(self.desired_retention).review_card(
            _card(state), fsrs.Rating(rating), _midnight(day)
        )
        interval = capped_interval(day, (card.due.date() - day).days, until)
        again = rating == AGAIN
        return replace(
            state,
            repetitions=0 if again else state.repetitions + 1,
            interval=interval,
            due=day + timedelta(days=interval),
            lapses=state.lapses + (1 if again else 0),
            stability=card.stability,
            difficulty=card.difficulty,
        )


# -- forecasts (for ``flashdl stats``) ------------------------------------------------------------


def retrievability(state: CardState, today: date) -> float | None:
    """FSRS's predicted probability of recalling the card on ``today``; None without FSRS memory."""
    if state.stability is None or state.difficulty is None or state.due is None:
        return None
    return float(_engine(DEFAULT_RETENTION).get_card_retrievability(_card(state), _midnight(today)))


def recall_forecast(states: Mapping[str, CardState], today: date) -> dict[str, float]:
    """Predicted recall probability on ``today`` of every card that has FSRS memory, by card id."""
    forecast = {}
    for card_id, state in states.items():
        value = retrievability(state, today)
        if value is not None:
            forecast[card_id] = value
    return forecast


def recall_by_deck(
    states: Mapping[str, CardState], deck_of: Mapping[str, str], today: date
) -> dict[str, float]:
    """Mean predicted recall on ``today`` per deck, over the deck's cards that have FSRS memory."""
    totals: dict[str, list[float]] = {}
    for card_id, value in recall_forecast(states, today).items():
        deck = deck_of.get(card_id)
        if deck is not None:
            totals.setdefault(deck, []).append(value)
    return {deck: sum(values) / len(values) for deck, values in sorted(totals.items())}


def at_risk(
    states: Mapping[str, CardState], today: date, *, limit: int = 10
) -> list[tuple[str, float]]:
    """The ``limit`` cards with the lowest predicted recall on ``today`` (lowest first, then id)."""
    ranked = sorted(recall_forecast(states, today).items(), key=lambda item: (item[1], item[0]))
    return ranked[:limit]
