"""FSRS beside SM-2: the grade mapping, py-fsrs in whole days, forecasts, storage and rebuilding."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import NOW, TZ
from hypothesis import given
from hypothesis import strategies as st
from sqlite_utils import Database

from flashdl.core.fsrs import (
    AGAIN,
    EASY,
    FSRS,
    GOOD,
    HARD,
    at_risk,
    recall_by_deck,
    recall_forecast,
    retrievability,
    to_grade,
    to_rating,
)
from flashdl.core.interview import Interview
from flashdl.core.schedulers import make_scheduler
from flashdl.core.scheduling import NEW_CARD, CardState, replay, scheduler_key
from flashdl.core.sm2 import SM2, review
from flashdl.store import Store, migrations, state_from_json, state_to_json

DAY0 = date(2026, 1, 1)


def run(scheduler, grades: list[int], start: CardState = NEW_CARD) -> list[CardState]:
    """Review on each due day in turn, as a user who studies every day would."""
    state, day, out = start, DAY0, []
    for grade in grades:
        state = scheduler.review(state, grade, day)
        out.append(state)
        day = state.due
    return out


# -- the grade mapping ------------------------------------------------------------------------


def test_grade_mapping_both_ways():
    assert [to_rating(g) for g in range(6)] == [AGAIN, AGAIN, AGAIN, HARD, GOOD, EASY]
    assert [to_grade(r) for r in (AGAIN, HARD, GOOD, EASY)] == [1, 3, 4, 5]
    for rating in (AGAIN, HARD, GOOD, EASY):
        assert to_rating(to_grade(rating)) == rating
    with pytest.raises(ValueError):
        to_rating(6)
    with pytest.raises(ValueError):
        to_grade(0)


def test_ratings_match_py_fsrs():
    import fsrs

    assert [int(r) for r in fsrs.Rating] == [AGAIN, HARD, GOOD, EASY]


# -- reviews ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "stability", "interval"),
    # py-fsrs 6 default parameters: the first stability is w[rating - 1] days; at retention 0.9
    # the interval is that stability rounded, at least one day.
    [(0, 0.212, 1), (2, 0.212, 1), (3, 1.2931, 1), (4, 2.3065, 2), (5, 8.2956, 8)],
)
def test_first_review(grade, stability, interval):
    state = FSRS().review(NEW_CARD, grade, DAY0)
    assert state.stability == pytest.approx(stability)
    assert state.interval == interval and state.due == DAY0 + timedelta(days=interval)
    assert 1 <= state.difficulty <= 10
    assert state.easiness == NEW_CARD.easiness


def test_golden_sequence_and_lapse():
    states = run(FSRS(), [4, 4, 4, 1, 4])
    assert [s.interval for s in states] == [2, 11, 46, 3, 8]
    assert [s.repetitions for s in states] == [1, 2, 3, 0, 1]
    assert [s.lapses for s in states] == [0, 0, 0, 1, 1]
    assert states[3].stability < states[2].stability  # a lapse shrinks memory
    assert states[3].difficulty > states[2].difficulty  # and makes the card harder


def test_same_numbers_as_py_fsrs_itself():
    """The wrapper adds nothing to FSRS: py-fsrs, no steps, no fuzz, reviews at midnight UTC."""
    from datetime import UTC

    import fsrs

    engine = fsrs.Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    card = fsrs.Card(card_id=1)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    ours = run(FSRS(), [4, 5, 2, 3, 4])
    for grade, state in zip([4, 5, 2, 3, 4], ours, strict=True):
        card, _ = engine.review_card(card, fsrs.Rating(to_rating(grade)), moment)
        assert (card.stability, card.difficulty) == (state.stability, state.difficulty)
        assert card.due.date() == state.due
        moment = card.due


def test_higher_retention_means_shorter_intervals():
    intervals = {
        retention: [s.interval for s in run(FSRS(retention), [4, 4, 4, 4])]
        for retention in (0.8, 0.9, 0.95)
    }
    assert intervals[0.8][-1] > intervals[0.9][-1] > intervals[0.95][-1]


def test_review_is_pure_and_deterministic():
    before = FSRS().review(NEW_CARD, 4, DAY0)
    one = FSRS().review(before, 4, datetime(2026, 1, 3, 23, 59, tzinfo=TZ))
    two = FSRS().review(before, 4, date(2026, 1, 3))
    assert one == two  # no fuzz, only the calendar day counts
    assert before == FSRS().review(NEW_CARD, 4, DAY0)


def test_until_caps_the_interval():
    natural = FSRS().review(NEW_CARD, 5, DAY0).interval
    assert natural == 8
    # before the final days: into the card's slot among them
    interview = Interview(DAY0 + timedelta(days=8), window=3).for_card("gan-mode-collapse")
    state = FSRS().review(NEW_CARD, 5, DAY0, until=interview)
    assert state.due == interview.slot(DAY0 + timedelta(days=5))
    assert 5 <= state.interval <= 7
    # inside the final days already: the natural interval, past the interview
    assert FSRS().review(NEW_CARD, 5, DAY0, until=DAY0 + timedelta(days=5)).interval == natural
    assert FSRS().review(NEW_CARD, 5, DAY0, until=DAY0 + timedelta(days=1)).interval == natural


def test_a_state_without_memory_is_a_first_review():
    sm2_state = review(review(NEW_CARD, 5, DAY0), 5, DAY0 + timedelta(days=1))
    state = FSRS().review(sm2_state, 4, DAY0 + timedelta(days=7))
    assert state.stability == pytest.approx(2.3065)


def test_sm2_drops_fsrs_memory():
    fsrs_state = FSRS().review(NEW_CARD, 4, DAY0)
    state = SM2().review(fsrs_state, 4, fsrs_state.due)
    assert state.stability is None and state.difficulty is None
    assert state.interval == 6  # SM-2's second interval: repetitions carry over


@given(st.lists(st.integers(0, 5), min_size=1, max_size=12), st.sampled_from([0.7, 0.9, 0.99]))
def test_invariants(grades, retention):
    day = DAY0
    state = NEW_CARD
    for grade in grades:
        state = FSRS(retention).review(state, grade, day)
        assert state.interval >= 1 and state.due > day
        assert state.reviewed_on == day
        assert state.stability > 0 and 1 <= state.difficulty <= 10
        day = state.due


def test_make_scheduler_and_keys():
    assert make_scheduler("sm2") == SM2()
    assert make_scheduler("fsrs", desired_retention=0.85) == FSRS(0.85)
    assert scheduler_key(SM2()) == "sm2"
    assert scheduler_key(FSRS(0.85)) == "fsrs(desired_retention=0.85)"
    with pytest.raises(ValueError, match="sm2, fsrs"):
        make_scheduler("anki")
    with pytest.raises(ValueError, match=r"between 0\.7 and 0\.99"):
        FSRS(1.0)


def test_replay_is_review_in_order():
    history = [(4, DAY0), (3, date(2026, 1, 3)), (1, date(2026, 1, 9))]
    state = NEW_CARD
    for grade, day in history:
        state = FSRS().review(state, grade, day)
    assert replay(FSRS(), history) == state
    assert replay(SM2(), []) == NEW_CARD


# -- forecasts --------------------------------------------------------------------------------


def test_retrievability_falls_to_the_desired_retention_on_the_due_day():
    state = run(FSRS(), [4, 4, 4])[-1]
    assert retrievability(state, state.reviewed_on) == pytest.approx(1.0)
    assert retrievability(state, state.due) == pytest.approx(0.9, abs=0.01)
    later = retrievability(state, state.due + timedelta(days=30))
    assert later < retrievability(state, state.due)
    assert retrievability(review(NEW_CARD, 4, DAY0), DAY0) is None  # SM-2: no forecast
    assert retrievability(NEW_CARD, DAY0) is None


def test_forecast_by_card_and_deck_and_at_risk():
    strong = run(FSRS(), [5, 5])[-1]
    weak = run(FSRS(), [4, 1])[-1]
    states = {"a": strong, "b": weak, "c": NEW_CARD, "d": review(NEW_CARD, 5, DAY0)}
    today = date(2026, 3, 1)
    forecast = recall_forecast(states, today)
    assert set(forecast) == {"a", "b"}
    assert forecast["b"] < forecast["a"]
    assert at_risk(states, today) == [("b", forecast["b"]), ("a", forecast["a"])]
    assert at_risk(states, today, limit=1) == [("b", forecast["b"])]
    by_deck = recall_by_deck(states, {"a": "x", "b": "x", "c": "y"}, today)
    assert by_deck == {"x": pytest.approx((forecast["a"] + forecast["b"]) / 2)}


# -- storage ----------------------------------------------------------------------------------


def test_state_json_keeps_fsrs_memory_and_reads_old_rows():
    fsrs_state = FSRS().review(NEW_CARD, 4, DAY0)
    assert state_from_json(state_to_json(fsrs_state)) == fsrs_state
    sm2_state = review(NEW_CARD, 4, DAY0)
    assert "stability" not in state_to_json(sm2_state)
    old = '{"repetitions":1,"interval":1,"easiness":2.5,"due":"2026-01-02","lapses":0}'
    assert state_from_json(old) == sm2_state


def test_store_round_trips_fsrs_memory_and_undo_restores_it(tmp_path: Path):
    first = FSRS().review(NEW_CARD, 4, NOW)
    second = FSRS().review(first, 5, NOW + timedelta(days=2))
    with Store.open(tmp_path / "db") as store:
        store.record_review(
            card_id="a", deck="d", grade=4, mode="study", reviewed_at=NOW,
            before=NEW_CARD, after=first,
        )  # fmt: skip
        rid = store.record_review(
            card_id="a", deck="d", grade=5, mode="study", reviewed_at=NOW + timedelta(days=2),
            before=first, after=second,
        ).id  # fmt: skip
        assert store.states()["a"].state == second
        store.undo_review(rid, NOW + timedelta(days=2))
        assert store.states()["a"].state == first
        assert store.reviews("a", include_undone=True)[1].state_after == second


def test_migration_from_the_schema_before_fsrs(tmp_path: Path):
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db.conn, stop_before="m003_fsrs_memory")
    db.execute(
        "INSERT INTO card_state(card_id, deck, repetitions, interval, easiness, due, lapses)"
        " VALUES ('a', 'd', 1, 1, 2.5, '2026-01-02', 0)"
    )
    db.conn.commit()
    db.conn.close()
    with Store.open(path) as store:
        assert store.states()["a"].state == CardState(1, 1, 2.5, date(2026, 1, 2), 0)
        assert store.built_with() == "sm2"


# -- switching: rebuild from the review log ---------------------------------------------------


def _study(store: Store, scheduler, card: str, grades_by_day: list[tuple[int, int]]) -> None:
    """Grade ``card`` on the given day offsets through ``scheduler``, as the study loop would."""
    state = store.states().get(card)
    state = state.state if state else NEW_CARD
    for offset, grade in grades_by_day:
        at = NOW + timedelta(days=offset)
        after = scheduler.review(state, grade, at)
        store.record_review(
            card_id=card, deck="d", grade=grade, mode="study", reviewed_at=at,
            before=state, after=after,
        )  # fmt: skip
        if grade < 4:  # the same-session repeat: logged, no state change
            store.record_review(
                card_id=card, deck="d", grade=4, mode="repeat", reviewed_at=at,
                before=after, after=after,
            )  # fmt: skip
        state = after


def test_switching_to_fsrs_and_back_keeps_every_review(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        _study(store, SM2(), "a", [(0, 5), (1, 4), (7, 3), (20, 1), (21, 4)])
        _study(store, SM2(), "b", [(0, 2), (1, 5)])
        store.set_suspended("b", "d", True)
        sm2_states = store.states()
        log = store.reviews(include_undone=True)

        assert store.use_scheduler(FSRS()) == 2
        fsrs_states = store.states()
        expected = replay(FSRS(), [(5, NOW), (4, NOW + timedelta(days=1)),
                                   (3, NOW + timedelta(days=7)), (1, NOW + timedelta(days=20)),
                                   (4, NOW + timedelta(days=21))])  # fmt: skip
        assert fsrs_states["a"].state == expected
        assert fsrs_states["a"].state.due > (NOW + timedelta(days=21)).date()
        assert fsrs_states["b"].suspended and fsrs_states["b"].introduced_on == NOW.date()
        assert store.built_with() == "fsrs(desired_retention=0.9)"
        assert store.use_scheduler(FSRS()) is None  # idempotent
        assert store.rebuild_states(FSRS()) == 0

        assert store.use_scheduler(SM2()) == 2
        assert store.states() == sm2_states
        assert store.reviews(include_undone=True) == log


def test_rebuild_skips_undone_rows_and_rows_before_a_reset_and_counts_quizzes(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        _study(store, SM2(), "a", [(0, 5), (1, 5)])
        store.reset_cards([("a", "d")], NOW + timedelta(days=2))
        _study(store, SM2(), "a", [(3, 4)])
        _study(store, SM2(), "u", [(0, 5)])
        [undone] = store.reviews("u")
        store.undo_review(undone.id, NOW)
        before = store.states()["a"].state
        after = SM2().review(before, 5, NOW + timedelta(days=4))
        store.record_review(
            card_id="a", deck="d", grade=5, mode="quiz", reviewed_at=NOW + timedelta(days=4),
            before=before, after=after,
        )  # fmt: skip
        store.record_review(  # a quiz outside the schedule changes nothing and is not replayed
            card_id="a", deck="d", grade=0, mode="quiz", reviewed_at=NOW + timedelta(days=4),
            before=after, after=after,
        )  # fmt: skip
        store.use_scheduler(FSRS())
        states = store.states()
        assert states["a"].state == replay(
            FSRS(), [(4, NOW + timedelta(days=3)), (5, NOW + timedelta(days=4))]
        )
        assert states["u"].state == NEW_CARD
        store.use_scheduler(SM2())
        assert store.states()["a"].state == after


def test_rebuild_is_one_transaction(tmp_path: Path):
    class Broken:
        name = "broken"

        def review(self, state, grade, reviewed_at, *, until=None):
            raise sqlite3.OperationalError("disk I/O error")

    with Store.open(tmp_path / "db") as store:
        _study(store, SM2(), "a", [(0, 5)])
        _study(store, SM2(), "b", [(0, 5)])
        states = store.states()
        with pytest.raises(Exception, match="disk I/O error"):
            store.rebuild_states(Broken())
        assert store.states() == states and store.built_with() == "sm2"


def test_importing_the_schedulers_loads_no_heavy_module():
    import subprocess
    import sys

    code = (
        "import sys, flashdl.core.schedulers, flashdl.core.fsrs, flashdl.app.config, flashdl.core.simulate;"
        " print(','.join(sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    modules = set(result.stdout.strip().split(","))
    assert not {"fsrs", "rich", "typer", "sqlite_utils", "sqlite3"} & modules
