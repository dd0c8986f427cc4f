"""What every scheduler shares: grades, a card's state, the ``Scheduler`` protocol, and replay.

A scheduler is pure: it takes the old state, a grade and the review time, and returns a new frozen
state; it never reads the clock or touches storage. ``flashdl.core.sm2`` (the default) and
``flashdl.core.fsrs`` implement the protocol; ``flashdl.core.schedulers`` builds one by name.
``replay`` rebuilds a card's state from its review log when the user switches between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable

    from flashdl.core.interview import Deadline

INITIAL_EASINESS = 2.5  # SM-2's starting easiness, also a new card's
PASSING_GRADE = 3
# FSRS's desired retention: the default, and the range flashdl accepts (here, so that reading the
# settings does not import the FSRS module).
DEFAULT_RETENTION = 0.9
MIN_RETENTION = 0.7
MAX_RETENTION = 0.99
REPEAT_BELOW = 4
# No schedule reaches further than this (a century): later dates come only from damaged or hostile
# files, and would overflow date arithmetic.
MAX_INTERVAL_DAYS = 36_600
# Lapses or repetitions of one card no history reaches (a review a minute for two years): doctor
# calls more corrupt, and a progress file is refused with more.
MAX_COUNT = 1_000_000


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
    # FSRS memory (see flashdl/core/fsrs.py); None under SM-2 and for new cards.
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


def needs_repeat(grade: int) -> bool:
    """SM-2 step 7: a card graded below 4 comes back later in the same session."""
    return grade < REPEAT_BELOW


def is_due(state: CardState, today: date) -> bool:
    return state.due is not None and state.due <= today


class Scheduler(Protocol):
    """What the study and quiz loops need from a scheduling algorithm."""

    name: str

    def review(
        self, state: CardState, grade: int, reviewed_at: datetime, *, until: Deadline | None = None
    ) -> CardState: ...


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
    until: Deadline | None = None,
) -> CardState:
    """The state a new card reaches when ``scheduler`` grades ``(grade, reviewed_at)`` in order.

    Switching schedulers uses this to rebuild each card from its log of scheduling reviews.
    """
    state = NEW_CARD
    for grade, reviewed_at in history:
        state = scheduler.review(state, grade, reviewed_at, until=until)
    return state
