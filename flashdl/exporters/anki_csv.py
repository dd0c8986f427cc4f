"""Anki's text-import format (tab-separated, HTML fields, file headers): the same notes as the .apkg."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flashdl.core.model import each_card
from flashdl.exporters.anki import (
    ANKI_NOTE_TYPE,
    CSV_COLUMNS,
    anki_deck_name,
    anki_fields,
    anki_tags,
    note_guid,
)
from flashdl.exporters.html import html_parser

if TYPE_CHECKING:
    from flashdl.core.model import Deck

# Anki's reader takes a line that starts with '#' for a comment (or a header), and reads a
# quote only at the start of a field; a field with a tab, a line break or a quote must be quoted.
_NEEDS_QUOTES = ("\t", "\n", "\r", '"')


# A spreadsheet takes a cell that starts with one of these for a formula ("=cmd|' /C calc'!A0"):
# in the HTML fields the first character becomes its character reference, which Anki shows as
# the character itself and a spreadsheet as plain text.
_FORMULA_STARTS = {"=": "&#61;", "+": "&#43;", "-": "&#45;", "@": "&#64;", "\t": "&#9;", "\r": ""}


def defused(html: str) -> str:
    """An HTML field that no spreadsheet opening the file reads as a formula."""
    while html and html[0] in _FORMULA_STARTS:
        replacement = _FORMULA_STARTS[html[0]]
        if replacement:
            return replacement + html[1:]
        html = html[1:]  # (a carriage return shows as nothing in HTML)
    return html


def csv_field(value: str) -> str:
    """One field, quoted when it holds a separator or a quote, or starts with '#'."""
    if value.startswith("#") or any(char in value for char in _NEEDS_QUOTES):
        return '"' + value.replace('"', '""') + '"'
    return value


def anki_csv(decks: Sequence[Deck], lang: str = "zh") -> str:
    """Anki's text-import format: tab-separated, HTML fields, with file headers.

    The GUID column carries the same GUIDs as the .apkg, so either import updates the other's
    notes; the deck and tags columns place and tag each note. A field that starts with '#' is
    quoted, or Anki would skip its line as a comment; one that starts like a formula is
    ``defused``.
    """
    parser = html_parser()
    out = io.StringIO()
    out.write(
        "#separator:tab\n"
        "#html:true\n"
        f"#notetype:{ANKI_NOTE_TYPE}\n"
        f"#tags column:{CSV_COLUMNS.index('Tags') + 1}\n"
        f"#deck column:{CSV_COLUMNS.index('Deck') + 1}\n"
        f"#guid column:{CSV_COLUMNS.index('GUID') + 1}\n"
        "#columns:" + "\t".join(CSV_COLUMNS) + "\n"
    )
    for deck in decks:
        name = anki_deck_name(deck)
        for card in each_card(deck):
            row = [
                *map(defused, anki_fields(card, lang, parser)),
                " ".join(anki_tags(deck, card)),
                name,
                note_guid(card.id),
            ]
            out.write("\t".join(csv_field(value) for value in row) + "\n")
    return out.getvalue()
