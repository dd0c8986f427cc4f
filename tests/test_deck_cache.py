"""The parsed-deck cache: hits for unchanged files, misses for edits, never wrong, never fatal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from decktext import VALID

from flashdl import deck_cache
from flashdl.deck_cache import cache_files, entry_path, load_deck_cached
from flashdl.decks import load_deck
from flashdl.errors import DeckError


@pytest.fixture
def deck_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo.yaml"
    path.write_text(VALID, encoding="utf-8")
    return path


def count_parses(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = deck_cache.parse_deck

    def counting(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(deck_cache, "parse_deck", counting)
    return calls


def test_unchanged_file_is_parsed_once(deck_file, tmp_path, monkeypatch):
    calls = count_parses(monkeypatch)
    cache = tmp_path / "cache"
    first = load_deck_cached(deck_file, cache)
    second = load_deck_cached(deck_file, cache)
    assert first == second == load_deck(deck_file)
    assert len(calls) == 1 and len(cache_files(cache)) == 1


def test_edit_is_seen_and_touch_is_a_hit(deck_file, tmp_path, monkeypatch):
    calls = count_parses(monkeypatch)
    cache = tmp_path / "cache"
    load_deck_cached(deck_file, cache)
    stat = deck_file.stat()
    os.utime(deck_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))  # touched only
    load_deck_cached(deck_file, cache)
    assert len(calls) == 1
    deck_file.write_text(VALID.replace("Demo", "Changed"), encoding="utf-8")
    assert load_deck_cached(deck_file, cache).title.en == "Changed"
    assert len(calls) == 2


def test_broken_file_is_not_cached_and_still_reported(deck_file, tmp_path):
    cache = tmp_path / "cache"
    deck_file.write_text(VALID.replace("id: demo-two", "id: Bad Id"), encoding="utf-8")
    with pytest.raises(DeckError):
        load_deck_cached(deck_file, cache)
    assert cache_files(cache) == []
    with pytest.raises(DeckError):
        load_deck_cached(deck_file, cache)


def test_damaged_entry_is_a_miss_and_unwritable_cache_is_fine(deck_file, tmp_path):
    cache = tmp_path / "cache"
    load_deck_cached(deck_file, cache)
    entry_path(cache, deck_file).write_bytes(b"not a pickle")
    assert load_deck_cached(deck_file, cache).name == "demo"
    blocked = tmp_path / "file-in-the-way"
    blocked.write_text("x")
    assert load_deck_cached(deck_file, blocked / "cache").name == "demo"


def test_cli_fills_the_cache(invoke, home):
    invoke("decks")
    assert len(cache_files(home / "cache")) == 7
