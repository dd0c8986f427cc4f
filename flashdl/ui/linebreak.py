"""Line breaking by the Unicode rules (UAX #14) for Rich text, so Chinese and mixed text wrap well.

Rich breaks lines only at spaces: a run of Chinese after a Latin word or a formula is one "word"
to it, so it moves whole to the next line (leaving a third of a line empty) and a line may start
with ``，`` or ``、``. Here the break opportunities come from ICU's line breaker (through icu4py,
imported only when a line is too long to fit): between two ideographs, after spaces and hyphens,
never before closing punctuation (``，。、：；！？）」』》…``) and never after opening punctuation
(``（「『《``). Widths are terminal cells (``rich.cells.cell_len``: CJK characters take two).

``WrapText`` is a ``rich.text.Text`` whose ``wrap`` uses these rules, so it works wherever Rich
lays out text: panels, tables, Markdown (``flashdl.ui.markdown``) and Textual widgets. Spans
styled with ``UNBREAKABLE`` (formulas, code) break only at their spaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.containers import Lines
from rich.measure import Measurement
from rich.style import Style
from rich.text import Text

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, JustifyMethod, OverflowMethod

META_KEY = "flashdl.unbreakable"
UNBREAKABLE = Style(meta={META_KEY: True})
"""Marks a formula or code span: it may break at its spaces only (not after ``/`` or ``-``)."""


def break_opportunities(text: str) -> list[int]:
    """The offsets after which a line may end (UAX #14, as ICU implements it); the last is
    ``len(text)``."""
    if not text:
        return []
    from icu4py.breakers import LineBreaker

    ends, end = [], 0
    for piece in LineBreaker(text, "zh"):  # pieces, not .segments(): those count UTF-16 units
        end += len(piece)
        ends.append(end)
    return ends


def _allowed(text: str, ends: list[int], protected: Sequence[tuple[int, int]]) -> list[int]:
    """Drop the opportunities inside a protected range, except right after a space."""
    if not protected:
        return ends
    return [
        end
        for end in ends
        if text[end - 1].isspace() or not any(start < end < stop for start, stop in protected)
    ]


def segments(text: str, protected: Sequence[tuple[int, int]] = ()) -> list[str]:
    """The text cut at every allowed break opportunity: pieces no line may split (each with its
    trailing spaces)."""
    pieces, start = [], 0
    for end in _allowed(text, break_opportunities(text), protected):
        pieces.append(text[start:end])
        start = end
    return pieces


def line_starts(
    text: str, width: int, protected: Sequence[tuple[int, int]] = (), *, fold: bool = True
) -> list[int]:
    """Where each line after the first starts when ``text`` (one paragraph, no newline) is
    wrapped at ``width`` cells, like ``rich._wrap.divide_line``.

    Greedy: a piece goes on the line if it fits without its trailing spaces (they hang past the
    edge); a piece wider than a whole line is folded by characters when ``fold`` is set.
    """
    width = max(width, 1)
    if cell_len(text) <= width:
        return []
    starts: list[int] = []
    line_start = piece_start = 0
    used = 0  # cells on the current line, the trailing spaces of its last piece included
    for end in _allowed(text, break_opportunities(text), protected):
        piece = text[piece_start:end]
        cells = cell_len(piece)
        bare = piece.rstrip(" ")
        word = cells - (len(piece) - len(bare)) if bare == piece.rstrip() else cell_len(bare)
        if used + word > width:
            if piece_start > line_start:
                starts.append(piece_start)
                line_start, used = piece_start, 0
            if word > width and fold:
                for offset, char in enumerate(piece.rstrip()):
                    char_cells = cell_len(char)
                    if used + char_cells > width and used:
                        line_start = piece_start + offset
                        starts.append(line_start)
                        used = 0
                    used += char_cells
                used = cell_len(text[line_start:end])
                piece_start = end
                continue
        used += cells
        piece_start = end
    return starts


def protected_ranges(text: Text) -> list[tuple[int, int]]:
    """The spans of ``text`` styled with ``UNBREAKABLE`` (merged with whatever else they carry)."""
    ranges = []
    for span in text.spans:
        style = span.style
        if isinstance(style, Style) and style._meta and style.meta.get(META_KEY):
            ranges.append((span.start, span.end))
    return ranges


def _has_wide_or_special(plain: str) -> bool:
    return not plain.isascii()


class WrapText(Text):
    """Rich ``Text`` that wraps at UAX #14 break opportunities instead of at spaces only.

    Give it to Rich inside a renderable (``Panel``, ``Group``, ``Table``): ``Console.print``
    joins bare ``Text`` arguments into a plain ``Text`` before rendering them.
    """

    def wrap(
        self,
        console: Console,
        width: int,
        *,
        justify: JustifyMethod | None = None,
        overflow: OverflowMethod | None = None,
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        """``Text.wrap`` (rich 13–15) with the line starts of ``line_starts``."""
        wrap_justify = justify or self.justify or "default"
        wrap_overflow = overflow or self.overflow or "fold"
        no_wrap = bool(no_wrap if no_wrap is not None else self.no_wrap) or overflow == "ignore"
        lines = Lines()
        for line in self.split(allow_blank=True):
            if "\t" in line:
                line.expand_tabs(tab_size)
            if no_wrap:
                if overflow == "ignore":
                    lines.append(line)
                    continue
                new_lines = Lines([line])
            else:
                offsets = line_starts(
                    line.plain, width, protected_ranges(line), fold=wrap_overflow == "fold"
                )
                new_lines = line.divide(offsets)
                for part in new_lines:
                    part.rstrip_end(width)
            if wrap_justify:
                new_lines.justify(console, width, justify=wrap_justify, overflow=wrap_overflow)
            for part in new_lines:
                part.truncate(width, overflow=wrap_overflow)
            lines.extend(new_lines)
        return lines

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        """The narrowest width is the widest piece no line may split, so tables size columns by
        it (Rich would take a whole run of Chinese as one word)."""
        measured = super().__rich_measure__(console, options)
        if not _has_wide_or_special(self.plain):
            return measured
        widest = max(
            (
                cell_len(piece.rstrip())
                for line in self.split(allow_blank=True)
                for piece in segments(line.plain, protected_ranges(line))
            ),
            default=0,
        )
        return Measurement(min(widest, measured.maximum), measured.maximum)


def wrap_text(parts: Iterable[tuple[str, bool]], style: str | Style = "") -> WrapText:
    """A ``WrapText`` from (text, unbreakable) pieces, e.g. prose and formulas."""
    text = WrapText(style=style)
    for piece, unbreakable in parts:
        text.append(piece, UNBREAKABLE if unbreakable else None)
    return text
