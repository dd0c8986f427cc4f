"""Hostile decks through the whole program: ``flashdl check``, ``study``, ``quiz`` and the exports.

- ``tests/data/bad_decks/``: broken decks (each starts with ``# expect: <message>``). Every command
  that loads them prints clear ``file:LINE: message`` lines and exits 1: no traceback, no hang, no
  control character from the deck in the message, nothing executed.
- ``tests/data/hostile_decks/``: valid decks whose text is Rich markup, terminal escape sequences,
  HTML and script, export payloads (formulas in link titles and destinations, Markdown that is HTML
  in disguise, questions that start with '#'), or 100,000-character lines. A forced colour terminal
  shows them literally, with no escape sequence but Rich's own. The exports are checked by parsing
  them: the .apkg and the .csv as Anki itself imports them, the cheat sheet as Markdown renderers
  with raw HTML on render it (``tests/exportcheck.py``).
- A hypothesis test feeds random YAML and random card text through load → render → export.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import signal
import sqlite3
import zipfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from exportcheck import active_html, active_in_markdown, raw_html_in_markdown
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from flashdl import exporters as export
from flashdl.core.errors import DeckError
from flashdl.decks.loader import load_collection, parse_deck
from flashdl.ui import render

DATA = Path(__file__).parent / "data"
BAD = sorted((DATA / "bad_decks").glob("*.yaml"))
HOSTILE = sorted((DATA / "hostile_decks").glob("*.yaml"))
SAFE_SOURCE = "https://example.com/"

# What may reach a terminal besides text: Rich's colours (SGR), its clear-screen and home, and
# OSC 8 hyperlinks, which must point at a card's validated source.
RICH_OWN = re.compile(r"\x1b\[[0-9;]*m|\x1b\[2J|\x1b\[H|\x1b\]8;[^\x1b\x07]*\x1b\\")
HYPERLINK = re.compile(r"\x1b\]8;[^;\x1b]*;([^\x1b\x07]*)\x1b\\")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail instead of hanging (SIGALRM; pytest runs tests in the main thread)."""

    def expire(signum, frame):
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def unsafe_in_terminal(output: str, sources: tuple[str, ...] = (SAFE_SOURCE,)) -> list[str]:
    """Escape sequences and control characters that are not Rich's own, and hyperlinks to
    anything but the cards' ``sources`` (prefixes); [] when safe."""
    links = HYPERLINK.findall(output)
    found = [f"link to {url}" for url in links if url and not url.startswith(sources)]
    return found + sorted({repr(ch) for ch in CONTROL.findall(RICH_OWN.sub("", output))})


def expected(path: Path) -> str:
    return path.read_bytes().split(b"\n", 1)[0].decode().removeprefix("# expect: ")


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands print to a forced truecolour terminal, 120 columns wide."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("NO_COLOR", raising=False)


# -- broken decks --------------------------------------------------------------------------------


