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

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

_CARDS_LINE = re.compile(rb"^cards:[ \t]*\r?\n", re.MULTILINE)
_FIRST_ITEM = re.compile(rb"^( *)-(?![^ \t\r\n])", re.MULTILINE)
_QUIET = re.compile(rb"(?:[ \t]*(?:#[^\n]*)?\r?\n)*")  # blank and comment lines


@dataclass(frozen=True)
class Pieces:
    header: bytes  # everything before the first card, its `cards:` line included
    cards: tuple[memoryview, ...]  # each card's bytes, up to the next card (views, not copies)
    lines: tuple[int, ...]  # the line (from 1) on which each card starts
    newlines: tuple[int, ...]  # how many "\n" each card's piece holds

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


def cut(data: bytes) -> Pieces | None:
    """The file's header and cards, or None when it is not laid out the usual way."""
    if data.count(b"\r") != data.count(b"\r\n") or any(b in data for b in _OTHER_BREAKS):
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
    return Pieces(header, tuple(cards), tuple(lines), tuple(newlines))


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
