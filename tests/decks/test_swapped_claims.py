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
    (
        "basics-normalization-vs-standardization",
        "zh",
        "归一化是把数据缩放到 [0,1]，标准化是减去均值再除以标准差。",
        "归一化是减去均值再除以标准差，标准化是把数据缩放到 [0,1]。",
    ),
    (
        "basics-normalization-vs-standardization",
        "en",
        "Min-max normalization rescales the data to [0,1], while standardization subtracts the mean and divides by the standard deviation.",
        "Normalization subtracts the mean and divides by the standard deviation, while standardization rescales the data to [0,1].",
    ),
    (
        "cnn-depthwise-separable",
        "zh",
        "深度可分离卷积先做 depthwise 卷积，每个通道单独用一个 3x3 卷积核；再做 pointwise 卷积，用 1x1 卷积混合通道。",
        "深度可分离卷积里 depthwise 卷积用 1x1 卷积混合通道；pointwise 卷积每个通道单独用一个 3x3 卷积核。",
    ),
    (
        "cnn-depthwise-separable",
        "en",
        "The depthwise step filters each channel separately with its own 3x3 kernel, and the pointwise step is a 1x1 convolution that mixes the channels.",
        "The depthwise step is a 1x1 convolution that mixes the channels, and the pointwise step filters each channel separately with its own 3x3 kernel.",
    ),
    (
        "gan-training-procedure",
        "zh",
        "生成器从噪声生成假样本，判别器判断样本是真是假，两者交替训练。",
        "判别器从噪声生成假样本，生成器判断样本是真是假，两者交替训练。",
    ),
    (
        "gan-training-procedure",
        "en",
        "The generator turns noise into fake samples and the discriminator tells real from fake; the two are trained in alternation.",
        "The discriminator turns noise into fake samples and the generator tells real from fake; the two are trained in alternation.",
    ),
    (
        "nlp-word2vec-cbow-skipgram",
        "zh",
        "CBOW 用上下文预测中心词，Skip-gram 用中心词预测上下文。",
        "CBOW 用中心词预测上下文，Skip-gram 用上下文预测中心词。",
    ),
    (
        "nlp-word2vec-cbow-skipgram",
        "en",
        "CBOW predicts the center word from its context, while Skip-gram predicts the context words from the center word.",
        "CBOW predicts the context words from the center word, while Skip-gram predicts the center word from its context.",
    ),
    (
        "recsys-pv-uv",
        "zh",
        "PV 是页面浏览量，同一个用户刷新一次算一次；UV 是独立访客数，按用户去重。",
        "PV 是独立访客数，按用户去重；UV 是页面浏览量，同一个用户刷新一次算一次。",
    ),
    (
        "recsys-pv-uv",
        "en",
        "PV counts page views, every refresh counts again; UV counts unique visitors, deduplicated by user.",
        "PV counts unique visitors, deduplicated by user; UV counts page views, every refresh counts again.",
    ),
    (
        "pretrain-nsp-vs-sop",
        "zh",
        "NSP 的负样本是从其他文档随机取的句子，SOP 的负样本是同一文档的两个连续句子交换顺序。",
        "NSP 的负样本是同一文档的两个连续句子交换顺序，SOP 的负样本是从其他文档随机取的句子。",
    ),
    (
        "pretrain-nsp-vs-sop",
        "en",
        "NSP takes its negatives from a random sentence of another document, while SOP swaps the order of two consecutive sentences.",
        "NSP swaps the order of two consecutive sentences for its negatives, while SOP takes a random sentence of another document.",
    ),
    (
        "pretrain-bert-gpt-elmo",
        "zh",
        "GPT 是单向的 Transformer decoder，BERT 是双向的 Transformer encoder，ELMo 是双向 LSTM。",
        "GPT 是双向的 Transformer encoder，BERT 是单向的 Transformer decoder，ELMo 是双向 LSTM。",
    ),
    (
        "pretrain-bert-gpt-elmo",
        "en",
        "GPT is a unidirectional Transformer decoder, BERT is a bidirectional Transformer encoder, and ELMo is a biLSTM.",
        "GPT is a bidirectional Transformer encoder, BERT is a unidirectional Transformer decoder, and ELMo is a biLSTM.",
    ),
    (
        "recsys-cf-vs-content-based",
        "zh",
        "协同过滤依赖用户的行为数据，基于内容的推荐依赖物品本身的属性特征。",
        "协同过滤依赖物品本身的属性特征，基于内容的推荐依赖用户的行为数据。",
    ),
    (
        "recsys-cf-vs-content-based",
        "en",
        "Collaborative filtering relies on user behaviour data, while content-based recommendation relies on the attributes of the items.",
        "Collaborative filtering relies on the attributes of the items, while content-based recommendation relies on user behaviour data.",
    ),
    (
        "nlp-gru-principle",
        "zh",
        "更新门决定保留多少旧状态、写入多少新候选状态，重置门控制计算候选状态时用多少过去的信息。",
        "重置门决定保留多少旧状态、写入多少新候选状态，更新门控制计算候选状态时用多少过去的信息。",
    ),
    (
        "nlp-lstm-long-term-dependency",
        "zh",
        "遗忘门接近 1 时保留旧记忆，接近 0 时清除旧记忆。",
        "遗忘门接近 0 时保留旧记忆，接近 1 时清除旧记忆。",
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
