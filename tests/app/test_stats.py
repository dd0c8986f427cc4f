"""Stats from a store seeded with a known history must be exactly the known figures."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import NOW
from decktext import VALID

from flashdl.app.stats import collect, streak, to_json
from flashdl.core.interview import Interview
from flashdl.core.readiness import forecast_reviews
from flashdl.core.scheduling import NEW_CARD, CardState
from flashdl.core.sm2 import SM2, review
from flashdl.decks.loader import parse_deck
from flashdl.store import Store

TODAY = NOW.date()


def deck(name: str, cards: int):
    text = VALID.replace("deck: demo", f"deck: {name}").replace("demo-", f"{name}-")
    base = parse_deck(text, f"{name}.yaml")
    from dataclasses import replace

    made = [replace(base.cards[0], id=f"{name}-{i}", related=()) for i in range(cards)]
    return replace(base, cards=tuple(made))


def grade(
    store: Store,
    card_id: str,
    deck_name: str,
    g: int,
    when,
    state: CardState,
    mode="study",
    **extra,
):
    after = review(state, g, when) if mode != "quiz" else state
    store.record_review(card_id=card_id, deck=deck_name, grade=g, mode=mode, reviewed_at=when,
                        before=state, after=after, **extra)  # fmt: skip
    return after


@pytest.fixture
def seeded(tmp_path: Path):
    """deck a: 5 cards; deck b: 3 cards. A known history over the last days."""
    decks = [deck("a", 5), deck("b", 3)]
    store = Store.open(tmp_path / "db")
    day = lambda n: NOW - timedelta(days=n)  # noqa: E731
    # a-0: reviewed 40 days ago (5), 39 (5), 33 (5) -> interval 17, due in the future? 33+17 = due 16 days ago.
    s = grade(store, "a-0", "a", 5, day(40), NEW_CARD)
    s = grade(store, "a-0", "a", 5, day(39), s)
    s = grade(store, "a-0", "a", 5, day(33), s)  # interval 17 -> due TODAY-16: overdue, young
    # a-1: mature: a direct state with interval 30, due tomorrow.
    store.record_review(card_id="a-1", deck="a", grade=5, mode="study", reviewed_at=day(29),
                        before=NEW_CARD, after=CardState(3, 30, 2.7, TODAY + timedelta(days=1), 0))  # fmt: skip
    # a-2: learned yesterday (grade 4) -> due today, learning.
    grade(store, "a-2", "a", 4, day(1), NEW_CARD)
    # a-3: failed today (grade 1) and repeated (grade 4) -> due tomorrow, learning, 1 lapse.
    s = grade(store, "a-3", "a", 1, day(0), NEW_CARD)
    store.record_review(
        card_id="a-3", deck="a", grade=4, mode="repeat", reviewed_at=NOW, before=s, after=s
    )
    # a-4: new.  b-0: suspended new.  b-1: quiz only (covers 1 of 3, missed 0 and 2). b-2: new.
    store.set_suspended("b-0", "b", True)
    store.record_review(card_id="b-1", deck="b", grade=2, mode="quiz", reviewed_at=day(2), before=NEW_CARD,
                        after=NEW_CARD, typed="x", coverage=1 / 3, missed=[0, 2])  # fmt: skip
    store.record_review(card_id="b-1", deck="b", grade=4, mode="quiz", reviewed_at=day(0), before=NEW_CARD,
                        after=NEW_CARD, typed="y", coverage=2 / 3, missed=[2])  # fmt: skip
    # An undone review must not count anywhere.
    rid = grade(store, "a-4", "a", 5, day(0), NEW_CARD)
    store.undo_review(store.reviews("a-4")[0].id, NOW)
    del rid
    yield store, decks
    store.close()


def test_known_history_gives_known_figures(seeded):
    store, decks = seeded
    stats = collect(store, decks, TODAY, days=30)
    a, b = stats.decks
    assert (a.cards, a.new, a.learning, a.young, a.mature, a.suspended) == (5, 1, 2, 1, 1, 0)
    assert (a.due_today, a.overdue) == (2, 1)  # a-0 overdue, a-2 due today
    assert (b.cards, b.new, b.learning, b.suspended) == (3, 2, 0, 1)
    assert a.reviews_today == 2 and b.reviews_today == 1  # a-3 grade + repeat; b-1 quiz
    # Window of 30 days: a-1 (29 d ago) 5, a-2 4, a-3 1 -> 2 of 3 pass; a-0's are older; repeats excluded.
    assert a.reviews_in_window == 3 and a.retention == pytest.approx(2 / 3)
    assert b.reviews_in_window == 2 and b.retention == pytest.approx(1 / 2)
    assert stats.total.retention == pytest.approx(3 / 5)
    assert a.average_easiness == pytest.approx((2.8 + 2.7 + 2.5 + 2.5) / 4)
    assert stats.streak == 3  # today, yesterday, two days ago
    assert stats.forecast[0] == (TODAY, 2) and stats.forecast[1] == (TODAY + timedelta(days=1), 2)
    assert sum(n for _, n in stats.forecast) == 4
    assert stats.activity[TODAY] == 3 and stats.activity[TODAY - timedelta(days=1)] == 1
    assert [(d, round(c, 3), n) for d, c, n in stats.quiz_coverage] == [
        (TODAY - timedelta(days=2), 0.333, 1),
        (TODAY, 0.667, 1),
    ]
    assert stats.hardest[0]["card_id"] in ("a-2", "a-3")
    assert [(m["card_id"], m["key_point"], m["missed"]) for m in stats.missed_key_points] == [
        ("b-1", 2, 2),
        ("b-1", 0, 1),
    ]


def test_deck_filter_and_json_shape(seeded):
    store, decks = seeded
    stats = collect(store, decks[1:], TODAY, days=7)
    data = to_json(stats)
    json.dumps(data)  # serialisable
    assert data["today"] == "2026-11-29" and data["days"] == 7
    assert [d["deck"] for d in data["decks"]] == ["b"]
    assert data["total"]["cards"] == 3
    assert data["forecast"][0] == {"day": "2026-11-29", "due": 0}
    assert set(data) >= {
        "streak",
        "activity",
        "quiz_coverage",
        "hardest",
        "missed_key_points",
        "readiness",
    }


def test_readiness_with_an_interview_date(seeded):
    store, decks = seeded
    until = TODAY + timedelta(days=10)
    stats = collect(store, decks, TODAY, interview_date=until)
    a = stats.readiness[0]
    # ready: learned and not overdue -> a-1 (due tomorrow), a-2 (due today), a-3 (reps 0: not learned)
    assert (a.ready, a.cards) == (2, 5)
    assert stats.days_left == 10
    assert stats.reviews_per_day_needed == -(-sum(r.reviews_needed for r in stats.readiness) // 10)


def test_readiness_forecasts_the_heaviest_day(seeded):
    store, decks = seeded
    stats = collect(store, decks, TODAY, interview_date=Interview(TODAY + timedelta(days=10)))
    assert stats.final_days_from == TODAY + timedelta(days=3)
    assert stats.peak_day is not None and TODAY <= stats.peak_day < TODAY + timedelta(days=10)
    assert stats.peak_reviews >= stats.reviews_per_day_needed
    assert to_json(stats)["peak_day"] == stats.peak_day.isoformat()


def test_forecast_of_one_new_card_graded_4():
    # Interview on Jan 11, final days Jan 4-10: reviews on Jan 1 (-> 1 d), Jan 2 (-> 6 d: Jan 8,
    # inside the final days), Jan 8 (15 d: past the interview, its last review is in them) -> 3.
    interview = Interview(date(2026, 1, 11))
    forecast = forecast_reviews(SM2(), [("a", NEW_CARD)], date(2026, 1, 1), interview)
    assert forecast.per_card == {"a": 3}
    assert sorted(forecast.per_day) == [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 8)]
    assert forecast_reviews(SM2(), [], date(2026, 1, 1), interview).peak is None


def test_forecast_spreads_the_final_days_and_introduces_new_cards_a_few_a_day():
    interview = Interview(date(2026, 1, 29))
    cards = [(f"c{i}", NEW_CARD) for i in range(70)]
    forecast = forecast_reviews(SM2(), cards, date(2026, 1, 1), interview, new_per_day=10)
    assert forecast.per_day[date(2026, 1, 1)] == 10  # new cards 10 a day, not 70 at once
    final = [forecast.per_day.get(interview.first_day + timedelta(days=i), 0) for i in range(7)]
    assert sum(final) >= 70 and max(final) <= 1.5 * 70 / 7  # every card once, evenly
    assert interview.day not in forecast.per_day


def test_streak():
    today = date(2026, 1, 10)
    assert streak([date(2026, 1, 10), date(2026, 1, 9), date(2026, 1, 7)], today) == 2
    assert streak([date(2026, 1, 9), date(2026, 1, 8)], today) == 2  # today not yet studied
    assert streak([date(2026, 1, 5)], today) == 0


def test_review_days_are_distinct_newest_first_and_leave_out_undone_and_other_decks(seeded):
    store, _decks = seeded
    days = lambda *ago: [TODAY - timedelta(days=n) for n in ago]  # noqa: E731
    assert list(store.review_days(["a"], TODAY)) == days(0, 1, 29, 33, 39, 40)
    assert list(store.review_days(["b"], TODAY)) == days(0, 2)
    assert list(store.review_days(["a", "b"], TODAY - timedelta(days=1))) == days(
        1, 2, 29, 33, 39, 40
    )
    assert list(store.review_days(["nothing"], TODAY)) == []
    # a-4's only review (today) was undone: alone, it is no review day.
    store.undo_review(store.reviews("a-3")[1].id, NOW)
    store.undo_review(store.reviews("a-3")[0].id, NOW)
    assert list(store.review_days(["a"], TODAY)) == days(1, 29, 33, 39, 40)


def test_a_free_day_neither_breaks_nor_counts():
    today = date(2026, 1, 10)
    days = [date(2026, 1, 10), date(2026, 1, 9), date(2026, 1, 5), date(2026, 1, 4)]
    nothing_due = lambda after, before: False  # noqa: E731
    assert streak(days, today, nothing_due) == 4
    asked = []

    def due_only_before_the_5th(after, before):
        asked.append((after, before))
        return before <= date(2026, 1, 5)

    assert streak([*days, date(2026, 1, 1)], today, due_only_before_the_5th) == 4
    assert asked == [(date(2026, 1, 5), date(2026, 1, 9)), (date(2026, 1, 1), date(2026, 1, 4))]
    # Today without reviews yet: the days since the last review count only when nothing waited.
    assert streak([date(2026, 1, 7)], today, nothing_due) == 1
    assert streak([date(2026, 1, 7)], today) == 0


def _study_one(invoke, new: int) -> None:
    result = invoke("study", "--deck", "gan", "--new", str(new), input="\n5\n")
    assert result.exit_code == 0, result.output


def _streak(invoke) -> int:
    result = invoke("stats", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["streak"]


def test_the_streak_survives_days_on_which_nothing_was_due(invoke, clock):
    """Issue 13.8: learn a card, review it the next day (next due in 6 days), skip the five free
    days, review it on the day it is due: a streak of 3, not 1."""
    _study_one(invoke, 1)
    clock.advance(days=1)
    _study_one(invoke, 0)
    for _ in range(5):
        clock.advance(days=1)
        assert invoke("study", "--deck", "gan", "--new", "0").exit_code == 0  # nothing due
    assert _streak(invoke) == 2  # today is not over: it does not break the streak
    clock.advance(days=1)
    _study_one(invoke, 0)
    assert _streak(invoke) == 3


def test_the_streak_breaks_on_a_day_a_card_was_due_and_waited(invoke, clock):
    _study_one(invoke, 1)  # due tomorrow
    clock.advance(days=2)  # tomorrow skipped
    assert _streak(invoke) == 0
    _study_one(invoke, 0)
    assert _streak(invoke) == 1


def test_the_review_figures_read_indexes_only(seeded):
    """Per-day and per-deck review counts come from covering indexes (a 1M-review store reads no
    table row for them), and no stats query scans the reviews or card_state table."""
    store, decks = seeded
    conn = store.db.conn
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        collect(store, decks, TODAY, days=30)
    finally:
        conn.set_trace_callback(None)
    plans = {}
    for sql in dict.fromkeys(s for s in statements if s.lstrip().upper().startswith("SELECT")):
        plans[sql] = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    for sql, plan in plans.items():
        assert not any(step.startswith(("SCAN reviews", "SCAN card_state", "SCAN s", "SCAN r"))
                       and "INDEX" not in step for step in plan), (sql, plan)  # fmt: skip
    per_day = [p for s, p in plans.items() if "FROM reviews WHERE day" in s and "count(" in s]
    quiz = [p for s, p in plans.items() if "avg(coverage)" in s]
    assert per_day and quiz
    assert all(any("COVERING INDEX reviews_day_deck" in step for step in p) for p in per_day)
    assert all(any("COVERING INDEX reviews_quiz" in step for step in p) for p in quiz)


def test_every_command_counts_the_lapses_from_the_review_log(invoke, clock, home):
    """A new card failed (no lapse: it was never in review), recalled in the repeat, then failed
    the next day (a lapse): `show`, `stats` and `stats --json` all say 1, as the leech rule
    counts, although SM-2's own tally in the card state counts both failing grades."""
    card = "gan-training-procedure"
    result = invoke("study", "--deck", "gan", "--new", "1", input="\n1\n\n5\n")
    assert result.exit_code == 0, result.output
    shown = invoke("show", card)
    assert "lapses 0" in shown.stdout and "lapses 1" not in shown.stdout
    assert json.loads(invoke("stats", "--json").stdout)["hardest"][0]["lapses"] == 0
    clock.advance(days=1)
    assert invoke("study", "--deck", "gan", "--new", "0", input="\n0\n").exit_code == 0
    with Store.open(home / "flashdl.db") as store:
        assert store.state_of(card).state.lapses == 2  # the scheduler's tally, not shown
        assert store.lapses([card]) == {card: 1}
    assert "lapses 1" in " ".join(invoke("show", card).stdout.split())
    [hardest] = json.loads(invoke("stats", "--json").stdout)["hardest"]
    assert (hardest["card_id"], hardest["lapses"]) == (card, 1)
    text = invoke("stats").stdout
    row = next(line for line in text.splitlines() if card in line and "│" in line)
    assert [cell.strip() for cell in row.split("│")][3] == "1"


