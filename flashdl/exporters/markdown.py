"""The Markdown cheat sheet: one section per deck, each card's question, answer and key points."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flashdl.core.model import sanitize
from flashdl.exporters.anki import _LABELS
from flashdl.exporters.html import _lift_formulas, _put_back, _safe_url

if TYPE_CHECKING:
    from flashdl.core.model import Deck


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&!])")
_CODE = re.compile(r"(```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]*`)", re.DOTALL)


def _md_plain(text: str) -> str:
    """Plain deck text for Markdown: punctuation escaped, formulas kept as ``$...$``."""
    lifted, formulas = _lift_formulas(
        sanitize(text).strip(), lambda body, d: f"$${body}$$" if d else f"${body}$"
    )
    escaped = _MD_SPECIAL.sub(r"\\\1", lifted)
    return _put_back(escaped, formulas).replace("\n", "  \n")


def _md_answer(text: str) -> str:
    """Answer Markdown kept as written, except that raw HTML is escaped outside code and formulas."""
    text = sanitize(text).strip()
    lifted, formulas = _lift_formulas(text, lambda body, d: f"$${body}$$" if d else f"${body}$")
    pieces = _CODE.split(lifted)
    for index in range(0, len(pieces), 2):  # even pieces are outside code
        pieces[index] = pieces[index].replace("<", "\\<")
    return _put_back("".join(pieces), formulas)


def markdown_sheet(decks: Sequence[Deck], lang: str = "zh") -> str:
    """A printable cheat sheet: one section per deck, each card's question, answer and key points."""
    label = {key: value[lang] for key, value in _LABELS.items()}
    lines = [f"# flashdl {label['cheat_sheet']}", ""]
    for deck in decks:
        title = _md_plain(" · ".join(deck.title.parts(lang)))
        lines.append(f"- {title} (`{deck.name}`, {len(deck.cards)})")
    for deck in decks:
        title = _md_plain(" · ".join(deck.title.parts(lang)))
        lines += ["", f"## {title} (`{deck.name}`)", ""]
        for number, card in enumerate(deck.cards, 1):
            questions = card.question.parts(lang)
            lines += [f"### {number}. {_md_plain(questions[0])}", ""]
            if len(questions) > 1:
                lines += [f"*{_md_plain(questions[1])}*", ""]
            for index, answer in enumerate(card.answer.parts(lang)):
                if index:
                    lines += ["* * *", ""]
                lines += [_md_answer(answer), ""]
            lines += [f"**{label['points']}**", ""]
            for point in card.key_points:
                texts = [_md_plain(t) for t in point.text.parts(lang)]
                lines.append("- " + " / ".join(texts))
            for url in (_safe_url(card.source), _safe_url(card.current_source)):
                if url:
                    lines += ["", f"{label['source']}: <{url}>"]
            lines += ["", f"`{card.id}`", ""]
    return "\n".join(lines).rstrip() + "\n"
