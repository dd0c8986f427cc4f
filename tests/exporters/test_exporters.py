"""Exports: Anki package (checked with the real ``anki`` library), Anki text import, cheat sheet."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import pytest
from conftest import NOW
from decktext import VALID
from test_hostile_decks import deadline

from flashdl import exporters as export
from flashdl.decks.loader import load_collection, parse_deck
from flashdl.paths import bundled_decks_dir

HOSTILE = VALID.replace(
    "question: {zh: 什么是梯度爆炸？, en: What is an exploding gradient?}",
    "question: {zh: '<script>alert(1)</script> & $a<b$', en: 'x < y & <b>bold</b>'}",
).replace(
    "answer: {zh: 梯度逐层放大。, en: Gradients grow layer by layer.}",
    "answer: {zh: '<img src=x onerror=alert(1)> **粗** $a_1 * b_2$', en: '[x](javascript:alert(1))'}",
)


@pytest.fixture(scope="module")
def bundled():
    return load_collection([bundled_decks_dir()])


def user_deck(home: Path, text: str = VALID, name: str = "demo") -> Path:
    folder = home / "decks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# -- HTML ---------------------------------------------------------------------------------------


def test_plain_text_is_escaped_and_formulas_become_mathjax():
    html = export.text_html("a <script>alert(1)</script> & $x<y$\nnext")
    assert html == (r"a &lt;script&gt;alert(1)&lt;/script&gt; &amp; \(x&lt;y\)<br>next")


def test_markdown_keeps_formulas_away_from_markdown_and_disables_raw_html():
    html = export.markdown_html(
        "**b** <b>x</b> $a_1 * b_2 * c$\n\n$$\\sum_i x_i < 1$$\n\n"
        "![i](http://e.com/a.png) [j](javascript:alert(1)) `<i>`"
    )
    assert "<strong>b</strong>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>" not in html
    assert r"\(a_1 * b_2 * c\)" in html  # no <em> from the underscores and stars
    assert r"<p>\[\sum_i x_i &lt; 1\]</p>" in html
    assert "<img" not in html and "javascript:" not in html.split("[j](")[0]
    assert 'href="javascript' not in html
    assert "<code>&lt;i&gt;</code>" in html


def test_placeholders_cannot_collide_with_deck_text():
    html = export.markdown_html("fdlmath0z and $x$ and fdlmathx0z")
    assert html == r"<p>fdlmath0z and \(x\) and fdlmathx0z</p>"


def test_fields_in_both_languages_and_the_source_link():
    deck = parse_deck(VALID, "demo.yaml")
    question, answer, points, source, card_id = export.anki_fields(deck.cards[0], "both")
    assert question.startswith('<div class="lang-zh">什么是梯度消失？</div><div class="lang-en">')
    assert answer.count('class="lang-') == 2 and r"\(\frac{\partial L}{\partial x}\)" in answer
    assert points.startswith('<ul><li><span class="lang-zh">连乘导致梯度变小</span>')
    assert source == '<a href="https://example.com/vanishing">https://example.com/vanishing</a>'
    assert card_id == "demo-one"
    assert export.anki_fields(deck.cards[0], "en")[0] == "What is a vanishing gradient?"


def test_ids_and_guids_are_fixed_forever():
    # Changing any of these would duplicate every note in every user's Anki collection.
    assert export.ANKI_MODEL_ID == 2123351016
    assert export.anki_deck_id("basics") == 1369512020
    assert export.note_guid("basics-why-normalize") == "LA@YGxX@n,"


def test_deck_names_and_tags():
    deck = parse_deck(VALID, "demo.yaml")
    assert export.anki_deck_name(deck) == "flashdl::demo · 演示"
    assert export.anki_tags(deck, deck.cards[0]) == ["demo", "training"]
    assert export.anki_tags(deck, deck.cards[1]) == ["demo"]


def test_package_is_deterministic_for_a_fixed_timestamp(bundled):
    one = export.anki_package_bytes(bundled, lang="zh", timestamp=NOW.timestamp())
    two = export.anki_package_bytes(bundled, lang="zh", timestamp=NOW.timestamp())
    assert one == two
    with zipfile.ZipFile(io.BytesIO(one)) as archive:
        assert archive.namelist() == ["collection.anki2", "media"]
        assert archive.getinfo("collection.anki2").date_time == (2026, 11, 29, 1, 30, 0)
    later = export.anki_package_bytes(bundled, lang="zh", timestamp=NOW.timestamp() + 60)
    assert later != one


# -- the real Anki library ----------------------------------------------------------------------


def need_anki() -> None:
    """Skip where Anki's library cannot be installed, but never in CI, where it must run."""
    if os.environ.get("CI"):
        import anki  # noqa: F401  (fails loudly if the test extras lost it)
    else:
        pytest.importorskip("anki")


