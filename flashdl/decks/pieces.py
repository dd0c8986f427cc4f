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


@dataclass(frozen=True)
class Pieces:
    header: bytes  # everything before the first card, its `cards:` line included
    cards: tuple[memoryview, ...]  # each card's bytes, up to the next card (views, not copies)
    lines: tuple[int, ...]  # the line (from 1) on which each card starts
    newlines: tuple[int, ...]  # how many "\n" each card's piece holds
    indent: int = 0  # the column of the dash that starts each card

    def aligned(self, card_lines: Sequence[int]) -> bool:
        """Whether a full parse found the cards where the cut put them."""
        return tuple(card_lines) == self.lines

    def digests(self) -> list[bytes]:
        return [digest(piece) for piece in self.cards]


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
    if _other_breaks(data):
        return None
    found = _CARDS_LINE.search(data)
    if found is None:
        return None
    start = found.end()
    first = _FIRST_ITEM.search(data, start)
    if first is None or not _QUIET.fullmatch(data, start, first.start()):
        return None
    indent = len(first[1])
    newline = first.start() - 1  # the one that ends the line before the first card
    if _stray_line(indent).search(data, newline):
        return None
    starts = [m.start() + 1 for m in _item(indent).finditer(data, newline)]
    header, view = data[: starts[0]], memoryview(data)
    line = header.count(b"\n") + 1
    cards, lines, newlines = [], [], []
    for begin, end in zip(starts, [*starts[1:], len(data)], strict=True):
        cards.append(view[begin:end])
        lines.append(line)
        newlines.append(data.count(b"\n", begin, end))
        line += newlines[-1]
    return Pieces(header, tuple(cards), tuple(lines), tuple(newlines), indent)


# The patterns below start at a newline rather than at ``^``: a search for a literal is many
# times faster than trying every position of a 16 MB file for the start of a line.
_DASH = rb"-(?![^ \t\r\n])"  # a dash that starts a sequence item


def _item(indent: int) -> re.Pattern[bytes]:
    return re.compile(rb"\n {%d}%s" % (indent, _DASH))


def _stray_line(indent: int) -> re.Pattern[bytes]:
    """A line that is not blank, not a comment and not inside a card: text indented less than
    the cards, or at their indentation without starting a card (another top-level key, a
    document marker, a tab)."""
    at_indent = rb" {%d}(?!%s)[^ \r\n#]" % (indent, _DASH)
    if indent == 0:
        return re.compile(rb"\n" + at_indent)
    return re.compile(rb"\n(?: {0,%d}[^ \r\n#]|%s)" % (indent - 1, at_indent))


# -- the outline of a cut file ------------------------------------------------------------------


@dataclass(frozen=True)
class Outline:
    """What planning a session needs of every card, read off the pieces without parsing them:
    per card its id, and its tags and related ids each joined by " "."""

    ids: tuple[str, ...]
    tags: tuple[str, ...]
    related: tuple[str, ...]


def outline(cut: Pieces) -> Outline | None:
    """The ids, tags and related ids of the cards of ``cut``, when every card writes them the
    plain way (``id: name``, ``tags: [a, b]`` and ``related: [c]``, each on a line of its own at
    the card's indentation, the value ending with the line); None for anything else.

    This is a reading of the layout, not of YAML: a text in quotes that runs over several lines
    could hold a line that looks like a key. It is used only to plan a session while the file is
    parsed (``flashdl.decks.cache``), and every card shown is parsed and compared with it first.
    The values are checked in bulk, one pattern over all of them: 20k cards take about 0.1 s."""
    count = len(cut.cards)
    if not count:
        return None
    data = cut.cards[0].obj  # the whole file: every piece is a view of it
    starts = itertools.accumulate((len(piece) for piece in cut.cards), initial=len(cut.header))
    find = _lines(cut.indent).findall
    ids: list[bytes] = []
    tags, related = [_NO_WORDS] * count, [_NO_WORDS] * count
    for card, (begin, end) in enumerate(itertools.pairwise(starts)):
        for key, value, other in find(data, begin - 1, end):  # from the newline before it
            if other:
                return None  # one of the keys written another way (quoted, explicit, no value)
            if key == b"id":
                if len(ids) != card:
                    return None  # a second id
                ids.append(value)
            else:
                words = tags if key == b"tags" else related
                if words[card] is not _NO_WORDS:
                    return None  # given twice
                words[card] = value
    if len(ids) != count:
        return None
    joined_ids = b"\n".join(ids)
    if not _IDS.fullmatch(joined_ids) or _NULL_WORD.search(joined_ids):
        return None
    try:
        tag_texts = _word_texts(tags, _TAG_LISTS)
        related_texts = _word_texts(related, _ID_LISTS)
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


@functools.cache
def _lines(indent: int) -> re.Pattern[bytes]:
    """The lines of a card at ``indent`` that ``outline`` reads: groups (key, value) for a line
    that gives its id, tags or related ids; (other) for one of those keys without its value on
    the line, and for a line at the card's keys that is not a plain lowercase key, a comment or
    blank (a quoted, tagged, anchored or explicit key, a flow mapping, a key spaced from its
    colon): it may hide one of those keys, so it refuses the outline."""
    plain_key = rb"[a-z_][a-z0-9_]*:(?:[ \t]|\r?\n|\Z)"
    return re.compile(
        rb"\n {%d}(?:- |  )(?:(id|tags|related):[ \t]+([^\r\n]*)"
        rb"|((?:id|tags|related)\b|(?!%s|[ #\r\n]).))" % (indent, plain_key)
    )
