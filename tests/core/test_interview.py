"""The interview cap: the pure rule, and the properties both schedulers keep under it."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdl.core.fsrs import FSRS
from flashdl.core.interview import (
    Interview,
    as_interview,
    capped_interval,
    for_card,
    spread_of,
)
from flashdl.core.scheduling import NEW_CARD
from flashdl.core.sm2 import SM2

INTERVIEW = date(2026, 12, 29)
FIRST = date(2026, 12, 22)  # the first of the 7 final days
EVE = date(2026, 12, 28)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def due(day: date, interval: int, interview: Interview) -> date:
    return day + days(capped_interval(day, interval, interview))


def test_the_window_and_the_last_day():
    interview = Interview(INTERVIEW)
    assert interview.first_day == FIRST and interview.last_day == EVE
    assert Interview(INTERVIEW, include_day=True).last_day == INTERVIEW
    assert Interview(INTERVIEW, window=3).first_day == date(2026, 12, 26)
    assert interview.in_window(FIRST) and interview.in_window(EVE)
    assert not interview.in_window(FIRST - days(1)) and not interview.in_window(INTERVIEW)
    with pytest.raises(ValueError, match="1 to 90"):
        Interview(INTERVIEW, window=0)


def test_no_interview_no_cap():
    assert capped_interval(FIRST, 40, None) == 40
    assert capped_interval(FIRST, 0, None) == 1  # never under a day


def test_a_natural_due_before_the_last_day_stays():
    interview = Interview(INTERVIEW).for_card("a")
    assert due(date(2026, 12, 1), 6, interview) == date(2026, 12, 7)  # before the final days
    assert due(date(2026, 12, 20), 5, interview) == date(2026, 12, 25)  # inside them
    assert due(date(2026, 12, 20), 8, interview) == EVE


def test_before_the_final_days_a_card_goes_to_its_slot():
    interview = Interview(INTERVIEW).for_card("cnn-pooling")
    slot = FIRST + days(spread_of("cnn-pooling") % 7)
    assert interview.slot(FIRST) == slot
    for interval in (9, 30, 400):
        assert due(date(2026, 12, 20), interval, interview) == slot
    assert due(date(2026, 11, 1), 60, interview) == slot


def test_the_slots_spread_the_cards_evenly_and_are_stable():
    interview = Interview(INTERVIEW)
    slots = Counter(
        due(date(2026, 12, 10), 30, interview.for_card(f"card-{i}")) for i in range(700)
    )
    assert sorted(slots) == [FIRST + days(i) for i in range(7)]
    assert max(slots.values()) <= 1.25 * 100  # about 100 a day
    assert spread_of("card-1") == spread_of("card-1") != spread_of("card-2")  # not hash()
    # The same number as every earlier version (hashlib's BLAKE2): stored schedules keep their day.
    import hashlib

    for card_id in ("card-1", "cnn-pooling", "卷积"):
        digest = hashlib.blake2b(card_id.encode("utf-8"), digest_size=8).digest()
        assert spread_of(card_id) == int.from_bytes(digest, "big")


def test_the_slot_is_the_least_loaded_final_day():
    interview = Interview(INTERVIEW).for_card("cnn-pooling")
    hashed = interview.slot(FIRST)
    full = {FIRST + days(i): 10 for i in range(7)}
    assert interview.with_load(full).slot(FIRST) == hashed  # a tie: the hashed place
    light = FIRST + days(5)
    full[light] = 3
    assert interview.with_load(full).slot(FIRST) == light
    assert due(date(2026, 12, 1), 60, interview.with_load(full)) == light
    # among equally light days, the first from the hashed place onwards (wrapping round)
    two = {d: 0 if d in (FIRST + days(1), FIRST + days(4)) else 5 for d in full}
    start = spread_of("cnn-pooling") % 7
    expected = next(
        FIRST + days((start + i) % 7)
        for i in range(7)
        if FIRST + days((start + i) % 7) in (FIRST + days(1), FIRST + days(4))
    )
    assert interview.with_load(two).slot(FIRST) == expected
    assert interview.with_load(full) == interview  # the load is not part of the interview


def test_inside_the_final_days_the_natural_due_stays_past_the_interview():
    interview = Interview(INTERVIEW).for_card("a")
    assert due(date(2026, 12, 24), 12, interview) == date(2027, 1, 5)


def test_never_on_the_interview_day_unless_asked():
    # a natural due on the interview day itself is pulled to a day before it
    for card in ("a", "b", "c", "d"):
        interview = Interview(INTERVIEW).for_card(card)
        placed = due(date(2026, 12, 23), 6, interview)
        assert date(2026, 12, 24) <= placed <= EVE
    with_day = Interview(INTERVIEW, include_day=True).for_card("a")
    assert due(date(2026, 12, 23), 6, with_day) == INTERVIEW
    # with --include-day the interview day is one of the slots
    slots = {due(date(2026, 12, 1), 60, with_day.for_card(f"c{i}")) for i in range(200)}
    assert slots == {FIRST + days(i) for i in range(8)}


def test_on_the_eve_or_later_there_is_nothing_to_cap():
    interview = Interview(INTERVIEW).for_card("a")
    assert capped_interval(EVE, 1, interview) == 2  # a lapse on the eve: the day after
    assert capped_interval(EVE, 1, Interview(INTERVIEW, include_day=True)) == 1
    assert capped_interval(EVE, 20, interview) == 20
    assert capped_interval(INTERVIEW + days(3), 20, interview) == 20


def test_a_bare_date_is_the_default_interview():
    assert as_interview(INTERVIEW) == Interview(INTERVIEW)
    assert as_interview(None) is None and for_card(None, "a") is None
    assert for_card(INTERVIEW, "a") == Interview(INTERVIEW, spread=spread_of("a"))


# -- properties, for both schedulers -------------------------------------------------------------

SCHEDULERS = {"sm2": SM2(), "fsrs": FSRS()}
START = date(2026, 11, 1)


@settings(max_examples=60, deadline=None)
@given(
    scheduler=st.sampled_from(sorted(SCHEDULERS)),
    card=st.text("abcdefgh-", min_size=1, max_size=8),
    grades=st.lists(st.integers(0, 5), min_size=1, max_size=12),
    gaps=st.lists(st.integers(0, 30), min_size=12, max_size=12),
    ahead=st.integers(2, 80),
    window=st.integers(1, 14),
    include_day=st.booleans(),
    loads=st.lists(st.integers(0, 50), max_size=15),
)
def test_cap_properties(scheduler, card, grades, gaps, ahead, window, include_day, loads):
    """Under the cap: never later than the natural interval; never on or after the interview day
    (unless include-day) when a day before it is left and the card was last seen before the final
    days; a card reviewed before the final days comes back inside them."""
    engine = SCHEDULERS[scheduler]
    interview = Interview(START + days(ahead), window=window, include_day=include_day)
    load = {interview.first_day + days(i): n for i, n in enumerate(loads)}
    seeded = interview.for_card(card).with_load(load or None)
    state, day = NEW_CARD, START
    for grade, gap in zip(grades, gaps, strict=False):
        day = day + days(gap) if state.due is None else max(state.due, day + days(gap))
        natural = engine.review(state, grade, day)
        capped = engine.review(state, grade, day, until=seeded)
        eve_lapse = day == interview.day - days(1) and natural.due == interview.day
        if eve_lapse and not include_day:
            assert capped.due == interview.day + days(1)  # never on the interview day
        else:
            assert 1 <= capped.interval <= natural.interval
        assert capped.due == day + days(capped.interval)
        assert (capped.stability, capped.difficulty) == (natural.stability, natural.difficulty)
        assert capped.repetitions == natural.repetitions and capped.lapses == natural.lapses
        if day < interview.last_day:
            if capped.due >= interview.day and not include_day:
                # past the interview only when the review is in the final days already
                assert interview.in_window(day) and capped.due > interview.day
            if day < interview.first_day and natural.due >= interview.first_day:
                assert interview.in_window(capped.due)
        elif not eve_lapse or include_day:
            assert capped == natural
        state = capped
