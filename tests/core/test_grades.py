"""Grading modes: the keys of each mode, the grades they record, and interval previews."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdl.core import grades
from flashdl.core.fsrs import FSRS, to_rating
from flashdl.core.grades import (
    buttons,
    default_grading,
    format_interval,
    grade_for_key,
    key_for_grade,
    previews,
    repeats_today,
)
from flashdl.core.scheduling import NEW_CARD, CardState, Grade, replay
from flashdl.core.sm2 import SM2

NOW = datetime(2026, 11, 29, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def test_anki_buttons_record_sm2_qualities_and_fsrs_ratings():
    assert [(b.key, b.label["en"], int(b.grade)) for b in buttons("anki")] == [
        ("1", "Again", 1), ("2", "Hard", 3), ("3", "Good", 4), ("4", "Easy", 5),
    ]  # fmt: skip
    # FSRS reads those grades back as its own ratings 1-4, in order.
    assert [to_rating(b.grade) for b in buttons("anki")] == [1, 2, 3, 4]
    assert [b.key for b in buttons("sm2")] == ["0", "1", "2", "3", "4", "5"]


@pytest.mark.parametrize(
    ("mode", "key", "grade"),
    [("anki", "3", Grade.HESITANT), ("anki", "5", None), ("anki", "0", None),
     ("sm2", "3", Grade.HARD), ("sm2", "5", Grade.PERFECT), ("sm2", "6", None),
     ("anki", "", None), ("sm2", "x", None)],
)  # fmt: skip
def test_keys_outside_the_mode_never_grade(mode, key, grade):
    assert grade_for_key(mode, key) == grade


def test_defaults_and_repeats():
    assert default_grading("sm2") == "sm2" and default_grading("fsrs") == "anki"
    assert [repeats_today("sm2", g) for g in Grade] == [True] * 4 + [False] * 2
    assert [repeats_today("anki", b.grade) for b in buttons("anki")] == [True, False, False, False]
    assert [key_for_grade("anki", g) for g in Grade] == ["1", "1", "1", "2", "3", "4"]
    assert key_for_grade("sm2", 3) == "3"
    assert grades.key_range("anki") == "1–4" and grades.key_range("sm2") == "0–5"


@pytest.mark.parametrize(
    ("days", "minutes", "text"),
    [(1, None, "1d"), (29, None, "29d"), (30, None, "1mo"), (75, None, "2.5mo"),
     (364, None, "12mo"), (365, None, "1y"), (36_600, None, "100y"),
     (None, 10, "10m"), (None, 90, "2h"), (None, 1440, "1d")],
)  # fmt: skip
def test_format_interval(days, minutes, text):
    assert format_interval(days, minutes=minutes) == text


def test_interval_text_is_never_wider_than_five():
    assert max(len(format_interval(d)) for d in range(1, 36_601)) <= 5


def test_previews_of_a_new_card_under_sm2():
    shown = previews("anki", SM2(), NEW_CARD, NOW)
    assert [(p.button.label["en"], p.text) for p in shown] == [
        ("Again", "10m"), ("Hard", "1d"), ("Good", "1d"), ("Easy", "1d"),
    ]  # fmt: skip
    delay = previews("anki", SM2(), NEW_CARD, NOW, learning_delay=timedelta(minutes=30))
    assert delay[0].text == "30m" and delay[0].days is None


def test_a_repeat_shows_the_schedule_it_already_has():
    # Failed this morning (reviewed today, due tomorrow): passing now changes nothing.
    state = SM2().review(NEW_CARD, 1, NOW)
    assert state.reviewed_on == NOW.date()
    shown = previews("sm2", SM2(), state, NOW + timedelta(minutes=20))
    assert [p.text for p in shown] == ["10m"] * 4 + ["1d", "1d"]


states = st.builds(
    CardState,
    repetitions=st.integers(0, 20),
    interval=st.integers(1, 400),
    easiness=st.floats(1.3, 3.0).map(lambda e: round(e, 2)),
    due=st.dates(date(2026, 1, 1), date(2026, 11, 29)),
    lapses=st.integers(0, 10),
)


@settings(max_examples=60, deadline=None)
@given(state=states, mode=st.sampled_from(["sm2", "anki"]), fsrs=st.booleans())
def test_previews_are_what_the_scheduler_stores(state, mode, fsrs):
    """A day preview is the interval the scheduler gives for that grade: no arithmetic of its own."""
    scheduler = FSRS() if fsrs else SM2()
    if fsrs:  # a card with FSRS memory, as FSRS builds it
        state = replay(scheduler, [(4, datetime.combine(state.due, NOW.timetz()))])
    for preview in previews(mode, scheduler, state, NOW, until=date(2027, 3, 1)):
        after = scheduler.review(state, preview.button.grade, NOW, until=date(2027, 3, 1))
        if preview.days is None:
            assert repeats_today(mode, preview.button.grade)
        elif state.reviewed_on == NOW.date():  # a repeat: the store keeps today's schedule
            assert preview.days == (state.due - NOW.date()).days
        else:
            assert preview.days == after.interval == (after.due - NOW.date()).days
            assert preview.text == format_interval(after.interval)
