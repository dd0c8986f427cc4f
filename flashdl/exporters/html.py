"""Deck text as safe HTML for the Anki exporters: escaped text, Markdown without raw HTML, formulas
lifted out before Markdown sees them and put back, escaped, as MathJax ``\\(...\\)`` / ``\\[...\\]``."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from flashdl.core.latex import FORMULA
from flashdl.core.model import sanitize

if TYPE_CHECKING:
    from flashdl.core.model import Text as DeckText


def _lift_formulas(text: str, render: Callable[[str, bool], str]) -> tuple[str, dict[str, str]]:
    """Replace each formula by a plain-letter placeholder that no Markdown rule touches."""
    prefix = "fdlmath"
    while prefix in text:
        prefix += "x"
    formulas: dict[str, str] = {}

    def swap(match: re.Match[str]) -> str:
        token = f"{prefix}{len(formulas)}z"
        display = match[1] is not None
        formulas[token] = render(match[1] if display else match[2], display)
        return token

    return FORMULA.sub(swap, text), formulas


def _put_back(text: str, formulas: dict[str, str]) -> str:
    for token, formula in formulas.items():
        text = text.replace(token, formula)
    return text


def _mathjax(body: str, display: bool) -> str:
    opening, closing = (r"\[", r"\]") if display else (r"\(", r"\)")
    return opening + html.escape(body.strip(), quote=False) + closing


def _markdown_parser():
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False})
    return parser.enable(["strikethrough", "table"]).disable("image")


def text_html(text: str) -> str:
    """Plain deck text (a question, a key point) as escaped HTML with MathJax formulas."""
    lifted, formulas = _lift_formulas(sanitize(text).strip(), _mathjax)
    return _put_back(html.escape(lifted, quote=False).replace("\n", "<br>"), formulas)


def markdown_html(text: str, parser: Any = None) -> str:
    """An answer's Markdown as HTML: raw HTML shown as text, no images, formulas for MathJax."""
    lifted, formulas = _lift_formulas(sanitize(text).strip(), _mathjax)
    rendered = (parser or _markdown_parser()).render(lifted).strip()
    return _put_back(rendered, formulas)


def _by_lang(value: DeckText, lang: str, to_html: Callable[[str], str], tag: str = "div") -> str:
    """One field in ``lang``; for ``both``, each language present in its own ``lang-xx`` element."""
    if lang != "both":
        return to_html(value.get(lang))
    present = [(code, text) for code, text in (("zh", value.zh), ("en", value.en)) if text]
    return "".join(f'<{tag} class="lang-{code}">{to_html(text)}</{tag}>' for code, text in present)


def _safe_url(url: str) -> str:
    url = sanitize(url).strip()
    parsed = urlparse(url)
    return url if parsed.scheme in ("http", "https") and parsed.netloc else ""
