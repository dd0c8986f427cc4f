"""A large deck with no cache entry is parsed on every core, in ranges of cards, each behind the
file's header (``cache._parsed_in_parts``); what it loads is exactly what a full parse gives, and
any problem is worded by the full parse."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pieces import edited_decks, outcome

from flashdl import parallel
from flashdl.core.model import LazyCards
from flashdl.decks import cache
from flashdl.decks.cache import load_deck_cached
from flashdl.decks.loader import load_deck

forking = pytest.mark.skipif(
    not parallel.parallel(parallel.MIN_PARALLEL), reason="needs two cores, fork and one thread"
)


def big_deck(cards: int) -> str:
    body = "".join(
        f"  - id: card-{n}\n"
        f"    question: {{zh: 问题 {n}, en: Question {n}?}}\n"
        f"    answer:\n      zh: |\n        答案 {n}，**重点**。\n      en: Answer {n}.\n"
        "    key_points:\n"
        + "".join(
            f"      - {{zh: 要点 {k}, en: point {k}, terms: [t{k}, 词{k}]}}\n" for k in range(3)
        )
        + f"    tags: [t{n % 3}]\n"
        + (f"    related: [card-{n - 1}]\n" if n else "")
        for n in range(cards)
    )
    return "deck: demo\ntitle: {zh: 演示, en: Demo}\ncards:\n" + body


@pytest.fixture
def split_small(monkeypatch):
    """Split every deck into ranges of 2 cards, in this process (the ranges are the question;
    the processes are tested below)."""
    monkeypatch.setattr(cache, "MIN_SPLIT_BYTES", 0)
    monkeypatch.setattr(cache, "PARSE_CHUNK", 2)
    monkeypatch.setattr(parallel, "parallel", lambda count: True)
    monkeypatch.setattr(parallel, "cores", lambda: 1)


def counted(monkeypatch) -> list[int]:
    calls: list[int] = []
    original = cache._parsed_in_parts

    def spy(*args, **kwargs):
        found = original(*args, **kwargs)
        calls.append(found is not None)
        return found

    monkeypatch.setattr(cache, "_parsed_in_parts", spy)
    return calls


@settings(max_examples=300, deadline=None)
@given(versions=edited_decks(), chunk=st.integers(1, 3))
def test_a_deck_parsed_in_ranges_loads_as_a_full_parse_of_it(versions, chunk):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "MIN_SPLIT_BYTES", 0)
        patch.setattr(cache, "PARSE_CHUNK", chunk)
        patch.setattr(parallel, "parallel", lambda count: True)
        patch.setattr(parallel, "cores", lambda: 1)
        for text in versions:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "demo.yaml"
                path.write_text(text, encoding="utf-8", newline="")
                fresh = outcome(load_deck, path)
                loaded = outcome(lambda p, c=Path(folder) / "cache": load_deck_cached(p, c), path)
                assert loaded == fresh


def test_a_valid_deck_is_parsed_in_ranges_and_cached(tmp_path, split_small, monkeypatch):
    calls = counted(monkeypatch)
    path = tmp_path / "demo.yaml"
    path.write_text(big_deck(7), encoding="utf-8")
    deck = load_deck_cached(path, tmp_path / "cache")
    assert calls == [True] and isinstance(deck.cards, LazyCards)
    assert outcome(load_deck, path) == outcome(lambda p: load_deck_cached(p, tmp_path / "c2"), path)
    # the entry it wrote keeps the layout: an edit then parses only the changed card
    assert cache.read_entry(cache.entry_path(tmp_path / "cache", path), path).header is not None


@pytest.mark.parametrize(
    "damage, problem",
    [
        (lambda t: t.replace("card-5\n", "card-1\n", 1), "duplicate card id 'card-1'"),
        (lambda t: t.replace("问题 4,", "问题 4", 1), "line 2"),  # the header's line is fine
        (lambda t: t.replace("key_points:", "key_points: &a", 1), "anchors"),
        (lambda t: t.replace("title: {zh: 演示, en: Demo}", "title: 7"), "title"),
    ],
)
def test_a_problem_anywhere_is_worded_by_the_full_parse(tmp_path, split_small, damage, problem):
    path = tmp_path / "demo.yaml"
    path.write_text(damage(big_deck(7)), encoding="utf-8")
    fresh = outcome(load_deck, path)
    assert fresh[0] == "problems"
    assert outcome(lambda p: load_deck_cached(p, tmp_path / "cache"), path) == fresh
    assert any(problem in line for line in fresh[1]) or problem == "line 2"


def test_a_small_or_unusual_file_is_parsed_whole(tmp_path, monkeypatch):
    calls = counted(monkeypatch)
    path = tmp_path / "demo.yaml"
    path.write_text(big_deck(7), encoding="utf-8")
    load_deck_cached(path, tmp_path / "cache")  # under MIN_SPLIT_BYTES
    monkeypatch.setattr(cache, "MIN_SPLIT_BYTES", 0)
    path.write_text(big_deck(7) + "group: extra\n", encoding="utf-8")  # a key after the cards
    loaded = outcome(lambda p: load_deck_cached(p, tmp_path / "cache"), path)
    assert loaded == outcome(load_deck, path) and loaded[1][2] == "extra"
    assert calls == [False, False]


def test_an_unwritable_cache_still_gives_the_parsed_cards(tmp_path, split_small, monkeypatch):
    monkeypatch.setattr(cache, "_write_atomically", lambda *_: (_ for _ in ()).throw(OSError()))
    path = tmp_path / "demo.yaml"
    path.write_text(big_deck(7), encoding="utf-8")
    assert outcome(lambda p: load_deck_cached(p, tmp_path / "cache"), path) == outcome(
        load_deck, path
    )


@forking
def test_the_ranges_are_parsed_in_worker_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "MIN_SPLIT_BYTES", 0)
    monkeypatch.setattr(cache, "PARSE_CHUNK", 40)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 100)
    original = cache._parse_pieces

    def spy(*args):
        (tmp_path / f"parsed-by-{os.getpid()}").touch()
        return original(*args)

    monkeypatch.setattr(cache, "_parse_pieces", spy)
    path = tmp_path / "demo.yaml"
    path.write_text(big_deck(300), encoding="utf-8")
    loaded = outcome(lambda p: load_deck_cached(p, tmp_path / "cache"), path)
    assert loaded == outcome(load_deck, path) and loaded[0] == "deck"
    pids = {int(p.name.rsplit("-", 1)[1]) for p in tmp_path.glob("parsed-by-*")}
    assert pids and os.getpid() not in pids
    # a problem in a range a worker parsed is worded by the full parse here
    path.write_text(big_deck(300).replace("id: card-250\n", "id: Card 250\n"), encoding="utf-8")
    broken = outcome(lambda p: load_deck_cached(p, tmp_path / "cache"), path)
    assert broken == outcome(load_deck, path) and broken[0] == "problems"


@pytest.mark.parametrize("broken", [False, True])
def test_flashdl_check_says_the_same_of_a_deck_parsed_in_ranges(
    invoke, tmp_path, monkeypatch, broken
):
    path = tmp_path / "demo.yaml"
    text = big_deck(9)
    path.write_text(text.replace("id: card-7\n", "id: Card 7\n") if broken else text, "utf-8")
    whole = invoke("check", str(path))
    calls = counted(monkeypatch)
    monkeypatch.setattr(cache, "MIN_SPLIT_BYTES", 0)
    monkeypatch.setattr(cache, "PARSE_CHUNK", 2)
    monkeypatch.setattr(parallel, "parallel", lambda count: True)
    monkeypatch.setattr(parallel, "cores", lambda: 1)
    split = invoke("check", str(path))
    assert (split.exit_code, split.output) == (whole.exit_code, whole.output)
    assert whole.exit_code == (1 if broken else 0), whole.output
    assert calls[0] is not broken  # the split was used, or refused for the problem


def test_a_large_header_is_parsed_whole_not_once_per_range(tmp_path, split_small, monkeypatch):
    """Every range parses the header again: a hostile 24 MB title would cost 24 MB per range."""
    calls = counted(monkeypatch)
    path = tmp_path / "demo.yaml"
    title = "x" * (cache.MAX_SPLIT_HEADER + 1)
    path.write_text(big_deck(7).replace("en: Demo}", f"en: {title}}}", 1), encoding="utf-8")
    parsed = []
    original = cache._parse_pieces
    monkeypatch.setattr(cache, "_parse_pieces", lambda *a: parsed.append(1) or original(*a))
    assert outcome(lambda p: load_deck_cached(p, tmp_path / "cache"), path) == outcome(
        load_deck, path
    )
    assert calls == [False] and not parsed
