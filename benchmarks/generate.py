"""Deterministic synthetic data for the benchmarks: a big user deck and a big progress store.

    python benchmarks/generate.py                      # 20,000-card deck, 100k cards / 1M reviews
    python benchmarks/generate.py --cards 50 --store-cards 200 --reviews 500 --out /tmp/x

The same arguments (and seed) always give the same files. Nothing here is committed: the files go
to ``benchmarks/out/`` (git-ignored) or the folder given with ``--out``.

- ``write_deck`` writes ``<name>.yaml``: bilingual cards with Markdown and ``$...$`` formulas,
  3–6 key points with terms, tags, sources and ``related`` links, all valid for ``flashdl check``.
  Card ids start with ``synth-``, so they never clash with the bundled decks.
- ``write_store`` writes a real flashdl database (``Store.open`` creates and migrates it): one
  ``card_state`` row per card (the deck's cards, the bundled ones, and ids of decks that are no
  longer loaded) and a review log spread over about two years. Each card's reviews follow the real
  SM-2 scheduler (``flashdl.core.sm2.review``), with lateness, same-session repeats, undone grades,
  quiz answers, suspended and reset cards, so every JSON state is what ``state_from_json`` reads.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a source checkout
    sys.path.insert(0, str(ROOT))

DEFAULT_SEED = 7
DECK_NAME = "synthetic"
ID_PREFIX = "synth"
TZ_SUFFIX = "+08:00"  # the synthetic user studies in UTC+8
# Decks the synthetic user studied once and no longer loads: their cards stay in the store.
ARCHIVED_DECKS = ("archive-ml", "archive-cv", "old-nlp", "notes-2024")

# -- the deck -----------------------------------------------------------------------------------

# (zh, en, slug): the subjects of the questions.
CONCEPTS = [
    ("批归一化", "batch normalization", "batchnorm"),
    ("层归一化", "layer normalization", "layernorm"),
    ("Dropout", "dropout", "dropout"),
    ("残差连接", "residual connections", "residual"),
    ("注意力机制", "attention", "attention"),
    ("自注意力", "self-attention", "self-attention"),
    ("多头注意力", "multi-head attention", "multi-head"),
    ("位置编码", "positional encoding", "pos-encoding"),
    ("梯度消失", "vanishing gradients", "vanishing-grad"),
    ("梯度爆炸", "exploding gradients", "exploding-grad"),
    ("学习率预热", "learning-rate warm-up", "warmup"),
    ("权重衰减", "weight decay", "weight-decay"),
    ("交叉熵损失", "cross-entropy loss", "cross-entropy"),
    ("标签平滑", "label smoothing", "label-smoothing"),
    ("知识蒸馏", "knowledge distillation", "distillation"),
    ("对比学习", "contrastive learning", "contrastive"),
    ("数据增强", "data augmentation", "augmentation"),
    ("早停", "early stopping", "early-stopping"),
    ("感受野", "the receptive field", "receptive-field"),
    ("空洞卷积", "dilated convolution", "dilated-conv"),
    ("深度可分离卷积", "depthwise separable convolution", "separable-conv"),
    ("特征金字塔", "feature pyramids", "fpn"),
    ("非极大值抑制", "non-maximum suppression", "nms"),
    ("锚框", "anchor boxes", "anchors"),
    ("模式坍塌", "mode collapse", "mode-collapse"),
    ("变分自编码器", "the variational autoencoder", "vae"),
    ("扩散模型", "diffusion models", "diffusion"),
    ("词向量", "word embeddings", "word-vectors"),
    ("掩码语言模型", "masked language modelling", "mlm"),
    ("束搜索", "beam search", "beam-search"),
    ("负采样", "negative sampling", "neg-sampling"),
    ("协同过滤", "collaborative filtering", "collab-filtering"),
    ("Adam 优化器", "the Adam optimizer", "adam"),
    ("动量法", "momentum", "momentum"),
    ("混合精度训练", "mixed-precision training", "mixed-precision"),
    ("梯度裁剪", "gradient clipping", "grad-clipping"),
    ("He 初始化", "He initialization", "he-init"),
    ("ReLU 激活", "the ReLU activation", "relu"),
    ("GELU 激活", "the GELU activation", "gelu"),
    ("Softmax", "softmax", "softmax"),
    ("L2 正则", "L2 regularization", "l2-reg"),
    ("偏差-方差权衡", "the bias-variance trade-off", "bias-variance"),
    ("迁移学习", "transfer learning", "transfer"),
    ("LoRA 微调", "LoRA fine-tuning", "lora"),
    ("模型量化", "model quantization", "quantization"),
    ("结构化剪枝", "structured pruning", "pruning"),
    ("长短期记忆网络", "the LSTM", "lstm"),
    ("Transformer 编码器", "the Transformer encoder", "transformer"),
    ("AUC 指标", "the AUC metric", "auc"),
    ("交并比", "intersection over union", "iou"),
]

QUESTIONS = [
    ("什么是{a}？", "What is {A}?"),
    ("{a}和{b}有什么区别？", "How does {A} differ from {B}?"),
    ("为什么{a}能缓解{b}的问题？", "Why does {A} help against problems with {B}?"),
    ("{a}的主要缺点是什么？", "What are the main drawbacks of {A}?"),
    ("训练中{a}失效时如何排查？", "How do you debug {A} when training goes wrong?"),
    ("{a}在{b}中起什么作用？", "What role does {A} play in {B}?"),
    ("请推导{a}的梯度。", "Derive the gradient of {A}."),
]

CLAUSES = [
    ("通过重新缩放激活值让训练更稳定", "rescales activations so that training is more stable"),
    ("让梯度更顺畅地反向传播", "lets gradients flow backwards more easily"),
    ("在训练时引入噪声，从而减少过拟合", "adds noise during training, which reduces overfitting"),
    ("降低了模型对初始化的敏感度", "makes the model less sensitive to initialization"),
    ("用更少的参数表达同样的函数", "expresses the same function with fewer parameters"),
    ("把难的优化问题拆成几个容易的子问题", "splits a hard optimization into easier parts"),
    ("让模型关注输入中最相关的部分", "lets the model focus on the relevant parts of the input"),
]

FORMULAS = [
    r"\sigma(x)=\frac{1}{1+e^{-x}}",
    r"\mathcal{L}=-\sum_i y_i \log \hat{y}_i",
    r"\hat{x}=\frac{x-\mu_B}{\sqrt{\sigma_B^2+\epsilon}}",
    r"\mathrm{softmax}(QK^T/\sqrt{d_k})V",
    r"\theta_{t+1}=\theta_t-\eta \nabla_\theta J",
    r"y=F(x)+x",
    r"m_t=\beta_1 m_{t-1}+(1-\beta_1) g_t",
    r"\lambda \|w\|_2^2",
    r"D_{KL}(p \| q)=\sum_x p(x) \log \frac{p(x)}{q(x)}",
    r"O(n^2 d)",
]

# (zh, en, terms): what the interviewer listens for.
POINTS = [
    ("稳定训练", "Stabilizes training", ["稳定", "stable"]),
    ("加快收敛", "Faster convergence", ["收敛", "converge"]),
    ("缓解过拟合", "Reduces overfitting", ["过拟合", "overfit"]),
    ("梯度更好传播", "Better gradient flow", ["梯度", "gradient"]),
    ("计算量更小", "Less computation", ["计算量", "FLOPs", "compute"]),
    ("需要调超参", "Needs tuning", ["超参", "hyperparameter"]),
    ("依赖批大小", "Depends on batch size", ["批大小", "batch size"]),
    ("推理时行为不同", "Behaves differently at inference", ["推理", "inference"]),
    ("可以并行", "Parallelizes well", ["并行", "parallel"]),
    ("显存开销大", "High memory cost", ["显存", "memory"]),
]

TAGS = [
    "optimization",
    "regularization",
    "normalization",
    "cv",
    "nlp",
    "generative",
    "recsys",
    "training",
    "architecture",
    "metrics",
    "efficiency",
    "theory",
]

_PLAIN_UNSAFE = re.compile(r"^[\s\-?:,\[\]{}#&*!|>'\"%@`]|: |\s#|\s$|^$")
_FLOW_UNSAFE = re.compile(r"[,\[\]{}]")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


def _scalar(text: str, flow: bool = False) -> str:
    """``text`` as a YAML scalar: plain when that reads back as the same string, else quoted."""
    if (
        _PLAIN_UNSAFE.search(text)
        or (flow and _FLOW_UNSAFE.search(text))
        or text.lower() in _YAML_WORDS
    ):
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one
    return text


@dataclass(frozen=True)
class SyntheticCard:
    id: str
    deck: str
    key_points: int


def _answer(
    rng: random.Random, a: tuple[str, str, str], b: tuple[str, str, str]
) -> tuple[str, str]:
    clause_zh, clause_en = rng.choice(CLAUSES)
    zh = [f"**核心**：{a[0]}{clause_zh}。"]
    en = [f"**Core**: {a[1]} {clause_en}."]
    if rng.random() < 0.4:
        formula = rng.choice(FORMULAS)
        zh.append(f"公式：${formula}$。")
        en.append(f"Formula: ${formula}$.")
    if rng.random() < 0.15:
        zh.append(f"\n- 追问：与{b[0]}的区别")
        en.append(f"\n- Follow-up: versus {b[1]}")
    return "\n".join(zh), "\n".join(en)


def deck_text(
    cards: int, *, name: str = DECK_NAME, seed: int = DEFAULT_SEED
) -> tuple[str, list[SyntheticCard]]:
    """The YAML of a synthetic deck of ``cards`` cards, and each card's id and key-point count."""
    rng = random.Random(seed)
    out = [f"deck: {name}", "title: {zh: 合成测试卡组, en: Synthetic benchmark deck}", "cards:"]
    made: list[SyntheticCard] = []
    for number in range(1, cards + 1):
        a, b = rng.sample(CONCEPTS, 2)
        card_id = f"{ID_PREFIX}-{number:05d}-{a[2]}"
        q_zh, q_en = rng.choice(QUESTIONS)
        question_zh = q_zh.format(a=a[0], b=b[0])
        question_en = q_en.format(A=a[1], B=b[1])
        question_en = question_en[0].upper() + question_en[1:]
        answer_zh, answer_en = _answer(rng, a, b)
        n_points = rng.choices((3, 4, 5, 6), weights=(45, 30, 15, 10))[0]
        lines = [
            f"  - id: {card_id}",
            "    question:",
            f"      zh: {_scalar(question_zh)}",
            f"      en: {_scalar(question_en)}",
            "    answer:",
            "      zh: |",
            *(f"        {line}" if line else "" for line in answer_zh.split("\n")),
            "      en: |",
            *(f"        {line}" if line else "" for line in answer_en.split("\n")),
            "    key_points:",
        ]
        for zh, en, terms in rng.sample(POINTS, n_points):
            all_terms = ", ".join(_scalar(t, flow=True) for t in terms)
            lines.append(
                f"      - {{zh: {_scalar(zh, flow=True)}, en: {_scalar(en, flow=True)},"
                f" terms: [{all_terms}]}}"
            )
        if rng.random() < 0.3:
            lines.append(f"    source: https://example.org/dl/{a[2]}#q{number}")
        lines.append(f"    tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 3)))}]")
        if number > 10 and rng.random() < 0.2:
            others = rng.sample(range(max(1, number - 200), number), rng.randint(1, 2))
            related = [made[i - 1].id for i in sorted(others)]
            lines.append(f"    related: [{', '.join(related)}]")
        out.append("\n".join(lines))
        made.append(SyntheticCard(card_id, name, n_points))
    return "\n".join(out) + "\n", made


