"""The simulated learner, the day-by-day simulation, its table, and ``flashdl simulate``."""

from __future__ import annotations

import math
import random
import re

import pytest
from rich.console import Console

from flashdl.core.fsrs import FSRS
from flashdl.core.simulate import (
    after_lapse,
    after_recall,
    chart_period,
    compare,
    first_stability,
    learner_grade,
    recall,
    simulate,
    workload_periods,
)
from flashdl.core.sm2 import SM2
from flashdl.ui import render

# -- the learner's model ----------------------------------------------------------------------


def test_exponential_forgetting():
    assert recall(10, 0) == 1
    assert recall(10, 10) == pytest.approx(math.exp(-1))
    assert recall(10, 1) > recall(10, 5) > recall(20, 30)


def test_first_stability_depends_on_difficulty():
    assert first_stability(0) == 4.0
    assert first_stability(1) == pytest.approx(1.6)


def test_memory_grows_most_when_recall_was_hard_and_shrinks_on_a_lapse():
    easy_recall = after_recall(10, 0.5, 0.99)
    hard_recall = after_recall(10, 0.5, 0.6)
    assert 10 < easy_recall < hard_recall
    assert after_recall(10, 0.1, 0.8) > after_recall(10, 0.9, 0.8)  # hard cards grow slower
    assert after_lapse(100, 0.5) == 25
    assert after_lapse(2, 0.5) == first_stability(0.5)


def test_grades_follow_recall():
    rng = random.Random(3)
    assert {learner_grade(rng, False, 0.5, 0.5) for _ in range(200)} == {0, 1, 2}
    passed = [learner_grade(rng, True, 0.95, 0.2) for _ in range(2000)]
    assert set(passed) == {3, 4, 5}
    assert passed.count(5) / len(passed) == pytest.approx(0.95**1.8, abs=0.05)


# -- the simulation ---------------------------------------------------------------------------


def test_small_case_exact_numbers():
    sm2 = simulate(SM2(), cards=20, days=30, new_per_day=5, seed=7)
    assert (sm2.reviews, sm2.failed, sm2.known) == (115, 11, 19)
    assert sm2.mean_recall == pytest.approx(0.850015, abs=1e-6)
    assert sm2.daily[:6] == (5, 10, 15, 15, 10, 6)
    fsrs = simulate(FSRS(), cards=20, days=30, new_per_day=5, seed=7)
    assert (fsrs.reviews, fsrs.failed, fsrs.known) == (117, 16, 20)
    assert fsrs.mean_recall == pytest.approx(0.845670, abs=1e-6)
    assert fsrs.daily[:6] == (5, 10, 11, 14, 13, 9)


@pytest.mark.parametrize("scheduler", [SM2(), FSRS(0.8), FSRS(0.95)])
def test_invariants(scheduler):
    result = simulate(scheduler, cards=40, days=60, new_per_day=3, seed=11)
    assert len(result.daily) == 60 and sum(result.daily) == result.reviews
    assert result.introduced == result.first_showings == 40  # 3 a day for 14 days: all 40
    assert result.daily[0] == 3
    assert result.reviews_per_card == result.reviews / 40
    assert 0 <= result.failed <= result.reviews - result.first_showings
    assert 0 < result.mean_recall < 1 and 0 < result.recall_at_end <= 1
    assert 0 <= result.known <= result.introduced
    assert result.scheduler == scheduler.name


def test_new_card_limit_and_unintroduced_cards():
    result = simulate(SM2(), cards=100, days=5, new_per_day=4, seed=1)
    assert result.introduced == result.first_showings == 20
    assert result.known <= 20


def test_deterministic_with_a_seed_and_free_of_global_random():
    random.seed(1)
    one = compare(cards=30, days=40, seed=5)
    random.seed(2)
    two = compare(cards=30, days=40, seed=5)
    assert one == two
    assert compare(cards=30, days=40, seed=6) != one
    assert [r.scheduler for r in one] == ["sm2", "fsrs"]


def test_fsrs_retention_trades_reviews_for_recall():
    low, high = (
        simulate(FSRS(retention), cards=60, days=120, seed=2) for retention in (0.75, 0.95)
    )
    assert high.reviews > low.reviews
    assert high.mean_recall > low.mean_recall


