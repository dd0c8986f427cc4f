"""The deck lint: each rule on a small deck, and how `flashdl check` reports it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flashdl.cli import Env, app
from flashdl.core.glossary import Glossary
from flashdl.decks.lint import lint_decks, term_problem
from flashdl.decks.loader import parse_deck

CLEAN = """\
deck: conv
format: 2
title: {en: Convolution}
cards:
  - id: conv-weight-sharing
    question: {zh: 卷积为什么比全连接参数少？, en: Why does a convolution need fewer weights than a dense layer?}
    answer:
      zh: 同一个卷积核在整张图上滑动，所有位置共用一组权重，这就是权重共享。每个输出只连接输入的一个小邻域，也就是局部连接。因此参数量只取决于卷积核大小和通道数，与图像分辨率无关。
      en: One kernel slides over the whole image and every position reuses its weights, which is weight sharing. Each output looks at a small neighbourhood only, which is local connectivity. So the parameter count depends on the kernel size and the channels and is independent of the image resolution.
    key_points:
      - zh: 权重共享
        en: Weight sharing
        weight: 3
        terms: [权重共享, weight sharing, {all: [共用, 权重]}]
      - zh: 局部连接
        en: Local connectivity
        terms: [局部连接, local connectivity]
      - zh: 参数量与分辨率无关
        en: Parameters independent of the resolution
        terms: [{all: [分辨率, 无关]}, {all: [resolution, independent]}]
    pitfalls:
      - zh: 卷积并不天然具有旋转不变性
        en: Convolution is not rotation invariant by itself
        terms: [旋转不变性, rotation invariant]
  - id: conv-pooling
    question: {zh: 池化层有什么作用？, en: What does a pooling layer do?}
    answer:
      zh: 池化在一个窗口里取最大值或平均值来做下采样，特征图变小，计算量随之下降；小的平移不改变窗口里的最大值，因此带来一定的平移不变性。
      en: Pooling downsamples by taking the maximum or the mean of a window, so the feature map shrinks and so does the compute; a small shift does not change the maximum of a window, which gives some translation invariance.
    key_points:
      - {zh: 下采样, en: Downsampling, weight: 3, terms: [下采样, downsampl]}
      - {zh: 计算量下降, en: Less compute, terms: [计算量, compute]}
      - {zh: 平移不变性, en: Translation invariance, terms: [平移不变性, translation invariance]}
