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


def csv_field(value: str) -> str:
    """One field, quoted when it holds a separator or a quote, or starts with '#'."""
    if value.startswith("#") or any(char in value for char in _NEEDS_QUOTES):
        return '"' + value.replace('"', '""') + '"'
    return value


def anki_csv(decks: Sequence[Deck], lang: str = "zh") -> str:
    """Anki's text-import format: tab-separated, HTML fields, with file headers.

    The GUID column carries the same GUIDs as the .apkg, so either import updates the other's
    notes; the deck and tags columns place and tag each note. A field that starts with '#' is
    quoted, or Anki would skip its line as a comment.
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
                *anki_fields(card, lang, parser),
                " ".join(anki_tags(deck, card)),
                name,
                note_guid(card.id),
            ]
            out.write("\t".join(csv_field(value) for value in row) + "\n")
    return out.getvalue()
