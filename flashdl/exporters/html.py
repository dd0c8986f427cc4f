"""Deck text as safe HTML for the Anki exporters, built by escaping, never by splicing.

Plain text (a question, a key point) is escaped piece by piece; an answer's Markdown is rendered by
markdown-it from ``answer_tokens`` (raw HTML shown as text, no images, links to http(s) and mailto
only), whose renderer escapes every text and attribute. Formulas become MathJax ``\\(...\\)`` /
``\\[...\\]`` text, with the MathJax macros that make links, classes, styles or load extensions
(``\\href`` and its kin) written out instead, so that a formula cannot add a link either: Anki
runs MathJax on every ``\\(...\\)`` in a card, the ones the deck wrote literally included.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flashdl.exporters.plain_markdown import simple_html
from flashdl.exporters.text import (
    Formula,
    answer_tokens,
    clean,
    formula_pieces,
    lift_formulas,
    markdown_parser,
)

if TYPE_CHECKING:
    from flashdl.core.model import Text as DeckText

# MathJax (TeX input, as Anki configures it) macros that set attributes or load code.
_ACTIVE_TEX = re.compile(
    r"\\(href|class|cssId|style|data|require|bbox|unicode|mmlToken|texttip|mathtip|toggle)"
    r"(?![A-Za-z])"
)


def escape(text: str) -> str:
    """HTML-escape text for an element or a double-quoted attribute (``&<>"``, as markdown-it)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def inert_tex(text: str) -> str:
    """``text`` with MathJax's attribute-setting macros shown as text (``\\backslash{}href``)."""
    if "\\" not in text:  # no macro at all: most texts, at a tenth of the search's cost
        return text
    return _ACTIVE_TEX.sub(r"\\backslash{}\1", text)


def mathjax(formula: Formula) -> str:
    opening, closing = (r"\[", r"\]") if formula.display else (r"\(", r"\)")
    return escape(opening + inert_tex(formula.body.strip()) + closing)


def text_html(text: str) -> str:
    """Plain deck text (a question, a key point) as escaped HTML with MathJax formulas."""
    text = clean(text).strip()
    if "$" not in text:  # no formula: one piece
        return escape(inert_tex(text)).replace("\n", "<br>")
    pieces = formula_pieces(text)
    out = [
        mathjax(piece) if isinstance(piece, Formula) else escape(inert_tex(piece))
        for piece in pieces
    ]
    return "".join(out).replace("\n", "<br>")


def _render_math(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    return mathjax(Formula(body=token.content, display=token.markup == "$$", source=""))


def _inert_text(text: str) -> str:
    return escape(inert_tex(text))


def _render_text(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
    return _inert_text(tokens[idx].content)


def _render_raw(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
    return escape(tokens[idx].content)  # raw HTML is off; should a token appear, it is text


def html_parser():
    """The answer parser with flashdl's HTML rules: formulas for MathJax, inert TeX in text."""
    parser = markdown_parser()
    parser.add_render_rule("math", _render_math)
    parser.add_render_rule("text", _render_text)
    parser.add_render_rule("html_inline", _render_raw)
    parser.add_render_rule("html_block", _render_raw)
    return parser


def markdown_html(text: str, parser: Any = None) -> str:
    """An answer's Markdown as HTML: raw HTML shown as text, no images, formulas for MathJax."""
    lifted, formulas = lift_formulas(clean(text).strip())
    simple = simple_html(lifted, _inert_text, lambda n: mathjax(formulas[n]))
    if simple is not None:
        return simple
    if parser is None or "math" not in parser.renderer.rules:  # a parser without these rules
        parser = html_parser()
    tokens = answer_tokens(text, parser)
    return parser.renderer.render(tokens, parser.options, {}).strip()


def by_lang(value: DeckText, lang: str, to_html: Callable[[str], str], tag: str = "div") -> str:
    """One field in ``lang``; for ``both``, each language present in its own ``lang-xx`` element."""
    if lang != "both":
        return to_html(value.get(lang))
    present = [(code, text) for code, text in (("zh", value.zh), ("en", value.en)) if text]
    return "".join(f'<{tag} class="lang-{code}">{to_html(text)}</{tag}>' for code, text in present)
