"""The card model: what a deck is once loaded, independent of the YAML it came from."""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple, overload

# C0 controls except tab and newline, DEL, C1 controls, line/paragraph separators, and
# bidirectional overrides/isolates.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def sanitize(text: str) -> str:
    """Deck text is untrusted: drop every character that could move, colour or re-link a
    terminal, or hide text in an export (the terminal view and the exports both use this)."""
    return UNSAFE.sub("", text.replace("\r\n", "\n"))


@dataclass(frozen=True)
class Text:
    """A bilingual text; at least one language is present."""

    zh: str = ""
    en: str = ""

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``zh`` or ``en``), falling back to the other language."""
        primary, other = (self.zh, self.en) if lang == "zh" else (self.en, self.zh)
        return primary or other

    def parts(self, lang: str) -> list[str]:
        """What to show for ``lang``: one text, or both (zh first) for ``both``."""
        if lang == "both":
            return [t for t in (self.zh, self.en) if t] or [""]
        return [self.get(lang)]


class Term(NamedTuple):
    """One way of making a point: a phrase, or a group of phrases (``all:`` in a deck) that must
    all occur in one sentence of the answer. (A named tuple, not a dataclass: it is cheaper to
    define at every start.)"""

    parts: tuple[str, ...]

    @property
    def is_group(self) -> bool:
        return len(self.parts) > 1

    def __str__(self) -> str:
        return " + ".join(self.parts)


def _as_terms(terms: Sequence[Term | str]) -> tuple[Term, ...]:
    return tuple(t if isinstance(t, Term) else Term((t,)) for t in terms)


@dataclass(frozen=True)
class KeyPoint:
    """A thing an interviewer listens for. ``terms`` are alternatives: any one shows the point
    was made (plain strings are accepted and become one-phrase terms). ``weight`` is 1, 2 or 3:
    the core idea of a card counts more."""

    text: Text
    terms: tuple[Term, ...]
    weight: int = 1
    line: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        # A C-level pass: the cache builds a KeyPoint for every point of every card it reads.
        if type(self.terms) is not tuple or not set(map(type, self.terms)) <= {Term}:
            object.__setattr__(self, "terms", _as_terms(self.terms))


class Pitfall(NamedTuple):
    """A classic wrong claim: ``terms`` say when an answer makes it, ``text`` is the correction."""

    text: Text
    terms: tuple[Term, ...]
    line: int = 0


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
    # Where the source page lives now, when ``source`` (the seed's link) has moved upstream.
    current_source: str = ""
    # The question as first written, when the deck shows a corrected one in ``question``.
    original_question: Text | None = None
    # Classic wrong claims for this question (deck format 2).
    pitfalls: tuple[Pitfall, ...] = ()


@dataclass(frozen=True)
class Deck:
    name: str
    title: Text
    cards: Sequence[Card]  # a tuple once parsed; LazyCards when it comes from the cache
    path: str = ""
    format: int = 1  # the deck format the file declares (1 when it does not)
    group: str = ""  # the group the file declares; "" is the default group (see deck_group)
    # Cards a user's file replaced, as (card id, "file:line" of the replacement).
    overridden: tuple[tuple[str, str], ...] = ()

    def overridden_by(self, card_id: str) -> str | None:
        """Where the user's replacement of ``card_id`` is (``file:line``), if there is one."""
        return dict(self.overridden).get(card_id)


# Bundled decks come in two groups: the seed's interview questions and the knowledge points
# behind them. A deck that names no group is in the interview group, so a user's own decks are
# studied by default, as they were before groups existed.
INTERVIEW_GROUP = "interview"
KNOWLEDGE_GROUP = "knowledge"
EVERY_GROUP = "all"  # not a group: selects every deck


def deck_group(deck: Deck) -> str:
    """The group a deck is studied in."""
    return deck.group or INTERVIEW_GROUP


def group_names(decks: Sequence[Deck]) -> list[str]:
    """The groups of ``decks``: the interview group first, then the others as they come."""
    names = dict.fromkeys(deck_group(d) for d in decks)
    return sorted(names, key=lambda name: name != INTERVIEW_GROUP)


def decks_in_group(decks: Sequence[Deck], group: str) -> list[Deck]:
    """The decks of ``group`` (every deck for ``all``), in their order."""
    return [d for d in decks if group == EVERY_GROUP or deck_group(d) == group]


TEXT_FIELDS = ("question", "answer")
# The fields of a card an override may change (never its id, deck or line).
OVERRIDABLE = (
    *TEXT_FIELDS,
    "key_points",
    "pitfalls",
    "source",
    "current_source",
    "tags",
    "related",
)


