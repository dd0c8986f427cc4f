"""Anki's text-import format (tab-separated, HTML fields, file headers): the same notes as the .apkg."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from flashdl.exporters.anki import (
    ANKI_NOTE_TYPE,
    CSV_COLUMNS,
    anki_deck_name,
    anki_fields,
    anki_tags,
    note_guid,
)
from flashdl.exporters.html import _markdown_parser

if TYPE_CHECKING:
    from flashdl.core.model import Deck


def anki_csv(decks: Sequence[Deck], lang: str = "zh") -> str:
    """Anki's text-import format: tab-separated, HTML fields, with file headers.

    The GUID column carries the same GUIDs as the .apkg, so either import updates the other's
    notes; the deck and tags columns place and tag each note.
    """
    parser = _markdown_parser()
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
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    for deck in decks:
        name = anki_deck_name(deck)
        for card in deck.cards:
            writer.writerow(
                [
                    *anki_fields(card, lang, parser),
                    " ".join(anki_tags(deck, card)),
                    name,
                    note_guid(card.id),
                ]
            )
    return out.getvalue()