def write_deck(
    folder: Path, cards: int, *, name: str = DECK_NAME, seed: int = DEFAULT_SEED
) -> tuple[Path, list[SyntheticCard]]:
    """Write ``folder/<name>.yaml``; return its path and the cards in it."""
    text, made = deck_text(cards, name=name, seed=seed)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    temp = path.with_suffix(".yaml.tmp")
    temp.write_text(text, encoding="utf-8")
    temp.replace(path)
    return path, made


def compact_deck_text(cards: int, *, name: str = "compact", seed: int = DEFAULT_SEED) -> str:
    """A deck of short one-language cards, about 250 bytes each: the kind of deck a user writes
    from their own notes, and the size the issue's "20k cards (≈5 MB)" implies."""
    rng = random.Random(seed)
    out = [f"deck: {name}", "title: {en: Compact benchmark deck}", "cards:"]
    for number in range(1, cards + 1):
        a, b = rng.sample(CONCEPTS, 2)
        points = rng.sample(POINTS, 3)
        lines = [
            f"  - id: {name}-{number:05d}",
            f"    question: {{en: Why {a[2]}?}}",
            f"    answer: {{en: Versus {b[2]}.}}",
            "    key_points:",
            *(f"      - {{en: {en}, terms: [{terms[-1]}]}}" for _, en, terms in points),
        ]
        out.append("\n".join(lines))
    return "\n".join(out) + "\n"


