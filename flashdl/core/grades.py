"""The grading modes: which keys grade a card, what each records, and the interval it would give.

Two modes (the ``grading`` setting):

- ``sm2``: SM-2's six grades on the keys 0–5, recorded as they are. A grade below 4 brings the
  card back later today (SM-2 step 7).
- ``anki``: Anki's four buttons on the keys 1–4, Again / Hard / Good / Easy, recorded as the SM-2
  qualities 1 / 3 / 4 / 5. SM-2 schedules those qualities as they are; FSRS reads them back as its
  ratings Again / Hard / Good / Easy (``flashdl.core.fsrs.RATING_OF_GRADE``), so the log always
  holds 0–5 grades and a database stays valid whichever mode wrote it. As in Anki, only Again
  brings the card back today; Hard, Good and Easy pass it.

``previews`` asks the scheduler itself what each button would do (no interval arithmetic is
repeated here), so the interval shown is the interval stored after the key is pressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flashdl.core.days import study_day
from flashdl.core.planning import LEARNING_DELAY
from flashdl.core.scheduling import GRADE_LABELS, REPEAT_BELOW, CardState, Grade, Scheduler

if TYPE_CHECKING:
    from flashdl.core.interview import Deadline

GRADING_MODES = ("sm2", "anki")


@dataclass(frozen=True)
class Button:
    """One grading key: what is pressed, what it is called, which 0–5 grade it records."""

    key: str
    label: dict[str, str]  # by language: zh, en
    grade: Grade

    def name(self, lang: str) -> str:
        return self.label["en" if lang == "en" else "zh"]


BUTTONS: dict[str, tuple[Button, ...]] = {
    "sm2": tuple(Button(str(int(g)), GRADE_LABELS[g], g) for g in Grade),
    "anki": (
        Button("1", {"en": "Again", "zh": "重来"}, Grade.WRONG),
        Button("2", {"en": "Hard", "zh": "困难"}, Grade.HARD),
        Button("3", {"en": "Good", "zh": "良好"}, Grade.HESITANT),
        Button("4", {"en": "Easy", "zh": "简单"}, Grade.PERFECT),
    ),
}
# A card graded below this comes back later today (the learning queue), by mode.
REPEAT_BELOW_IN = {"sm2": REPEAT_BELOW, "anki": int(Grade.HARD)}


def default_grading(scheduler: str) -> str:
    """The mode used when the settings do not name one: Anki's buttons under FSRS, SM-2's grades
    under SM-2."""
    return "anki" if scheduler == "fsrs" else "sm2"


def buttons(mode: str) -> tuple[Button, ...]:
    return BUTTONS[mode]


def grade_for_key(mode: str, key: str) -> Grade | None:
    """The grade ``key`` records in ``mode``; None for a key that does not grade in it."""
    return next((b.grade for b in BUTTONS[mode] if b.key == key), None)


def key_for_grade(mode: str, grade: int) -> str:
    """The key that stands for a 0–5 grade in ``mode`` (a suggested grade, shown as a key)."""
    if mode == "sm2":
        return str(int(grade))
    rating = 0 if grade < Grade.HARD else grade - 2  # 0–2 Again, 3 Hard, 4 Good, 5 Easy
    return BUTTONS[mode][max(0, rating)].key


def repeats_today(mode: str, grade: int) -> bool:
    """Whether a card graded ``grade`` in ``mode`` comes back later today."""
    return grade < REPEAT_BELOW_IN[mode]


def key_range(mode: str) -> str:
    """ "0–5" or "1–4": the keys that grade, for prompts."""
    keys = [b.key for b in BUTTONS[mode]]
    return f"{keys[0]}–{keys[-1]}"


def format_interval(days: int | None = None, *, minutes: float | None = None) -> str:
    """An interval the way Anki shows it: 10m, 2h, 1d, 25d, 2.5mo, 1.2y."""
    if minutes is not None:
        if minutes < 60:
            return f"{max(1, round(minutes))}m"
        if minutes < 24 * 60:
            return f"{round(minutes / 60)}h"
        days = round(minutes / (24 * 60))
    assert days is not None
    if days < 30:
        return f"{days}d"
    if days < 365:
        return _one_decimal(days / 30) + "mo"
    return _one_decimal(days / 365) + "y"


def _one_decimal(value: float) -> str:
    """2.5, 3, 11: a decimal only below 10, so a preview is never wider than five characters."""
    if round(value, 1) >= 10:
        return str(round(value))
    return f"{value:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Preview:
    """A button with what pressing it would do: ``days`` until the card is due again (None when
    it comes back later today), and that interval as text."""

    button: Button
    days: int | None
    text: str


def previews(
    mode: str,
    scheduler: Scheduler,
    state: CardState,
    now: datetime,
    *,
    until: Deadline | None = None,
    learning_delay: timedelta = LEARNING_DELAY,
) -> list[Preview]:
    """What each button of ``mode`` would do to a card in ``state`` reviewed at ``now``.

    A grade that brings the card back today shows the learning delay ("10m"). The first grade of a
    day schedules the card, so the interval comes from ``scheduler.review``; a card already
    reviewed today (a repeat) keeps the schedule it got then, and shows that."""
    today = study_day(now)
    repeat = state.reviewed_on == today
    shown: list[Preview] = []
    for button in BUTTONS[mode]:
        if repeats_today(mode, button.grade):
            minutes = learning_delay.total_seconds() / 60
            shown.append(Preview(button, None, format_interval(minutes=minutes)))
            continue
        if repeat and state.due is not None:
            days = (state.due - today).days
        else:
            after = scheduler.review(state, button.grade, now, until=until)
            days = after.interval
        shown.append(Preview(button, days, format_interval(days)))
    return shown
