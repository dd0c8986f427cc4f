"""The markdown-it bypass for simple answers must render exactly what markdown-it renders."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from flashdl.decks.loader import load_collection
from flashdl.exporters import html
from flashdl.exporters.plain_markdown import simple_html
from flashdl.exporters.text import clean, lift_formulas
from flashdl.paths import bundled_decks_dir

PARSER = html.html_parser()


def through_markdown_it(text: str) -> str:
    tokens = html.answer_tokens(text, PARSER)
    return PARSER.renderer.render(tokens, PARSER.options, {}).strip()


def simple(text: str) -> str | None:
    lifted, formulas = lift_formulas(clean(text).strip())
    return simple_html(lifted, html._inert_text, lambda n: html.mathjax(formulas[n]))


# Pieces an answer is made of, the Markdown that the bypass must refuse or get right included.
PIECES = [
    "核心", "梯度", "是", "的", "a", "Adam", "x1", "**", "*", "***", "- ", "-", "\n", "\n\n",
    " ", "  ", "：", "，", "。", "（", "）", "(", ")", "“", "”", "\"", "'", "1", "2. ", "1) ",
    "#", "# ", "$x$", "$$y^2$$", "$\\alpha$", "_", "`", "\u3000", "\u00a0", "!", "[", "]",
    "---", "===", "> ", "&", "&amp;", "<", ">", "|", "~", "~~", "\\", "\t", ":", "+ ", "=",
    "$", "€", "%", "@", "http://x.org", "\\href{x}", "    ", "\n- ", "\n\n- ", "\n**",
]  # fmt: skip
# ... and, so that many generated answers are ones it takes, those with no other Markdown.
TAKEN = [p for p in PIECES if not any(c in p for c in "\\`_[]<>&~|\t")]
answers = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=24), st.lists(st.sampled_from(TAKEN), max_size=24)
).map("".join)


@settings(max_examples=3000)
@given(answers)
@example("**核心**：梯度下降。\n公式：$x^2$。\n\n- 追问：与 Adam 的区别")
@example("是**重点**的")
@example("文**“引号”**文")
@example("- a\n- b\n\n- c")
@example("- a\nb")
@example("a\n- b")
@example("** a**")
def test_what_it_renders_is_what_markdown_it_renders(text):
    fast = simple(text)
    if fast is not None:
        assert fast == through_markdown_it(text)


def test_every_bundled_answer_it_takes_is_rendered_the_same_and_it_takes_most_simple_ones():
    taken = total = 0
    for deck in load_collection([bundled_decks_dir()]):
        for card in deck.cards:
            for text in (card.answer.zh, card.answer.en):
                total += 1
                fast = simple(text)
                if fast is not None:
                    taken += 1
                    assert fast == through_markdown_it(text), card.id
    assert total > 300 and taken > 0


def test_the_common_shapes_are_taken():
    for text in (
        "**核心**：梯度下降。\n公式：$x^2$。\n\n- 追问：与 Adam 的区别",
        "Plain words.\nA second line.\n\nA second paragraph with $\\beta$.",
        "Lead-in:\n- one\n- two **bold** here",
    ):
        assert simple(text) is not None and simple(text) == through_markdown_it(text)
    for text in ("`code`", "a_b_c", "[link](https://x.org)", "# title", "1. first", "a  \nb"):
        assert simple(text) is None
