"""The Markdown cheat sheet: output that no Markdown renderer turns into HTML or a script link
(issue 11, item 2), checked by rendering it with raw HTML on and no link filter."""

from __future__ import annotations

import dataclasses

import pytest
from decktext import VALID
from exportcheck import active_html as active_html_of
from exportcheck import active_in_markdown, raw_html_in_markdown, rendered_markdown
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from flashdl import exporters as export
from flashdl.core.model import Text
from flashdl.decks.loader import parse_deck
from flashdl.exporters.markdown import answer_markdown, plain

# The bypasses of issue 11 and their kin: each must come out as text.
BYPASSES = {
    "escaped backticks": r"\`<img src=x onerror=alert(1)>\`",
    "inline tildes": "a ~~~<script>alert(1)</script>~~~ b",
    "inline backtick fence": "a ```<script>alert(1)</script>``` b",
    "javascript link": "[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1))",
    "file link": "[x](file:///etc/passwd) <file:///etc/passwd>",
    "data and vbscript links": "[x](data:text/html,<script>alert(1)</script>) [y](vbscript:x)",
    "protocol-relative link": "[x](//evil.example/)",
    "reference to a script": "[x]\n\n[x]: javascript:alert(1)",
    "autolink to a script": "<javascript:alert(1)>",
    "raw HTML": "<img src=x onerror=alert(1)> <svg onload=alert(1)> <iframe src=x>",
    "raw HTML block": "<script>\nalert(1)\n</script>",
    "HTML comment": "<!-- <script>alert(1)</script> -->",
    "entities": "&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;",
    "formula holding HTML": "$<img src=x onerror=alert(1)>$ and $$<script>alert(1)</script>$$",
    "formula holding a link": "$[x](javascript:alert(1))$",
    "formula with backticks": "$`<img src=x onerror=alert(1)>`$",
    "code with HTML": "`<script>alert(1)</script>` ``a ` <b onclick=x>``",
    "fence with HTML": "```{=html}\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n```",
    "list item starting with code": "- ```\n  <script>alert(1)</script>\n  ```",
    "code after a list": "- a\n\n```\n<script>alert(1)</script>\n```",
    "attribute lists": "*x*{: onclick=alert(1)} `<b>`{=html}\n\n{: onclick=alert(1)}",
    "fenced div": "::: {onclick=alert(1)}\nx\n:::",
    "link title": '[x](https://example.org/ "t\\" onclick=\\"alert(1)") [y](https://e.org/ \'a"b\')',
    "formula in a link": '[y](https://example.org/ "$t" onclick="alert(2)$")',
    "table": "| <b>x</b> | `<i>` |\n| --- | --- |\n| $a|b<c>$ | [x](javascript:y) |",
    "heading": "# <script>alert(1)</script> #",
    "quote": "> <iframe src=javascript:alert(1)>",
}


@pytest.mark.parametrize("text", BYPASSES.values(), ids=BYPASSES.keys())
def test_answers_cannot_become_html_in_any_renderer(text):
    out = answer_markdown(text)
    assert raw_html_in_markdown(out) == [], out
    assert active_in_markdown(out) == [], out


@pytest.mark.parametrize("text", BYPASSES.values(), ids=BYPASSES.keys())
def test_plain_text_cannot_become_markdown_or_html(text):
    out = plain(text)
    assert raw_html_in_markdown(out) == [] and active_in_markdown(out) == [], out
    html = rendered_markdown(out)["markdown-it (HTML on)"]
    assert "<a " not in html  # links in plain text are text


def test_the_escaped_backtick_bypass_is_text():
    out = answer_markdown(r"\`<img src=x onerror=alert(1)>\`")
    assert out == r"\`&lt;img src=x onerror=alert(1)&gt;\`"


def test_formulas_are_math_code_spans():
    assert plain("$a<b$ and $$\\sum_i x_i$$") == "$`a<b`$ and $`\\sum_i x_i`$"
    assert answer_markdown("x $a_1 * b_2$ y") == "x $`a_1 * b_2`$ y"  # no emphasis
    assert answer_markdown("$`x`$") == "``$`x`$``"  # a math span cannot hold a backtick
    html = rendered_markdown(plain("$a<b$"))["markdown-it (HTML on)"]
    assert html == "<p>$<code>a&lt;b</code>$</p>\n"  # plain code where math is not rendered


def test_text_that_would_start_a_block_is_escaped():
    out = plain("- not a list\n1. nor this\n# nor a heading\n> nor a quote\n    nor code\n===")
    html = rendered_markdown(out)["markdown-it (HTML on)"]
    assert html.count("<p>") == 1 and "<ul" not in html and "<ol" not in html
    assert "<h" not in html and "<blockquote" not in html and "<pre" not in html


