"""Deck text as the exporters read it: cleaned, formulas found, answers parsed, links checked.

Deck text is untrusted, so every exporter builds its output from the pieces found here and never
from the raw text:

- ``clean``: what ``sanitize`` removes, plus line separators and lone surrogates;
- ``formula_pieces``: plain text split into text and ``Formula`` pieces (``$...$``, ``$$...$$``);
- ``answer_tokens``: an answer's Markdown as a markdown-it token stream with raw HTML off, images
  off, links only to http(s) and mailto, and each formula a ``math`` token of its own. Formulas
  are found before Markdown sees them (so ``_`` and ``*`` in a formula stay LaTeX) and held by
  placeholders made of control characters, which ``clean`` guarantees the text does not contain.
  A placeholder becomes a ``math`` token only in text; anywhere else (code, a link title, a fence's
  info string) it turns back into the formula's source text, which the renderers escape like any
  other text, and a link whose destination holds one is not a link;
- ``safe_url``: a card's link checked again and percent-encoded.

Everything here is linear in the length of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flashdl.core.latex import FORMULA
from flashdl.core.model import UNSAFE, sanitize
from flashdl.core.urls import url_problem

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# Characters ``sanitize`` leaves that an export must not carry: line and paragraph separators
# (shown as line breaks), and lone surrogates, which no UTF-8 file can hold.
_SEPARATORS = re.compile("[\u2028\u2029]")
_SURROGATES = re.compile("[\ud800-\udfff]")

# A formula's placeholder: two control characters that clean text never contains, around its
# number. markdown-it percent-encodes them inside link destinations (%0E, %0F).
_OPEN, _CLOSE = "\x0e", "\x0f"
SLOT = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
SLOT_START = _OPEN  # text without it holds no placeholder
_SLOT_IN_URL = re.compile("%0e|%0f", re.IGNORECASE)

LINK_SCHEMES = ("http", "https", "mailto")
_LANGUAGE = re.compile(r"[A-Za-z0-9_+#.-]{1,40}")


# Any character that one of the three passes of ``clean`` changes: most text has none, and an
# export of a large deck cleans a few hundred thousand texts.
_UNCLEAN = re.compile(f"{UNSAFE.pattern}|{_SEPARATORS.pattern}|{_SURROGATES.pattern}")


def clean(text: str) -> str:
    """Deck text without anything that could move a terminal, hide text or break a file."""
    if _UNCLEAN.search(text) is None:
        return text
    return _SURROGATES.sub("\ufffd", _SEPARATORS.sub("\n", sanitize(text)))


@dataclass(frozen=True)
class Formula:
    """A formula found in deck text: its LaTeX, whether it is ``$$display$$``, and as written."""

    body: str
    display: bool
    source: str


def _formula(match: re.Match[str]) -> Formula:
    display = match[1] is not None
    return Formula(body=match[1] if display else match[2], display=display, source=match[0])


def formula_pieces(text: str) -> list[str | Formula]:
    """``text`` (already ``clean``) as alternating pieces: plain text (``str``) and formulas."""
    pieces: list[str | Formula] = []
    position = 0
    for match in FORMULA.finditer(text):
        if match.start() > position:
            pieces.append(text[position : match.start()])
        pieces.append(_formula(match))
        position = match.end()
    if position < len(text):
        pieces.append(text[position:])
    return pieces


def lift_formulas(text: str) -> tuple[str, list[Formula]]:
    """``text`` with each formula replaced by a numbered placeholder, and the formulas."""
    formulas: list[Formula] = []

    def slot(match: re.Match[str]) -> str:
        formulas.append(_formula(match))
        return f"{_OPEN}{len(formulas) - 1}{_CLOSE}"

    return FORMULA.sub(slot, text), formulas


def allowed_link(url: str) -> bool:
    """markdown-it's ``validateLink``: http(s) with a host, or mailto; never a formula's slot."""
    if _SLOT_IN_URL.search(url) or any(not c.isprintable() or c.isspace() for c in url):
        return False
    scheme, colon, rest = url.partition(":")
    if not colon or scheme.lower() not in LINK_SCHEMES:
        return False
    if scheme.lower() == "mailto":
        return bool(rest)
    return url_problem(url) is None


def markdown_parser() -> MarkdownIt:
    """CommonMark with tables and strikethrough; no raw HTML, no images, safe links only."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["strikethrough", "table"]).disable("image")
    parser.validateLink = allowed_link  # type: ignore[method-assign]
    return parser


def answer_tokens(text: str, parser: MarkdownIt | None = None) -> list[Token]:
    """An answer's Markdown as tokens, each formula a ``math`` token (see the module docstring)."""
    lifted, formulas = lift_formulas(clean(text).strip())
    tokens = (parser or markdown_parser()).parse(lifted)
    for token in tokens:
        if formulas:
            _restore(token, formulas)
        if token.type == "fence":  # the info string names a language, or nothing
            language = token.info.split(maxsplit=1)[0] if token.info.strip() else ""
            token.info = language if _LANGUAGE.fullmatch(language) else ""
    return tokens


def _as_written(value: str, formulas: list[Formula]) -> str:
    if _OPEN not in value:
        return value
    return SLOT.sub(lambda m: formulas[int(m[1])].source, value)


def _restore(token: Token, formulas: list[Formula]) -> None:
    """Formulas back into one token: ``math`` tokens in text, their source everywhere else."""
    token.content = _as_written(token.content, formulas)
    token.info = _as_written(token.info, formulas)
    for name, value in list(token.attrs.items()):
        if isinstance(value, str):
            token.attrs[name] = _as_written(value, formulas)
    if token.children:
        children: list[Token] = []
        for child in token.children:
            if child.type == "text" and _OPEN in child.content:
                children += _split_text(child, formulas)
            else:
                _restore(child, formulas)
                children.append(child)
        token.children = children


def _split_text(token: Token, formulas: list[Formula]) -> list[Token]:
    from markdown_it.token import Token

    parts = SLOT.split(token.content)  # text, number, text, number, ..., text
    tokens = []
    for index, part in enumerate(parts):
        if index % 2:
            formula = formulas[int(part)]
            tokens.append(
                Token(
                    "math",
                    "",
                    0,
                    content=formula.body,
                    markup="$$" if formula.display else "$",
                    level=token.level,
                )
            )
        elif part:
            tokens.append(Token("text", "", 0, content=part, level=token.level))
    return tokens


def safe_url(url: str) -> str:
    """A card's link, percent-encoded where a URL needs it; "" unless it is a valid http(s) URL.

    The loader already refuses bad links; this checks again because decks also reach the
    exporters from the cache and from Python.
    """
    url = url.strip()
    if not url or url_problem(url) is not None:  # control characters included
        return ""
    import mdurl

    # mdurl keeps %XX escapes and these characters, and encodes everything else (non-ASCII
    # included); quotes and parentheses are encoded too, for Markdown and attribute contexts.
    return mdurl.encode(url, exclude=";/?:@&=+$,-_.!~*#")


def markdown_link(url: str) -> str:
    """A link destination from markdown-it (already validated) encoded like ``safe_url``."""
    import mdurl

    return mdurl.encode(url, exclude=";/?:@&=+$,-_.!~*#")