def test_the_lapses_break_ties_among_the_hardest_cards(tmp_path: Path):
    """Equal easiness: the card with the most lapses counted from the log comes first, even when
    it is past the limit in id order and another card's state tallies more failing grades."""
    due = TODAY + timedelta(days=1)
    with Store.open(tmp_path / "db") as store:
        store.focus_cards((f"a-{i}", "a") for i in range(3))
        for g in (1, 0, 2):  # a-0: a new card failed three times: no lapse, but a tally of 3
            before = store.state_of("a-0").state if store.state_of("a-0") else NEW_CARD
            store.record_review(card_id="a-0", deck="a", grade=g, mode="study", reviewed_at=NOW,
                                before=before, after=CardState(0, 1, 2.5, due, before.lapses + 1))  # fmt: skip
        store.record_review(card_id="a-1", deck="a", grade=4, mode="study", reviewed_at=NOW,
                            before=NEW_CARD, after=CardState(1, 1, 2.5, due, 0))  # fmt: skip
        passed = CardState(1, 1, 2.5, TODAY, 0)  # a-2: recalled, then forgotten: one lapse
        store.record_review(card_id="a-2", deck="a", grade=4, mode="study",
                            reviewed_at=NOW - timedelta(days=1), before=NEW_CARD, after=passed)  # fmt: skip
        store.record_review(card_id="a-2", deck="a", grade=1, mode="study", reviewed_at=NOW,
                            before=passed, after=CardState(0, 1, 2.5, due, 1))  # fmt: skip
        assert store.hardest(limit=1) == [("a-2", "a", 2.5, 1)]
        assert store.hardest() == [("a-2", "a", 2.5, 1), ("a-0", "a", 2.5, 0), ("a-1", "a", 2.5, 0)]


def test_the_forecast_today_counts_todays_learning_cards(invoke):
    """A new card failed today comes back today (its repeat) and is scheduled for tomorrow: the
    forecast shows it on both days, and today's bar equals the due column, as in Anki."""
    assert invoke("study", "--deck", "gan", "--new", "1", input="\n1\n").exit_code == 0
    data = json.loads(invoke("stats", "--json").stdout)
    assert data["total"]["due_today"] == 1
    assert data["forecast"][:2] == [
        {"day": TODAY.isoformat(), "due": 1},
        {"day": (TODAY + timedelta(days=1)).isoformat(), "due": 1},
    ]
    assert invoke("study", "--deck", "gan", "--new", "0", input="\n5\n").exit_code == 0  # recalled
    data = json.loads(invoke("stats", "--json").stdout)
    assert data["total"]["due_today"] == 0 and data["forecast"][0]["due"] == 0