BENIGN = [
    '**bold** and *em* and ~~s~~ and `code` [link](https://example.com/a_b?x=1&y=2 "T")',
    "# H1\n\ntext\n\n## H2\nline one\nline two  \nhard",
    "- a\n- b\n  - c\n  - d\n- e",
    "1. one\n2. two\n\n   para\n3. three",
    "3) x\n4) y",
    "> quote\n> more\n>\n> - l",
    "```\ndef f():\n    return 1\n```\n\nafter",
    "para\n\n    indented\n    code",
    "| a | b |\n|:--|--:|\n| 1 | `x` |",
    r"text with \* and \_ and 5 < 6 & 7 > 3 and C# and 100% and a|b and ~x~",
    "- a\n\n      code in an item\n- b",
    "***\n\nx",
    "Setext\n===\n\nSub\n---",
    "* star\n* list\n\n+ plus",
    "<https://example.com/x> and <a@example.com>",
]


@pytest.mark.parametrize("text", BENIGN)
def test_ordinary_markdown_renders_as_before(text):
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    assert parser.render(answer_markdown(text)) == parser.render(text)


def test_sheet_sources_are_checked_and_encoded_even_without_the_loader():
    card = parse_deck(VALID, "demo.yaml").cards[0]
    for bad in (
        'https://example.com/"onmouseover="alert(1)',
        "https://example.com/><script>alert(1)</script>",
        "https://example.com/ <x>",
        "javascript:alert(1)",
        "file:///etc/passwd",
    ):
        deck = parse_deck(VALID, "demo.yaml")
        hostile = dataclasses.replace(card, source=bad, current_source=bad)
        deck = dataclasses.replace(deck, cards=(hostile,))
        sheet = export.markdown_sheet([deck], "en")
        assert "Source" not in sheet and active_in_markdown(sheet) == []
    odd = dataclasses.replace(card, source="https://example.com/a'b(c)|d{e}^f~g")
    deck = dataclasses.replace(parse_deck(VALID, "demo.yaml"), cards=(odd,))
    assert "Source: <https://example.com/a%27b%28c%29%7Cd%7Be%7D%5Ef~g>" in export.markdown_sheet(
        [deck], "en"
    )


def test_a_whole_sheet_of_hostile_titles_questions_and_points_renders_inert():
    deck = parse_deck(VALID, "demo.yaml")
    card = deck.cards[0]
    evil = "<img src=x onerror=alert(1)> [x](javascript:y) $<b>$ ` \\` ~~~"
    card = dataclasses.replace(
        card,
        question=Text(zh=evil, en="# " + evil),
        answer=Text(zh=evil, en=BYPASSES["fence with HTML"]),
        key_points=tuple(
            dataclasses.replace(p, text=Text(en="- " + evil)) for p in card.key_points
        ),
    )
    deck = dataclasses.replace(deck, title=Text(zh=evil, en=evil), cards=(card,))
    for lang in ("zh", "en", "both"):
        sheet = export.markdown_sheet([deck], lang)
        assert raw_html_in_markdown(sheet) == [] and active_in_markdown(sheet) == [], sheet


PIECES = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "`", "\\`", "``", "~~~",
          "```", "[a](javascript:alert(1))", '[b](https://e.org/ "t")', "$", "$$", "\\", "*", "_",
          "|", "- ", "1. ", "> ", "    ", "\n", "\n\n", "<javascript:alert(1)>", "&lt;", "&",
          "[a]: javascript:x\n", "[a]", "{=html}", "{: onclick=x}", '"', "'", "<!--", "#", "---",
          "\t", "$x<y$", "| a | b |\n| - | - |\n", "\\\\", "$`", "`$", "<b>", "(", "]", "["]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=2), max_size=16).map("".join))
def test_random_answers_and_text_render_inert_everywhere(text):
    for out in (answer_markdown(text), answer_markdown(text, heading_shift=3), plain(text)):
        assert raw_html_in_markdown(out) == [], out
        assert active_in_markdown(out) == [], out


@pytest.mark.parametrize(
    "text",
    [
        "*" * 3000 + "a" + "*" * 3000,
        "_" * 3000 + "a" + "_" * 3000,
        "*a " * 3000 + "b*" * 3000,
        "~~a" * 3000,
        "> " * 1000 + "x",
        "- " * 1000 + "x",
        "[a" * 3000 + "](https://example.org/)" * 3000,
    ],
    ids=["stars", "underscores", "emphasis runs", "tildes", "quotes", "lists", "links"],
)
def test_deeply_nested_markdown_is_written_without_recursion(text):
    out = answer_markdown(text, heading_shift=3)
    assert raw_html_in_markdown(out) == []
    assert active_html_of(export.markdown_html(text)) == []
