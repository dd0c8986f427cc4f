"""The study engine without a terminal: grades, the learning queue, undo and suspension."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from conftest import NOW, FakeClock
from decktext import VALID

from flashdl.app.session import Buried, Graded, StudyEngine, Suspended
from flashdl.core.scheduling import NEW_CARD
from flashdl.core.sm2 import SM2, review
from flashdl.decks.loader import parse_deck
from flashdl.store import Store

DECK = parse_deck(VALID, "decks/demo.yaml")
CARDS = {c.id: c for c in DECK.cards}
ONE, TWO = (c.id for c in DECK.cards)


def engine(store: Store, queue=(ONE, TWO)) -> StudyEngine:
    clock = FakeClock(step=timedelta(seconds=2))
    return StudyEngine(store, CARDS, list(queue), clock=clock, scheduler=SM2())


def test_grading_commits_and_moves_on(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        e = engine(store)
        e.start()
        turn = e.show()
        assert turn is not None and (turn.card.id, turn.done, turn.left, turn.repeat) == (
            ONE,
            0,
            2,
            False,
        )
        e.reveal()
        entry = e.grade(5)
        assert isinstance(entry, Graded) and entry.scheduled
        assert store.states()[ONE].state == review(NEW_CARD, 5, NOW + timedelta(seconds=4))
        assert store.reviews()[0].answer_ms == 2000
        assert e.current().card.id == TWO and e.current().done == 1


def test_a_low_grade_requeues_and_marks_a_repeat(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        e = engine(store)
        e.start()
        e.show()
        e.reveal()
        e.grade(1)
        assert list(e.queue) == [TWO, ONE]
        e.show()
        e.reveal()
        e.grade(5)
        turn = e.show()
        assert turn.card.id == ONE and turn.repeat
        e.reveal()
        e.grade(4)
        assert e.finished
        summary = e.summary()
        assert summary.reviewed == 3 and summary.grades == {1: 1, 5: 1, 4: 1}
        assert [r.mode for r in store.reviews()] == ["study", "study", "repeat"]


def test_undo_goes_back_any_depth(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        e = engine(store)
        e.start()
        e.show()
        e.reveal()
        e.grade(1)
        e.show()
        e.reveal()
        e.grade(5)
        assert isinstance(e.undo(), Graded) and e.current().card.id == TWO
        assert isinstance(e.undo(), Graded) and list(e.queue) == [ONE, TWO]
        assert e.undo() is None
        assert store.reviews() == [] and store.states()[ONE].state == NEW_CARD
        assert not e.show().repeat  # its only failing grade is taken back: new again


def test_undoing_the_second_fail_of_a_repeat_keeps_it_a_repeat(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        e = engine(store, queue=(ONE,))
        e.start()
        for grade in (1, 1):
            e.show()
            e.reveal()
            e.grade(grade)
        assert isinstance(e.undo(), Graded)
        assert e.show().repeat  # failed once already today


def test_a_card_is_graded_only_once_its_answer_is_shown(tmp_path: Path):
    import pytest

    with Store.open(tmp_path / "db") as store:
        e = engine(store)
        e.start()
        e.show()
        with pytest.raises(RuntimeError):
            e.grade(5)
        assert store.reviews() == []


def test_suspend_takes_the_card_out_and_undo_puts_it_back(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        e = engine(store, queue=(ONE, TWO, ONE))
        e.start()
        e.show()
        assert e.suspend().id == ONE
        assert list(e.queue) == [TWO] and store.suspended_ids() == {ONE}
        assert isinstance(e.undo(), Suspended)
        assert list(e.queue) == [ONE, TWO, ONE] and store.suspended_ids() == set()
        assert e.summary().reviewed == 0


def test_a_failed_card_comes_back_away_from_its_related_cards(tmp_path: Path):
    cards = {**CARDS, **{f"x{i}": CARDS[TWO] for i in range(4)}}
    with Store.open(tmp_path / "db") as store:
        e = StudyEngine(store, cards, [ONE, "x0", "x1", "x2", "x3"], clock=FakeClock(),
                        scheduler=SM2(), related_ids={ONE: {"x2"}, "x2": {ONE}})  # fmt: skip
        e.start()
        e.show()
        e.reveal()
        e.grade(1)
        # after three others would put it beside x2: it waits one more card
        assert list(e.queue) == ["x0", "x1", "x2", "x3", ONE]


def test_a_grade_that_makes_a_leech_suspends_it_and_undo_takes_that_back(tmp_path: Path):
    from flashdl.core.leeches import LeechRule

    with Store.open(tmp_path / "db") as store:
        for grade, day in ((5, 0), (0, 1)):  # recalled, then a lapse
            store.record_study_grade(card_id=ONE, deck="demo", grade=grade,
                                     reviewed_at=NOW + timedelta(days=day), scheduler=SM2())  # fmt: skip
        # recalled in that day's repeat
        store.record_study_grade(
            card_id=ONE, deck="demo", grade=5, reviewed_at=NOW + timedelta(days=1), scheduler=SM2()
        )
        e = StudyEngine(store, CARDS, [ONE, TWO], clock=FakeClock(NOW + timedelta(days=2)),
                        scheduler=SM2(), leech_rule=LeechRule(2))  # fmt: skip
        e.start()
        e.show()
        e.reveal()
        entry = e.grade(0)
        assert entry.leech is not None and entry.leech.lapses == 2 and entry.leech.suspended
        assert list(e.queue) == [TWO] and store.state_of(ONE).suspended
        e.undo()
        assert list(e.queue) == [ONE, TWO] and not store.state_of(ONE).suspended
        assert store.leech_ids() == set()


def test_a_buried_card_leaves_today_survives_a_restart_and_is_back_tomorrow(tmp_path: Path):
    from flashdl.app.study import todays_queue

    with Store.open(tmp_path / "db") as store:
        e = engine(store)
        e.start()
        e.show()
        assert e.bury().id == ONE
        assert list(e.queue) == [TWO] and e.summary().reviewed == 0
        assert store.reviews() == []
    with Store.open(tmp_path / "db") as store:  # a new process, the same day
        assert todays_queue(store, [DECK], NOW, 10) == [TWO]
        tomorrow = NOW + timedelta(days=1)
        assert todays_queue(store, [DECK], tomorrow, 10) == [ONE, TWO]
        assert store.buried_ids(tomorrow.date()) == set()


def test_undo_unburies(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        e = engine(store)
        e.start()
        e.show()
        e.bury()
        assert isinstance(e.undo(), Buried) and list(e.queue) == [ONE, TWO]
        assert store.buried_ids(NOW.date()) == set()


def test_a_damaged_buried_setting_buries_nothing(tmp_path: Path):
    from flashdl.app.progress import progress_document

    with Store.open(tmp_path / "db") as store:
        for value in ("{not json", "[1, 2]", '{"demo-one": 5}', '{"demo-one": "soon"}'):
            store.set_setting("buried", value)
            assert store.buried_ids(NOW.date()) == set()
        store.bury(ONE, NOW.date() + timedelta(days=1), NOW.date())
        assert "buried" not in progress_document(store, NOW)["settings"]