def test_workload_periods_and_chart_period():
    assert workload_periods([1, 2, 3, 4, 5], 2) == [(1, 2, 1.5, 2), (3, 4, 3.5, 4), (5, 5, 5.0, 5)]
    assert [chart_period(d) for d in (5, 30, 365)] == [1, 7, 30]


# -- output -----------------------------------------------------------------------------------


def test_simulation_view_has_a_table_and_chart_per_scheduler():
    console = Console(width=100, record=True, force_terminal=False)
    console.print(render.simulation_view(compare(cards=20, days=30, new_per_day=5, seed=7)))
    text = console.export_text()
    assert "SM-2: 20 cards, 30 days, seed 7" in text
    assert "FSRS (desired retention 0.9): 20 cards, 30 days, seed 7" in text
    totals = re.findall(r"total reviews \(first showings included\) +│ +(\d+) │", text)
    assert totals == ["115", "117"]
    assert "cards known at the end (true recall ≥ 0.9)" in text
    assert text.count("reviews a day") >= 2 and "█" in text
    assert "22–28" in text  # weekly rows for a 30-day run


def test_bar():
    assert render.bar(0, 10) == ""
    assert render.bar(10, 10, width=4) == "████"
    assert render.bar(5, 10, width=3) == "█▌"
    assert render.bar(1, 0) == ""


def test_simulate_command(invoke):
    result = invoke("simulate", "--days", "30", "--cards", "20", "--new", "5", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert "SM-2: 20 cards, 30 days, seed 7" in result.stdout
    assert "115" in result.stdout and "117" in result.stdout
    result = invoke("simulate", "--days", "30", "--cards", "20", "--retention", "0.8")
    assert "FSRS (desired retention 0.8)" in result.stdout


def test_simulate_rejects_bad_options(invoke):
    result = invoke("simulate", "--retention", "1.5")
    assert result.exit_code == 2 and "--retention" in result.output
    result = invoke("simulate", "--days", "0")
    assert result.exit_code == 2 and "--days" in result.output


# -- an interview date ---------------------------------------------------------------------------


@pytest.mark.parametrize("scheduler", [SM2(), FSRS()], ids=["sm2", "fsrs"])
def test_the_interview_targets_hold_for_the_bundled_deck_in_four_weeks(scheduler):
    """75 cards (the bundled decks), 10 new a day, an interview in 28 days: every learned card is
    seen in the 7 final days, none of which carries over 1.5x the mean of the 14 days before."""
    for seed in (1, 2, 3):
        result = simulate(scheduler, cards=75, new_per_day=10, seed=seed, interview_in=28)
        outcome = result.interview
        assert outcome is not None and result.days == 28  # nothing studied on the day itself
        assert outcome.learned == 75 and outcome.window_share == 1.0
        assert outcome.peak_ratio is not None and outcome.peak_ratio <= 1.5
        assert 1 <= outcome.peak_before <= 7
        assert 0.9 < outcome.recall <= 1.0


def test_the_old_eve_cap_piled_every_card_on_the_eve(monkeypatch):
    import flashdl.core.sm2 as sm2

    def eve_cap(day, interval, until):
        return max(1, min(interval, (until.day - day).days - 1)) if until else interval

    monkeypatch.setattr(sm2, "capped_interval", eve_cap)
    outcome = simulate(SM2(), cards=75, seed=1, interview_in=28).interview
    assert outcome.peak_before == 1 and outcome.peak == 75 and outcome.peak_ratio > 5


def test_include_day_studies_on_the_interview_day():
    result = simulate(SM2(), cards=30, seed=1, interview_in=20, window=5, include_day=True)
    assert result.days == 21 and result.interview.include_day
    assert result.interview.window == 5


def test_simulate_until_command(invoke):
    result = invoke("simulate", "--cards", "75", "--until", "28")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Interview in 28 days · 75 cards · 7 final days · seed 1" in out
    assert re.search(r"learned cards seen in the final days\s+│\s+75/75 \(100%\)\s+│\s+75/75", out)
    ratios = [float(r) for r in re.findall(r"(\d\.\d\d)×", out)]
    assert len(ratios) == 2 and max(ratios) <= 1.5
    # a date counts from today (the injected clock: 2026-11-29)
    dated = invoke("simulate", "--cards", "75", "--until", "2026-12-27")
    assert dated.exit_code == 0 and dated.stdout == out
    for bad in ("soon", "0", "2026-11-28"):
        result = invoke("simulate", "--until", bad)
        assert result.exit_code == 1 and "--until" in result.stderr