def write_compact_deck(folder: Path, cards: int, *, name: str = "compact") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(compact_deck_text(cards, name=name), encoding="utf-8")
    return path


def bundled_cards() -> list[SyntheticCard]:
    """The bundled decks' cards (a deck that does not load right now is skipped)."""
    from flashdl.core.errors import DeckError
    from flashdl.decks.loader import deck_files, load_deck
    from flashdl.paths import bundled_decks_dir

    found = []
    for path in deck_files([bundled_decks_dir()]):
        try:
            deck = load_deck(path)
        except DeckError:
            continue
        found += [SyntheticCard(c.id, deck.name, len(c.key_points)) for c in deck.cards]
    return found


# -- the store ----------------------------------------------------------------------------------

GRADES = (0, 1, 2, 3, 4, 5)
TYPED = [
    "我记得要点是梯度和收敛",
    "It normalizes activations and speeds up training",
    "不太确定，大概和过拟合有关",
    "Adds noise; an ensemble of sub-networks",
    "",
]


@dataclass
class StoreSummary:
    cards: int
    reviews: int
    modes: dict[str, int]
    undone: int
    suspended: int
    reset: int
    first_day: str
    last_day: str
    habits: Habits


def _stamp(day: date, seconds: int, ms: int) -> str:
    """An ISO time on ``day``; a session running past midnight stays at 23:59:59 (still in order)."""
    h, rest = divmod(min(seconds, 86_399), 3600)
    return f"{day.isoformat()}T{h:02d}:{rest // 60:02d}:{rest % 60:02d}.{ms:03d}{TZ_SUFFIX}"


