"""Deck text as Anki HTML: a formula or a link can never add a tag or an attribute (issue 11, 1)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from exportcheck import active_html
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdl import exporters as export

# Formulas that close an attribute or open a tag, with each quoting character.
FORMULAS = [
    '$t" onclick="alert(1)$',
    "$t' onclick='alert(1)$",
    "$t><img src=x onerror=alert(1)>$",
    '$$"><script>alert(1)</script>$$',
    "$a<b>c$",
]
# Every place of an answer's Markdown a formula can sit in; {f} is the formula.
PLACES = {
    "link title": '[y](https://example.org/ "{f}")',
    "link title in single quotes": "[y](https://example.org/ '{f}')",
    "link title in parentheses": "[y](https://example.org/ ({f}))",
    "link destination": "[y](https://example.org/{f})",
    "bracketed link destination": "[y](<https://example.org/{f}>)",
    "link text": "[{f}](https://example.org/)",
    "reference definition": '[y]\n\n[y]: https://example.org/{f} "{f}"',
    "autolink": "<https://example.org/{f}>",
    "code span": "`{f}`",
    "fenced code, info and body": "```{f}\n{f}\n```",
    "indented code": "para\n\n    {f}",
    "ATX heading": "# {f}",
    "setext heading": "{f}\n===",
    "table header and cell": "| {f} | b |\n| --- | --- |\n| {f} | `{f}` |",
    "emphasis": "*{f}* **{f}** ~~{f}~~",
    "list and quote": "- {f}\n\n> {f}",
}


class Elements(HTMLParser):
    """Every element and attribute of a fragment."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize("place", PLACES, ids=str)
def test_a_formula_anywhere_in_an_answer_adds_no_tag_or_attribute(place, formula):
    html = export.markdown_html(PLACES[place].format(f=formula))
    assert active_html(html) == [], html
    for tag, attrs in Elements(html).elements:
        assert tag not in ("img", "script", "b", "i"), html
        assert set(attrs) <= {"href", "title", "class", "style"}, html
        if tag == "a":
            assert attrs["href"].startswith("https://example.org/"), html
            assert '"' not in attrs["href"] and "'" not in attrs["href"], html
        if tag == "code" and "class" in attrs:
            assert attrs["class"] in ("language-python",), html


def test_the_issue_payload_keeps_the_title_as_text():
    html = export.markdown_html('[y](https://example.org/ "$t" onclick="alert(2)$")')
    assert html == (
        '<p><a href="https://example.org/" title="$t&quot; onclick=&quot;alert(2)$">y</a></p>'
    )
    [(tag, attrs)] = Elements(html).elements[1:]
    assert (tag, attrs) == (
        "a",
        {"href": "https://example.org/", "title": '$t" onclick="alert(2)$'},
    )


def test_a_formula_in_a_link_destination_unmakes_the_link():
    html = export.markdown_html('[z](<https://example.org/$x" onmouseover="alert(3)$>)')
    assert "<a " not in html and "onmouseover=&quot;" in html  # shown as text


def test_formulas_in_code_stay_as_written_and_fences_name_a_language_or_nothing():
    assert export.markdown_html("`$a<b$`") == "<p><code>$a&lt;b$</code></p>"
    fence = export.markdown_html('```python $x" onclick="y$\nprint($z$)\n```')
    assert fence == '<pre><code class="language-python">print($z$)\n</code></pre>'
    assert export.markdown_html('```$x" onclick="y$\nz\n```') == "<pre><code>z\n</code></pre>"


@pytest.mark.parametrize("formula", FORMULAS)
def test_plain_text_escapes_quotes_in_formulas_and_text(formula):
    html = export.text_html(f"\"{formula}\" 'q' <b>")
    assert "<" not in html.replace("<br>", "") and '"' not in html
    assert active_html(f'<div title="{html}">{html}</div>') == []  # safe even in an attribute


def test_mathjax_macros_that_add_links_or_styles_are_written_out():
    for text in (
        r"$\href{javascript:alert(1)}{x}$",
        r"$$\class{x}{y} \cssId{z}{w} \style{position:fixed}{v} \data{a=1}{b}$$",
        r"$\require{html}\unicode[x]{41} \bbox[background:url(x)]{y} \mmlToken{mi}[href=x]{z}$",
    ):
        for html in (export.text_html(text), export.markdown_html(text)):
            for macro in ("href", "class", "cssId", "style", "data", "require", "unicode"):
                assert f"\\{macro}" not in html.replace("\\backslash{}", ""), html
    # Literal MathJax delimiters in prose reach MathJax too: the macros are written out there.
    html = export.markdown_html(r"\\(\href{javascript:alert(1)}{x}\\)")
    assert html == r"<p>\(\backslash{}href{javascript:alert(1)}{x}\)</p>"
    assert export.text_html(r"$\hrefx + \styles$") == r"\(\hrefx + \styles\)"  # other macros


def test_links_only_to_http_https_and_mailto():
    html = export.markdown_html(
        "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](file:///etc/passwd) "
        "[d](data:text/html,x) [e](vbscript:x) [f](//evil.example/) [g](relative) [h](#top) "
        "<javascript:alert(1)> [ok](https://example.org/a) <mailto:a@example.org> <b@example.org>"
    )
    hrefs = [attrs["href"] for tag, attrs in Elements(html).elements if tag == "a"]
    assert hrefs == ["https://example.org/a", "mailto:a@example.org", "mailto:b@example.org"]


PIECES = ['"', "'", "<", ">", "$", "$$", "`", "[y](https://e.org/", ' "', ")", "](", "<https://e.org/",
          "# ", "| a |\n| - |\n", "\n", "\n\n", "*", "\\", "onclick=alert(1)", "```", "(", ">"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=24).map("".join))
def test_random_markdown_with_formulas_and_quotes_stays_inert(text):
    assert active_html(export.markdown_html(text)) == []
    assert active_html(export.text_html(text)) == []
