"""A small valid deck as YAML text, for tests to start from and break."""

VALID = """\
deck: demo
title: {zh: 演示, en: Demo}
cards:
  - id: demo-one
    question: {zh: 什么是梯度消失？, en: What is a vanishing gradient?}
    answer:
      zh: |
        反向传播时梯度逐层相乘而变得很小，浅层几乎学不到东西。公式：$\\frac{\\partial L}{\\partial x}$。
      en: |
        Gradients shrink as they are multiplied layer by layer. Formula: $\\frac{\\partial L}{\\partial x}$.
    key_points:
      - {zh: 连乘导致梯度变小, en: repeated products shrink gradients, terms: [连乘, product]}
      - {zh: 浅层学不动, en: early layers stop learning, terms: [浅层, early layers]}
      - {zh: 用 ReLU 和残差缓解, en: ReLU and residuals help, terms: [ReLU, residual, 残差]}
    source: https://example.com/vanishing
    tags: [training]
    related: [demo-two]
  - id: demo-two
    question: {zh: 什么是梯度爆炸？, en: What is an exploding gradient?}
    answer: {zh: 梯度逐层放大。, en: Gradients grow layer by layer.}
    key_points:
      - {zh: 连乘放大, en: products grow, terms: [放大, grow]}
      - {zh: 梯度裁剪, en: gradient clipping, terms: [裁剪, clipping]}
      - {zh: 合适的初始化, en: careful initialization, terms: [初始化, initialization]}
    source: https://example.com/exploding
"""

# VALID with a corrected question (the original has a typo) and a page that moved.
MOVED = VALID.replace(
    "    source: https://example.com/vanishing\n",
    "    corrected_question: {zh: 什么是梯度消失?}\n"
    "    source: https://example.com/vanishing\n"
    "    current_source: https://example.com/new/vanishing\n",
).replace("什么是梯度消失？, en:", "什么是剃度消失？, en:")