def assert_clear_deck_errors(result, path: Path) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    *problems, summary = result.stderr.strip().split("\n")
    assert re.fullmatch(r"flashdl: \d+ problems? in deck files", summary)
    assert problems and all(re.match(rf"^\S*{re.escape(path.name)}:\d+: \S", p) for p in problems)
    assert any(expected(path) in p for p in problems), problems
    for line in problems:
        assert not CONTROL.search(line), repr(line)  # deck text is quoted with escapes
        assert len(line) < 400 + len(str(path))


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_check_names_each_problem_of_a_bad_deck(path, invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with deadline(5):
        result = invoke("check", str(path))
    assert_clear_deck_errors(result, path)
    assert list(tmp_path.iterdir()) == []  # nothing was executed or written (python tags)


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_study_skips_a_bad_deck_with_clear_warnings(path, invoke, home, monkeypatch):
    """Issue 13.6: the broken file is left out, each of its problems named on one line, and the
    bundled decks are studied as usual."""
    monkeypatch.setenv("FLASHDL_DECKS", str(path))
    with deadline(5):
        result = invoke("study", "--deck", "cnn", input=" \n5\n")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    *problems, summary = result.stderr.strip().split("\n")
    assert re.fullmatch(r"flashdl: warning: \d+ problems? in deck files; .*", summary)
    assert problems and all(re.match(rf"^\S*{re.escape(path.name)}:\d+: \S", p) for p in problems)
    assert any(expected(path) in p for p in problems), problems
    for line in problems:
        assert not CONTROL.search(line), repr(line)
    assert "本次小结" in result.stdout  # the session summary, in the default language


# -- valid decks with hostile text ---------------------------------------------------------------


def hostile_decks(path: Path) -> list:
    return load_collection([path])


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_hostile_text_is_a_valid_deck(path, invoke):
    with deadline(5):
        result = invoke("check", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: 1 deck,")


@pytest.mark.parametrize("lang", ["en", "both"])
@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_study_shows_hostile_text_literally(path, lang, invoke, terminal, monkeypatch):
    monkeypatch.setenv("FLASHDL_DECKS", str(path))
    with deadline(10):
        result = invoke("study", "--deck", path.stem, "--lang", lang, input=" \n5\n" * 4)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "\x1b[" in out  # it really was a colour terminal
    assert ("Session summary" if lang == "en" else "本次小结") in out
    assert unsafe_in_terminal(out) == []
    if path.stem == "markup":
        assert "[link=https://evil.example]this[/link]" in out
        assert "[bold]Bold?[/bold]" in out and ":skull:" in out
    if path.stem == "html":
        assert "<script>alert(1)</script>" in out
    if path.stem == "escapes":
        assert "[31mRED" in out and "pwned-title" in out  # the text stays, the ESC goes


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_quiz_and_show_keep_hostile_text_harmless(path, invoke, terminal, monkeypatch):
    monkeypatch.setenv("FLASHDL_DECKS", str(path))
    with deadline(10):
        quiz = invoke(
            "quiz", "--deck", path.stem, "-n", "2", "--in-order", "--lang", "both",
            input="[bold]typed[/] \x1b[31m <script>\n\n5\n\n\n5\n",
        )  # fmt: skip
        first = hostile_decks(path)[0].cards[0].id
        show = invoke("show", first, "--lang", "both")
    for result in (quiz, show):
        assert result.exit_code == 0, result.output
        assert unsafe_in_terminal(result.stdout) == []


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


SAFE_TAGS = {
    "p", "br", "div", "span", "ul", "ol", "li", "a", "em", "strong", "code", "pre", "blockquote",
    "hr", "s", "del", "table", "thead", "tbody", "tr", "th", "td", "h1", "h2", "h3", "h4", "h5",
    "h6",
}  # fmt: skip
SAFE_ATTRIBUTES = {"href", "class", "style", "start", "title"}


def unsafe_html(fragment: str) -> list[str]:
    """Tags, attributes and link targets that would run or load something in Anki."""
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    problems = []
    for tag, attrs in parser.tags:
        if tag not in SAFE_TAGS:
            problems.append(f"<{tag}>")
        for name, value in attrs:
            if name not in SAFE_ATTRIBUTES:
                problems.append(f"{tag} {name}=")
            scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value or "")
            if name == "href" and scheme and scheme[1].lower() not in ("http", "https"):
                problems.append(f"href={value}")
    if CONTROL.search(fragment.replace("\t", "").replace("\n", "")):
        problems.append("control character")
    return problems


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_exports_escape_hostile_text(path, invoke, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASHDL_DECKS", str(path))
    monkeypatch.chdir(tmp_path)
    with deadline(20):
        for kind, name in (("anki", "out.apkg"), ("csv", "out.csv"), ("markdown", "out.md")):
            result = invoke("export", kind, "--deck", path.stem, "--lang", "both", "-o", name)
            assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "out.apkg") as package:
        (tmp_path / "collection.anki2").write_bytes(package.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "collection.anki2")
    fields = [f for (row,) in conn.execute("SELECT flds FROM notes") for f in row.split("\x1f")]
    conn.close()
    assert len(fields) == 5 * len(hostile_decks(path)[0].cards)
    for field in fields:
        assert unsafe_html(field) == [], field[:300]
    csv_text = (tmp_path / "out.csv").read_text(encoding="utf-8")
    rows = list(
        csv.reader(
            io.StringIO(csv_text.split("\n#columns:", 1)[1].split("\n", 1)[1]), delimiter="\t"
        )
    )
    assert [field for row in rows for field in row[:5]] == fields  # the same escaped HTML
    for row in rows:  # tags and deck name are plain text for Anki, not HTML; still no controls
        assert not any(CONTROL.search(cell) for cell in row[5:])
    sheet = (tmp_path / "out.md").read_text(encoding="utf-8")
    assert not CONTROL.search(sheet.replace("\t", "").replace("\n", ""))
    # As CommonMark reads the sheet (raw HTML on), it holds no HTML at all; rendered with raw HTML
    # on and no link filter, it has no tag, attribute or link that could run or load anything.
    assert raw_html_in_markdown(sheet) == []
    assert active_in_markdown(sheet) == []
    if path.stem == "html":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in csv_text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in sheet


def _need_anki() -> None:
    if os.environ.get("CI"):
        import anki  # noqa: F401  (CI must run the Anki checks)
    else:
        pytest.importorskip("anki")


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_hostile_exports_read_by_anki_are_inert(path, invoke, tmp_path, monkeypatch):
    """The .apkg and the .csv as Anki itself reads them: every note (none lost to a '#'), field,
    tag, deck name and deck description is free of active HTML and control characters."""
    _need_anki()
    from anki.collection import (
        Collection,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
        ImportCsvRequest,
    )

    monkeypatch.setenv("FLASHDL_DECKS", str(path))
    monkeypatch.chdir(tmp_path)
    for kind, name in (("anki", "out.apkg"), ("csv", "out.csv")):
        result = invoke("export", kind, "--deck", path.stem, "--lang", "both", "-o", name)
        assert result.exit_code == 0, result.output
    cards = len(hostile_decks(path)[0].cards)
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "c.anki2"))
    try:
        request = ImportAnkiPackageRequest(
            package_path=str(tmp_path / "out.apkg"), options=ImportAnkiPackageOptions()
        )
        assert len(col.import_anki_package(request).log.new) == cards
        metadata = col.get_csv_metadata(str(tmp_path / "out.csv"), None)
        log = col.import_csv(
            ImportCsvRequest(path=str(tmp_path / "out.csv"), metadata=metadata)
        ).log
        assert len(log.duplicate) == cards and col.note_count() == cards  # the same notes, all
        for note_id in col.find_notes(""):
            note = col.get_note(note_id)
            for name, value in note.items():
                assert active_html(value) == [], (name, value[:300])
            for tag in note.tags:
                assert not CONTROL.search(tag) and " " not in tag, tag
        for entry in col.decks.all_names_and_ids():
            deck = col.decks.get(entry.id)
            assert not CONTROL.search(deck["name"]), deck["name"]
            assert active_html(deck.get("desc", "")) == [], deck.get("desc")
    finally:
        col.close()