@dataclass(frozen=True)
class Habits:
    """How the synthetic user studies: ``skill`` 0..1 (higher: fewer lapses and hard grades, so
    fewer reviews) and ``power`` (first reviews spread as ``span * U**power``; below 1 they lean
    to recent days). ``store_rows`` tunes them so the log has about the wanted number of rows."""

    skill: float = 0.5
    power: float = 1.0


def _grade(rng: random.Random, fail: float, skill: float) -> int:
    if rng.random() < fail:
        return rng.choice((0, 1, 1, 2, 2))
    return rng.choices((3, 4, 5), weights=(30 - 25 * skill, 45, 25 + 20 * skill))[0]


def _card_history(
    rng: random.Random, card: SyntheticCard, start: date, end: date, cap: int, habits: Habits
) -> list[list]:
    """One card's review rows (chronological) from its first review until ``end``."""
    from flashdl.core.scheduling import NEW_CARD
    from flashdl.core.sm2 import review
    from flashdl.store import state_to_json

    rows: list[list] = []
    skill = habits.skill
    fail = (1 - skill) * (0.04 + 0.3 * rng.random() ** 2) + 0.01  # this card, for this user
    state, state_json = NEW_CARD, state_to_json(NEW_CARD)
    span = (end - start).days
    day = start + timedelta(days=int(span * rng.random() ** habits.power))
    while day <= end and len(rows) < cap:
        seconds = rng.randint(7 * 3600, 23 * 3600 + 1800)
        grade = _grade(rng, fail, skill)
        after = review(state, grade, day)
        after_json = state_to_json(after)
        base = [card.id, card.deck]
        if rng.random() < 0.004:  # graded, then undone with `u` and graded again
            undone_at = _stamp(day, seconds + 5, rng.randrange(1000))
            rows.append(
                [
                    *base,
                    _stamp(day, seconds, rng.randrange(1000)),
                    day.isoformat(),
                    grade,
                    "study",
                    rng.randint(800, 30000),
                    state_json,
                    after_json,
                    None,
                    undone_at,
                    None,
                    None,
                ]
            )
            seconds += 6
            grade = _grade(rng, fail, skill)
            after = review(state, grade, day)
            after_json = state_to_json(after)
        rows.append(
            [
                *base,
                _stamp(day, seconds, rng.randrange(1000)),
                day.isoformat(),
                grade,
                "study",
                int(rng.lognormvariate(8.8, 0.7)),
                state_json,
                after_json,
                None,
                None,
                None,
                None,
            ]
        )
        state, state_json = after, after_json
        repeat = grade
        while repeat < 4 and rng.random() < 0.9:  # same-session repeats until a 4 or 5
            seconds += rng.randint(60, 900)
            repeat = rng.choices(GRADES, weights=(2, 4, 6, 30, 40, 18))[0]
            rows.append(
                [
                    *base,
                    _stamp(day, seconds, rng.randrange(1000)),
                    day.isoformat(),
                    repeat,
                    "repeat",
                    int(rng.lognormvariate(8.3, 0.6)),
                    state_json,
                    state_json,
                    None,
                    None,
                    None,
                    None,
                ]
            )
        late = rng.random()
        delay = 0 if late < 0.6 else rng.randint(1, 3) if late < 0.9 else rng.randint(4, 30)
        day = state.due + timedelta(days=delay)
    return rows