@dataclass(frozen=True)
class CardOverride:
    """A user's correction of a card, by id: ``card`` holds the fields named in ``given`` (the
    others are placeholders). Texts are replaced per language, every other field whole."""

    card: Card
    given: tuple[str, ...]

    def apply(self, original: Card) -> Card:
        """``original`` with this override's fields; id, deck and start line stay (progress and
        messages hang on them)."""
        changes: dict[str, object] = {}
        for name in self.given:
            new = getattr(self.card, name)
            if name in TEXT_FIELDS:
                old = getattr(original, name)
                new = Text(zh=new.zh or old.zh, en=new.en or old.en)
            changes[name] = new
        return replace(original, **changes)


@dataclass(frozen=True)
class Overrides:
    """One user file of ``overrides:``: corrections of existing cards, in file order."""

    path: str
    entries: tuple[CardOverride, ...]


class Words(Sequence[tuple[str, ...]]):
    """Per card, a few words (its tags, or its related ids) kept as one space-separated text
    each and split only when asked for: neither a tag nor a card id has a space, and a 20k-card
    deck read from the cache then costs one list of texts instead of 20k tuples."""

    SEPARATOR = ","  # between the texts of cards in ``joined``: no tag or card id holds one

    def __init__(self, texts: Sequence[str]):
        self._texts: Sequence[str] | None = texts
        self._joined, self._count = "", len(texts)

    @classmethod
    def joined(cls, text: str, count: int) -> Words:
        """The texts of ``count`` cards joined by ``SEPARATOR`` (as the cache stores them), split
        when first needed: a start that filters no tags never splits 100k cards' tags."""
        words = cls(())
        words._texts, words._joined, words._count = None, text, count
        return words

    @property
    def texts(self) -> Sequence[str]:
        if self._texts is None:
            self._texts = self._joined.split(self.SEPARATOR) if self._count else []
            self._joined = ""
        return self._texts

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> tuple[str, ...]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[str, ...]]: ...
    def __getitem__(self, index: int | slice) -> tuple[str, ...] | list[tuple[str, ...]]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        text = self.texts[index]
        return tuple(text.split(" ")) if text else ()

    def given(self) -> Iterator[tuple[int, tuple[str, ...]]]:
        """(position, words) of the cards that have any, skipping the rest at C speed."""
        texts = self.texts
        for position in itertools.compress(range(len(texts)), texts):
            yield position, tuple(texts[position].split(" "))


class LazyCards(Sequence[Card]):
    """A deck's cards as the parsed-deck cache returns them.

    Ids, start lines, tags and related ids are at hand. Each card is read and decoded only when it
    is first asked for (``read(offset, size)`` gives its bytes, ``decode(bytes, line)`` turns them
    into the ``Card`` that starts on that line): a session on a 20k-card deck then costs a few
    milliseconds instead of rebuilding 20k cards it will not show. If a card cannot be decoded (a
    damaged cache), ``reload`` gives the whole deck's cards parsed afresh from its file, and those
    are used from then on. ``stream`` decodes with ``decode_many`` when there is one: a decoder
    that is faster per card but costs more to import than a single card is worth."""

    def __init__(
        self,
        ids: tuple[str, ...],
        lines: tuple[int, ...],
        tags: tuple[tuple[str, ...], ...],
        related: tuple[tuple[str, ...], ...],
        offsets: tuple[int, ...],
        read: Callable[[int, int], bytes],
        decode: Callable[[bytes, int], Card],
        reload: Callable[[], Sequence[Card]],
        decode_many: Callable[[bytes, int], Card] | None = None,
    ):
        self.ids, self.lines, self.tags, self.related = ids, lines, tags, related
        self.offsets = offsets  # card i is bytes offsets[i]:offsets[i + 1] of the card file
        self._read, self._decode, self._reload = read, decode, reload
        self._decode_many = decode_many or decode
        self._loaded: list[Card | None] = [None] * len(ids)
        self._pinned: dict[int, Card] = {}  # cards replaced by a user's override

    def replaced(self, cards: Mapping[int, Card]) -> LazyCards:
        """A copy in which the cards at these positions are the given ones (overridden cards);
        the others still load on demand."""
        tags, related = list(self.tags), list(self.related)
        for position, card in cards.items():
            tags[position], related[position] = card.tags, card.related
        copy = type(self)(
            self.ids,
            self.lines,
            tuple(tags),
            tuple(related),
            self.offsets,
            self._read,
            self._decode,
            self._reload,
            self._decode_many,
        )
        copy._pinned = {**self._pinned, **cards}
        copy._loaded = list(self._loaded)
        for position, card in copy._pinned.items():
            copy._loaded[position] = card
        return copy

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Card: ...
    @overload
    def __getitem__(self, index: slice) -> list[Card]: ...
    def __getitem__(self, index: int | slice) -> Card | list[Card]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        position = range(len(self))[index]
        card = self._loaded[position]
        if card is None:
            card = self._decoded(position)
            if card is None:
                # ``reload`` returns the same ids in the same order, or raises a FlashdlError.
                self._loaded = list(self._reload())
                for pinned, replacement in self._pinned.items():
                    self._loaded[pinned] = replacement
                return self._loaded[position]
            self._loaded[position] = card
        return card

    def _decoded(
        self, position: int, decode: Callable[[bytes, int], Card] | None = None
    ) -> Card | None:
        """The card at ``position`` from its bytes; None when they are damaged."""
        start, end = self.offsets[position], self.offsets[position + 1]
        if not 0 <= start <= end <= self.offsets[-1]:  # the last offset is the file's size; the
            return None  # others are not checked as a whole at start (100k cards took 5 ms)
        try:
            card = (decode or self._decode)(self._read(start, end - start), self.lines[position])
        except ValueError:
            return None
        return card if card.id == self.ids[position] else None

    def stored(self) -> list[memoryview]:
        """Each card's bytes as they are stored, undecoded and uncopied (the cache keeps those of
        the cards an edit of the deck file left alone)."""
        offsets = self.offsets
        data = memoryview(self._read(0, offsets[-1]))
        return [data[start:end] for start, end in itertools.pairwise(offsets)]

    def stream(self, start: int = 0, stop: int | None = None) -> Iterator[Card]:
        """The cards from ``start`` to ``stop`` in order, decoded as they are reached and not
        kept: an export of 100k cards then holds one card at a time instead of all of them. A
        damaged card reloads the deck."""
        for position in range(*slice(start, stop).indices(len(self))):
            card = self._loaded[position] or self._decoded(position, self._decode_many)
            yield card or self[position]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def each_card(deck: Deck, start: int = 0, stop: int | None = None) -> Iterator[Card]:
    """The deck's cards (from ``start`` to ``stop``) in order; cached cards are decoded one at a
    time and not kept."""
    if isinstance(deck.cards, LazyCards):
        return deck.cards.stream(start, stop)
    return iter(deck.cards[start:stop])


