"""Leeches: cards the learner keeps forgetting, found the way Anki finds them.

A *lapse* is a failing grade (below 3; Again under FSRS) in a scheduling review of a card that was
in review, that is, whose previous answer was a pass. A card failed and then recalled in the
session's repeats (flashdl's relearning step) is back in review, so failing it on a later day is
a new lapse; failing a new card, or failing again a card not recalled since its last lapse, is not.
Lapses are counted from the review log, so undo, reset and a progress import need no extra
bookkeeping.

A card becomes a leech when its lapses reach the threshold (``leech_lapses``, default 8 as in
Anki) and, as in Anki, again every half threshold after that (8, 12, 16, ...): a leech the user
unsuspended and keeps failing is flagged again. A level passed without a mark (the lapse was a
``quiz --reschedule`` grade, or the database predates leeches) is marked at the next lapse in study.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flashdl.core.scheduling import PASSING_GRADE

DEFAULT_LEECH_LAPSES = 8
LEECH_ACTIONS = ("suspend", "keep")
DEFAULT_LEECH_ACTION = "suspend"  # Anki's default: tag the card and suspend it


@dataclass(frozen=True)
class LeechRule:
    """When a card is a leech, and whether marking it suspends it."""

    lapses: int = DEFAULT_LEECH_LAPSES
    suspend: bool = True


@dataclass(frozen=True)
class Answer:
    """One graded answer of a card, as the leech rule reads the log."""

    grade: int
    scheduling: bool  # a scheduling review (not a same-session repeat)


def is_lapse(grade: int, previous_grade: int | None) -> bool:
    """A failing grade for a card whose previous answer passed (a card in review)."""
    return grade < PASSING_GRADE and previous_grade is not None and previous_grade >= PASSING_GRADE


def lapse_flags(answers: Iterable[Answer]) -> list[bool]:
    """For each answer, in order, whether it was a lapse."""
    flags = []
    previous: int | None = None
    for answer in answers:
        flags.append(answer.scheduling and is_lapse(answer.grade, previous))
        previous = answer.grade
    return flags


def count_lapses(answers: Iterable[Answer]) -> int:
    return sum(lapse_flags(answers))


def leech_level(lapses: int, rule: LeechRule) -> int:
    """How many times ``lapses`` lapses make a card a leech: 0 below the threshold, 1 at it, one
    more every half threshold after."""
    if lapses < rule.lapses:
        return 0
    return 1 + (lapses - rule.lapses) // max(rule.lapses // 2, 1)


def marks_leech(lapses: int, rule: LeechRule) -> bool:
    """Whether the lapse that brought the count to ``lapses`` makes the card a leech (again)."""
    if lapses < rule.lapses:
        return False
    return (lapses - rule.lapses) % max(rule.lapses // 2, 1) == 0
