"""Line breaking by UAX #14: Chinese and mixed text fill their lines, punctuation stays put,
formulas stay whole, and wrapping never loses or reorders text."""

from __future__ import annotations

import io
import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console, Group
from rich.table import Table

from flashdl.core.model import Card, Text
from flashdl.decks.loader import load_collection
from flashdl.paths import bundled_decks_dir
from flashdl.ui.linebreak import WrapText, line_starts, segments
from flashdl.ui.render import answer_view, markdown, plain, question_view
from tests.ui.wrapcheck import CLOSING, OPENING, bad_starts, early_ends, rendered_lines


@pytest.fixture(scope="module")
def bundled_cards() -> list[Card]:
    return [card for deck in load_collection([bundled_decks_dir()]) for card in deck.cards]


def card_lines(card: Card, lang: str, width: int = 80) -> list[str]:
    view = Group(
        question_view(card, lang=lang, deck_title="deck", done=0, left=1),
        answer_view(card, lang=lang),
    )
    return rendered_lines(view, width)


def test_bundled_cards_fill_their_lines_at_80_columns(bundled_cards):
    """Rich alone left 533 rows ending early and 25 starting with `，`/`、`/`：` (all in zh)."""
    early, starts = [], []
    for card in bundled_cards:
        for lang in ("zh", "en"):
            lines = card_lines(card, lang)
            early += [(card.id, lang, f) for f in early_ends(lines)]
            starts += [(card.id, lang, s) for s in bad_starts(lines)]
    assert early == []
    assert starts == []


def to_lines(renderable, width: int) -> list[str]:
    out = io.StringIO()
    # In a Group: Console.print joins bare Text objects into one plain Text first.
    Console(file=out, width=width, color_system=None).print(Group(renderable))
    return [line.rstrip() for line in out.getvalue().splitlines()]


def test_a_chinese_run_after_a_latin_word_fills_the_line():
    text = "我们使用 BatchNorm" + "把每一层的输入规范到相近的分布上" * 3
    lines = to_lines(WrapText(text), 40)
    assert all(cell_len(line) >= 38 for line in lines[:-1]), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("width", range(8, 41))
def test_closing_punctuation_never_starts_a_line_nor_opening_ends_one(width):
    text = "局部连接：每个输出只看输入的一个邻域，而全连接（包括「相邻」的像素）要把图像拉平、再连接。真的吗？是的！"
    for line in to_lines(WrapText(text), width):
        assert line[0] not in CLOSING and line[-1] not in OPENING, line


def test_formulas_stay_whole_in_plain_text_and_in_answers():
    formula = "1/(1+e⁻ᵏ⁽ᴾ⁻ᵀ⁾)"
    source = "近似二值图的公式是 $\\hat{B} = 1/(1+e^{-k(P-T)})$，其中 $k=50$，这样就可以微分了。"
    for width in range(20, 44):
        shown = to_lines(plain(Text(zh=source), "zh"), width)
        assert any(formula in line for line in shown), (width, shown)
        answer = to_lines(markdown(source), width)
        assert any(formula in line for line in answer), (width, answer)


def test_a_formula_longer_than_a_line_is_folded():
    lines = to_lines(plain(Text(en="$" + "x" * 30 + "$"), "en"), 12)
    assert lines == ["x" * 12, "x" * 12, "x" * 6]


def test_markdown_lists_keep_their_indentation():
    source = "- **局部连接**：" + "每个输出只看输入的一个邻域，" * 6
    lines = [line for line in to_lines(markdown(source), 40) if line]
    assert lines[0].startswith(" • 局部连接：")
    assert all(line.startswith("   ") and line[3] != " " for line in lines[1:])
    assert all(cell_len(line) >= 37 for line in lines[:-1]), lines  # 40 less one `域，`


def test_tables_wrap_chinese_cells_instead_of_cutting_them():
    """Rich measured the run as one word of 72 cells and cut it to `感受野是什么？ …`."""
    question = "感受野是什么？怎么计算？" * 3
    assert WrapText(question).__rich_measure__(Console(), Console().options).minimum == 4
    table = Table("card", "question", width=40)
    table.add_row("cnn-receptive-field", WrapText(question))
    lines = to_lines(table, 40)
    assert all(cell_len(line) <= 40 for line in lines)
    shown = "".join(line.split("│")[2].strip() for line in lines[3:-1])
    assert shown == question


def test_key_points_render_their_formulas(bundled_cards):
    card = next(c for c in bundled_cards if c.id == "cnn-receptive-field")
    for lang in ("zh", "en"):
        shown = "\n".join(to_lines(answer_view(card, lang=lang), 120))
        assert "rₗ = rₗ₋₁ + (kₗ - 1)" in shown
        assert "r_{l-1}" not in shown


RAW_LATEX = re.compile(r"_\{|\^|\\[A-Za-z]+")


def test_bundled_key_points_write_latex_only_inside_formulas(bundled_cards):
    raw = [
        (card.id, text)
        for card in bundled_cards
        for point in card.key_points
        for text in point.text.parts("both")
        if RAW_LATEX.search(re.sub(r"\$[^$]*\$", "", text))
    ]
    assert raw == []


ALPHABET = st.sampled_from(
    list("中文的一是在不了有和人这") + list("，。、：；！？）」』》…（「『《") + list("abcxyz019")
    + list(" -/()+=.,;:!?'\"") + ["——", "  ", "\t", "é", "ₗ", "\u0302", "𝔼", "😀"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=80).map("".join), st.integers(2, 50))
def test_wrapping_keeps_every_character_in_order_and_within_the_width(text, width):
    text = text.expandtabs(8)
    starts = line_starts(text, width)
    assert starts == sorted(set(starts)) and all(0 < s < len(text) for s in starts)
    bounds = [0, *starts, len(text)]
    lines = [text[a:b] for a, b in itertools.pairwise(bounds)]
    assert "".join(lines) == text
    pieces = segments(text)
    for line in lines:
        wide = cell_len(line.rstrip()) > width  # only one character wider than the line may be
        assert not wide or len([c for c in line.rstrip() if cell_len(c)]) == 1, (line, width)
    rendered = WrapText(text).wrap(Console(width=200), width)
    joined = "".join(line.plain for line in rendered)
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", text)
    assert pieces == [] or "".join(pieces) == text


def test_stats_wraps_chinese_questions_and_shows_key_point_formulas():
    from datetime import date

    from flashdl.app.stats import DeckStats, Stats
    from flashdl.ui.render import stats_view

    question = "感受野是什么？怎么计算？每一层的感受野如何递推？" * 2
    stats = Stats(
        today=date(2026, 1, 5),
        days=7,
        decks=[DeckStats("cnn", "卷积模型")],
        total=DeckStats("total", ""),
        streak=0,
        forecast=[(date(2026, 1, 5 + i), 0) for i in range(7)],
        activity={},
        quiz_coverage=[],
        hardest=[
            {"card_id": "cnn-receptive-field", "easiness": 1.3, "lapses": 2, "question": question}
        ],
        missed_key_points=[
            {
                "card_id": "cnn-receptive-field",
                "missed": 3,
                "zh": "递推公式 $r_l = r_{l-1} + (k_l - 1)$",
                "en": "",
            }
        ],
    )
    lines = to_lines(stats_view(stats), 80)
    shown = "\n".join(lines)
    assert "rₗ = rₗ₋₁ + (kₗ - 1)" in shown and "r_{l-1}" not in shown
    cells = [line.split("│")[4].strip() for line in lines if line.count("│") == 5]
    assert question in "".join(cells)  # wrapped, not cut to `感受野是什么？ …`