# -- random input through load, render and export ------------------------------------------------

PIECES = ["[bold]", "[/]", "\x1b[31m", "\x1b]8;;x\x1b\\", "\x9b", "\u202e", "<script>", "<img src=x>",
          "[a](javascript:x)", "$x^2$", "`", "```", "\n", "*", "&amp;", "\r", '"', "'", "~~~",
          "\\`", "[f](file:///etc/passwd)", '[t](https://e.org/ "$', '$" onclick="x$',
          "#", "\t"]  # fmt: skip
TEXT = st.lists(
    st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(PIECES), max_size=12
).map("".join)
ID = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,20}", fullmatch=True)


@st.composite
def decks(draw) -> dict:
    """A deck-shaped structure with random text everywhere; valid unless ``broken`` is drawn."""
    cards = []
    for index in range(draw(st.integers(1, 3))):
        cards.append(
            {
                "id": f"{draw(ID)}-{index}",
                "question": {"en": draw(TEXT) + "?", "zh": draw(TEXT) + "问"},
                "answer": {"en": draw(TEXT) + "!"},
                "key_points": [
                    {"en": draw(TEXT) + ".", "terms": [draw(TEXT) + "t"]}
                    for _ in range(draw(st.integers(3, 6)))
                ],
                "source": draw(
                    st.sampled_from(["https://example.com/a", "http://example.org/b?c=1"])
                ),
                "tags": draw(st.lists(ID, max_size=2)),
            }
        )
    deck = {"deck": "fuzz", "title": {"en": draw(TEXT) + "t"}, "cards": cards}
    if draw(st.integers(0, 3)) == 0:  # broken: one field replaced by random junk
        card = draw(st.sampled_from(cards))
        victim = draw(st.sampled_from(["question", "answer", "key_points", "source", "tags"]))
        card[victim] = draw(st.none() | TEXT | st.lists(TEXT, max_size=2))
    return deck


def render_everywhere(parsed) -> str:
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=True, color_system="truecolor")
    for card in parsed.cards:
        for lang in ("zh", "en", "both"):
            console.print(
                render.question_view(
                    card, lang=lang, deck_title=parsed.title.get(lang), done=0, left=1
                )
            )
            console.print(render.answer_view(card, lang=lang, related=parsed.cards))
    return out.getvalue()


def through_the_program(text: str) -> None:
    try:
        parsed = parse_deck(text, "decks/fuzz.yaml", expected_name="fuzz")
    except DeckError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.startswith("decks/fuzz.yaml:") and not CONTROL.search(problem)
        return
    sources = tuple(card.source for card in parsed.cards if card.source)
    assert unsafe_in_terminal(render_everywhere(parsed), sources) == []
    for card in parsed.cards:
        for field in export.anki_fields(card, "both"):
            assert unsafe_html(field) == [], field
    sheet = export.markdown_sheet([parsed], "both")
    assert not CONTROL.search(sheet.replace("\t", "").replace("\n", ""))
    assert raw_html_in_markdown(sheet) == [] and active_in_markdown(sheet) == [], sheet
    export.anki_csv([parsed], "en")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(decks())
def test_random_decks_load_render_and_export_safely(deck):
    through_the_program(yaml.safe_dump(deck, allow_unicode=True))


@settings(max_examples=120, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "deck: fuzz\n",
                "title: {en: T}\n",
                "cards:\n",
                "  - id: a\n",
                "    question: {en: '[b]?'}\n",
                "    answer:\n      en: |\n        <script>x</script>\n",
                "    key_points:\n",
                "      - {en: p, terms: [t]}\n",
                '      - {en: "\\e[31m", terms: ["\\a"]}\n',
                "&a ",
                "*a\n",
                "!!python/name:os.system\n",
                "- ",
                ": ",
                "\t",
                "'",
                '"',
                "[",
                "{",
                "#",
                "\n",
                "---\n",
            ]
        ),
        max_size=30,
    )
)
def test_random_yaml_fragments_never_escape(pieces):
    through_the_program("".join(pieces))
