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
  - id: {name}-loss-scaling          # unique across ALL decks and never reused: progress hangs on it
    question:
      zh: 混合精度训练为什么要做 loss scaling？
      en: Why does mixed-precision training need loss scaling?
    answer:                          # Markdown; formulas in LaTeX between $...$ or $$...$$
      zh: |
        FP16 的指数位少，能表示的最小正数（次正规数）约为 $6\\times10^{{-8}}$，很多很小的梯度在
        FP16 里会下溢成 0。做法：反向传播前把 loss 乘以缩放因子 $S$，梯度随之放大 $S$ 倍、不再下溢；
        更新前把梯度除以 $S$，再用 FP32 的主权重更新。动态缩放在出现 inf 或 NaN 时跳过这一步并减小
        $S$，连续一段时间没有溢出再增大它。BF16 的指数范围和 FP32 相同，通常不需要这一步。
      en: |
        FP16 has few exponent bits: its smallest positive (subnormal) value is about
        $6\\times10^{{-8}}$, so many small gradients underflow to zero. Multiply the loss by a scale
        factor $S$ before backpropagation, so that every gradient is $S$ times larger and no longer
        underflows; divide the gradients by $S$ before the update, which is applied to FP32 master
        weights. Dynamic scaling skips the step and lowers $S$ when an inf or NaN appears, and
        raises it again after a run of clean steps. BF16 has the exponent range of FP32 and
        usually does without it.
    key_points:                      # 3 to 6 points an interviewer listens for
      - zh: FP16 范围小，小梯度会下溢成 0
        en: FP16's range is small, so small gradients underflow to zero
        weight: 3                    # 1 (default) to 3: the core idea counts most
        terms:                       # any one shows the point was made (see docs/grading.md)
          - {{all: [梯度, 下溢]}}        # a group: all parts in one sentence of the answer
          - {{all: [gradients, underflow]}}
          - {{all: [FP16, 小梯度]}}
      - zh: loss 先乘以缩放因子，更新前梯度再除回去
        en: The loss is multiplied by a factor, the gradients divided by it before the update
        weight: 2
        terms: [{{all: [loss, 乘以, 缩放因子]}}, {{all: [multiply, loss, scale factor]}}, {{all: [更新前, 梯度, 除以]}}]
      - zh: 动态缩放：溢出时减小因子并跳过这一步
        en: "Dynamic scaling: on overflow, lower the factor and skip the step"
        terms: [{{all: [溢出, 减小]}}, {{all: [inf, 跳过]}}, {{all: [skips, lowers]}}, {{all: [overflow, lower]}}]
      - zh: 用 FP32 主权重做更新
        en: The update is applied to FP32 master weights
        terms: [{{all: [FP32, 主权重]}}, master weights]
    pitfalls:                        # optional: classic wrong claims, shown with the correction
      - zh: BF16 的指数范围和 FP32 相同，通常不需要 loss scaling
        en: BF16 has FP32's exponent range and usually needs no loss scaling
        terms: [{{all: [BF16, 也需要]}}, {{all: [BF16, also requires]}}]
    source: https://arxiv.org/abs/1710.03740   # optional, http(s) only
    tags: [training, precision]      # optional: letters, digits, '_', '.', '-'
    related: [{name}-gradient-checkpointing]   # optional: ids of overlapping cards (any deck)

  - id: {name}-gradient-checkpointing
    question: {{zh: 梯度检查点（gradient checkpointing）用什么换什么？, en: What does gradient checkpointing trade for what?}}
    answer:
      en: |
        It trades compute for memory: the forward pass keeps only some activations (the
        checkpoints) and recomputes the others from the nearest checkpoint during the backward
        pass. With a checkpoint every $\\sqrt{{n}}$ layers, activation memory drops from $O(n)$ to
        $O(\\sqrt{{n}})$ for about one extra forward pass.
    key_points:
      - {{en: Keeps some activations and recomputes the rest in the backward pass, terms: [recomputes, 重计算, 重新计算]}}
      - {{en: Saves memory at the cost of extra compute, terms: [{{all: [compute, memory]}}, {{all: [显存, 计算]}}]}}
      - {{en: About one extra forward pass, terms: [extra forward pass, 多一次前向]}}
    related: [{name}-loss-scaling]
"""


def create_deck(folder: Path, name: str) -> Path:
    """Write ``<folder>/<name>.yaml`` (never over an existing file) and the schema beside it."""
    from flashdl.files import replace_own, write_atomic

    text = starter_deck(name)
    target = folder / f"{name}.yaml"
    if target.exists():
        raise UsageError(f"{target} already exists; edit it, or choose another name")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create the decks folder {folder}: {exc.strerror}") from None
    write_atomic(target, text)
    replace_own(folder / SCHEMA_COPY, schema_text())  # (ours: a link there is replaced)
    return target
