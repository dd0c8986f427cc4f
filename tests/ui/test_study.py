"""The study loop, driven by scripted keys and a console writing to a string."""

from __future__ import annotations

import io
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from conftest import NOW, FakeClock
from decktext import VALID
from rich.console import Console

from flashdl.core.planning import plan_study
from flashdl.core.scheduling import NEW_CARD, CardState
from flashdl.core.sm2 import review
from flashdl.decks.loader import parse_deck
from flashdl.store import Store
from flashdl.ui.keys import LineKeys
from flashdl.ui.study import SessionContext, StudySession

DECK = parse_deck(VALID, "decks/demo.yaml")
ONE, TWO = DECK.cards


def make_session(
    store: Store, keys: str, queue=None, states=None, clock=None
) -> tuple[StudySession, io.StringIO]:
    out = io.StringIO()
    context = SessionContext(
        store=store,
        console=Console(file=out, width=100, force_terminal=False, color_system=None),
        keys=LineKeys(io.StringIO(keys)),
        clock=clock or FakeClock(step=timedelta(seconds=2)),
        cards_by_id={c.id: c for c in DECK.cards},
        states=states or {},
        lang="en",
        deck_titles={"demo": "Demo"},
    )
    session = StudySession(context, [c.id for c in (DECK.cards if queue is None else queue)])
    return session, out


def test_plan_takes_every_due_card_then_new_ones_up_to_the_limit():
    assert plan_study(["b", "a"], ["n1", "n2", "n3"], new_limit=10, introduced_today=0) == [
        "b", "a", "n1", "n2", "n3"
    ]  # fmt: skip
    assert plan_study(["b"], ["n1", "n2", "n3"], new_limit=3, introduced_today=2) == ["b", "n1"]
    assert plan_study([], ["n1"], new_limit=3, introduced_today=5) == []


def test_no_new_card_comes_while_the_review_limit_holds_due_cards_back():
    new = ["n1", "n2"]
    plan = partial(plan_study, new=new, new_limit=10, introduced_today=0, review_limit=2)
    assert plan(["a", "b", "c"]) == ["a", "b"]  # c waits: no new card adds to the backlog
    assert plan(["a", "b", "c"], reviewed_today=1) == ["a"]
    assert plan(["a", "b"]) == ["a", "b", "n1", "n2"]  # all due cards fit: new cards come
    assert plan(["a"], reviewed_today=2) == []  # the limit is used up and a due card waits
    assert plan([], reviewed_today=5) == new  # nothing waits


def test_store_finds_due_cards_and_new_ones_in_the_given_order(tmp_path: Path):
    cards = [*DECK.cards, *parse_deck(VALID.replace("demo", "more"), "x").cards]
    ids = [c.id for c in cards]
    today = NOW.date()
    with Store.open(tmp_path / "db") as store:

        def seen(card_id: str, due_in: int, suspended: bool = False) -> None:
            state = CardState(repetitions=1, interval=1, due=today + timedelta(days=due_in))
            store.record_review(card_id=card_id, deck="d", grade=4, mode="study", reviewed_at=NOW,
                                before=NEW_CARD, after=state)  # fmt: skip
            store.set_suspended(card_id, "d", suspended)

        seen("demo-one", -1)
        seen("more-two", -5)
        seen("more-one", +1)  # reviewed, not due yet
        store.set_suspended("demo-two", "d", True)  # suspended while new
        assert store.due_cards(today) == {
            "demo-one": today - timedelta(days=1),
            "more-two": today - timedelta(days=5),
        }
        assert store.first_new(ids, 10) == []
        store.set_suspended("demo-two", "d", False)
        assert store.first_new(ids, 10) == ["demo-two"]
        assert store.first_new(ids * 1, 10, batch=1) == ["demo-two"]
        store.set_suspended("more-two", "d", True)
        assert set(store.due_cards(today)) == {"demo-one"}
        assert store.first_new(ids, 0) == []


def test_study_states_come_from_the_store_lazily(tmp_path: Path):
    from flashdl.store import StateLookup

    with Store.open(tmp_path / "db") as store:
        after = review(NEW_CARD, 5, NOW)
        store.record_review(card_id="demo-one", deck="demo", grade=5, mode="study", reviewed_at=NOW,
                            before=NEW_CARD, after=after)  # fmt: skip
        lookup = StateLookup(store)
        assert lookup.get("demo-one") == after and lookup.get("demo-two") is None
        assert store.due_cards(NOW.date() + timedelta(days=1)) == {"demo-one": after.due}
        assert store.not_new_ids() == {"demo-one"} and len(lookup) == 1


