"""Writers for other tools: an Anki package (.apkg), Anki's text-import format, a Markdown cheat sheet.

Each format is built in memory by a pure function (decks in, bytes or text out); the CLI writes it
with ``flashdl.files.write_atomic``. genanki and markdown-it are imported inside the functions that
need them.

Anki identity rules (the README, "Anki export", explains them to users):
- note GUID = ``genanki.guid_for("flashdl", card.id)``: it depends on the card id only, so importing a
  newer export updates the notes already in Anki and keeps their review history;
- note type and deck ids are hashes of fixed strings and deck names (``stable_id``), never of time;
- deck ``flashdl::<deck> · <title>``; tags are the deck name plus the card's tags.

Deck text is untrusted. Every text is HTML-escaped, Markdown is rendered with raw HTML disabled
(``<script>`` in a deck shows as text), images are not rendered, and formulas are lifted out before
Markdown sees them and put back, escaped, as MathJax ``\\(...\\)`` / ``\\[...\\]``.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import itertools
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from flashdl.latex import FORMULA
from flashdl.model import sanitize

if TYPE_CHECKING:
    from flashdl.decks import Card, Deck
    from flashdl.decks import Text as DeckText

ANKI_NOTE_TYPE = "flashdl"
ANKI_FIELDS = ("Question", "Answer", "Key points", "Source", "Card id")
ANKI_ROOT_DECK = "flashdl"
CSV_COLUMNS = (*ANKI_FIELDS, "Tags", "Deck", "GUID")

# C0 controls except tab and newline, DEL, C1 controls, bidirectional overrides (as in render.py).
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


def note_guid(card_id: str) -> str:
    """The Anki note GUID of a card: derived from its id only, so re-imports update the note."""
    import genanki

    return genanki.guid_for("flashdl", card_id)


# -- text to HTML ------------------------------------------------------------------------------


def _lift_formulas(text: str, render: Callable[[str, bool], str]) -> tuple[str, dict[str, str]]:
    """Replace each formula by a plain-letter placeholder that no Markdown rule touches."""
    prefix = "fdlmath"
    while prefix in text:
        prefix += "x"
    formulas: dict[str, str] = {}

    def swap(match: re.Match[str]) -> str:
        token = f"{prefix}{len(formulas)}z"
        display = match[1] is not None
        formulas[token] = render(match[1] if display else match[2], display)
        return token

    return FORMULA.sub(swap, text), formulas


def _put_back(text: str, formulas: dict[str, str]) -> str:
    for token, formula in formulas.items():
        text = text.replace(token, formula)
    return text


def _mathjax(body: str, display: bool) -> str:
    opening, closing = (r"\[", r"\]") if display else (r"\(", r"\)")
    return opening + html.escape(body.strip(), quote=False) + closing


def _markdown_parser():
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False})
    return parser.enable(["strikethrough", "table"]).disable("image")


def text_html(text: str) -> str:
    """Plain deck text (a question, a key point) as escaped HTML with MathJax formulas."""
    lifted, formulas = _lift_formulas(sanitize(text).strip(), _mathjax)
    return _put_back(html.escape(lifted, quote=False).replace("\n", "<br>"), formulas)


def markdown_html(text: str, parser: Any = None) -> str:
    """An answer's Markdown as HTML: raw HTML shown as text, no images, formulas for MathJax."""
    lifted, formulas = _lift_formulas(sanitize(text).strip(), _mathjax)
    rendered = (parser or _markdown_parser()).render(lifted).strip()
    return _put_back(rendered, formulas)


def _by_lang(value: DeckText, lang: str, to_html: Callable[[str], str], tag: str = "div") -> str:
    """One field in ``lang``; for ``both``, each language present in its own ``lang-xx`` element."""
    if lang != "both":
        return to_html(value.get(lang))
    present = [(code, text) for code, text in (("zh", value.zh), ("en", value.en)) if text]
    return "".join(f'<{tag} class="lang-{code}">{to_html(text)}</{tag}>' for code, text in present)


def _safe_url(url: str) -> str:
    url = sanitize(url).strip()
    parsed = urlparse(url)
    return url if parsed.scheme in ("http", "https") and parsed.netloc else ""


def anki_fields(card: Card, lang: str, parser: Any = None) -> list[str]:
    """The five note fields (Question, Answer, Key points, Source, Card id) as HTML."""
    parser = parser or _markdown_parser()
    question = _by_lang(card.question, lang, text_html)
    answer = _by_lang(card.answer, lang, lambda text: markdown_html(text, parser))
    items = [f"<li>{_by_lang(p.text, lang, text_html, 'span')}</li>" for p in card.key_points]
    points = f"<ul>{''.join(items)}</ul>" if items else ""
    links = [u for u in (_safe_url(card.source), _safe_url(card.current_source)) if u]
    source = "<br>".join(f'<a href="{html.escape(u)}">{html.escape(u)}</a>' for u in links)
    return [question, answer, points, source, html.escape(card.id)]


