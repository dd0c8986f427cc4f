"""The answers most decks write (paragraphs, ``**bold**``, tight ``-`` lists, formulas) as HTML,
without markdown-it: markdown-it costs about 150 µs an answer, most of an Anki export of a large
deck, and those answers need only a few of its rules.

``simple_html`` takes the text ``answer_tokens`` would parse (cleaned, stripped, formulas lifted
into placeholders) and returns exactly what markdown-it renders for it with flashdl's rules, or
None for anything else: any other Markdown character, a line that could open another block, a
delimiter run markdown-it might pair differently, white space at either end of a line. Refusing
is always safe (the caller then asks markdown-it); ``tests/exporters/test_plain_markdown.py``
checks the equality on generated texts and on every bundled answer. The emphasis rules are
markdown-it's own (``scanDelims``, through its character classes), so they cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache

from flashdl.exporters.text import SLOT, SLOT_START

# Characters that are Markdown in text (escapes, code, emphasis, links, autolinks and raw HTML,
# entities, strikethrough, tables), a tab, and the ones that open a block at a line's start.
_SPECIAL = re.compile(r"[\\`_\[\]<>&~|\t]")
_BLOCK_START = re.compile(r"[#>+=\-*0-9:!]|\s")


def _opens_block(line: str) -> bool:
    """Whether a line's start could make it anything but paragraph text; ``**`` followed by a
    character other than a star is text (``_strong`` then judges the run)."""
    return bool(_BLOCK_START.match(line)) and not (line.startswith("**") and line[2:3] != "*")


_STARS = re.compile(r"\*+")


@cache
def _delimiter_rules() -> tuple[Callable[[str], bool], Callable[[str], bool]]:
    from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace

    return (
        lambda char: isMdAsciiPunct(ord(char)) or isPunctChar(char),
        lambda char: isWhiteSpace(ord(char)),
    )


def _strong(inline: str, escape: Callable[[str], str]) -> str | None:
    """One paragraph's or item's text with its ``**`` pairs as ``<strong>``, or None when a run
    is not exactly two stars or markdown-it would not pair the runs in turn."""
    if "*" not in inline:
        return escape(inline)
    punctuation, white = _delimiter_rules()
    out: list[str] = []
    position = 0
    opening = True
    for run in _STARS.finditer(inline):
        start, end = run.span()
        if end - start != 2:
            return None
        before = inline[start - 1] if start else " "
        after = inline[end] if end < len(inline) else " "
        left = not (
            white(after) or (punctuation(after) and not (white(before) or punctuation(before)))
        )
        right = not (
            white(before) or (punctuation(before) and not (white(after) or punctuation(after)))
        )
        if not (left if opening else right):
            return None
        out.append(escape(inline[position:start]))
        out.append("<strong>" if opening else "</strong>")
        opening = not opening
        position = end
    if not opening:
        return None
    out.append(escape(inline[position:]))
    return "".join(out)


def _blocks(lines: Sequence[str]) -> list[tuple[str, list[str]]] | None:
    """("p", lines) and ("ul", item texts) blocks; None for a line this module cannot render."""
    blocks: list[tuple[str, list[str]]] = []
    blank_before = True
    for line in lines:
        if not line:
            blank_before = True
            continue
        if line[-1].isspace():
            return None
        if line.startswith("- "):
            item = line[2:]
            if _opens_block(item):
                return None
            last = blocks[-1] if blocks else None
            if last and last[0] == "ul":
                if blank_before:
                    return None  # a blank line between items: a loose list
                last[1].append(item)
            else:
                blocks.append(("ul", [item]))
        else:
            if _opens_block(line):
                return None
            last = blocks[-1] if blocks else None
            if last and not blank_before:
                if last[0] == "ul":
                    return None  # a lazy continuation of the list's last item
                last[1].append(line)
            else:
                blocks.append(("p", [line]))
        blank_before = False
    return blocks


def simple_html(lifted: str, text: Callable[[str], str], math: Callable[[int], str]) -> str | None:
    """``lifted`` (an answer as ``answer_tokens`` parses it) rendered as markdown-it would, with
    ``text`` for plain text and ``math(n)`` for the formula of placeholder ``n``; or None."""
    if _SPECIAL.search(lifted):
        return None
    blocks = _blocks(lifted.split("\n"))
    if blocks is None:
        return None

    def pieces(part: str) -> str:
        """Text between ``**`` runs: escaped, with its placeholders as formulas."""
        if SLOT_START not in part:
            return text(part)
        split = SLOT.split(part)  # text, number, text, ...
        return "".join(math(int(p)) if i % 2 else text(p) for i, p in enumerate(split))

    out: list[str] = []
    for kind, lines in blocks:
        if kind == "p":
            # Emphasis is decided on the text with its placeholders, as markdown-it sees it.
            body = _strong("\n".join(lines), pieces)
            if body is None:
                return None
            out.append(f"<p>{body}</p>\n")
        else:
            items = [_strong(item, pieces) for item in lines]
            if None in items:
                return None
            out.append("<ul>\n" + "".join(f"<li>{item}</li>\n" for item in items) + "</ul>\n")
    return "".join(out).strip()