def _anki_import(col, path: Path):
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions())
    return col.import_anki_package(request).log


def test_anki_imports_the_package_and_updates_it_without_duplicates(
    invoke, home, clock, tmp_path, bundled
):
    need_anki()
    from anki.collection import Collection

    user_deck(home, HOSTILE)
    apkg = tmp_path / "flashdl.apkg"
    result = invoke("export", "anki", "--group", "all", "-o", str(apkg))
    assert result.exit_code == 0, result.output
    total = sum(len(d.cards) for d in bundled) + 2
    assert f"{total} cards from {len(bundled) + 1} decks" in result.stdout

    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "c.anki2"))
    try:
        log = _anki_import(col, apkg)
        assert len(log.new) == total and col.note_count() == total
        names = {d.name for d in col.decks.all_names_and_ids()}
        assert {"flashdl", "flashdl::basics · 深度学习基础", "flashdl::demo · 演示"} <= names

        [nid] = col.find_notes('"Card id:demo-one"')
        note = col.get_note(nid)
        assert note.note_type()["name"] == "flashdl"
        assert list(note.keys()) == ["Question", "Answer", "Key points", "Source", "Card id"]
        assert note["Question"] == "什么是梯度消失？"
        assert r"\(\frac{\partial L}{\partial x}\)" in note["Answer"]
        assert note["Key points"].count("<li>") == 3
        assert 'href="https://example.com/vanishing"' in note["Source"]
        assert sorted(note.tags) == ["demo", "training"]
        assert col.decks.name(note.cards()[0].did) == "flashdl::demo · 演示"

        [hostile] = col.find_notes('"Card id:demo-two"')
        fields = col.get_note(hostile)
        assert "&lt;script&gt;" in fields["Question"] and "<script" not in fields["Question"]
        assert "&lt;img" in fields["Answer"] and "<img" not in fields["Answer"]
        assert "javascript" not in fields["Answer"].split("href=")[-1][:20]

        # Study the card in Anki: its review history must survive every later import.
        card = note.cards()[0]
        card.start_timer()
        col.sched.answerCard(card, 3)
        assert col.db.scalar("select count() from revlog") == 1

        log = _anki_import(col, apkg)  # the same file again: nothing new, nothing duplicated
        assert (len(log.new), len(log.updated)) == (0, 0) and col.note_count() == total

        # A newer export with an edited answer updates the existing note in place.
        user_deck(home, HOSTILE.replace("Gradients shrink", "Gradients get smaller"))
        clock.advance(days=1)
        result = invoke("export", "anki", "-g", "all", "-o", str(apkg), "--force", "--lang", "en")
        assert result.exit_code == 0, result.output
        log = _anki_import(col, apkg)
        assert len(log.new) == 0 and len(log.updated) == total
        assert col.note_count() == total
        assert col.find_notes('"Card id:demo-one"') == [nid]
        updated = col.get_note(nid)
        assert "Gradients get smaller" in updated["Answer"]
        assert updated["Question"] == "What is a vanishing gradient?"
        assert col.get_card(card.id).reps == 1
        assert col.db.scalar("select count() from revlog") == 1
        assert {d.name for d in col.decks.all_names_and_ids()} == names  # same decks, none added
    finally:
        col.close()