def anki_tags(deck: Deck, card: Card) -> list[str]:
    """Deck name plus the card's tags; Anki tags cannot contain spaces."""
    tags = [deck.name, *card.tags]
    return list(dict.fromkeys(re.sub(r"\s+", "_", sanitize(t).strip()) for t in tags if t.strip()))


def anki_deck_name(deck: Deck) -> str:
    """``flashdl::<deck> · <title>``, with the deck's Chinese title (English if it has none).

    The name does not depend on ``--lang``: Anki matches decks by name on import, so a name that
    changed with the language would leave the cards in the old deck and add an empty new one.
    """
    title = " ".join(sanitize(deck.title.get("zh")).replace("::", ":").split())
    return f"{ANKI_ROOT_DECK}::{deck.name}" + (f" · {title}" if title else "")


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


def anki_package(decks: Sequence[Deck], lang: str = "zh"):
    """A ``genanki.Package`` with one Anki deck per flashdl deck, all under ``flashdl::``."""
    import genanki

    model = anki_model()
    parser = _markdown_parser()
    anki_decks = []
    for deck in decks:
        anki_deck = genanki.Deck(
            anki_deck_id(deck.name),
            anki_deck_name(deck),
            description=html.escape(" / ".join(t for t in (deck.title.zh, deck.title.en) if t)),
        )
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


def _zip_time(timestamp: float) -> tuple[int, int, int, int, int, int]:
    stamp = time.gmtime(max(timestamp, 315532800))  # the zip format starts in 1980
    return (stamp.tm_year, stamp.tm_mon, stamp.tm_mday, stamp.tm_hour, stamp.tm_min, stamp.tm_sec)


def anki_package_bytes(decks: Sequence[Deck], *, lang: str, timestamp: float) -> bytes:
    """The .apkg file's bytes; identical for identical decks, language and timestamp.

    genanki's own ``write_to_file`` stamps the zip entries with the temporary file's mtime, so the
    package is zipped here with a date derived from ``timestamp`` instead.
    """
    package = anki_package(decks, lang)
    with tempfile.TemporaryDirectory(prefix="flashdl-apkg-") as folder:
        db_path = Path(folder) / "collection.anki2"
        conn = sqlite3.connect(db_path)
        try:
            cursor = conn.cursor()
            package.write_to_db(cursor, timestamp, itertools.count(int(timestamp * 1000)))
            conn.commit()
        finally:
            conn.close()
        collection = db_path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in (("collection.anki2", collection), ("media", b"{}")):
            info = zipfile.ZipInfo(name, date_time=_zip_time(timestamp))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


# -- Anki text import (CSV) --------------------------------------------------------------------


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


# -- Markdown cheat sheet ----------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&!])")
_CODE = re.compile(r"(```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]*`)", re.DOTALL)


def _md_plain(text: str) -> str:
    """Plain deck text for Markdown: punctuation escaped, formulas kept as ``$...$``."""
    lifted, formulas = _lift_formulas(
        sanitize(text).strip(), lambda body, d: f"$${body}$$" if d else f"${body}$"
    )
    escaped = _MD_SPECIAL.sub(r"\\\1", lifted)
    return _put_back(escaped, formulas).replace("\n", "  \n")


def _md_answer(text: str) -> str:
    """Answer Markdown kept as written, except that raw HTML is escaped outside code and formulas."""
    text = sanitize(text).strip()
    lifted, formulas = _lift_formulas(text, lambda body, d: f"$${body}$$" if d else f"${body}$")
    pieces = _CODE.split(lifted)
    for index in range(0, len(pieces), 2):  # even pieces are outside code
        pieces[index] = pieces[index].replace("<", "\\<")
    return _put_back("".join(pieces), formulas)


def markdown_sheet(decks: Sequence[Deck], lang: str = "zh") -> str:
    """A printable cheat sheet: one section per deck, each card's question, answer and key points."""
    label = {key: value[lang] for key, value in _LABELS.items()}
    lines = [f"# flashdl {label['cheat_sheet']}", ""]
    for deck in decks:
        title = _md_plain(" · ".join(deck.title.parts(lang)))
        lines.append(f"- {title} (`{deck.name}`, {len(deck.cards)})")
    for deck in decks:
        title = _md_plain(" · ".join(deck.title.parts(lang)))
        lines += ["", f"## {title} (`{deck.name}`)", ""]
        for number, card in enumerate(deck.cards, 1):
            questions = card.question.parts(lang)
            lines += [f"### {number}. {_md_plain(questions[0])}", ""]
            if len(questions) > 1:
                lines += [f"*{_md_plain(questions[1])}*", ""]
            for index, answer in enumerate(card.answer.parts(lang)):
                if index:
                    lines += ["* * *", ""]
                lines += [_md_answer(answer), ""]
            lines += [f"**{label['points']}**", ""]
            for point in card.key_points:
                texts = [_md_plain(t) for t in point.text.parts(lang)]
                lines.append("- " + " / ".join(texts))
            for url in (_safe_url(card.source), _safe_url(card.current_source)):
                if url:
                    lines += ["", f"{label['source']}: <{url}>"]
            lines += ["", f"`{card.id}`", ""]
    return "\n".join(lines).rstrip() + "\n"
