"""The Anki package (.apkg): note type, deck and note ids, fields, and the package bytes.

Anki identity rules (docs/data.md, "Anki export", explains them to users):
- note GUID = ``genanki.guid_for("flashdl", card.id)``: it depends on the card id only, so importing a
  newer export updates the notes already in Anki and keeps their review history;
- note type and deck ids are hashes of fixed strings and deck names (``stable_id``), never of time;
- deck ``flashdl::<deck> · <title>``; tags are the deck name plus the card's tags.

Deck text is untrusted: fields are built by ``flashdl.exporters.html`` (escaped text, Markdown
without raw HTML or images, formulas as MathJax text), links by ``safe_url``, and the plain-text
values (deck names and descriptions, tags) are cleaned of control characters.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flashdl.core.model import each_card
from flashdl.exporters.html import by_lang, escape, html_parser, markdown_html, text_html
from flashdl.exporters.text import clean, safe_url
from flashdl.parallel import in_order

if TYPE_CHECKING:
    from flashdl.core.model import Card, Deck

ANKI_NOTE_TYPE = "flashdl"
ANKI_FIELDS = ("Question", "Answer", "Key points", "Source", "Card id")
ANKI_ROOT_DECK = "flashdl"
CSV_COLUMNS = (*ANKI_FIELDS, "Tags", "Deck", "GUID")

_LABELS = {
    "points": {"zh": "要点", "en": "Key points", "both": "要点 · Key points"},
    "source": {"zh": "来源", "en": "Source", "both": "来源 · Source"},
    "cheat_sheet": {"zh": "速查表", "en": "cheat sheet", "both": "速查表 · cheat sheet"},
}


def stable_id(*parts: str) -> int:
    """A 31-bit id in genanki's recommended range [2**30, 2**31), from a hash of ``parts``."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


ANKI_MODEL_ID = stable_id("flashdl", "note type", "1")


def anki_deck_id(deck_name: str) -> int:
    return stable_id("flashdl", "deck", deck_name)


# genanki's (and Anki's) base-91 digits.
_BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)


def note_guid(card_id: str) -> str:
    """The Anki note GUID of a card: derived from its id only, so re-imports update the note.

    It is ``genanki.guid_for("flashdl", card_id)`` (the tests hold them equal), computed with
    ``divmod`` instead of genanki's bit-by-bit loop: an export asks for one per card."""
    digest = hashlib.sha256(f"flashdl__{card_id}".encode()).digest()
    number, digits = int.from_bytes(digest[:8], "big"), []
    while number:
        number, digit = divmod(number, 91)
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


def anki_fields(card: Card, lang: str, parser: Any = None) -> list[str]:
    """The five note fields (Question, Answer, Key points, Source, Card id) as HTML."""
    parser = parser or html_parser()
    question = by_lang(card.question, lang, text_html)
    answer = by_lang(card.answer, lang, lambda text: markdown_html(text, parser))
    items = [f"<li>{by_lang(p.text, lang, text_html, 'span')}</li>" for p in card.key_points]
    points = f"<ul>{''.join(items)}</ul>" if items else ""
    links = [(safe_url(u), clean(u).strip()) for u in (card.source, card.current_source)]
    source = "<br>".join(f'<a href="{escape(u)}">{escape(shown)}</a>' for u, shown in links if u)
    return [question, answer, points, source, escape(clean(card.id))]


_SPACES = re.compile(r"\s+")


def anki_tags(deck: Deck, card: Card) -> list[str]:
    """Deck name plus the card's tags; Anki tags cannot contain spaces."""
    tags = (_SPACES.sub("_", clean(t).strip()) for t in (deck.name, *card.tags))
    return list(dict.fromkeys(t for t in tags if t))


def anki_deck_name(deck: Deck) -> str:
    """``flashdl::<deck> · <title>``, with the deck's Chinese title (English if it has none).

    The name does not depend on ``--lang``: Anki matches decks by name on import, so a name that
    changed with the language would leave the cards in the old deck and add an empty new one.
    """
    name = " ".join(clean(deck.name).replace("::", ":").split())
    title = " ".join(clean(deck.title.get("zh")).replace("::", ":").split())
    return f"{ANKI_ROOT_DECK}::{name}" + (f" · {title}" if title else "")


