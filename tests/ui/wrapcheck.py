"""Measuring how well rendered cards wrap: the lines that end early and the lines that start badly.

A line *ends early* when it ends with ≥ ``FREE`` empty columns although the text goes on and the
next line's first word would have fitted in them. A *word* here is what no line should split: a
run of narrow characters up to a space (``well-known``, a formula), or one wide character with the
punctuation UAX #14 keeps with it (``域，``).
"""

from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, RenderableType

from flashdl.ui.linebreak import break_opportunities

FREE = 6
CLOSING = set("，。、：；！？）」』》】〉…,.;:!?)]}")
OPENING = set("（「『《【〈([{")
MARKER = re.compile(r"(?:[•✓✗]|\d+\.?) ")
CODE = "\x00"  # stands for a row of a code block (not prose: its lines end where the code does)


def rendered_lines(renderable: RenderableType, width: int = 80) -> list[str]:
    """The rows ``renderable`` prints at ``width``; rows of code blocks (drawn on a true-colour
    background by Rich's Syntax) start with ``CODE``."""
    console = Console(file=io.StringIO(), width=width, color_system="truecolor", highlight=False)
    rows = []
    for line in console.render_lines(renderable, pad=False, new_lines=False):
        code = any(
            seg.style is not None
            and seg.style.bgcolor is not None
            and seg.style.bgcolor.triplet is not None
            and seg.text.strip()
            for seg in line
        )
        rows.append((CODE if code else "") + "".join(seg.text for seg in line))
    return rows


def panel_rows(lines: list[str]) -> list[str | None]:
    """The prose inside each panel row (border and padding removed); None outside panels and in
    code blocks."""
    rows: list[str | None] = []
    for line in lines:
        line = line.rstrip()
        if line.startswith("│") and line.endswith("│"):
            rows.append(line[1:-1][1:-1] if len(line) > 3 else "")
        else:
            rows.append(None)
    return rows


def _needs_space(last: str, first: str) -> bool:
    """Whether putting ``first`` after ``last`` on one line takes a space between them."""
    if cell_len(last) == 2 and cell_len(first) == 2:
        return False  # between ideographs
    return last not in "-/—" and not (cell_len(last) == 2 and last in CLOSING)


def first_word(text: str) -> str:
    ends = break_opportunities(text)
    for end in ends:
        before, after = text[end - 1], text[end : end + 1]
        if before.isspace() or cell_len(before) == 2 or (after and cell_len(after) == 2):
            return text[:end].rstrip()
    return text.rstrip()


def _lone_token(text: str) -> bool:
    """One token alone on its row: a folded URL or formula, not prose."""
    return " " not in text and all(cell_len(ch) == 1 for ch in text)


def _text_start(row: str) -> int:
    indent = len(row) - len(row.lstrip(" "))
    marker = MARKER.match(row, indent)
    return marker.end() if marker else indent


@dataclass(frozen=True)
class Finding:
    line: str
    next_line: str
    free: int


def early_ends(lines: list[str], width: int = 80) -> list[Finding]:
    """The rows of the panels in ``lines`` that end early (see the module docstring)."""
    rows = panel_rows(lines)
    inner = width - 4
    found = []
    for row, following in itertools.pairwise(rows):
        if not row or not row.strip() or not following or not following.strip():
            continue
        indent = len(following) - len(following.lstrip(" "))
        if indent != _text_start(row) or MARKER.match(following, indent):
            continue  # the next row is not the same paragraph going on
        if _lone_token(row.strip()):
            continue
        free = inner - cell_len(row.rstrip())
        word = first_word(following.strip())
        needed = cell_len(word) + _needs_space(row.rstrip()[-1], word[0])
        if free >= FREE and needed <= free:
            found.append(Finding(row.rstrip(), following.rstrip(), free))
    return found


def bad_starts(lines: list[str]) -> list[str]:
    """Rows that start with closing punctuation, or end with opening punctuation."""
    bad = []
    for row in panel_rows(lines):
        text = (row or "").strip()
        if _lone_token(text):
            continue
        if text and (text[0] in CLOSING or text[-1] in OPENING):
            bad.append(text)
    return bad
