"""Finding cards by text: a case- and width-insensitive substring search over both languages."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from flashdl.core.model import Card


def fold(text: str) -> str:
    """NFKC (full-width → normal width) and case folding; Chinese needs nothing more."""
    return unicodedata.normalize("NFKC", text).casefold()


def card_text(card: Card) -> str:
    parts = [card.id, card.question.zh, card.question.en, card.answer.zh, card.answer.en]
    for point in card.key_points:
        parts += [point.text.zh, point.text.en, *(p for t in point.terms for p in t.parts)]
    return fold("\n".join(parts))


def search_cards(cards: Sequence[Card], text: str, *, tags: Sequence[str] = ()) -> list[Card]:
    """Cards containing every word of ``text``; question hits first, then the rest in deck order."""
    words = [fold(w) for w in text.split()] or [""]
    hits = [
        card
        for card in cards
        if (not tags or set(tags) & set(card.tags)) and all(w in card_text(card) for w in words)
    ]
    in_question = {
        c.id for c in hits if all(w in fold(c.question.zh + "\n" + c.question.en) for w in words)
    }
    return sorted(hits, key=lambda c: c.id not in in_question)
