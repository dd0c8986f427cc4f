"""A deck file cut into its header and one piece per card, so that after an edit only the cards
that changed are parsed again (``flashdl.decks.cache``).

Only the usual layout is cut: a top-level ``cards:`` line, then cards that each start with ``-``
at one indentation, no other top-level text after them, and no line break but "\n" and "\r\n".
Anything else is not cut, and the whole file is parsed as before. The cut works on the raw bytes
(a UTF-8 character never holds a newline or a space byte), so unchanged cards are not even decoded.

A cut is only a guess at where cards start: the cache keeps it only when a full parse of the
same file found a card starting on the first line of every piece and nowhere else
(``Pieces.aligned``). A YAML block sequence item that starts and ends in the same parser state
means the same thing wherever it stands (anchors, the one thing YAML shares across items, are
refused by the loader), so a piece whose bytes are unchanged is the same card.
"""

from __future__ import annotations

import array
import functools
import hashlib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from flashdl.decks.loader import ID_TEXT, TAG_TEXT

_CARDS_LINE = re.compile(rb"^cards:[ \t]*\r?\n", re.MULTILINE)
_FIRST_ITEM = re.compile(rb"^( *)-(?![^ \t\r\n])", re.MULTILINE)
_QUIET = re.compile(rb"(?:[ \t]*(?:#[^\n]*)?\r?\n)*")  # blank and comment lines


class Views(Sequence[memoryview]):
    """Each card's bytes, up to the next card: views of the file's bytes made when asked for
    (20k of them take 10-20 ms to make, and a session looks at a few)."""

    def __init__(self, data: bytes, bounds: Sequence[int]):
        self.data = data
        self.bounds = bounds  # where each piece starts, and where the last one ends

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        index = range(len(self))[index]  # (IndexError past either end)
        return memoryview(self.data)[self.bounds[index] : self.bounds[index + 1]]


@dataclass(frozen=True)
class Pieces:
    header: bytes  # everything before the first card, its `cards:` line included
    cards: Views  # each card's bytes, up to the next card (views, not copies)
    lines: tuple[int, ...]  # the line (from 1) on which each card starts
    newlines: tuple[int, ...]  # how many "\n" each card's piece holds
    indent: int = 0  # the column of the dash that starts each card

    def aligned(self, card_lines: Sequence[int]) -> bool:
        """Whether a full parse found the cards where the cut put them."""
        return tuple(card_lines) == self.lines

    def digests(self) -> list[bytes]:
        return [digest(piece) for piece in self.cards]

    def offsets(self) -> tuple[int, ...]:
        """Where each card starts, counted from the end of the header, and where the last ends."""
        return tuple(bound - len(self.header) for bound in self.cards.bounds)

    def packed(self) -> tuple[int, bytes, bytes, bytes]:
        """The cut without the file's bytes, to send to another process (``unpacked``)."""
        numbers = (self.cards.bounds, self.lines, self.newlines)
        return self.indent, *(array.array("q", n).tobytes() for n in numbers)

    @classmethod
    def unpacked(cls, data: bytes, packed: tuple[int, bytes, bytes, bytes]) -> Pieces:
        """The cut of ``data`` that ``packed`` gave."""
        indent, *numbers = packed
        bounds, lines, newlines = (array.array("q", n).tolist() for n in numbers)
        return cls(data[: bounds[0]], Views(data, bounds), tuple(lines), tuple(newlines), indent)


DIGEST_SIZE = 12


def digest(data: bytes | memoryview) -> bytes:
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest()


