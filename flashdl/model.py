"""The card model: what a deck is once loaded, independent of the YAML it came from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Text:
    """A bilingual text; at least one language is present."""

    zh: str = ""
    en: str = ""

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``zh`` or ``en``), falling back to the other language."""
        primary, other = (self.zh, self.en) if lang == "zh" else (self.en, self.zh)
        return primary or other


@dataclass(frozen=True)
class KeyPoint:
    text: Text
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Card:
    id: str
    deck: str
    question: Text
    answer: Text
    key_points: tuple[KeyPoint, ...]
    source: str = ""
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    line: int = field(default=0, compare=False)  # where the card starts in its file, for messages


@dataclass(frozen=True)
class Deck:
    name: str
    title: Text
    cards: tuple[Card, ...]
    path: str = ""