def test_anki_reads_the_csv_headers_and_matches_the_package_guids(invoke, tmp_path, home):
    need_anki()
    from anki.collection import Collection, ImportCsvRequest

    # Questions that start with '#': Anki's reader skips such a line as a comment, unless quoted.
    user_deck(home, VALID.replace("什么是梯度消失？, en:", "'#1 梯度消失？', en:"))
    apkg, text = tmp_path / "f.apkg", tmp_path / "f.csv"
    decks = ("--deck", "cnn", "--deck", "demo")
    assert invoke("export", "anki", *decks, "-o", str(apkg)).exit_code == 0
    assert invoke("export", "csv", *decks, "-o", str(text)).exit_code == 0
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "c.anki2"))
    try:
        _anki_import(col, apkg)
        metadata = col.get_csv_metadata(str(text), None)
        assert metadata.is_html and metadata.guid_column == 8
        assert (metadata.tags_column, metadata.deck_column) == (6, 7)
        assert list(metadata.column_labels)[:5] == list(export.ANKI_FIELDS)
        assert list(metadata.global_notetype.field_columns) == [1, 2, 3, 4, 5]
        log = col.import_csv(ImportCsvRequest(path=str(text), metadata=metadata)).log
        assert len(log.new) == 0 and len(log.duplicate) == 6  # same GUIDs, same content, all
        assert col.note_count() == 6
        [hashed] = col.find_notes('"Card id:demo-one"')
        assert col.get_note(hashed)["Question"] == "#1 梯度消失？"

        # The CSV on its own, into a collection that has the note type: every row is a note.
        col.remove_notes(col.find_notes(""))
        log = col.import_csv(ImportCsvRequest(path=str(text), metadata=metadata)).log
        assert len(log.new) == 6 and col.note_count() == 6
    finally:
        col.close()


# -- text formats and the CLI -------------------------------------------------------------------


