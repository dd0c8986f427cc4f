"""Edited decks: the cache re-parses only the cards an edit changed, and the result is always
what a full parse of the edited file gives (the same cards, lines, problems)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from decktext import VALID
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdl.core.errors import DeckError
from flashdl.core.model import LazyCards
from flashdl.decks import cache as deck_cache
from flashdl.decks import pieces
from flashdl.decks.cache import entry_path, load_deck_cached, read_entry
from flashdl.decks.loader import load_deck

# -- the cut ------------------------------------------------------------------------------------


def test_the_usual_layout_is_cut_at_each_card():
    cut = pieces.cut(VALID.encode())
    assert cut is not None
    assert cut.header.decode().endswith("cards:\n") and len(cut.cards) == 2
    assert cut.lines == (4, 18) and cut.header + b"".join(cut.cards) == VALID.encode()
    assert cut.aligned(c.line for c in load_deck_text(VALID).cards)


@pytest.mark.parametrize(
    "text",
    [
        VALID.replace("\n", "\r\n"),
        VALID.replace("\n  - id: demo-two", "\n\n  # the second card\n  - id: demo-two"),
        VALID.replace("cards:\n", "cards:   \n\n# all of them\n"),
        "\ufeff" + VALID,
        VALID.removesuffix("\n"),
    ],
    ids=["crlf", "comment between cards", "comment before the cards", "bom", "no final newline"],
)
def test_usual_variations_are_cut_too(text):
    cut = pieces.cut(text.encode())
    assert cut is not None and len(cut.cards) == 2
    assert cut.aligned(c.line for c in load_deck_text(text).cards)


def dedented(text: str) -> str:
    """VALID with its cards at indentation 0 (``cards:`` then ``- id:`` on the next line)."""
    head, cards = text.split("cards:\n")
    return head + "cards:\n" + "\n".join(line[2:] for line in cards.split("\n"))


def test_cards_at_indentation_zero_are_cut():
    text = dedented(VALID)
    cut = pieces.cut(text.encode())
    assert cut is not None and cut.aligned(c.line for c in load_deck_text(text).cards)


@pytest.mark.parametrize(
    "text",
    [
        VALID + "group: extra\n",  # a top-level key after the cards
        VALID + "...\n",  # a document end
        VALID + "\tx\n",
        VALID.replace("cards:\n", "cards: # the cards\n"),
        VALID.replace("cards:\n  - id: demo-one", "cards: [\n  ]\nx:\n  - id: demo-one"),
        "deck: demo\ntitle: {zh: a, en: b}\ncards: []\n",
        "deck: demo\n",
    ],
    ids=["key after", "document end", "tab", "comment on cards", "flow", "empty flow", "none"],
)
def test_other_layouts_are_not_cut(text):
    assert pieces.cut(text.encode()) is None


def test_a_cut_that_a_quoted_text_fools_is_not_aligned():
    """A double-quoted text may go on over a line that looks like the start of a card; the full
    parse then finds fewer cards than pieces, and the cache keeps no pieces for that file."""
    text = VALID.replace(
        "en: What is an exploding gradient?}",
        'en: "What is an\n  - exploding gradient?"}',
    )
    deck = load_deck_text(text)
    cut = pieces.cut(text.encode())
    assert len(deck.cards) == 2 and cut is not None and len(cut.cards) == 3
    assert not cut.aligned(c.line for c in deck.cards)


def load_deck_text(text: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.yaml"
        path.write_text(text, encoding="utf-8", newline="")
        return load_deck(path)


# -- edits through the cache ----------------------------------------------------------------------


def outcome(load, path: Path):
    """What loading gives, comparable between the cache and a full parse: the deck with every
    line, or the problems."""
    try:
        deck = load(path)
    except DeckError as exc:
        return "problems", exc.problems
    cards = [
        (
            card,
            card.line,
            [p.line for p in card.key_points],
            card.pitfalls,
        )
        for card in deck.cards
    ]
    return "deck", (deck.name, deck.title, deck.group, deck.format, deck.path, cards)


def write(path: Path, text: str, stamp: list[int]) -> None:
    path.write_text(text, encoding="utf-8", newline="")
    stamp[0] += 1_000_000_000  # a new mtime even when the size stays
    os.utime(path, ns=(stamp[0], stamp[0]))


def test_an_edit_parses_only_the_changed_card(tmp_path, monkeypatch):
    path, cache = tmp_path / "demo.yaml", tmp_path / "cache"
    path.write_text(VALID, encoding="utf-8")
    load_deck_cached(path, cache)
    assert read_entry(entry_path(cache, path)).header is not None
    parsed: list[int] = []
    real = deck_cache.parse_deck

    def counting(data, *args, **kwargs):
        deck = real(data, *args, **kwargs)
        parsed.append(len(deck.cards))
        return deck

    monkeypatch.setattr(deck_cache, "parse_deck", counting)
    edited = VALID.replace("Gradients grow layer by layer.", "Gradients grow layer after layer.")
    write(path, edited, [path.stat().st_mtime_ns])
    deck = load_deck_cached(path, cache)
    assert parsed == [1]  # the edited card alone
    assert type(deck.cards) is LazyCards
    assert outcome(lambda p: load_deck_cached(p, cache), path) == outcome(load_deck, path)
    assert deck.cards[1].answer.en == "Gradients grow layer after layer."


def test_a_touched_file_keeps_its_records_without_parsing(tmp_path, monkeypatch):
    path, cache = tmp_path / "demo.yaml", tmp_path / "cache"
    path.write_text(VALID, encoding="utf-8")
    load_deck_cached(path, cache)
    monkeypatch.setattr(deck_cache, "parse_deck", None)  # any parse would fail
    write(path, VALID, [path.stat().st_mtime_ns])
    assert outcome(lambda p: load_deck_cached(p, cache), path) == outcome(load_deck, path)


def test_a_problem_in_an_edited_card_is_reported_as_a_full_parse_words_it(tmp_path):
    path, cache = tmp_path / "demo.yaml", tmp_path / "cache"
    path.write_text(VALID, encoding="utf-8")
    load_deck_cached(path, cache)
    stamp = [path.stat().st_mtime_ns]
    for broken in (
        VALID.replace("id: demo-two", "id: demo-one"),  # a duplicate id
        VALID.replace("    source: https://example.com/exploding\n", "    sauce: x\n"),
        VALID.replace("{zh: 梯度逐层放大。", "{zh: '梯度逐层放大。"),  # broken YAML
    ):
        write(path, broken, stamp)
        cached = outcome(lambda p: load_deck_cached(p, cache), path)
        assert cached[0] == "problems" and cached == outcome(load_deck, path)


# Cards in many YAML styles, some of them hard for a line-based cut: block texts that keep
# their trailing blank lines, double-quoted texts over several lines, comments.
TEXTS = [
    "{zh: 问题 %(n)s, en: Question %(n)s?}",
    "\n%(i)s  zh: |\n%(i)s    第 %(n)s 行\n%(i)s  en: |+\n%(i)s    Line %(n)s\n\n",
    "\n%(i)s  zh: >-\n%(i)s    折叠 %(n)s\n%(i)s    文本\n%(i)s  en: 'single %(n)s'",
    '\n%(i)s  zh: "多行\n%(i)s    文本 %(n)s"\n%(i)s  en: "two\n%(i)s    lines %(n)s"',
    '{zh: "引号 %(n)s", en: "fooled\n%(c)s- id: fake-%(n)s"}',
    "\n%(i)s  # a comment\n%(i)s  zh: 注释 %(n)s\n%(i)s  en: comment %(n)s",
]


@st.composite
def cards(draw, number: int, indent: str, format_2: bool) -> str:
    keys = indent + "  "  # a card's keys; %(c)s is where its "- " stands
    question = draw(st.sampled_from(TEXTS)) % {"i": keys, "c": indent, "n": number}
    answer = draw(st.sampled_from(TEXTS)) % {"i": keys, "c": indent, "n": number + 1000}
    points = draw(st.integers(3, 4))
    lines = [
        f"{indent}- id: card-{number}",
        f"{indent}  question: {question}",
        f"{indent}  answer: {answer}",
        f"{indent}  key_points:",
        *(
            f"{indent}    - {{zh: 要点 {k}, en: point {k}, terms: [t{k}, 词{k}]}}"
            for k in range(points)
        ),
    ]
    if format_2 and draw(st.booleans()):
        lines += [f"{indent}  pitfalls:", f"{indent}    - {{zh: 误区, en: a myth, terms: [myth]}}"]
    text = "\n".join(lines)
    if draw(st.booleans()):
        # YAML also breaks lines at a lone CR, NEL, LS and PS; libyaml counts them as lines.
        text += draw(st.sampled_from(["\n"] * 10 + ["\r", "\x85", "\u2028", "\u2029"]))
        text += f"{indent}  tags: [t{number % 3}]"
    return text + "\n" + draw(st.sampled_from(["", "\n", f"{indent}# between\n"]))


EDITS = ["change", "insert", "delete", "move", "duplicate id", "break", "invalid", "header",
         "key after", "no final newline", "same", "anchor"]  # fmt: skip


@st.composite
def edited_decks(draw):
    indent = draw(st.sampled_from(["", "  ", "    "]))
    format_2 = draw(st.booleans())
    header = "deck: demo\n" + ("format: 2\n" if format_2 else "") + "title: {zh: 演示, en: Demo}\n"
    count = draw(st.integers(1, 5))
    body = [draw(cards(n, indent, format_2)) for n in range(count)]
    versions = [header + "cards:\n" + "".join(body)]
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(st.sampled_from(EDITS))
        at = draw(st.integers(0, len(body) - 1))
        tail = ""
        if edit == "change":
            body[at] = body[at].replace("point 1,", "point one,", 1)
        elif edit == "insert":
            body.insert(at, draw(cards(100 + len(versions), indent, format_2)))
        elif edit == "delete" and len(body) > 1:
            del body[at]
        elif edit == "move":
            body.append(body.pop(at))
        elif edit == "duplicate id":
            body.append(body[at])
        elif edit == "break":
            body[at] = body[at].replace("key_points:", "key_points: [", 1)
        elif edit == "anchor":  # anchors name nodes across the file: refused
            body[at] = body[at].replace("key_points:", "key_points: &points", 1)
        elif edit == "invalid":
            body[at] = body[at].replace("id: card-", "id: Card ", 1)
        elif edit == "header":
            header = header.replace("Demo", "Demo again")
        elif edit == "key after":
            tail = "group: extra\n"
        text = header + "cards:\n" + "".join(body) + tail
        if edit == "no final newline":
            text = text.rstrip("\n")
        versions.append(text)
    return versions  # the deck as first cached, then after each edit


@settings(max_examples=300, deadline=None)
@given(edited_decks())
def test_an_edited_deck_loads_as_a_full_parse_of_it(versions):
    with tempfile.TemporaryDirectory() as folder:
        path, cache = Path(folder) / "demo.yaml", Path(folder) / "cache"
        stamp = [1_700_000_000_000_000_000]
        for text in versions:
            write(path, text, stamp)
            fresh = outcome(load_deck, path)
            assert outcome(lambda p: load_deck_cached(p, cache), path) == fresh
            # and once more from the entry that load wrote
            assert outcome(lambda p: load_deck_cached(p, cache), path) == fresh


def test_an_edit_of_most_cards_parses_the_whole_file(tmp_path, monkeypatch):
    path, cache = tmp_path / "demo.yaml", tmp_path / "cache"
    path.write_text(VALID, encoding="utf-8")
    load_deck_cached(path, cache)
    parsed: list[int] = []
    real = deck_cache.parse_deck
    monkeypatch.setattr(deck_cache, "parse_deck", lambda *a, **k: parsed.append(1) or real(*a, **k))
    both = VALID.replace("early layers stop", "early layers no longer").replace(
        "products grow,", "products grow larger,"
    )
    write(path, both, [path.stat().st_mtime_ns])
    assert outcome(lambda p: load_deck_cached(p, cache), path) == outcome(load_deck, path)
    assert parsed == [1]
    assert deck_cache.MOST_EDITED == 0.5


def test_an_edit_with_an_unwritable_cache_still_loads_the_edited_deck(tmp_path, monkeypatch):
    path, cache = tmp_path / "demo.yaml", tmp_path / "cache"
    path.write_text(VALID, encoding="utf-8")
    load_deck_cached(path, cache)
    monkeypatch.setattr(deck_cache, "_write_atomically", _refuse)
    edited = VALID.replace("gradient clipping,", "clipping the gradient,")
    write(path, edited, [path.stat().st_mtime_ns])
    assert outcome(lambda p: load_deck_cached(p, cache), path) == outcome(load_deck, path)
    assert load_deck_cached(path, cache).cards[1].key_points[1].text.en == "clipping the gradient"


def _refuse(*_args):
    raise OSError("read-only")


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw.update(header=7),
        lambda raw: raw.pop("header"),
        lambda raw: raw.update(deck_format="2"),
    ],
    ids=["header", "missing", "format"],
)
def test_a_damaged_layout_in_the_index_is_a_miss(tmp_path, damage):
    from cacheindex import change_index

    path, cache = tmp_path / "demo.yaml", tmp_path / "cache"
    path.write_text(VALID, encoding="utf-8")
    load_deck_cached(path, cache)
    index = entry_path(cache, path)
    change_index(index, damage)
    assert read_entry(index) is None
    assert outcome(lambda p: load_deck_cached(p, cache), path) == outcome(load_deck, path)


@pytest.mark.parametrize(
    "damage",
    [lambda data: data[:-1], lambda data: data + b"x", lambda data: b"", None],
    ids=["short", "long", "empty", "missing"],
)
def test_damaged_piece_digests_parse_the_edited_file_whole(tmp_path, monkeypatch, damage):
    path, cache = tmp_path / "demo.yaml", tmp_path / "cache"
    path.write_text(VALID, encoding="utf-8")
    load_deck_cached(path, cache)
    entry = read_entry(entry_path(cache, path))
    stored = deck_cache.pieces_path(entry_path(cache, path), entry.sha256)
    assert stored.stat().st_size == 2 * pieces.DIGEST_SIZE
    if damage is None:
        stored.unlink()
    else:
        stored.write_bytes(damage(stored.read_bytes()))
    parsed: list[int] = []
    real = deck_cache.parse_deck
    monkeypatch.setattr(deck_cache, "parse_deck", lambda *a, **k: parsed.append(1) or real(*a, **k))
    write(path, VALID.replace("products grow,", "products grow fast,"), [path.stat().st_mtime_ns])
    assert outcome(lambda p: load_deck_cached(p, cache), path) == outcome(load_deck, path)
    assert parsed == [1]  # the whole file, once
    # and the entry written then has its digests again
    after = read_entry(entry_path(cache, path))
    assert deck_cache.pieces_path(entry_path(cache, path), after.sha256).stat().st_size == 24


def test_the_deck_format_survives_the_cache(tmp_path):
    path, cache = tmp_path / "demo.yaml", tmp_path / "cache"
    path.write_text(VALID.replace("deck: demo\n", "deck: demo\nformat: 2\n"), encoding="utf-8")
    load_deck_cached(path, cache)
    cached = load_deck_cached(path, cache)
    assert type(cached.cards) is LazyCards and cached.format == load_deck(path).format == 2


@pytest.mark.parametrize("brk", ["\r", "\x85", "\u2028", "\u2029"], ids=["cr", "nel", "ls", "ps"])
def test_a_file_with_other_line_breaks_is_not_cut_and_its_lines_stay_right(tmp_path, brk):
    """libyaml counts a lone CR, NEL, LS and PS as line breaks; the cut counts only newlines, so
    such a file is parsed whole (here a card with one moves to the front)."""
    odd = VALID.replace(
        "    source: https://example.com/exploding\n",
        f"    source: https://example.com/exploding{brk}    tags: [x]\n",
    )
    assert pieces.cut(odd.encode()) is None
    path, cache = tmp_path / "demo.yaml", tmp_path / "cache"
    stamp = [1_700_000_000_000_000_000]
    head, one, two = (
        odd.partition("  - id: demo-one")[0],
        *odd.split("cards:\n")[1].split("  - id: demo-two"),
    )
    for text in (odd, head + "  - id: demo-two" + two + one):
        write(path, text, stamp)
        assert outcome(lambda p: load_deck_cached(p, cache), path) == outcome(load_deck, path)
    assert load_deck_cached(path, cache).cards[1].line == load_deck(path).cards[1].line == 13


def test_an_anchor_in_an_edited_card_is_refused_as_in_a_full_parse(tmp_path):
    path, cache = tmp_path / "demo.yaml", tmp_path / "cache"
    stamp = [1_700_000_000_000_000_000]
    write(path, VALID, stamp)
    load_deck_cached(path, cache)
    anchored = VALID.replace(
        "    key_points:\n      - {zh: 连乘放大", "    key_points: &k\n      - {zh: 连乘放大"
    )
    write(path, anchored, stamp)
    cached = outcome(lambda p: load_deck_cached(p, cache), path)
    assert cached == outcome(load_deck, path)
    assert cached[0] == "problems" and "anchors (&k)" in cached[1][0]


def plant_index(cache: Path, path: Path, change) -> None:
    from cacheindex import read_index, write_index

    index = entry_path(cache, path)
    raw, lines, offsets, texts = read_index(index)
    change(raw, texts)
    raw["texts"] = [len(t) for t in texts]
    write_index(index, raw, lines, offsets, texts)  # json.dumps: "\udc80" stays escaped


@pytest.mark.parametrize("field", ["ids", "tags", "related", "name", "path"])
def test_an_index_with_an_escaped_surrogate_is_a_miss(tmp_path, field):
    """In the JSON line an escaped one, in the texts after it an encoded one."""
    path, cache = tmp_path / "demo.yaml", tmp_path / "cache"
    stamp = [1_700_000_000_000_000_000]
    write(path, VALID, stamp)
    load_deck_cached(path, cache)

    def plant(raw, texts):
        if field in ("ids", "tags", "related"):
            which = ("ids", "tags", "related").index(field)
            texts[which] = texts[which][:-1] + b"\xed\xb2\x80"
        else:
            raw[field] = "\udc80"

    plant_index(cache, path, plant)
    assert read_entry(entry_path(cache, path)) is None
    write(path, VALID, stamp)  # touched
    assert outcome(lambda p: load_deck_cached(p, cache), path) == outcome(load_deck, path)
    plant_index(cache, path, plant)
    write(path, VALID.replace("products grow,", "products grow fast,"), stamp)  # edited
    assert outcome(lambda p: load_deck_cached(p, cache), path) == outcome(load_deck, path)


def test_a_card_record_with_an_escaped_surrogate_is_parsed_again(tmp_path):
    path, cache = tmp_path / "demo.yaml", tmp_path / "cache"
    write(path, VALID, [1_700_000_000_000_000_000])
    load_deck_cached(path, cache)
    entry = read_entry(entry_path(cache, path))
    cards = deck_cache.cards_path(entry_path(cache, path), entry.sha256)
    data = cards.read_bytes()
    planted = data.replace("浅层学不动".encode(), b"\\udc80\\udc80abc")
    assert len(planted) == len(data)  # 15 bytes for 15 bytes: the offsets still fit
    cards.write_bytes(planted)
    deck = load_deck_cached(path, cache)
    assert (
        deck.cards[0].key_points[1].text.zh
        == "浅层学不动"
        == load_deck(path).cards[0].key_points[1].text.zh
    )


@pytest.mark.parametrize("which", ["index", "cards", "pieces"])
def test_a_fifo_planted_in_the_cache_is_a_miss_not_a_hang(tmp_path, which):
    import signal

    path, cache = tmp_path / "demo.yaml", tmp_path / "cache"
    stamp = [1_700_000_000_000_000_000]
    write(path, VALID, stamp)
    load_deck_cached(path, cache)
    index = entry_path(cache, path)
    sha = read_entry(index).sha256
    planted = {
        "index": index,
        "cards": deck_cache.cards_path(index, sha),
        "pieces": deck_cache.pieces_path(index, sha),
    }[which]
    planted.unlink()
    os.mkfifo(planted)

    def hung(*_args):
        raise AssertionError("blocked on a FIFO")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    try:
        write(path, VALID.replace("products grow,", "products grow fast,"), stamp)
        assert outcome(lambda p: load_deck_cached(p, cache), path) == outcome(load_deck, path)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize(
    "anchored",
    [
        "    key_points: &k\n      - {zh: 连乘放大",
        '    key_points:\n      - {"zh":&k 连乘放大',  # after a quoted flow key, no space
        "    key_points:\n      - {zh: !!str &k 连乘放大",
        "    key_points:\n      - &k {zh: 连乘放大",
    ],
    ids=["block", "flow after a quoted key", "after a tag", "item"],
)
def test_every_way_of_writing_an_anchor_is_refused(anchored):
    from flashdl.decks.loader import parse_deck

    text = VALID.replace("    key_points:\n      - {zh: 连乘放大", anchored)
    assert text != VALID
    with pytest.raises(DeckError) as problems:
        parse_deck(text, "demo.yaml", "demo")
    assert any("YAML anchors (&k) are not supported" in p for p in problems.value.problems)
