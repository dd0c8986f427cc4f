"""SM-2 spaced-repetition scheduling as pure functions.

The algorithm is P. A. Woźniak's "Algorithm SM-2" (SuperMemo, 1987) read literally. Where the
published text is ambiguous, flashdl chooses as follows:

1. Grades are 0–5. A review with ``q >= 3`` is a success: the easiness factor is updated first,
   ``EF' = EF + (0.1 - (5 - q) * (0.08 + (5 - q) * 0.02))`` with a floor of 1.3, and the *new* EF'
   multiplies the previous interval (``I(n) = I(n-1) * EF'``). Some implementations use the old EF;
   the text lists the EF update (step 5) before the interval is used again, so EF' is the literal reading.
2. "If interval is a fraction, round it up": ``I(n) = ceil(I(n-1) * EF')``. Every EF step is a multiple
   of 0.02, so EF is kept rounded to two decimals; this stops float noise (2.8000000000000003) from
   pushing an exact product over an integer and adding a day.
3. A review with ``q < 3`` is a lapse: repetitions restart (the next interval is I(1) = 1 day) and EF is
   *not* changed — the text says to restart "without changing the E-Factor". Some implementations
   lower EF on failure too; that is not SM-2.
4. Step 7 ("repeat all items that scored below four until they score at least four") happens within
   the same study session. Those same-day repeats are logged but change neither EF nor the interval:
   only the first grade a card gets in a session is a scheduling review. ``needs_repeat`` tells the
   session loop which cards to put back in the queue.
5. Intervals are whole days counted from the local calendar day of the review; a card is due from the
   start of its due day.

Nothing here reads the clock or touches storage: every function takes the old state, a grade and the
review time, and returns a new frozen state.

``SM2`` wraps ``review`` in the ``Scheduler`` protocol of ``flashdl.core.scheduling``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flashdl.core.days import study_day
from flashdl.core.interview import Deadline, capped_interval
from flashdl.core.scheduling import PASSING_GRADE, CardState, Grade

MIN_EASINESS = 1.3
FIRST_INTERVAL = 1
SECOND_INTERVAL = 6


def next_easiness(easiness: float, grade: int) -> float:
    """SM-2 step 5, floored at 1.3 and kept to two decimals (see the module docstring, point 2)."""
    miss = 5 - grade
    updated = easiness + (0.1 - miss * (0.08 + miss * 0.02))
    return max(MIN_EASINESS, round(updated, 2))


def review(
    state: CardState,
    grade: int,
    reviewed_at: datetime | date,
    *,
    until: Deadline | None = None,
) -> CardState:
    """Return the state after a scheduling review of ``state`` graded ``grade`` at ``reviewed_at``.

    ``until`` (an interview) caps the interval so that the last reviews before it are spread over
    its final days (``flashdl.core.interview.capped_interval``).
    """
    grade = Grade(grade)
    day = study_day(reviewed_at) if isinstance(reviewed_at, datetime) else reviewed_at
    if grade < PASSING_GRADE:
        repetitions, interval, easiness = 0, FIRST_INTERVAL, state.easiness
        lapses = state.lapses + 1
    else:
        easiness = next_easiness(state.easiness, grade)
        repetitions, lapses = state.repetitions + 1, state.lapses
        if repetitions == 1:
            interval = FIRST_INTERVAL
        elif repetitions == 2:
            interval = SECOND_INTERVAL
        else:
            interval = math.ceil(round(max(state.interval, 1) * easiness, 6))
    interval = capped_interval(day, interval, until)
    return replace(
        state,
        repetitions=repetitions,
        interval=interval,
        easiness=easiness,
        due=day + timedelta(days=interval),
        lapses=lapses,
    )


@dataclass(frozen=True)
class SM2:
    """The default scheduler: the pure SM-2 ``review`` above."""

    name: str = "sm2"

    @property
    def key(self) -> str:
        return self.name

    def review(
        self, state: CardState, grade: int, reviewed_at: datetime, *, until: Deadline | None = None
    ) -> CardState:
        # FSRS memory left over from another scheduler would go stale; SM-2 keeps none.
        if state.stability is not None or state.difficulty is not None:
            state = replace(state, stability=None, difficulty=None)
        return review(state, grade, reviewed_at, until=until)