def _quiz_row(rng: random.Random, after: list, points: int) -> list:
    """A quiz answer a few hours after review row ``after``: it changes no state."""
    day = date.fromisoformat(after[3])
    seconds = min(int(after[2][11:13]) * 3600 + 3 * 3600, 23 * 3600 + 3599)
    missed = sorted(rng.sample(range(points), rng.randint(0, points)))
    coverage = round(1 - len(missed) / points, 2)
    grade = min(5, max(0, round(coverage * 5 + rng.uniform(-1, 1))))
    return [
        after[0],
        after[1],
        _stamp(day, seconds, rng.randrange(1000)),
        after[3],
        grade,
        "quiz",
        rng.randint(30_000, 240_000),
        after[8],
        after[8],
        rng.choice(TYPED),
        None,
        coverage,
        json.dumps(missed),
    ]


def _calibrate(
    cards: Sequence[SyntheticCard], start: date, end: date, cap: int, per_card: float, seed: int
) -> Habits:
    """Habits that give about ``per_card`` rows a card, found on a sample: first the user's
    skill, with first reviews spread evenly; only if that is not enough, more recent first
    reviews. Few rows then need trimming, so due dates stay realistic."""
    sample = cards[:: max(1, len(cards) // 2000)]

    def rows(habits: Habits) -> float:
        rng = random.Random(seed + 1)
        return sum(len(_card_history(rng, c, start, end, cap, habits)) for c in sample) / len(
            sample
        )

    def search(make, low: float, high: float, *, rows_rise: bool) -> Habits:
        """Bisect the knob between ``low`` and ``high`` (rows rise or fall as it rises)."""
        for _ in range(10):
            middle = (low + high) / 2
            if (rows(make(middle)) > per_card) == rows_rise:
                high = middle
            else:
                low = middle
        return make((low + high) / 2)

    if rows(Habits(skill=0.0)) <= per_card:
        return Habits(skill=0.0)
    if rows(Habits(skill=1.0)) <= per_card:
        return search(lambda k: Habits(skill=k), 0.0, 1.0, rows_rise=False)
    return search(lambda p: Habits(skill=1.0, power=p), 0.02, 1.0, rows_rise=True)


def store_rows(
    deck_cards: Sequence[SyntheticCard],
    *,
    cards: int,
    reviews: int,
    end: date,
    days: int = 730,
    seed: int = DEFAULT_SEED,
) -> tuple[list[tuple], list[list], StoreSummary]:
    """``card_state`` and ``reviews`` rows: ``cards`` cards (``deck_cards`` first, then cards of
    archived decks) and exactly ``reviews`` reviews between ``end - days`` and ``end``."""
    from flashdl.core.scheduling import NEW_CARD
    from flashdl.store import state_from_json

    rng = random.Random(seed)
    chosen = list(deck_cards[:cards])
    for number in range(cards - len(chosen)):
        chosen.append(SyntheticCard(f"old-{number:06d}", ARCHIVED_DECKS[number % 4], 4))
    start = end - timedelta(days=days)
    quiz_share = 0.05
    scheduled_budget = reviews - round(reviews * quiz_share)
    cap = max(2, math.ceil(4 * reviews / max(cards, 1)))
    habits = _calibrate(chosen, start, end, cap, scheduled_budget / max(cards, 1), seed)
    histories = [_card_history(rng, card, start, end, cap, habits) for card in chosen]
    total = sum(len(h) for h in histories)
    # Trim the newest rows of random cards down to the budget (people stop studying a deck).
    order = list(range(len(chosen)))
    rng.shuffle(order)
    position = 0
    while total > scheduled_budget:
        history = histories[order[position % len(order)]]
        position += 1
        drop = min(len(history) - 1, total - scheduled_budget, rng.randint(1, 6))
        if drop > 0:
            del history[-drop:]
            total -= drop
        if position > 50 * len(order):  # every card is down to one row
            for history in histories:
                drop = min(len(history), total - scheduled_budget)
                del history[len(history) - drop :]
                total -= drop
    # Quiz answers fill the log up to exactly ``reviews`` rows.
    with_rows = [i for i, h in enumerate(histories) if h]
    quizzes = []
    while with_rows and total + len(quizzes) < reviews:
        i = rng.choice(with_rows)
        row = rng.choice(histories[i])
        if row[10] is None:  # not an undone grade: its state_after is the card's state then
            quizzes.append(_quiz_row(rng, row, chosen[i].key_points))
    card_rows = []
    suspended = reset = 0
    for card, history in zip(chosen, histories, strict=True):
        kept = [r for r in history if r[10] is None]
        scheduling = [r for r in kept if r[5] == "study"]
        state = state_from_json(kept[-1][8]) if kept else NEW_CARD
        introduced = scheduling[0][3] if scheduling else None
        last = scheduling[-1][2] if scheduling else None
        roll = rng.random()
        is_suspended = int(roll < 0.005)
        reset_at = None
        if 0.005 <= roll < 0.007 and last is not None:  # reset: new again, the log stays
            reset_at = f"{last[:10]}T23:59:59.000{TZ_SUFFIX}"  # that evening
            state, introduced = NEW_CARD, None
            reset += 1
        suspended += is_suspended
        card_rows.append(
            (
                card.id,
                card.deck,
                state.repetitions,
                state.interval,
                state.easiness,
                state.due.isoformat() if state.due else None,
                state.lapses,
                introduced,
                last,
                is_suspended,
                reset_at,
            )
        )
    log = [row for history in histories for row in history] + quizzes
    log.sort(key=lambda row: row[2])
    modes: dict[str, int] = {}
    for row in log:
        modes[row[5]] = modes.get(row[5], 0) + 1
    summary = StoreSummary(
        cards=len(card_rows),
        reviews=len(log),
        modes=modes,
        undone=sum(1 for row in log if row[10] is not None),
        suspended=suspended,
        reset=reset,
        first_day=log[0][3] if log else "",
        last_day=log[-1][3] if log else "",
        habits=habits,
    )
    return card_rows, log, summary


def write_store(
    path: Path,
    deck_cards: Sequence[SyntheticCard],
    *,
    cards: int,
    reviews: int,
    end: date,
    days: int = 730,
    seed: int = DEFAULT_SEED,
) -> StoreSummary:
    """Write a flashdl database at ``path`` (replacing it) with the rows of ``store_rows``.

    ``Store.open`` creates and migrates it, so the schema is the real one. The rows go in with
    ``executemany`` in one transaction, with the indexes dropped and re-created from their own SQL.
    """
    from flashdl.store import Store

    card_rows, log, summary = store_rows(
        deck_cards, cards=cards, reviews=reviews, end=end, days=days, seed=seed
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    for leftover in (temp, temp.with_name(temp.name + "-wal"), temp.with_name(temp.name + "-shm")):
        leftover.unlink(missing_ok=True)
    Store.open(temp).close()
    conn = sqlite3.connect(str(temp), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")  # one big write: no WAL copy to checkpoint
        conn.execute("PRAGMA synchronous = OFF")
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('card_state', 'reviews')"
        ).fetchall()
        conn.execute("BEGIN")
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.executemany(
            "INSERT INTO card_state(card_id, deck, repetitions, interval, easiness, due, lapses,"
            " introduced_on, last_reviewed_at, suspended, reset_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            card_rows,
        )
        conn.executemany(
            "INSERT INTO reviews(card_id, deck, reviewed_at, day, grade, mode, answer_ms,"
            " state_before, state_after, typed, undone_at, coverage, missed)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            log,
        )
        for _name, sql in indexes:
            conn.execute(sql)
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = WAL")  # as flashdl keeps it
    finally:
        conn.close()
    Store.open(temp).close()  # still a database flashdl opens without migrating
    temp.replace(path)
    return summary


# -- command line -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=20_000, help="cards in the synthetic deck")
    parser.add_argument("--name", default=DECK_NAME, help="deck name (the file is NAME.yaml)")
    parser.add_argument("--store-cards", type=int, default=100_000, help="card_state rows")
    parser.add_argument("--reviews", type=int, default=1_000_000, help="review log rows")
    parser.add_argument("--days", type=int, default=730, help="days the review log spans")
    parser.add_argument(
        "--end",
        type=date.fromisoformat,
        default=date.today(),
        help="last day of the review log (default: today)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "benchmarks" / "out" / "data",
        help="folder for decks/NAME.yaml and store.db",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    deck_path, made = write_deck(args.out / "decks", args.cards, name=args.name, seed=args.seed)
    deck_seconds = time.perf_counter() - started
    size = deck_path.stat().st_size
    print(f"deck   {deck_path}: {len(made):,} cards, {size / 1e6:.1f} MB in {deck_seconds:.1f} s")
    started = time.perf_counter()
    summary = write_store(
        args.out / "store.db",
        bundled_cards() + made,
        cards=args.store_cards,
        reviews=args.reviews,
        end=args.end,
        days=args.days,
        seed=args.seed,
    )
    store_seconds = time.perf_counter() - started
    db_size = (args.out / "store.db").stat().st_size
    print(
        f"store  {args.out / 'store.db'}: {summary.cards:,} cards, {summary.reviews:,} reviews"
        f" ({', '.join(f'{k} {v:,}' for k, v in sorted(summary.modes.items()))};"
        f" {summary.undone:,} undone), {summary.first_day} to {summary.last_day}"
        f" (skill {summary.habits.skill:.2f}, power {summary.habits.power:.2f}),"
        f" {db_size / 1e6:.0f} MB in {store_seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
