"""Leech marks in the store: made with the grade, taken back by undo and reset, rebuilt from the
log after an import."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from conftest import NOW

from flashdl.core.leeches import LeechRule
from flashdl.core.sm2 import SM2
from flashdl.store import Store

RULE = LeechRule(2)


def fail_twice(store: Store) -> list:
    """Recalled, failed, recalled in the repeat, failed again the next day: two lapses."""
    marks = []
    for day, grades in enumerate([(5,), (0, 5), (0,)]):
        for grade in grades:
            recorded = store.record_study_grade(card_id="c", deck="d", grade=grade,
                                                reviewed_at=NOW + timedelta(days=day),
                                                scheduler=SM2(), leech=RULE)  # fmt: skip
            marks.append(recorded)
    return marks


def test_the_grade_that_reaches_the_threshold_marks_and_suspends(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        recorded = fail_twice(store)
        assert [r.leech for r in recorded[:-1]] == [None] * 3
        assert recorded[-1].leech is not None and recorded[-1].leech.lapses == 2
        assert store.state_of("c").suspended and store.leech_ids() == {"c"}
        store.undo_review(recorded[-1].id, NOW + timedelta(days=2))
        assert not store.state_of("c").suspended and store.leech_ids() == set()


def test_reset_forgets_the_mark(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        fail_twice(store)
        store.reset_cards([("c", "d")], NOW + timedelta(days=3))
        assert store.leech_ids() == set()
        assert store.rebuild_leeches(RULE) == 0  # the lapses before the reset do not count


def test_rebuild_finds_the_marks_in_the_log_once(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        fail_twice(store)
        store.conn.execute("DELETE FROM leeches")
        assert store.rebuild_leeches(RULE) == 1
        assert store.rebuild_leeches(RULE) == 0
        assert store.leech_ids() == {"c"}


def test_a_threshold_passed_without_a_mark_is_marked_at_the_next_lapse(tmp_path: Path):
    """Lapses graded before leeches were looked for (an older flashdl, a rescheduled quiz)."""
    rule = LeechRule(3)
    with Store.open(tmp_path / "db") as store:
        day = 0
        for grades in [(5,), (0, 5), (0, 5), (0, 5)]:  # three lapses, no rule
            for grade in grades:
                store.record_study_grade(card_id="c", deck="d", grade=grade,
                                         reviewed_at=NOW + timedelta(days=day), scheduler=SM2())  # fmt: skip
            day += 1
        assert store.leech_ids() == set()
        recorded = store.record_study_grade(card_id="c", deck="d", grade=0, scheduler=SM2(),
                                            reviewed_at=NOW + timedelta(days=day), leech=rule)  # fmt: skip
        assert recorded.leech is not None and recorded.leech.lapses == 4
        store.rebuild_leeches(rule)
        assert store.rebuild_leeches(rule) == 0 and store.leech_ids() == {"c"}
