"""The leech rule: what a lapse is, and when lapses make a leech (as in Anki)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flashdl.core.leeches import Answer, LeechRule, count_lapses, lapse_flags, marks_leech


def study(*grades: int) -> list[Answer]:
    return [Answer(g, scheduling=True) for g in grades]


def test_a_lapse_is_a_failure_of_a_card_whose_last_answer_passed():
    assert count_lapses(study(0)) == 0  # a new card failed is not a lapse
    assert count_lapses(study(5, 0)) == 1
    assert count_lapses(study(5, 0, 0, 1)) == 1  # failed again without a recall in between
    assert count_lapses(study(4, 2, 3, 1)) == 2
    # the session's repeat recalls it: the next day's failure is a new lapse
    answers = [*study(5, 0), Answer(5, scheduling=False), *study(0)]
    assert lapse_flags(answers) == [False, True, False, True]
    # a failed repeat is never a lapse
    assert count_lapses([*study(5), Answer(0, scheduling=False)]) == 0


def test_a_leech_at_the_threshold_and_every_half_threshold_after():
    rule = LeechRule(8)
    assert [n for n in range(1, 30) if marks_leech(n, rule)] == [8, 12, 16, 20, 24, 28]
    assert [n for n in range(1, 6) if marks_leech(n, LeechRule(1))] == [1, 2, 3, 4, 5]
    assert [n for n in range(1, 8) if marks_leech(n, LeechRule(3))] == [3, 4, 5, 6, 7]


@given(st.lists(st.tuples(st.integers(0, 5), st.booleans()), max_size=40))
def test_lapses_are_failing_scheduling_answers_after_a_pass(pairs):
    answers = [Answer(g, s) for g, s in pairs]
    flags = lapse_flags(answers)
    assert len(flags) == len(answers)
    for index, (answer, flag) in enumerate(zip(answers, flags, strict=True)):
        expected = answer.scheduling and answer.grade < 3 and index > 0
        expected = expected and answers[index - 1].grade >= 3
        assert flag == expected
    assert count_lapses(answers) <= sum(1 for a in answers if a.grade < 3 and a.scheduling)


def test_leech_level_counts_the_thresholds_passed():
    from flashdl.core.leeches import leech_level

    rule = LeechRule(8)
    assert [leech_level(n, rule) for n in (0, 7, 8, 11, 12, 15, 16)] == [0, 0, 1, 1, 2, 2, 3]
    assert all(
        marks_leech(n, rule) == (leech_level(n, rule) > leech_level(n - 1, rule))
        for n in range(1, 40)
    )
