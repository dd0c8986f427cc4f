"""Four weeks of daily study toward an interview date, replayed with the injected clock: the last
reviews are spread over the final days instead of piled onto the eve."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from flashdl.store import Store

INTERVIEW = date(2026, 12, 27)  # 28 days after the clock's first day, 2026-11-29
FIRST_FINAL_DAY = INTERVIEW - timedelta(days=7)
# A learner who recalls nine cards in ten (FSRS's default target), some with difficulty.
GRADES = (4, 5, 4, 3, 5, 4, 2, 4, 5, 4)


def store_of(home: Path) -> Store:
    return Store.open(home / "flashdl.db")


def answers(grades) -> str:
    """Enough key presses for one day: reveal, then the next grade of the pattern, per card."""
    return "".join(f"\n{next(grades)}\n" for _ in range(400))


def study_until_the_interview(invoke, clock, *first_day_options: str, days: int = 28) -> None:
    """Study every day for ``days`` days from the first (28: up to the interview's eve)."""
    grades = itertools.cycle(GRADES)
    for day in range(days):
        if day:
            clock.advance(days=1)
        options = ("--until", INTERVIEW.isoformat(), *first_day_options) if day == 0 else ()
        result = invoke("study", "--new", "10", *options, input=answers(grades))
        assert result.exit_code == 0, result.output


def scheduling_reviews_per_day(store: Store) -> Counter[date]:
    rows = store.conn.execute(
        "SELECT day, COUNT(*) FROM reviews WHERE mode = 'study' AND undone_at IS NULL GROUP BY day"
    ).fetchall()
    return Counter({date.fromisoformat(day): n for day, n in rows})


def test_four_weeks_toward_an_interview_spread_the_final_days(invoke, home, clock):
    study_until_the_interview(invoke, clock)
    with store_of(home) as store:
        per_day = scheduling_reviews_per_day(store)
        states = store.states()
        last_seen = dict(
            store.conn.execute(
                "SELECT card_id, MAX(day) FROM reviews WHERE undone_at IS NULL GROUP BY card_id"
            ).fetchall()
        )
        first_seen = dict(
            store.conn.execute(
                "SELECT card_id, MIN(day) FROM reviews WHERE undone_at IS NULL GROUP BY card_id"
            ).fetchall()
        )
    learned = [c for c, day in first_seen.items() if date.fromisoformat(day) < FIRST_FINAL_DAY]
    assert len(learned) == 75  # every bundled card
    # 1. every learned card is reviewed at least once in the 7 final days
    assert all(date.fromisoformat(last_seen[c]) >= FIRST_FINAL_DAY for c in learned)
    # 2. no final day carries more than 1.5x the mean daily load of the 14 days before
    final = [per_day[FIRST_FINAL_DAY + timedelta(days=i)] for i in range(7)]
    before = [per_day[FIRST_FINAL_DAY - timedelta(days=i)] for i in range(1, 15)]
    assert max(final) <= 1.5 * sum(before) / 14
    # 3. nothing is scheduled on the interview day itself
    assert not [c for c, s in states.items() if s.state.due == INTERVIEW]
    assert per_day[INTERVIEW] == 0
    # the old cap piled every card onto the eve; now the eve is an ordinary final day
    assert per_day[INTERVIEW - timedelta(days=1)] < 75 / 2


def test_stats_forecasts_the_heaviest_day(invoke, home, clock):
    invoke("study", "--new", "10", "--until", INTERVIEW.isoformat(),
           input=answers(itertools.cycle(GRADES)))  # fmt: skip
    stats = json.loads(invoke("stats", "--json").stdout)
    assert stats["final_days_from"] == FIRST_FINAL_DAY.isoformat()
    peak = date.fromisoformat(stats["peak_day"])
    assert clock.now.date() <= peak < INTERVIEW
    # 10 new cards a day and their next-day reviews, not 75 cards on the eve
    assert 75 / 7 <= stats["peak_reviews"] < 75 / 2
    text = " ".join(invoke("stats").stdout.split())
    assert f"the heaviest day is {peak.isoformat()} with {stats['peak_reviews']} reviews" in text


def test_the_forecast_takes_new_cards_at_the_users_daily_limit(invoke, home, clock):
    """The readiness forecast introduces ``new_per_day`` new cards a day, as study would: with
    2 a day only 56 of the 75 cards are met before the interview, with 30 all of them, sooner."""
    invoke("study", "--new", "0", "--until", INTERVIEW.isoformat())
    default = json.loads(invoke("stats", "--json").stdout)
    needed, peak = {}, {}
    for per_day in (2, 10, 30):
        assert invoke("config", "set", "new_per_day", str(per_day)).exit_code == 0
        stats = json.loads(invoke("stats", "--json").stdout)
        needed[per_day] = sum(r["reviews_needed"] for r in stats["readiness"])
        peak[per_day] = stats["peak_reviews"]
        assert stats["reviews_per_day_needed"] == -(-needed[per_day] // stats["days_left"])
        if per_day == 10:  # the setting's default
            assert stats["readiness"] == default["readiness"]
    assert needed[2] < needed[10] == needed[30]  # from 10 a day on, every card is met in time
    assert peak[10] < peak[30]  # but 30 a day meets them all in three days


def test_include_day_and_final_days_are_remembered_and_reschedule(invoke, home, clock):
    study_until_the_interview(invoke, clock, "--final-days", "10", "--include-day", days=12)
    with store_of(home) as store:
        assert store.setting("interview_window") == "10"
        assert store.setting("interview_include_day") == "1"
        dues = [s.state.due for s in store.states().values()]
    first_final_day = INTERVIEW - timedelta(days=10)
    assert all(due <= INTERVIEW for due in dues)  # the interview day is one of the final days
    assert len([d for d in dues if first_final_day <= d]) > 20  # spread over the 11 days
    # forgetting the interview rebuilds every card's schedule from the log without the cap
    with store_of(home) as store:
        capped = {c: s.state.due for c, s in store.states().items()}
    result = invoke("study", "--until", "off", "--new", "0", input="q\n")
    assert result.exit_code == 0, result.output
    with store_of(home) as store:
        assert store.setting("interview_date") is None
        natural = {c: s.state.due for c, s in store.states().items()}
    assert natural != capped
    assert all(natural[c] >= capped[c] for c in capped)  # the cap only ever shortened
