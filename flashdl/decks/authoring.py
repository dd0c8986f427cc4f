"""Helping users write their own decks: the deck JSON Schema and the starter deck of ``new-deck``.

The schema (``deck.schema.json``, shipped inside the package) describes the same structure that
``flashdl.decks`` checks, for editors with a YAML language server; tests keep the two in step.
"""

from __future__ import annotations

from pathlib import Path

from flashdl.core.errors import UsageError

SCHEMA_FILE = Path(__file__).with_name("deck.schema.json")
SCHEMA_COPY = "deck.schema.json"  # written beside new decks, so the modeline below finds it
DECK_NAME_RULE = "lowercase letters, digits, '-' and '_', starting with a letter or digit (max 50)"


def schema_text() -> str:
    """The deck format's JSON Schema (draft 2020-12)."""
    return SCHEMA_FILE.read_text(encoding="utf-8")


def check_deck_name(name: str) -> None:
    from flashdl.decks.loader import DECK_NAME_PATTERN

    if not DECK_NAME_PATTERN.match(name):
        raise UsageError(f"'{name[:60]}' is not a deck name: use {DECK_NAME_RULE}")


def starter_deck(name: str) -> str:
    """A commented deck that passes ``flashdl check``, to copy and edit."""
    check_deck_name(name)
    return f"""\
# yaml-language-server: $schema={SCHEMA_COPY}
# A flashdl deck. Check it with `flashdl check`; study it with `flashdl study --deck {name}`.
# The line above lets editors with a YAML language server (e.g. VS Code's YAML extension)
# complete and check this file against {SCHEMA_COPY} beside it (`flashdl schema` prints it).

deck: {name}                         # must equal the file name without .yaml
format: 2                            # deck format 2: weights, term groups and pitfalls
title: {{zh: 我的卡片, en: My cards}}    # zh, en or both; the other is used when one is missing
cards:
  - id: {name}-dropout               # unique across ALL decks and never reused: progress hangs on it
    question:
      zh: Dropout 为什么能缓解过拟合？
      en: Why does dropout reduce overfitting?
    answer:                          # Markdown; formulas in LaTeX between $...$ or $$...$$
      zh: |
        训练时以概率 $p$ 随机把神经元置零，相当于训练许多共享权重的子网络并在测试时取平均；
        神经元不能依赖特定的同伴，学到的特征更鲁棒。测试时不丢弃，按 $1-p$ 缩放（或训练时用
        inverted dropout 除以 $1-p$）。
      en: |
        During training each unit is zeroed with probability $p$, which trains many weight-sharing
        sub-networks and averages them at test time; units cannot rely on particular partners, so
        features become more robust. At test time nothing is dropped and activations are scaled by
        $1-p$ (or, with inverted dropout, training divides by $1-p$).
    key_points:                      # 3 to 6 points an interviewer listens for
      - zh: 随机丢弃神经元，近似集成许多子网络
        en: Randomly drops units; approximates an ensemble of sub-networks
        weight: 3                    # 1 (default) to 3: the core idea counts most
        terms:                       # any one shows the point was made (see docs/grading.md)
          - 子网络
          - {{all: [共享权重, 平均]}}      # a group: all parts in one sentence of the answer
          - sub-network
          - ensemble
      - zh: 打破神经元之间的共适应
        en: Breaks co-adaptation between units
        terms: [不能依赖特定的同伴, cannot rely on particular partners, co-adaptation]
      - zh: 测试时不丢弃，需要按保留概率缩放
        en: No dropping at test time; activations are rescaled
        terms: [{{all: [测试时, 缩放]}}, {{all: [test time, scaled]}}, inverted dropout]
    pitfalls:                        # optional: classic wrong claims, shown with the correction
      - zh: 测试时不做 dropout，而是按保留概率缩放
        en: Dropout is not applied at test time; activations are rescaled instead
        terms: [{{all: [测试时, 也随机丢弃]}}, {{all: [test time, also drop]}}]
    source: https://jmlr.org/papers/v15/srivastava14a.html   # optional, http(s) only
    tags: [regularization]           # optional: letters, digits, '_', '.', '-'
    related: [{name}-weight-decay]     # optional: ids of overlapping cards

  - id: {name}-weight-decay
    question: {{zh: 权重衰减和 L2 正则有什么关系？, en: How does weight decay relate to L2 regularization?}}
    answer:
      en: |
        For plain SGD they are the same: adding $\\frac{{\\lambda}}{{2}}\\lVert w\\rVert^2$ to the loss
        shrinks each weight by $\\eta\\lambda w$ per step. With adaptive optimizers such as Adam
        they differ, which is why AdamW applies the decay directly to the weights.
    key_points:
      - {{en: Identical for plain SGD, terms: [SGD, same, 等价]}}
      - {{en: Different under Adam; AdamW decouples the decay, terms: [AdamW, decoupled, 解耦]}}
      - {{en: Both shrink weights toward zero, terms: [shrink, 收缩]}}
    related: [{name}-dropout]
"""


def create_deck(folder: Path, name: str) -> Path:
    """Write ``<folder>/<name>.yaml`` (never over an existing file) and the schema beside it."""
    from flashdl.files import write_atomic

    text = starter_deck(name)
    target = folder / f"{name}.yaml"
    if target.exists():
        raise UsageError(f"{target} already exists; edit it, or choose another name")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the decks folder {folder}: {exc.strerror}") from None
    write_atomic(target, text)
    write_atomic(folder / SCHEMA_COPY, schema_text(), force=True)
    return target