def anki_deck_description(deck: Deck) -> str:
    """The deck's titles (zh / en) as one escaped line: Anki shows the description as HTML."""
    titles = (" ".join(clean(t).split()) for t in (deck.title.zh, deck.title.en))
    return escape(" / ".join(t for t in titles if t))


# -- Anki package ------------------------------------------------------------------------------

_FRONT = '<div class="question">{{Question}}</div>'
_BACK = """{{FrontSide}}
<hr id="answer">
<div class="answer">{{Answer}}</div>
{{#Key points}}<div class="points"><div class="label">要点 · Key points</div>{{Key points}}</div>{{/Key points}}
{{#Source}}<div class="source">{{Source}}</div>{{/Source}}
<div class="card-id">{{Card id}}</div>"""

ANKI_CSS = """\
.card {
  font-family: -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC",
    "Microsoft YaHei", sans-serif;
  font-size: 19px; line-height: 1.6; text-align: left;
  color: #1f2328; background-color: #ffffff;
}
.question, .answer, .points, .source, .card-id, hr#answer {
  max-width: 46rem; margin-left: auto; margin-right: auto;
}
.question { font-size: 1.15em; font-weight: 600; }
.question .lang-en { font-weight: 400; color: #59636e; margin-top: .3em; }
.points .lang-en { color: #59636e; }
hr#answer { border: 0; border-top: 1px solid #d1d9e0; margin-top: 1em; margin-bottom: 1em; }
.answer .lang-zh + .lang-en { border-top: 1px dashed #d1d9e0; margin-top: 1em; padding-top: .6em; }
.points .lang-en { display: block; }
.points { box-sizing: border-box; margin-top: 1.2em; padding: .5em 1em; border-left: 4px solid #1a7f37; background: #f6f8fa; }
.points .label { font-weight: 600; font-size: .9em; }
.points ul { margin: .3em 0; padding-left: 1.2em; }
.source { margin-top: 1em; font-size: .8em; word-break: break-all; }
.source a { color: #0969da; }
.card-id { margin-top: .5em; font-size: .7em; color: #818b98; font-family: ui-monospace, Menlo, Consolas, monospace; }
code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9em; background: #eff2f5; border-radius: 4px; }
code { padding: .1em .3em; }
pre { padding: .6em .8em; overflow-x: auto; }
pre code { padding: 0; background: none; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d1d9e0; padding: .2em .6em; }
.nightMode.card, .nightMode .card, .night_mode.card, .night_mode .card { color: #e6edf3; background-color: #151b23; }
.nightMode .question .lang-en, .night_mode .question .lang-en,
.nightMode .points .lang-en, .night_mode .points .lang-en { color: #9198a1; }
.nightMode .points, .night_mode .points { background: #212830; border-left-color: #3fb950; }
.nightMode .source a, .night_mode .source a { color: #4493f8; }
.nightMode code, .nightMode pre, .night_mode code, .night_mode pre { background: #262c36; }
.nightMode pre code, .night_mode pre code { background: none; }
.nightMode hr#answer, .night_mode hr#answer,
.nightMode .answer .lang-en, .night_mode .answer .lang-en,
.nightMode th, .nightMode td, .night_mode th, .night_mode td { border-color: #3d444d; }
"""


def anki_model():
    import genanki

    return genanki.Model(
        ANKI_MODEL_ID,
        ANKI_NOTE_TYPE,
        fields=[{"name": name} for name in ANKI_FIELDS],
        templates=[{"name": "flashdl card", "qfmt": _FRONT, "afmt": _BACK}],
        css=ANKI_CSS,
    )


def _anki_deck(deck: Deck):
    import genanki

    return genanki.Deck(
        anki_deck_id(deck.name), anki_deck_name(deck), description=anki_deck_description(deck)
    )


def anki_package(decks: Sequence[Deck], lang: str = "zh"):
    """A ``genanki.Package`` with one Anki deck per flashdl deck, all under ``flashdl::``.

    (For Python callers; ``anki_package_bytes`` writes the same collection without building a
    genanki object per note.)"""
    import genanki

    model = anki_model()
    parser = html_parser()
    anki_decks = []
    for deck in decks:
        anki_deck = _anki_deck(deck)
        anki_deck.add_model(model)
        for card in deck.cards:
            anki_deck.add_note(
                genanki.Note(
                    model=model,
                    fields=anki_fields(card, lang, parser),
                    tags=anki_tags(deck, card),
                    guid=note_guid(card.id),
                )
            )
        anki_decks.append(anki_deck)
    return genanki.Package(anki_decks)


