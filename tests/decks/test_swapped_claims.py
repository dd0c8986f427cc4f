"""Confidently wrong answers that swap two related ideas in one sentence (issue 15).

Such an answer uses all the right words, so the key points match; only a pitfall that states the
swapped claim catches it. Each case is a card, a language, a correct sentence (no pitfall may
fire) and the same sentence with the two ideas swapped (a pitfall fires, the grade is 2 or less).
"""

from __future__ import annotations

import pytest

from flashdl.core.grading import grade_answer
from flashdl.decks.glossary import load_glossary
from flashdl.decks.loader import load_collection
from flashdl.paths import bundled_decks_dir

CASES = [
    # (card id, lang, correct, swapped)
    (
        "basics-learning-rate-effects",
        "zh",
        "学习率太大会跳来跳去、震荡甚至发散，不收敛；太小收敛很慢，还容易卡在局部最优。",
        "学习率太小会跳来跳去不收敛，太大收敛很慢，容易卡在局部最优。",
    ),
    (
        "basics-learning-rate-effects",
        "zh",
        "太大会震荡，太小收敛慢。",
        "太小会震荡发散，太大收敛速度很慢。",
    ),
    (
        "basics-learning-rate-effects",
        "en",
        "If the learning rate is too large the loss oscillates or diverges; if it is too small training converges very slowly.",
        "If the learning rate is too small the loss oscillates and diverges; if it is too large training converges very slowly.",
    ),
    (
        "basics-precision-recall-f1",
        "zh",
        "precision 是预测为正的样本里真正为正的比例，recall 是所有正样本中被找出来的比例，F1 是两者的调和平均。",
        "precision 是所有正样本中被找出来的比例，recall 是预测为正的样本里真正为正的比例，F1 是两者的调和平均。",
    ),
    (
        "basics-precision-recall-f1",
        "zh",
        "精确率是预测为正例的样本中真正是正例的比例，召回率是真实正例中被预测出来的比例，F1 是调和平均。",
        "精确率是真实正例中被预测出来的比例，召回率是预测为正例的样本中真正是正例的比例，F1 是调和平均。",
    ),
    (
        "basics-precision-recall-f1",
        "en",
        "Precision is the fraction of predicted positives that are actually positive, recall is the fraction of actual positives that we find, and F1 is their harmonic mean.",
        "Precision is the fraction of actual positives that we find, recall is the fraction of predicted positives that are actually positive, and F1 is their harmonic mean.",
    ),
    (
        "basics-batch-size-effects",
        "zh",
        "batch 越大，梯度估计越准，训练越稳定，但泛化可能变差，要相应调大学习率。",
        "batch 越大，梯度估计越准，训练越稳定，泛化也越好。",
    ),
    (
        "basics-batch-size-effects",
        "en",
        "A larger batch gives a less noisy gradient and more stable training, but it tends to generalize worse.",
        "A larger batch gives a less noisy gradient and more stable training, and it also generalizes better.",
    ),
]


@pytest.fixture(scope="module")
def cards():
    return {c.id: c for d in load_collection([bundled_decks_dir()]) for c in d.cards}


@pytest.fixture(scope="module")
def glossary():
    return load_glossary()


@pytest.mark.parametrize(("card_id", "lang", "correct", "swapped"), CASES)
def test_a_swapped_claim_fires_a_pitfall_and_the_correct_one_does_not(
    cards, glossary, card_id, lang, correct, swapped
):
    card = cards[card_id]
    right = grade_answer(card, correct, glossary)
    assert right.pitfalls == (), (card_id, correct, right.pitfalls)
    wrong = grade_answer(card, swapped, glossary)
    assert wrong.pitfalls, (card_id, swapped)
    assert wrong.suggested <= 2, (card_id, swapped, wrong.suggested)
