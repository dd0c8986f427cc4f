"""SM-2 against the published algorithm: golden sequences and invariants."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flashdl.core.interview import Interview
from flashdl.core.scheduling import NEW_CARD, CardState, Grade, is_due, needs_repeat
from flashdl.core.sm2 import MIN_EASINESS, next_easiness, review

DAY0 = date(2026, 1, 1)


def run(grades: list[int], start: CardState = NEW_CARD) -> list[CardState]:
    """Review on each due day in turn, as a user who studies every day would."""
    state, day, out = start, DAY0, []
    for grade in grades:
        state = review(state, grade, day)
        out.append(state)
        day = state.due
    return out


@pytest.mark.parametrize(
    ("grades", "intervals", "easiness", "repetitions"),
    [
        # The golden sequence: 1, 6, 17, 50 with EF 2.6 .. 2.9.
        ([5, 5, 5, 5], [1, 6, 17, 50], [2.6, 2.7, 2.8, 2.9], [1, 2, 3, 4]),
        # q = 4 leaves EF unchanged: 6 * 2.5 = 15, 15 * 2.5 = 37.5 -> 38.
        ([4, 4, 4, 4], [1, 6, 15, 38], [2.5, 2.5, 2.5, 2.5], [1, 2, 3, 4]),
        # q = 3 lowers EF by 0.14 each time: 2.36, 2.22, 2.08; 6 * 2.08 = 12.48 -> 13.
        ([3, 3, 3], [1, 6, 13], [2.36, 2.22, 2.08], [1, 2, 3]),
        # A lapse restarts repetitions (interval 1, then 6) and keeps EF.
        (
            [5, 5, 5, 2, 4, 4],
            [1, 6, 17, 1, 1, 6],
            [2.6, 2.7, 2.8, 2.8, 2.8, 2.8],
            [1, 2, 3, 0, 1, 2],
        ),
        # Failing a new card: EF untouched, repetitions stay 0.
        ([0, 1, 2], [1, 1, 1], [2.5, 2.5, 2.5], [0, 0, 0]),
    ],
)
def test_golden_sequences(grades, intervals, easiness, repetitions):
    states = run(grades)
    assert [s.interval for s in states] == intervals
    assert [s.easiness for s in states] == easiness
    assert [s.repetitions for s in states] == repetitions


def test_easiness_floor_is_1_3():
    states = run([3] * 12)
    assert [s.easiness for s in states][-1] == MIN_EASINESS
    assert min(s.easiness for s in states) == MIN_EASINESS
    # 2.5 - 0.14 * 8 = 1.38, then the floor.
    assert states[7].easiness == pytest.approx(1.38)
    assert states[8].easiness == MIN_EASINESS


def test_float_noise_does_not_add_a_day():
    # 2.5 + 0.1 + 0.1 + 0.1 in binary floating point is 2.8000000000000003; EF is kept at 2.8.
    state = run([5, 5, 5])[-1]
    assert state.easiness == 2.8
    assert state.interval == 17


def test_next_easiness_formula():
    assert next_easiness(2.5, 5) == 2.6
    assert next_easiness(2.5, 4) == 2.5
    assert next_easiness(2.5, 3) == 2.36
    assert next_easiness(1.3, 3) == 1.3


def test_lapses_are_counted_and_due_is_from_review_day():
    state = review(NEW_CARD, 5, datetime(2026, 3, 1, 23, 59))
    assert state.due == date(2026, 3, 2)
    state = review(state, 1, date(2026, 3, 2))
    assert state.lapses == 1 and state.due == date(2026, 3, 3)


def test_interview_date_caps_the_interval():
    state = run([5, 5, 5])[-1]  # the next interval would be 50 days
    interview = Interview(DAY0 + timedelta(days=10)).for_card("cnn-pooling")
    capped = review(state, 5, DAY0, until=interview)
    # into the card's slot among the 7 final days (DAY0 + 3 … DAY0 + 9)
    assert capped.due == interview.slot(DAY0 + timedelta(days=3))
    assert 3 <= capped.interval <= 9
    assert review(state, 5, DAY0, until=DAY0).interval == 50  # the interview is today: no cap


def test_step_7_repeat_rule():
    assert [needs_repeat(g) for g in Grade] == [True, True, True, True, False, False]


def test_review_does_not_mutate():
    before = CardState()
    review(before, 5, DAY0)
    assert before == CardState()


def test_bad_grade_is_rejected():
    with pytest.raises(ValueError):
        review(NEW_CARD, 6, DAY0)


@given(
    grades=st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=40),
    gaps=st.lists(st.integers(min_value=0, max_value=400), min_size=40, max_size=40),
)
def test_invariants(grades, gaps):
    state, day = NEW_CARD, DAY0
    for grade, gap in zip(grades, gaps, strict=False):
        day = day + timedelta(days=gap)
        new = review(state, grade, day)
        assert new.interval >= 1
        assert new.easiness >= MIN_EASINESS
        assert new.due is not None and new.due > day
        assert new.due == day + timedelta(days=new.interval)
        assert round(new.easiness, 2) == new.easiness
        if grade < 3:
            assert new.repetitions == 0 and new.easiness == state.easiness
            assert new.lapses == state.lapses + 1
        else:
            assert new.repetitions == state.repetitions + 1
        assert is_due(new, new.due) and not is_due(new, day)
        state = new
