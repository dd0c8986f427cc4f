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

The ``Scheduler`` interface at the end is what the study and quiz loops use: ``SM2`` (the default)
or ``FSRS`` (``flashdl/fsrs_scheduler.py``), built by name with ``make_scheduler``. ``replay``
rebuilds a card's state from its review log when the user switches between them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable

INITIAL_EASINESS = 2.5
MIN_EASINESS = 1.3
FIRST_INTERVAL = 1
SECOND_INTERVAL = 6
PASSING_GRADE = 3
# FSRS's desired retention: the default, and the range flashdl accepts (here, so that reading the
# settings does not import the FSRS module).
DEFAULT_RETENTION = 0.9
MIN_RETENTION = 0.7
MAX_RETENTION = 0.99
REPEAT_BELOW = 4


class Grade(IntEnum):
    """SM-2's six grades of recall quality, with the meaning Woźniak gave each."""

    BLACKOUT = 0
    WRONG = 1
    WRONG_BUT_FAMILIAR = 2
    HARD = 3
    HESITANT = 4
    PERFECT = 5


GRADE_LABELS: dict[Grade, dict[str, str]] = {
    Grade.BLACKOUT: {"en": "complete blackout", "zh": "完全想不起来"},
    Grade.WRONG: {"en": "wrong; the answer rang a bell", "zh": "答错，看到答案才想起"},
    Grade.WRONG_BUT_FAMILIAR: {
        "en": "wrong; but the answer felt easy",
        "zh": "答错，但答案似曾相识",
    },
    Grade.HARD: {"en": "right, with serious difficulty", "zh": "答对，但很吃力"},
    Grade.HESITANT: {"en": "right, after hesitation", "zh": "答对，略有犹豫"},
    Grade.PERFECT: {"en": "perfect recall", "zh": "完美回忆"},
}


@dataclass(frozen=True)
class CardState:
    """What the scheduler knows about one card. ``due is None`` means the card is new."""

    repetitions: int = 0
    interval: int = 0
    easiness: float = INITIAL_EASINESS
    due: date | None = None
    lapses: int = 0
    # FSRS memory (see flashdl/fsrs_scheduler.py); None under SM-2 and for new cards.
    stability: float | None = None
    difficulty: float | None = None

    @property
    def is_new(self) -> bool:
        return self.due is None

    @property
    def reviewed_on(self) -> date | None:
        """The day of the last scheduling review: every scheduler sets ``due = that day + interval``."""
        return None if self.due is None else self.due - timedelta(days=self.interval)


NEW_CARD = CardState()


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
    until: date | None = None,
) -> CardState:
    """Return the state after a scheduling review of ``state`` graded ``grade`` at ``reviewed_at``.

    ``until`` (an interview date) caps the interval so that the card comes back before that day,
    never sooner than tomorrow.
    """
    grade = Grade(grade)
    day = reviewed_at.date() if isinstance(reviewed_at, datetime) else reviewed_at
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
    if until is not None:
        interval = max(1, min(interval, (until - day).days - 1))
    return replace(
        state,
        repetitions=repetitions,
        interval=interval,
        easiness=easiness,
        due=day + timedelta(days=interval),
        lapses=lapses,
    )


def needs_repeat(grade: int) -> bool:
    """SM-2 step 7: a card graded below 4 comes back later in the same session."""
    return grade < REPEAT_BELOW


def is_due(state: CardState, today: date) -> bool:
    return state.due is not None and state.due <= today


class Scheduler(Protocol):
    """What the study and quiz loops need from a scheduling algorithm."""

    name: str

    def review(
        self, state: CardState, grade: int, reviewed_at: datetime, *, until: date | None = None
    ) -> CardState: ...


@dataclass(frozen=True)
class SM2:
    """The default scheduler: the pure SM-2 ``review`` above."""

    name: str = "sm2"

    @property
    def key(self) -> str:
        return self.name

    def review(
        self, state: CardState, grade: int, reviewed_at: datetime, *, until: date | None = None
    ) -> CardState:
        # FSRS memory left over from another scheduler would go stale; SM-2 keeps none.
        if state.stability is not None or state.difficulty is not None:
            state = replace(state, stability=None, difficulty=None)
        return review(state, grade, reviewed_at, until=until)


SCHEDULERS = ("sm2", "fsrs")
DEFAULT_SCHEDULER = "sm2"


def make_scheduler(name: str, *, desired_retention: float = 0.9) -> Scheduler:
    """The scheduler called ``name`` (``sm2`` or ``fsrs``); ``desired_retention`` is FSRS's target."""
    if name == "sm2":
        return SM2()
    if name == "fsrs":
        from flashdl.fsrs_scheduler import FSRS

        return FSRS(desired_retention=desired_retention)
    raise ValueError(f"unknown scheduler {name!r}; choose one of: {', '.join(SCHEDULERS)}")


def scheduler_key(scheduler: Scheduler) -> str:
    """What a card's schedule depends on: the name, plus settings such as FSRS's retention.

    The store records the key of the scheduler that built its card states; a different key means
    the states must be rebuilt from the review log.
    """
    return str(getattr(scheduler, "key", scheduler.name))


def replay(
    scheduler: Scheduler,
    history: Iterable[tuple[int, datetime]],
    *,
    until: date | None = None,
) -> CardState:
    """The state a new card reaches when ``scheduler`` grades ``(grade, reviewed_at)`` in order.

    Switching schedulers uses this to rebuild each card from its log of scheduling reviews.
    """
    state = NEW_CARD
    for grade, reviewed_at in history:
        state = scheduler.review(state, grade, reviewed_at, until=until)
    return state