def card_ids(deck: Deck) -> Sequence[str]:
    """The deck's card ids in order, without loading cached cards."""
    return deck.cards.ids if isinstance(deck.cards, LazyCards) else [c.id for c in deck.cards]


def card_lines(deck: Deck) -> Sequence[int]:
    return deck.cards.lines if isinstance(deck.cards, LazyCards) else [c.line for c in deck.cards]


def card_tags(deck: Deck) -> Sequence[tuple[str, ...]]:
    return deck.cards.tags if isinstance(deck.cards, LazyCards) else [c.tags for c in deck.cards]


def card_related(deck: Deck) -> Sequence[tuple[str, ...]]:
    return (
        deck.cards.related if isinstance(deck.cards, LazyCards) else [c.related for c in deck.cards]
    )


def related_positions(deck: Deck) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(position, related ids) of the deck's cards that name related cards."""
    related = card_related(deck)
    if isinstance(related, Words):
        return related.given()
    return ((i, tuple(r)) for i, r in enumerate(related) if r)


def related_pairs(deck: Deck) -> Iterator[tuple[str, Sequence[str]]]:
    """(card id, related ids) of the deck's cards that name related cards; one generator, with
    no tuple per card, since a session's start walks the 20k pairs of 100k cards."""
    ids = card_ids(deck)
    related = card_related(deck)
    if isinstance(related, Words):
        texts = related.texts
        return ((ids[i], texts[i].split(" ")) for i in itertools.compress(range(len(texts)), texts))
    return ((ids[i], r) for i, r in enumerate(related) if r)


class CardLookup(Mapping[str, Card]):
    """Every card of some decks by id, found through the ids alone (cached cards load on demand).

    A session's first card needs two or three look-ups, and a search of the ids at C speed costs
    far less than indexing 100k of them, so the index is built only once look-ups keep coming.
    A card id in two decks is the later deck's card, as in one dict built in deck order."""

    SEARCHES_BEFORE_INDEX = 32

    def __init__(self, decks: Sequence[Deck]):
        self._decks = [(deck, card_ids(deck)) for deck in decks]
        self._index: dict[str, tuple[Deck, int]] | None = None
        self._searches = 0

    def _where(self) -> dict[str, tuple[Deck, int]]:
        if self._index is None:
            index: dict[str, tuple[Deck, int]] = {}
            for deck, ids in self._decks:
                pairs = zip(itertools.repeat(deck), itertools.count())  # endless: ids end it
                index.update(zip(ids, pairs, strict=False))
            self._index = index
        return self._index

    def _find(self, card_id: object) -> tuple[Deck, int] | None:
        if self._index is None and self._searches < self.SEARCHES_BEFORE_INDEX:
            self._searches += 1
            for deck, ids in reversed(self._decks):  # the later deck wins
                with contextlib.suppress(ValueError):
                    return deck, ids.index(card_id)
            return None
        return self._where().get(card_id)  # type: ignore[call-overload]

    def __getitem__(self, card_id: str) -> Card:
        found = self._find(card_id)
        if found is None:
            raise KeyError(card_id)
        deck, position = found
        return deck.cards[position]

    def __contains__(self, card_id: object) -> bool:
        return self._find(card_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._where())

    def __len__(self) -> int:
        return len(self._where())
