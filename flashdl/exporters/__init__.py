"""Writers for other tools: an Anki package (.apkg), Anki's text-import format, a Markdown cheat sheet.

Each format is built in memory by a pure function (decks in, bytes or text out); the CLI writes it
with ``flashdl.files.write_atomic``. genanki and markdown-it are imported inside the functions that
need them. Deck text is untrusted: ``flashdl.exporters.text`` cleans and parses it, and each format
is built from those pieces by escaping, never by pasting deck text into markup.
"""

from flashdl.exporters.anki import (
    ANKI_FIELDS,
    ANKI_MODEL_ID,
    ANKI_NOTE_TYPE,
    ANKI_ROOT_DECK,
    CSV_COLUMNS,
    anki_deck_description,
    anki_deck_id,
    anki_deck_name,
    anki_fields,
    anki_model,
    anki_package,
    anki_package_bytes,
    anki_tags,
    note_guid,
    stable_id,
)
from flashdl.exporters.anki_csv import anki_csv
from flashdl.exporters.html import markdown_html, text_html
from flashdl.exporters.markdown import answer_markdown, markdown_sheet
from flashdl.exporters.text import safe_url

__all__ = [
    "ANKI_FIELDS",
    "ANKI_MODEL_ID",
    "ANKI_NOTE_TYPE",
    "ANKI_ROOT_DECK",
    "CSV_COLUMNS",
    "anki_csv",
    "anki_deck_description",
    "anki_deck_id",
    "anki_deck_name",
    "anki_fields",
    "anki_model",
    "anki_package",
    "anki_package_bytes",
    "anki_tags",
    "answer_markdown",
    "markdown_html",
    "markdown_sheet",
    "note_guid",
    "safe_url",
    "stable_id",
    "text_html",
]