def test_csv_has_anki_headers_and_one_row_per_card(invoke, tmp_path, home):
    user_deck(home, HOSTILE)
    out = tmp_path / "cards.csv"
    result = invoke("export", "csv", "--deck", "demo", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    headers = [line for line in text.splitlines() if line.startswith("#")]
    assert headers == [
        "#separator:tab",
        "#html:true",
        "#notetype:flashdl",
        "#tags column:6",
        "#deck column:7",
        "#guid column:8",
        "#columns:Question\tAnswer\tKey points\tSource\tCard id\tTags\tDeck\tGUID",
    ]
    rows = list(csv.reader(io.StringIO(text.split("GUID\n", 1)[1]), delimiter="\t"))
    assert [r[4] for r in rows] == ["demo-one", "demo-two"]
    assert rows[0][5] == "demo training" and rows[0][6] == "flashdl::demo · 演示"
    assert rows[0][7] == export.note_guid("demo-one")
    assert "&lt;script&gt;" in rows[1][0]


def test_markdown_cheat_sheet_has_a_section_per_deck(invoke, tmp_path, home, bundled):
    user_deck(home, HOSTILE)
    out = tmp_path / "sheet.md"
    result = invoke("export", "markdown", "--lang", "both", "--group", "all", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert len(sections) == len(bundled) + 1
    assert "## 演示 · Demo (`demo`)" in sections
    assert "### 1. 什么是梯度消失？" in text and "*What is a vanishing gradient?*" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; $`a<b`$" in text  # text; a math span
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "<img" not in text
    assert "**要点 · Key points**" in text and "- 连乘导致梯度变小 / repeated products" in text
    assert "来源 · Source: <https://example.com/vanishing>" in text


def test_existing_files_are_kept_unless_forced(invoke, tmp_path):
    out = tmp_path / "sheet.md"
    out.write_text("mine", encoding="utf-8")
    result = invoke("export", "markdown", "-o", str(out))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"flashdl: {out} already exists; use --force to overwrite it"
    assert out.read_text(encoding="utf-8") == "mine"
    assert invoke("export", "markdown", "-o", str(out), "--force").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# flashdl 速查表")
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("fmt", ["anki", "csv", "markdown"])
def test_bad_targets_and_decks_are_one_line_errors(invoke, tmp_path, fmt):
    result = invoke("export", fmt, "-o", str(tmp_path / "missing" / "x"))
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("does not exist")
    assert len(result.stderr.strip().splitlines()) == 1
    result = invoke("export", fmt, "-o", str(tmp_path))
    assert result.stderr.strip() == f"flashdl: {tmp_path} is a folder; give a file name with -o"
    result = invoke("export", fmt, "--deck", "nope", "-o", str(tmp_path / "x"))
    assert result.exit_code == 1 and "no deck named 'nope'" in result.stderr
    assert not (tmp_path / "x").exists()


def test_default_file_names_in_the_working_directory(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for fmt, name in [("anki", "flashdl.apkg"), ("csv", "flashdl.csv"), ("markdown", "flashdl.md")]:
        result = invoke("export", fmt, "--deck", "gan")
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == f"Wrote {name}: 8 cards from 1 deck."
        assert (tmp_path / name).stat().st_size > 0
    assert not list(tmp_path.glob(".*.tmp"))


def test_export_commands_are_documented():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for command in ("anki", "csv", "markdown", "progress"):
        assert f"flashdl export {command}" in readme
    assert "flashdl import progress" in readme


def test_a_moved_source_exports_both_links():
    from decktext import MOVED

    card = parse_deck(MOVED, "demo.yaml").cards[0]
    source = export.anki_fields(card, "en")[3]
    assert source == (
        '<a href="https://example.com/vanishing">https://example.com/vanishing</a><br>'
        '<a href="https://example.com/new/vanishing">https://example.com/new/vanishing</a>'
    )


# -- issue 11: placeholders, '#' questions, control characters, targets ---------------------------


def placeholder_deck(size: int = 300_000):
    """A valid deck of about ``size`` characters: the old placeholder word with long runs of 'x',
    and formulas between them (the old exporter grew its placeholder one 'x' at a time)."""
    import yaml

    run = "fdlmath" + "x" * (size * 4 // 10)
    card = {
        "id": "placeholder-one",
        "question": {"en": "fdlmath" + "x" * 5000 + " $q_1$?"},
        "answer": {"en": run + " $a^2$ and $$b$$ " + "fdlmathx0z $c$ " * 2000 + run},
        "key_points": [
            {"en": "fdlmath" + "x" * 5000 + f" ${i}+{i}$", "terms": [f"t{i}"]} for i in range(3)
        ],
        "source": "https://example.com/placeholder",
    }
    text = yaml.safe_dump({"deck": "placeholder", "title": {"en": "P"}, "cards": [card]})
    assert len(text) >= size * 0.9
    return parse_deck(text, "placeholder.yaml")


def test_exports_are_linear_on_text_full_of_placeholder_words():
    """300 KB of 'fdlmathxxx…' exports in well under a second per format (the old exporter took
    about two minutes per format); timed beyond what a two-card deck takes (genanki's fixed cost)."""
    import time

    large, small = placeholder_deck(), parse_deck(VALID, "demo.yaml")
    formats = {
        "anki": lambda d: export.anki_package_bytes([d], lang="en", timestamp=NOW.timestamp()),
        "csv": lambda d: export.anki_csv([d], "en"),
        "markdown": lambda d: export.markdown_sheet([d], "en"),
    }
    for name, make in formats.items():
        make(small)  # imports
        with deadline(30):
            start = time.perf_counter()
            make(small)
            middle = time.perf_counter()
            out = make(large)
            end = time.perf_counter()
        extra = (end - middle) - (middle - start)
        assert extra < 1.0, f"export {name}: {extra:.2f} s more for 300 KB"
        assert name == "anki" or len(out) > 250_000  # the .apkg is zipped
    answer = export.anki_fields(large.cards[0], "en")[1]
    assert answer.count(r"\(c\)") == 2000 and answer.count("fdlmathx0z") == 2000  # text kept


def test_questions_that_start_with_a_hash_are_quoted_for_anki():
    text = VALID.replace("什么是梯度消失？, en:", "'#1 什么是梯度消失？', en:")
    rows = export.anki_csv([parse_deck(text, "demo.yaml")], "zh").split("#columns:", 1)[1]
    first = rows.split("\n")[1]
    assert first.startswith('"#1 什么是梯度消失？"\t')
    assert rows.split("\n")[2].startswith("什么是梯度爆炸？\t")  # other questions as before


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\\t", "\\r=", "\\r\\r+"])
def test_no_field_of_the_csv_starts_like_a_spreadsheet_formula(start):
    """A question that starts with = + - @ (or a tab) would be a formula in a spreadsheet
    ("=cmd|' /C calc'!A0"): its first character is written as its HTML character reference,
    which Anki shows as the character. (``start`` is YAML: \\t is a tab.)"""
    text = VALID.replace("什么是梯度消失？, en:", f"\"{start}cmd|' /C calc'!A0\", en:")
    deck = parse_deck(text, "demo.yaml")
    assert deck.cards[0].question.zh.endswith("cmd|' /C calc'!A0")
    rows = export.anki_csv([deck], "zh").split("#columns:", 1)[1].split("\n")[1:]
    for row in rows:
        for field in row.split("\t"):
            assert not field.lstrip('"').startswith(("=", "+", "-", "@", "\r")), field
    assert rows[0].lstrip('"').startswith(("&#", "cmd"))  # (a leading tab is trimmed on loading)


def test_deck_names_descriptions_and_tags_carry_no_control_characters():
    from exportcheck import CONTROL

    text = VALID.replace(
        "title: {zh: 演示, en: Demo}",
        'title: {zh: "演示\\e[31m\\a\\x9b\\u202e\\L", en: "Demo \\e]0;x\\a <b>&"}',
    )
    deck = parse_deck(text, "demo.yaml")
    assert export.anki_deck_name(deck) == "flashdl::demo · 演示[31m"
    assert export.anki_deck_description(deck) == "演示[31m / Demo ]0;x &lt;b&gt;&amp;"
    for card in deck.cards:
        assert not any(CONTROL.search(tag) for tag in export.anki_tags(deck, card))
    package = export.anki_package([deck], "zh")
    assert package.decks[0].description == export.anki_deck_description(deck)


@pytest.mark.parametrize("fmt", ["anki", "csv", "markdown", "progress"])
def test_exports_never_write_over_the_database(invoke, home, tmp_path, monkeypatch, fmt):
    assert invoke("study", "--deck", "cnn", "--new", "1", input="\n5\n").exit_code == 0
    db = home / "flashdl.db"
    before = db.read_bytes()
    link = tmp_path / "link.db"
    link.symlink_to(db)
    hard = tmp_path / "hard.db"
    os.link(db, hard)
    for target in (db, db.with_name("flashdl.db-wal"), db.with_name("flashdl.db-shm"), link, hard):
        result = invoke("export", fmt, "--deck", "gan", "-o", str(target), "--force")
        if fmt == "progress":
            result = invoke("export", fmt, "-o", str(target), "--force")
        assert result.exit_code == 1, result.output
        assert result.stderr == f"flashdl: {target} is the database itself; choose another file\n"
    assert db.read_bytes() == before and link.is_symlink()
    # FLASHDL_DB moves the database; it is protected where it is.
    moved = tmp_path / "moved.db"
    moved.write_bytes(before)
    monkeypatch.setenv("FLASHDL_DB", str(moved))
    args = (
        ("-o", str(moved), "--force")
        if fmt == "progress"
        else ("-d", "gan", "-o", str(moved), "--force")
    )
    result = invoke("export", fmt, *args)
    assert result.exit_code == 1 and "is the database itself" in result.stderr
    assert moved.read_bytes() == before


@pytest.mark.parametrize("fmt", ["anki", "csv", "markdown"])
def test_exports_never_replace_a_device_a_pipe_or_a_link_to_one(invoke, tmp_path, fmt):
    import stat

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    null = tmp_path / "null"
    null.symlink_to("/dev/null")
    folder = tmp_path / "folder-link"
    folder.symlink_to(tmp_path)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "missing")
    expected = {
        fifo: f"{fifo} is a pipe, not a regular file; give a file name with -o",
        null: f"{null} is a device, not a regular file; give a file name with -o",
        Path("/dev/null"): "/dev/null is a device, not a regular file; give a file name with -o",
        folder: f"{folder} is a folder; give a file name with -o",
        dangling: f"{dangling} is a symbolic link to a missing file; remove it first",
    }
    for target, message in expected.items():
        with deadline(10):  # a pipe is never opened, so nothing waits for a reader
            result = invoke("export", fmt, "--deck", "gan", "-o", str(target), "--force")
        assert result.exit_code == 1 and result.stderr == f"flashdl: {message}\n", result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert null.is_symlink() and os.readlink(null) == "/dev/null"
    assert folder.is_symlink() and dangling.is_symlink() and not list(tmp_path.glob(".*.tmp"))


def test_a_link_to_a_regular_file_is_written_through(invoke, tmp_path):
    real = tmp_path / "real.md"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert invoke("export", "markdown", "--deck", "gan", "-o", str(link)).exit_code == 1
    assert invoke("export", "markdown", "--deck", "gan", "-o", str(link), "--force").exit_code == 0
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("# flashdl")


@pytest.mark.parametrize(
    ("fmt", "start"), [("csv", b"#separator:tab\n"), ("markdown", b"# flashdl")]
)
def test_dash_writes_a_text_export_to_standard_output(invoke, tmp_path, monkeypatch, fmt, start):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = invoke("export", fmt, "--deck", "gan", "--lang", "both", "-o", "-")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout_bytes.startswith(start) and list(work.iterdir()) == []
    assert invoke("export", fmt, "--deck", "gan", "--lang", "both", "-o", "file").exit_code == 0
    assert (work / "file").read_bytes() == result.stdout_bytes  # nothing else on stdout


def test_the_binary_package_refuses_standard_output(invoke, tmp_path, monkeypatch):
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    monkeypatch.chdir(tmp_path)
    result = invoke("export", "anki", "-o", "-")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == (
        "flashdl: a .apkg file is binary and cannot go to standard output; give a file name with -o\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_the_direct_collection_writer_writes_what_genanki_writes(lang):
    """``anki_package_bytes`` streams rows with executemany; genanki's Package, row for row."""
    import itertools
    import sqlite3

    from flashdl.decks.loader import load_collection
    from flashdl.exporters.anki import _write_collection
    from flashdl.paths import bundled_decks_dir

    decks = [*load_collection([bundled_decks_dir()]), parse_deck(VALID, "demo.yaml")]
    stamp = NOW.timestamp()
    genanki_db, direct_db = sqlite3.connect(":memory:"), sqlite3.connect(":memory:")
    export.anki_package(decks, lang).write_to_db(
        genanki_db.cursor(), stamp, itertools.count(int(stamp * 1000))
    )
    with direct_db:
        _write_collection(direct_db, decks, lang, stamp)
    for table in ("col", "notes", "cards", "revlog", "graves"):
        query = f"SELECT * FROM {table} ORDER BY 1"
        assert direct_db.execute(query).fetchall() == genanki_db.execute(query).fetchall()
    assert direct_db.execute("SELECT count(*) FROM notes").fetchone()[0] == sum(
        len(d.cards) for d in decks
    )