def _write_collection(conn: sqlite3.Connection, decks: Sequence[Deck], lang: str, timestamp: float):
    """The collection genanki's ``Package.write_to_db`` writes, row for row, written directly.

    genanki builds a Note and a Card object for every card and inserts them one statement at a
    time; here the notes stream into one ``executemany`` per deck, in one transaction, as Anki's
    own exporter does. The schema, the collection row and the deck and note-type JSON are still
    genanki's; the ids are drawn in the same order (a note, then its cards)."""
    import json

    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    model = anki_model()
    parser = html_parser()
    ids = itertools.count(int(timestamp * 1000))
    stamp = int(timestamp)
    # Which templates make a card of a note: genanki's rule for a front/back note type.
    templates = [
        (ordinal, any if mode == "any" else all, fields) for ordinal, mode, fields in model._req
    ]
    conn.executescript(APKG_SCHEMA)
    conn.executescript(APKG_COL)
    for deck in decks:
        anki_deck = _anki_deck(deck)
        deck_id = anki_deck.deck_id
        (decks_json,) = conn.execute("SELECT decks FROM col").fetchone()
        all_decks = json.loads(decks_json)
        all_decks.update({str(deck_id): anki_deck.to_json()})
        conn.execute("UPDATE col SET decks = ?", (json.dumps(all_decks),))
        (models_json,) = conn.execute("SELECT models FROM col").fetchone()
        models = json.loads(models_json)
        models.update({model.model_id: model.to_json(timestamp, deck_id)})
        conn.execute("UPDATE col SET models = ?", (json.dumps(models),))
        cards: list[tuple] = []

        def notes(deck: Deck = deck, deck_id: int = deck_id, cards: list[tuple] = cards):
            work = partial(_note_parts, deck, lang, parser)
            for fields, guid, tags in in_order(work, len(deck.cards)):
                note_id = next(ids)
                yield (
                    note_id,
                    guid,
                    model.model_id,
                    stamp,
                    -1,
                    f" {tags} ",
                    "\x1f".join(fields),
                    fields[model.sort_field_index],
                    0,
                    0,
                    "",
                )
                for ordinal, rule, required in templates:
                    if rule(fields[i] for i in required):
                        cards.append(
                            (next(ids), note_id, deck_id, ordinal, stamp, -1) + (0,) * 11 + ("",)
                        )

        conn.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", notes())
        conn.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cards)


def _note_parts(
    deck: Deck, lang: str, parser: Any, start: int, stop: int
) -> list[tuple[list[str], str, str]]:
    """The fields, GUID and tags of the deck's cards from ``start`` to ``stop`` (the part of an
    export that takes time, done by ``in_order`` on every core)."""
    return [
        (anki_fields(card, lang, parser), note_guid(card.id), " ".join(anki_tags(deck, card)))
        for card in each_card(deck, start, stop)
    ]


def _zip_time(timestamp: float) -> tuple[int, int, int, int, int, int]:
    stamp = time.gmtime(max(timestamp, 315532800))  # the zip format starts in 1980
    return (stamp.tm_year, stamp.tm_mon, stamp.tm_mday, stamp.tm_hour, stamp.tm_min, stamp.tm_sec)


def anki_package_bytes(decks: Sequence[Deck], *, lang: str, timestamp: float) -> bytes:
    """The .apkg file's bytes; identical for identical decks, language and timestamp.

    genanki's own ``write_to_file`` stamps the zip entries with the temporary file's mtime, so the
    package is zipped here with a date derived from ``timestamp`` instead.
    """
    with tempfile.TemporaryDirectory(prefix="flashdl-apkg-") as folder:
        db_path = Path(folder) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        try:
            # A scratch file, zipped below: no journal is needed to survive a crash.
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            with conn:
                _write_collection(conn, decks, lang, timestamp)
        finally:
            conn.close()
        collection = db_path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in (("collection.anki2", collection), ("media", b"{}")):
            info = zipfile.ZipInfo(name, date_time=_zip_time(timestamp))
            info.external_attr = 0o644 << 16
            # The fastest level: a third of the default's time for a 15% larger file, still
            # smaller than Anki's own package of the same notes.
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return buffer.getvalue()
