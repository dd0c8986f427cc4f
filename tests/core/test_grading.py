"""Key-point matching for typed quiz answers, in Chinese and English."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flashdl.core.grading import coverage, covers, normalize, suggested_grade
from flashdl.core.model import KeyPoint, Text

POINTS = (
    KeyPoint(Text("梯度消失", "vanishing"), ("梯度消失", "vanishing gradient")),
    KeyPoint(Text("残差连接", "residual"), ("残差", "residual", "skip connection")),
    KeyPoint(Text("ReLU", "ReLU"), ("ReLU",)),
    KeyPoint(Text("初始化", "init"), ("初始化", "initialization")),
)


@pytest.mark.parametrize(
    ("typed", "point", "hit"),
    [
        ("深层网络会出现梯度消失的问题", 0, True),
        ("the Vanishing-Gradient problem", 0, True),
        ("VANISHING GRADIENT", 0, True),
        ("ｒｅｌｕ 激活", 2, True),  # full-width letters
        ("用 Re LU", 2, True),  # spaces removed
        ("梯度，消失", 0, True),  # Chinese punctuation removed
        ("skip-connections help", 1, True),
        ("exploding gradients", 0, False),
        ("", 3, False),
    ],
)
def test_covers(typed, point, hit):
    assert covers(typed, POINTS[point]) is hit


def test_coverage_and_suggested_grade():
    result = coverage("ResNet 用残差连接缓解 vanishing gradient", POINTS)
    assert result.covered == (True, True, False, False)
    assert result.count == 2 and result.share == 0.5 and result.missed == (2, 3)
    assert suggested_grade(result) == 3
    assert suggested_grade(coverage("", POINTS)) == 0
    assert suggested_grade(coverage("ReLU", POINTS)) == 1
    assert suggested_grade(coverage("梯度消失 残差 ReLU 初始化", POINTS)) == 5


def test_normalize():
    assert normalize("Ｂａｔｃｈ  Norm，好！") == "batchnorm好"


@given(st.text(max_size=100))
def test_grade_is_monotone_in_coverage(text):
    result = coverage(text, POINTS)
    grade = suggested_grade(result)
    assert 0 <= grade <= 5
    assert (grade == 0) == (result.count == 0)