def test_each_grade_is_committed_and_low_grades_repeat(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        # one: reveal, 5.  two: reveal, 2 -> comes back; reveal, 4.
        session, out = make_session(store, "\n5\n\n2\n\n4\n")
        summary = session.run()
        reviews = store.reviews()
        assert [(r.card_id, r.grade, r.mode) for r in reviews] == [
            ("demo-one", 5, "study"),
            ("demo-two", 2, "study"),
            ("demo-two", 4, "repeat"),
        ]
        states = store.states()
        assert states["demo-one"].state == review(NEW_CARD, 5, NOW)
        # The repeat changed nothing: state is that of the first (failing) grade.
        assert states["demo-two"].state.lapses == 1 and states["demo-two"].state.interval == 1
        assert reviews[0].answer_ms == 2000  # from question shown to grade: one 2 s clock tick
        assert summary.reviewed == 3 and summary.grades == {5: 1, 2: 1, 4: 1}
        assert summary.next_due == NOW.date() + timedelta(days=1)
        text = out.getvalue()
        assert "What is a vanishing gradient?" in text and "Key points" in text
        assert "0 done · 2 left" in text and "1 done · 1 left  repeat" in text  # cards, not keys


def test_quit_and_end_of_input_keep_what_was_graded(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        session, _ = make_session(store, "\n4\n\nq\n")
        summary = session.run()
        assert summary.reviewed == 1 and summary.left_today == 1
        assert [r.card_id for r in store.reviews()] == ["demo-one"]
    with Store.open(tmp_path / "db2") as store:
        session, _ = make_session(store, "\n4\n\n")  # input ends at the grade prompt
        assert session.run().reviewed == 1


def test_a_piped_line_of_several_characters_grades_nothing(tmp_path: Path):
    """Each piped line is one key: "45" or "5 no wait 1" is no key (it graded 4, then 5)."""
    with Store.open(tmp_path / "db") as store:
        session, _ = make_session(store, "\n45\n5 no wait 1\n2\nq\n")
        assert session.run().reviewed == 1
        assert [r.grade for r in store.reviews()] == [2]


def test_the_summary_says_cards_left_today_come_back_today(tmp_path: Path):
    """Quitting with a failed card left, the summary said "Next due" tomorrow beside "Still due
    today 1"."""
    from flashdl.app.session import SessionSummary
    from flashdl.ui.render import summary_view

    def shown(summary: SessionSummary, lang: str = "en") -> str:
        out = io.StringIO()
        Console(file=out, width=80, color_system=None).print(summary_view(summary, lang))
        return " ".join(out.getvalue().split())

    tomorrow = date(2026, 12, 2)
    left = SessionSummary(reviewed=2, grades={1: 1, 4: 1}, seconds=30, next_due=tomorrow,
                          left_today=1)  # fmt: skip
    assert "Still due today 1" in shown(left) and "Next due today (the cards above)" in shown(left)
    assert "下次复习 今天" in shown(left, "zh")
    done = SessionSummary(reviewed=2, grades={4: 2}, seconds=30, next_due=tomorrow, left_today=0)
    assert "Next due 2026-12-02" in shown(done) and "Still due" not in shown(done)


def test_the_summary_names_the_next_study_day_tomorrow_and_the_cards_the_limit_holds_back():
    """The day after the summary's study day is "tomorrow" (whatever the clock's date: before
    4 AM it is the calendar's today); other days are dates. Cards the review limit holds back
    are said with the empty session's message."""
    from flashdl.app.session import SessionSummary
    from flashdl.ui.render import summary_view

    def shown(summary: SessionSummary, lang: str = "en") -> str:
        out = io.StringIO()
        Console(file=out, width=80, color_system=None).print(summary_view(summary, lang))
        return " ".join(out.getvalue().replace("│", " ").split())

    day = date(2026, 11, 29)
    tomorrow = SessionSummary(reviewed=1, grades={4: 1}, next_due=date(2026, 11, 30), today=day)
    assert "Next due tomorrow" in shown(tomorrow) and "下次复习 明天" in shown(tomorrow, "zh")
    later = SessionSummary(reviewed=1, grades={4: 1}, next_due=date(2026, 12, 1), today=day)
    assert "Next due 2026-12-01" in shown(later) and "limit" not in shown(later)
    held = SessionSummary(reviewed=2, grades={4: 2}, next_due=date(2026, 11, 30), today=day,
                          review_limit=2, held_back=5)  # fmt: skip
    assert "Today's review limit of 2 is reached; 5 more due cards wait until tomorrow" in shown(
        held
    )
    assert "今天的复习上限2张已用完；另有5张到期卡片明天再复习" in shown(held, "zh").replace(
        " ", ""
    )


def test_undo_takes_back_the_last_grade(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        # grade one 1 (requeued), undo at the next question, grade one again with 5, then two 5.
        session, out = make_session(store, "\n1\nu\n\n5\n\n5\n")
        summary = session.run()
        live = store.reviews()
        assert [(r.card_id, r.grade) for r in live] == [("demo-one", 5), ("demo-two", 5)]
        assert len(store.reviews(include_undone=True)) == 3
        assert store.states()["demo-one"].state == review(NEW_CARD, 5, NOW)
        assert summary.reviewed == 2 and summary.left_today == 0
        assert "Undid the grade of demo-one" in out.getvalue()


def test_undo_at_the_grade_prompt_and_with_nothing_to_undo(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        session, out = make_session(store, "u\n\n7\nu\n\n3\n")
        session.run()
        text = out.getvalue()
        assert "Nothing to undo." in text and "Press 0–5" in text


def test_related_cards_are_listed_under_the_answer(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        session, out = make_session(store, "\nq\n", queue=[ONE])
        session.run()
        assert "Related: demo-two" in out.getvalue()


def test_the_learning_queue_survives_quit_and_counts_cards(invoke, clock, home):
    """Issue 13.1: fail two cards, pass one, quit; the next session has exactly what the summary
    promised, and the repeats do not reschedule (only the first grade of the day does)."""
    import re

    from flashdl.store import Store

    first = invoke("study", "--deck", "cnn", "--lang", "en", input=" \n1\n \n0\n \n5\nq\n")
    promised = int(re.search(r"Still due today\s+(\d+)", first.output)[1])
    assert promised == 3  # two failed cards and the one not shown yet
    clock.advance(minutes=15)  # a new process, later the same day
    again = invoke("study", "--deck", "cnn", "--lang", "en", input="q\n")
    assert f"0 done · {promised} left" in again.output
    with Store.open(home / "flashdl.db") as store:
        failed = [r.card_id for r in store.reviews() if r.grade < 4]
        states_before = {c: store.state_of(c).state for c in failed}
    third = invoke("study", "--deck", "cnn", "--lang", "en", input=" \n4\n \n4\nq\n")
    assert third.exit_code == 0
    with Store.open(home / "flashdl.db") as store:
        assert [r.mode for r in store.reviews()][-2:] == ["repeat", "repeat"]
        assert {c: store.state_of(c).state for c in failed} == states_before
        assert store.learning_cards(clock.now.date()) == {}


def test_a_failed_card_comes_back_after_other_cards(invoke):
    result = invoke(
        "study", "--deck", "basics", "--lang", "en", input=" \n1\n \n5\n \n5\n \n5\n \n5\nq\n"
    )
    shown = [line for line in result.output.splitlines() if "repeat" in line and "left" in line]
    assert shown, result.output  # the failed card came back, marked as a repeat
    order = [line for line in result.output.splitlines() if "done ·" in line]
    assert "repeat" not in order[1]  # not straight after its own answer


def test_decks_and_stats_count_the_learning_queue(invoke):
    invoke("study", "--deck", "cnn", "--lang", "en", input=" \n1\n \n5\nq\n")
    listed = invoke("decks").output
    row = next(line for line in listed.splitlines() if line.split("│")[1:2] and "cnn" in line)
    cells = [c.strip() for c in row.split("│") if c.strip()]
    assert cells[4] == "1"  # due today: the failed card (its scheduled due is tomorrow)
    stats = invoke("stats", "--json").output
    import json

    cnn = next(d for d in json.loads(stats)["decks"] if d["deck"] == "cnn")
    assert cnn["due_today"] == 1


def test_after_the_answer_s_suspends_b_buries_and_u_takes_either_back(invoke, home, clock):
    """The plain mode's s and b (on the answer side: on the question any key reveals)."""
    from flashdl.store import Store

    result = invoke("study", "--deck", "gan", "--new", "2", "--lang", "en", input="\ns\n\nb\nq\n")
    assert result.exit_code == 0, result.output
    assert "Suspended gan-" in result.stdout and "Buried gan-" in result.stdout
    today = clock.now.date()
    with Store.open(home / "flashdl.db") as store:
        assert len(store.suspended_ids()) == 1 and len(store.buried_ids(today)) == 1
        assert store.reviews() == []
    result = invoke("study", "--deck", "gan", "--new", "3", "--lang", "en", input="\nb\nu\nq\n")
    assert "is back in today's queue" in result.stdout