# Line breaks that YAML counts besides "\n" (and "\r\n"): a lone CR, NEL, LS and PS. A file
# with any of them is not cut, so that counting "\n" gives libyaml's line numbers.
_OTHER_BREAKS = (b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")


def _other_breaks(data: bytes) -> bool:
    """Whether ``data`` holds a line break that is not "\n" or "\r\n".

    A search for each of them costs 15-20 ms in 16 MB of Chinese text (their last bytes are
    common in it); their first bytes are rare, and a search for one byte runs at memory speed."""
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return True
    for lead in (b"\xc2", b"\xe2"):
        if lead not in data:
            continue
        if data.count(lead) > _FEW_LEADS:
            return any(b in data for b in _OTHER_BREAKS if b[:1] == lead)
        position = data.find(lead)
        while position >= 0:
            if data.startswith(_OTHER_BREAKS, position):
                return True
            position = data.find(lead, position + 1)
    return False


_FEW_LEADS = 4096  # past this many, two searches are quicker than a loop over them


def cut(data: bytes) -> Pieces | None:
    """The file's header and cards, or None when it is not laid out the usual way."""
    return _scanned(data, keys=False)[0]


def cut_and_outline(data: bytes) -> tuple[Pieces | None, Outline | None]:
    """``cut(data)`` and the ``outline`` of that cut, read in one pass over the file."""
    return _scanned(data, keys=True)


def _scanned(data: bytes, keys: bool) -> tuple[Pieces | None, Outline | None]:
    """The cut (and, with ``keys``, the outline) of ``data``, from one search over its lines.

    A regular-expression search costs about 0.1 us per line it looks at, a 20k-card file has
    340k lines, and three searches (stray lines, card starts, the outline's keys) took three
    times what one does; most lines are skipped at once by their indentation."""
    if _other_breaks(data):
        return None, None
    found = _CARDS_LINE.search(data)
    if found is None:
        return None, None
    start = found.end()
    first = _FIRST_ITEM.search(data, start)
    if first is None or not _QUIET.fullmatch(data, start, first.start()):
        return None, None
    indent = len(first[1])
    newline = first.start() - 1  # the one that ends the line before the first card
    starts: list[int] = []
    keyed: list[tuple[int, tuple[bytes, bytes]]] = []  # (card, (key, value)), cards from 1
    refused = False  # one of the outline's keys written another way
    add_start, add_key = starts.append, keyed.append  # (the loop runs once per card and key)
    # What a match is, by its last group (``_lines``): a card's dash alone ("start"), with a
    # key read ("v1") or another key ("o1") on its line; a key read ("v2") or another key ("o2")
    # on a line below; else a stray line.
    for match in _lines(indent, keys).finditer(data, newline):
        kind = match.lastgroup
        if kind == "v2":
            add_key((len(starts), match.group("k2", "v2")))
        elif kind == "v1":
            add_start(match.start() + 1)
            add_key((len(starts), match.group("k1", "v1")))
        elif kind == "start":
            add_start(match.start() + 1)
        elif kind == "o1":
            add_start(match.start() + 1)
            refused = True
        elif kind == "o2":
            refused = True
        else:
            return None, None
    header, bounds = data[: starts[0]], [*starts, len(data)]
    line = header.count(b"\n") + 1
    lines, newlines = [], []
    for begin, end in itertools.pairwise(bounds):
        lines.append(line)
        newlines.append(data.count(b"\n", begin, end))
        line += newlines[-1]
    pieces = Pieces(header, Views(data, bounds), tuple(lines), tuple(newlines), indent)
    return pieces, _outline(len(starts), keyed) if keys and not refused else None


# The pattern below starts at a newline rather than at ``^``: a search for a literal is many
# times faster than trying every position of a 16 MB file for the start of a line.
_DASH = rb"-(?![^ \t\r\n])"  # a dash that starts a sequence item
_PLAIN_KEY = rb"[a-z_][a-z0-9_]*:(?:[ \t]|\r?\n|\Z)"
# One of the outline's keys (id, tags, related) without its value on the line, or a line at the
# card's keys that is not a plain lowercase key, a comment or blank (a quoted, tagged, anchored
# or explicit key, a flow mapping, a key spaced from its colon): it may hide one of the outline's
# keys, so it refuses the outline.
_OTHER_KEY = rb"(?:id|tags|related)\b|(?!%s|[ #\r\n])." % _PLAIN_KEY


@functools.cache
def _lines(indent: int, keys: bool) -> re.Pattern[bytes]:
    """The lines of the cards at ``indent`` that a cut and an outline look at: where a card
    starts, its keys (with ``keys``), and stray lines (text indented less than the cards, or at
    their indentation without starting a card: another top-level key, a document marker, a
    tab). Lines indented past the card's keys are values, skipped by their indentation at once."""
    item = rb"(?P<start>-)(?![^ \t\r\n])"
    if keys:
        key = rb"(?:(?P<k%d>id|tags|related):[ \t]+(?P<v%d>[^\r\n]*)|(?P<o%d>" + _OTHER_KEY + rb"))"
        item += rb"(?:[ ]%s)?|[ ][ ]%s" % (key % (1, 1, 1), key % (2, 2, 2))
    at_indent = rb"(?!%s)(?P<stray>[^ \r\n#])" % _DASH
    less = rb"| {0,%d}(?P<shallow>[^ \r\n#])" % (indent - 1) if indent else b""
    return re.compile(
        rb"\n(?! {%d})(?: {%d}(?:%s|%s)%s)" % (indent + 3, indent, item, at_indent, less)
    )


# -- the outline of a cut file ------------------------------------------------------------------


@dataclass(frozen=True)
class Outline:
    """What planning a session needs of every card, read off the pieces without parsing them:
    per card its id, and its tags and related ids each joined by " "."""

    ids: tuple[str, ...]
    tags: tuple[str, ...]
    related: tuple[str, ...]


def _outline(count: int, found: list[tuple[int, tuple[bytes, bytes]]]) -> Outline | None:
    """The outline of ``count`` cards from the keys ``_scanned`` found, (card, (key, value))
    with cards from 1: per card its id, and its tags and related ids, when every card writes
    them the plain way (``id: name``, ``tags: [a, b]`` and ``related: [c]``, each on a line of
    its own at the card's indentation, the value ending with the line); None for anything else.

    This is a reading of the layout, not of YAML: a text in quotes that runs over several lines
    could hold a line that looks like a key. It is used only to plan a session while the file is
    parsed (``flashdl.decks.cache``), and every card shown is parsed and compared with it first.
    The values are checked in bulk, one pattern over all of them."""
    if not count:
        return None
    ids: list[bytes | None] = [None] * (count + 1)
    words = {b"tags": [_NO_WORDS] * (count + 1), b"related": [_NO_WORDS] * (count + 1)}
    for card, (key, value) in found:
        values = ids if key == b"id" else words[key]
        if values[card] is not (None if key == b"id" else _NO_WORDS):
            return None  # given twice
        values[card] = value
    if None in ids[1:]:
        return None
    joined_ids = b"\n".join(ids[1:])  # type: ignore[arg-type]
    if not _IDS.fullmatch(joined_ids) or (b"null" in joined_ids and _NULL_WORD.search(joined_ids)):
        return None
    try:
        tag_texts = _word_texts(words[b"tags"][1:], _TAG_LISTS)
        related_texts = _word_texts(words[b"related"][1:], _ID_LISTS)
    except UnicodeDecodeError:
        return None
    if b" " in joined_ids or b"\t" in joined_ids:
        joined_ids = _TRAILING_SPACE.sub(b"\n", joined_ids)
    card_ids = joined_ids.decode("ascii").split("\n")
    if tag_texts is None or related_texts is None or len(set(card_ids)) != count:
        return None
    return Outline(tuple(card_ids), tuple(tag_texts), tuple(related_texts))


_NO_WORDS = b"[]"  # a card without tags or related ids (the one object: compared by identity)


_ID = ID_TEXT.encode()  # the loader's patterns, for many values at once
_IDS = re.compile(rb"(?:%s[ \t]*\n)*%s[ \t]*" % (_ID, _ID))
_NULL_WORD = re.compile(rb"(?<![\w.-])(?:null|Null|NULL)(?![\w.-])")  # what YAML reads as no value
_TRAILING_SPACE = re.compile(rb"[ \t]+(?:\n|\Z)")


def _lists_of(item: str) -> re.Pattern[str]:
    """Lines that are each one flow list of ``item``s: ``[]``, ``[a]``, ``[a, b]``."""
    one = rf"\[[ \t]*(?:{item}(?:[ \t]*,[ \t]*{item})*[ \t]*)?\][ \t]*"
    return re.compile(rf"(?:{one}\n)*{one}")


_TAG_LISTS = _lists_of(TAG_TEXT)
_ID_LISTS = _lists_of(ID_TEXT)
_LIST_MARKS = str.maketrans("[],\t", "    ")
_SPACES = re.compile(r"  +")


def _word_texts(values: list[bytes], lists: re.Pattern[str]) -> list[str] | None:
    """Per card, the items of its list " "-joined; None unless every value is such a list."""
    raw = b"\n".join(values)
    if (b"ull" in raw or b"ULL" in raw) and _NULL_WORD.search(raw):
        return None
    text = raw.decode("utf-8")
    if not lists.fullmatch(text):
        return None
    text = _SPACES.sub(" ", text.translate(_LIST_MARKS)).replace("\n ", "\n").replace(" \n", "\n")
    return text.strip(" ").split("\n")