"""


def lint(text: str, glossary: Glossary | None = None):
    deck = parse_deck(text, "decks/conv.yaml", expected_name="conv")
    return lint_decks([deck], glossary or Glossary())


def messages(text: str) -> list[str]:
    return [f.formatted() for f in lint(text).findings]


def test_a_clean_deck_has_no_findings():
    assert messages(CLEAN) == []


@pytest.mark.parametrize(
    ("term", "problem"),
    [
        ("BN", "fewer than 3 Latin characters"),
        ("k-1", "fewer than 3 Latin characters"),
        ("0.25", "pure number"),
        ("255", "pure number"),
        ("3x3", None),
        ("ReLU", None),
        ("残差", None),
        ("L2正则", None),
    ],
)
def test_short_and_numeric_terms(term, problem):
    found = term_problem(term)
    assert (found is None) if problem is None else (problem in found)


def test_rule_1_short_terms_are_reported_with_their_line():
    found = messages(
        CLEAN.replace("terms: [局部连接, local connectivity]", "terms: [局部连接, FC, 1792]")
    )
    assert any(m.startswith("decks/conv.yaml:15: card 'conv-weight-sharing': key point #2: term 'FC'")
               for m in found), found  # fmt: skip
    assert any("term '1792' is a pure number" in m for m in found)


def test_rule_2_a_term_from_the_question():
    found = messages(CLEAN.replace("terms: [计算量, compute]", "terms: [计算量, pooling layer]"))
    assert any("key point #2: term 'pooling layer' occurs in the card's own question" in m
               for m in found), found  # fmt: skip
    # A group whose parts are not all in one sentence of the question is fine.
    assert (
        messages(
            CLEAN.replace(
                "terms: [计算量, compute]", "terms: [计算量, compute, {all: [pooling, cheaper]}]"
            )
        )
        == []
    )


def test_rule_3_a_reference_answer_that_misses_a_point_or_would_not_get_5():
    found = messages(CLEAN.replace("terms: [计算量, compute]", "terms: [计算量, FLOPs count]"))
    assert any("the en reference answer misses key point #2 (Less compute)" in m for m in found)
    listed = CLEAN.replace(
        "so the feature map shrinks and so does the compute; a small shift does not change the"
        " maximum of a window, which gives some translation invariance.",
        "so the feature map shrinks. It saves memory, compute, translation invariance, robustness.",
    )
    found = messages(listed)
    assert any("the en reference answer would get a suggested grade of 4, not 5; key points 2, 3"
               " are only listed" in m for m in found), found  # fmt: skip


def test_rule_4_a_reference_answer_that_makes_a_pitfalls_claim():
    found = messages(CLEAN.replace("terms: [旋转不变性, rotation invariant]", "terms: [权重共享]"))
    assert any("the zh reference answer makes the claim of pitfall #1" in m for m in found), found


def test_rule_5_another_cards_answer_covers_the_points():
    generic = CLEAN.replace(
        "terms: [平移不变性, translation invariance]",
        "terms: [平移不变性, translation invariance, 权重]",
    ).replace("terms: [计算量, compute]", "terms: [计算量, compute, 卷积核]")
    found = messages(generic)
    assert not any(": card 'conv-weight-sharing':" in m for m in found)
    assert any(
        "card 'conv-pooling': 40% of its key points (by weight) are covered by the reference answer"
        " of card 'conv-weight-sharing'" in m
        for m in found
    ), found


def test_rule_5_spares_cards_that_declare_each_other_related():
    generic = CLEAN.replace(
        "terms: [平移不变性, translation invariance]",
        "terms: [平移不变性, translation invariance, 权重]",
    ).replace("terms: [计算量, compute]", "terms: [计算量, compute, 卷积核]")
    # Either side declaring the link is enough: an interviewer asks both questions.
    on_the_card = generic.replace(
        "    question: {zh: 池化层有什么作用？",
        "    related: [conv-weight-sharing]\n    question: {zh: 池化层有什么作用？",
    )
    on_the_other = generic.replace(
        "    question: {zh: 卷积为什么比全连接参数少？",
        "    related: [conv-pooling]\n    question: {zh: 卷积为什么比全连接参数少？",
    )
    for text in (on_the_card, on_the_other):
        assert not any("are covered by the reference answer" in m for m in messages(text))


def test_rule_5_still_compares_a_related_card_with_every_unrelated_one():
    third = """\
  - id: conv-kernels
    question: {zh: 卷积核是什么？, en: What is a kernel?}
    answer:
      zh: 卷积核是一组权重，在特征图上滑动做加权求和。
      en: A kernel is a small set of weights slid over the feature map to take weighted sums.
    key_points:
      - {zh: 一组权重, en: A set of weights, weight: 3, terms: [一组权重, set of weights]}
      - {zh: 滑动求和, en: Sliding sums, terms: [滑动, slid]}
      - {zh: 加权求和, en: Weighted sums, terms: [加权求和, weighted sums]}
"""
    generic = CLEAN.replace(
        "terms: [平移不变性, translation invariance]",
        "terms: [平移不变性, translation invariance, 权重]",
    ).replace("terms: [计算量, compute]", "terms: [计算量, compute, 卷积核]")
    text = (
        generic.replace(
            "    question: {zh: 池化层有什么作用？",
            "    related: [conv-weight-sharing]\n    question: {zh: 池化层有什么作用？",
        )
        + third
    )
    found = messages(text)
    assert any(
        "card 'conv-pooling':" in m and "reference answer of card 'conv-kernels'" in m
        for m in found
    ), found


def test_rule_2_glossary_spellings_that_are_the_question_are_left_out():
    glossary = Glossary.of([["下采样", "pooling layer"]])
    found = [f.formatted() for f in lint(CLEAN, glossary).findings]
    # The term 下采样 would match the pooling card's own question through the glossary, but
    # the grader leaves that spelling out for the card, so the lint has nothing to report ...
    assert not any("occurs in the card's own question" in m for m in found), found
    # ... while the card's own spelling in the question is still reported.
    found = messages(CLEAN.replace("terms: [下采样, downsampl]", "terms: [下采样, pooling layer]"))
    assert any("term 'pooling layer' occurs in the card's own question" in m for m in found)


def test_the_grader_rules_are_skipped_for_very_many_cards():
    deck = parse_deck(
        CLEAN.replace("terms: [计算量, compute]", "terms: [计算量, FLOPs count]"), "x"
    )
    report = lint_decks([deck], Glossary(), max_graded_cards=1)
    assert report.findings == [] and "skipped" in report.skipped


def test_the_lint_is_skipped_for_very_much_text():
    """A few cards with huge answers took seconds and about 160 bytes of memory a character
    (a 6 MB answer: 12 s, 956 MB); the lint has a text cap beside its card cap."""
    deck = parse_deck(CLEAN, "x")
    size = sum(
        len(t.zh or "") + len(t.en or "") for c in deck.cards for t in (c.question, c.answer)
    )
    report = lint_decks([deck], Glossary(), max_text=size - 1)
    assert report.findings == [] and report.skipped.startswith("the lint was skipped: the cards")
    report = lint_decks([deck], Glossary(), compare_with=[deck], max_text=size)
    assert "skipped" not in report.skipped
    bigger = parse_deck(CLEAN.replace("deck: ", "deck: z", 1), "y")
    report = lint_decks([deck], Glossary(), compare_with=[bigger], max_text=size)
    assert report.skipped.startswith("the reference-answer rules of the lint were skipped: the")


def test_check_of_a_deck_with_a_huge_answer_is_quick(tmp_path):
    import re
    import subprocess
    import sys

    text = CLEAN.replace(
        "      zh: 同一个卷积核", "      zh: " + "a " * 1_000_000 + "同一个卷积核", 1
    )
    assert len(text) > 2_000_000
    path = tmp_path / "huge.yaml"
    path.write_text(re.sub(r"^deck: .*$", "deck: huge", text, count=1, flags=re.M))
    env = {**os.environ, "FLASHDL_HOME": str(tmp_path / "home")}
    # The peak memory of the command alone: Linux carries a process's peak over fork and exec, so
    # the command is started by a small process of its own, as benchmarks/run.py times them.
    timer = (
        "import os, sys; pid = os.posix_spawn(sys.executable, [sys.executable, '-m', 'flashdl',"
        " 'check', sys.argv[1]], os.environ); _, status, usage = os.wait4(pid, 0);"
        " open(sys.argv[2], 'w').write(f'{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}')"
    )
    result = tmp_path / "result"
    done = subprocess.run(
        [sys.executable, "-c", timer, str(path), str(result)], capture_output=True, text=True,
        env=env, timeout=120,
    )  # fmt: skip
    code, peak_kib = map(int, result.read_text().split())
    assert code == 0, done.stderr
    assert "the lint was skipped: the cards hold" in done.stderr
    assert peak_kib < 250_000, peak_kib  # (the old lint: about 330 MB here)


# -- flashdl check ------------------------------------------------------------------------------


def check(*args: str, home_decks: Path | None = None):
    return CliRunner().invoke(
        app, ["check", *args], obj=Env(environ=dict(os.environ)), catch_exceptions=False
    )


def test_check_warns_about_a_user_deck_and_still_passes(tmp_path: Path):
    path = tmp_path / "conv.yaml"
    path.write_text(CLEAN.replace("terms: [计算量, compute]", "terms: [计算量, FLOPs count]"))
    result = check(str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "ok: 1 deck, 2 cards"
    assert (
        ": warning: card 'conv-pooling': the en reference answer misses key point #2"
        in result.stderr
    )
    assert "flashdl: 1 lint warning: quiz may grade these cards poorly" in result.stderr


def test_check_fails_a_bundled_deck_of_format_2_with_lint_problems(tmp_path: Path, monkeypatch):
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    (bundled / "conv.yaml").write_text(
        CLEAN.replace("terms: [计算量, compute]", "terms: [计算量, FLOPs count]"), encoding="utf-8"
    )
    monkeypatch.setattr("flashdl.paths.bundled_decks_dir", lambda: bundled)
    result = check()
    assert result.exit_code == 1
    assert "card 'conv-pooling': the en reference answer misses key point #2" in result.stderr
    assert "warning" not in result.stderr
    assert result.stderr.strip().endswith("flashdl: 1 problem in deck files")
    # A bundled deck of format 1 predates the lint: it is not linted.
    (bundled / "conv.yaml").write_text(
        CLEAN.replace("format: 2\n", "").replace(
            "terms: [计算量, compute]", "terms: [计算量, FLOPs count]"
        ),
        encoding="utf-8",
    )
    result = check()
    assert result.exit_code == 0 and result.stderr == "", result.output
