"""The parsed-deck cache: hits for unchanged files, misses for edits, never wrong, never fatal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cacheindex import read_index, write_index
from decktext import VALID

from flashdl.core.errors import DeckError
from flashdl.decks import cache as deck_cache
from flashdl.decks.cache import cache_files, entry_path, load_deck_cached
from flashdl.decks.loader import load_deck


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


@pytest.mark.parametrize("broken", [False, True])
def test_other_content_copied_with_the_old_size_and_mtime_is_seen(
    deck_file, tmp_path, monkeypatch, broken
):
    """``cp -p``, ``rsync -t`` or ``tar x`` can give a new version the old size and mtime; the
    inode's change time, which only the kernel sets, still tells that it is another file."""
    cache = tmp_path / "cache"
    load_deck_cached(deck_file, cache)
    stat = deck_file.stat()
    swapped = (
        VALID.replace("Demo", "Dome") if not broken else VALID.replace("answer:", "anwser:", 1)
    )
    assert len(swapped.encode()) == stat.st_size
    deck_file.write_text(swapped, encoding="utf-8")
    os.utime(deck_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    if broken:
        with pytest.raises(DeckError):
            load_deck_cached(deck_file, cache)
    else:
        assert load_deck_cached(deck_file, cache).title.en == "Dome"
        # once read again, the entry is new and the stat alone says so again
        calls = count_parses(monkeypatch)
        monkeypatch.setattr(deck_cache, "read_deck_file", None)  # any read would fail
        assert load_deck_cached(deck_file, cache).title.en == "Dome" and not calls


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
    entry_path(cache, deck_file).write_bytes(b"not json")
    assert load_deck_cached(deck_file, cache).name == "demo"
    blocked = tmp_path / "file-in-the-way"
    blocked.write_text("x")
    assert load_deck_cached(deck_file, blocked / "cache").name == "demo"


def test_cli_fills_the_cache(invoke, home):
    from flashdl.paths import bundled_decks_dir

    invoke("decks")
    assert len(cache_files(home / "cache")) == len(list(bundled_decks_dir().glob("*.yaml")))


def test_cards_load_lazily_and_a_missing_cards_file_is_a_miss(deck_file, tmp_path, monkeypatch):
    from flashdl.core.model import LazyCards, card_ids

    cache = tmp_path / "cache"
    load_deck_cached(deck_file, cache)
    deck = load_deck_cached(deck_file, cache)
    assert isinstance(deck.cards, LazyCards) and list(card_ids(deck)) == ["demo-one", "demo-two"]
    assert deck.cards._loaded == [None, None]  # nothing decoded yet
    assert deck.cards[1].question.en == "What is an exploding gradient?"
    assert deck.cards._loaded[0] is None
    calls = count_parses(monkeypatch)
    for cards_file in cache.glob("*.cards"):
        cards_file.unlink()
    assert load_deck_cached(deck_file, cache).cards[0].id == "demo-one"
    assert len(calls) == 1  # parsed again, and cached again
    assert len(list(cache.glob("*.cards"))) == 1


def test_collection_rules_are_rechecked_only_when_a_file_changes(deck_file, tmp_path):
    from flashdl.decks.cache import load_decks_cached

    cache = tmp_path / "cache"
    other = tmp_path / "other.yaml"
    other.write_text(
        VALID.replace("deck: demo", "deck: other").replace("demo-", "other-"), encoding="utf-8"
    )
    assert [d.name for d in load_decks_cached([tmp_path], cache)] == ["demo", "other"]
    assert len(list(cache.glob("collection-*.ok"))) == 1
    assert [d.name for d in load_decks_cached([tmp_path], cache)] == ["demo", "other"]
    # A clash between two files that are each valid must still be caught after an edit.
    other.write_text(VALID.replace("deck: demo", "deck: other"), encoding="utf-8")
    with pytest.raises(DeckError, match="duplicate card id 'demo-one'"):
        load_decks_cached([tmp_path], cache)


def test_a_clash_copied_in_with_the_old_size_and_mtime_is_still_caught(deck_file, tmp_path):
    """The mark that the cross-deck rules passed names each file's inode and its change time,
    which a copy (``cp -p``, a data folder from another machine) cannot give."""
    from flashdl.decks.cache import load_decks_cached

    cache = tmp_path / "cache"
    other = tmp_path / "demx.yaml"
    other.write_text(
        VALID.replace("deck: demo", "deck: demx").replace("demo-", "demx-"), encoding="utf-8"
    )
    assert [d.name for d in load_decks_cached([tmp_path], cache)] == ["demo", "demx"]
    stat = other.stat()
    clash = VALID.replace("deck: demo", "deck: demx")  # the same size, demo's ids
    assert len(clash.encode()) == stat.st_size
    other.write_text(clash, encoding="utf-8")
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(DeckError, match="duplicate card id 'demo-one'"):
        load_decks_cached([tmp_path], cache)


def test_a_planted_pickle_is_never_loaded(deck_file, tmp_path, invoke, home):
    """Issue 11.3: the cache is JSON; a pickle in the data folder (as old versions wrote, or as an
    attacker plants) is never unpickled, by study, doctor or anything else."""
    import pickle

    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (Path.touch, (marker,))

    invoke("decks")  # fill the cache
    cache = home / "cache"
    for entry in cache_files(cache):
        entry.with_suffix(".pickle").write_bytes(pickle.dumps(Payload()))
        entry.write_bytes(pickle.dumps(Payload()))  # even under the new names
    for cards in cache.glob("*.cards"):
        cards.write_bytes(pickle.dumps(Payload()))
    for command in (["decks"], ["doctor"], ["study"], ["stats"], ["check"]):
        invoke(*command, input="q\n")
    assert not marker.exists()


def test_a_damaged_card_record_is_parsed_again_from_the_deck(deck_file, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    load_deck_cached(deck_file, cache)
    (cards_file,) = cache.glob("*.cards")
    data = cards_file.read_bytes()
    cards_file.write_bytes(data.replace(b'"demo-one"', b'"demo-xxx"'))  # same size, wrong id
    deck = load_deck_cached(deck_file, cache)
    calls = count_parses(monkeypatch)
    assert deck.cards[0].id == "demo-one" and deck.cards[1].id == "demo-two"
    assert len(calls) == 1


def test_streamed_cards_are_the_cards_and_are_not_kept(deck_file, tmp_path):
    """An export reads each card once: streaming decodes them in order and keeps none."""
    from flashdl.core.model import each_card

    cache = tmp_path / "cache"
    parsed = load_deck_cached(deck_file, cache)
    deck = load_deck_cached(deck_file, cache)
    assert list(each_card(deck)) == list(parsed.cards)
    assert deck.cards._loaded == [None] * len(deck.cards)
    first = deck.cards[0]  # a card already decoded is the one streamed
    assert next(each_card(deck)) is first


def test_a_damaged_card_record_heals_at_the_next_start(deck_file, tmp_path, monkeypatch):
    """The deck is parsed again for the session that met the damage, and the entry goes, so
    that the next start writes a sound one instead of parsing the file at every start."""
    cache = tmp_path / "cache"
    load_deck_cached(deck_file, cache)
    (cards_file,) = cache.glob("*.cards")
    data = cards_file.read_bytes()
    cards_file.write_bytes(data[:10] + b"\xff" + data[11:])  # not JSON any more
    deck = load_deck_cached(deck_file, cache)
    assert deck.cards[0] == load_deck(deck_file).cards[0]
    assert not entry_path(cache, deck_file).exists()
    load_deck_cached(deck_file, cache)  # writes a new entry
    calls = count_parses(monkeypatch)
    deck = load_deck_cached(deck_file, cache)
    assert list(deck.cards) == list(load_deck(deck_file).cards) and calls == []


def test_a_damaged_card_record_is_parsed_again_when_streamed(deck_file, tmp_path):
    from flashdl.core.model import each_card

    cache = tmp_path / "cache"
    parsed = load_deck_cached(deck_file, cache)
    (cards_file,) = cache.glob("*.cards")
    data = cards_file.read_bytes()
    cards_file.write_bytes(data.replace(b'"demo-two"', b'"demo-xxx"'))  # same size, wrong id
    deck = load_deck_cached(deck_file, cache)
    assert [c.id for c in each_card(deck)] == [c.id for c in parsed.cards]
    cards_file.write_bytes(data[:10] + b"\xff" + data[11:])  # not JSON any more
    deck = load_deck_cached(deck_file, cache)
    assert list(each_card(deck)) == list(parsed.cards)


@pytest.mark.parametrize(
    "value",
    [
        b'{"format": 1}',
        b"[]",
        b"null",
        b'{"ids": "x"}',
        b"[" * 100_000,
        b'{"format": "5:0.1.0", "ids": [1]}',
        b'{"format": 1, "size": 1' + b"0" * 40 + b"}",
        b'{"format": NaN}',
        b'{"format": 1, "path": "\xed\xa0\x80"}',  # an encoded lone surrogate
        b'{"format": 1, "path": "\xff"}',
    ],
)
@pytest.mark.parametrize("reader", ["json", "msgspec"])
def test_hostile_indexes_are_misses(deck_file, tmp_path, value, reader, monkeypatch):
    """Small indexes are read by ``json``, large ones (a deck of thousands of cards) by msgspec."""
    if reader == "msgspec":
        monkeypatch.setattr(deck_cache, "LARGE_JSON", 0)
    cache = tmp_path / "cache"
    load_deck_cached(deck_file, cache)
    assert deck_cache.read_entry(entry_path(cache, deck_file), deck_file) is not None
    entry_path(cache, deck_file).write_bytes(value)
    assert deck_cache.read_entry(entry_path(cache, deck_file), deck_file) is None
    assert load_deck_cached(deck_file, cache) == load_deck(deck_file)
    again = load_deck_cached(deck_file, cache)  # from the entry the miss wrote
    assert type(again.cards).__name__ == "LazyCards" and again == load_deck(deck_file)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("size", True),
        ("mtime_ns", 1.5),
        ("deck_format", "2"),
        ("sha256", 7),
        ("name", None),
        ("path", ["x"]),
        ("group", 1),
        ("header", 3),
        ("cards", "2"),
        ("cards", 3),
        ("cards", -1),
        ("texts", "1 2 3"),
        ("texts", [1, 2]),
        ("texts", [1, 2, True]),
        ("texts", [-1, 0, 0]),
        ("title", {"zh": 1}),
        ("format", "7:0.1.0"),
        # Of the right type, but no deck flashdl reads has them: a name is shown as it is.
        ("name", "\x1b]0;pwned\x07demo"),
        ("name", ""),
        ("deck_format", 99),
    ],
)
@pytest.mark.parametrize("reader", ["json", "msgspec"])
def test_an_index_field_of_the_wrong_type_is_a_miss(
    deck_file, tmp_path, field, value, reader, monkeypatch
):
    """Every field's type is checked, whichever reader reads the JSON line."""
    if reader == "msgspec":
        monkeypatch.setattr(deck_cache, "LARGE_JSON", 0)
    cache = tmp_path / "cache"
    load_deck_cached(deck_file, cache)
    entry = entry_path(cache, deck_file)
    raw, lines, offsets, texts = read_index(entry)
    assert deck_cache.read_entry(entry, deck_file) is not None
    write_index(entry, {**raw, field: value}, lines, offsets, texts)
    assert deck_cache.read_entry(entry, deck_file) is None
    write_index(entry, {k: v for k, v in raw.items() if k != field}, lines, offsets, texts)
    assert deck_cache.read_entry(entry, deck_file) is None


def _swap_text(which: int, text: bytes):
    def damage(raw, lines, offsets, texts):
        texts[which] = text
        raw["texts"][which] = len(text)

    return damage


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw, lines, offsets, texts: lines.pop(),
        lambda raw, lines, offsets, texts: offsets.append(offsets[-1]),
        lambda raw, lines, offsets, texts: offsets.__setitem__(0, 1),
        lambda raw, lines, offsets, texts: texts.append(b"x"),
        lambda raw, lines, offsets, texts: raw["texts"].__setitem__(0, raw["texts"][0] - 1),
        _swap_text(0, b"demo-one"),  # two cards, one id
        _swap_text(0, b"demo-one  demo-two"),  # an empty id
        _swap_text(0, b"demo-one demo-\x1b]0;x"),  # a control character
        _swap_text(0, b"demo-one demo-\xc3\xa9"),  # not ASCII
        _swap_text(1, b"training"),  # one card's tags
        _swap_text(1, b"training,a,b"),  # three cards' tags
        _swap_text(1, b"training,\x1b[31m"),
        _swap_text(1, b"training,\xed\xb2\x80"),  # an encoded lone surrogate
        _swap_text(1, b"training,\xff"),
        _swap_text(1, "训练,[/]é".encode()),  # not ASCII: checked by pattern
        _swap_text(2, b"demo-two,demo one!"),
        _swap_text(2, b"demo-two"),
    ],
)
def test_damaged_numbers_or_texts_after_the_json_are_a_miss(deck_file, tmp_path, damage):
    cache = tmp_path / "cache"
    load_deck_cached(deck_file, cache)
    entry = entry_path(cache, deck_file)
    parts = read_index(entry)
    damage(*parts)
    write_index(entry, *parts)
    assert deck_cache.read_entry(entry, deck_file) is None
    assert load_deck_cached(deck_file, cache) == load_deck(deck_file)
    again = load_deck_cached(deck_file, cache)  # from the entry the miss wrote
    assert type(again.cards).__name__ == "LazyCards" and again == load_deck(deck_file)


@pytest.mark.parametrize(
    "damage",
    [
        lambda offsets: offsets.__setitem__(1, offsets[2] + 1),  # backwards
        lambda offsets: offsets.__setitem__(1, -5),
        lambda offsets: offsets.__setitem__(1, 2**40),  # past the file (a read of a terabyte)
        lambda offsets: offsets.__setitem__(1, 2**63 - 1),
        lambda offsets: offsets.__setitem__(1, -(2**63)),
    ],
    ids=["backwards", "negative", "past-the-end", "largest", "smallest"],
)
def test_offsets_out_of_order_or_range_read_the_deck_file_again(deck_file, tmp_path, damage):
    """They are not checked as a whole at start (``_ascending``): a card outside the card file
    or between offsets going backwards is damaged, and an edit does not reuse the records."""
    from flashdl.core.model import each_card

    cache = tmp_path / "cache"
    load_deck_cached(deck_file, cache)
    entry = entry_path(cache, deck_file)
    raw, lines, offsets, texts = read_index(entry)
    damage(offsets)
    write_index(entry, raw, lines, offsets, texts)
    assert load_deck_cached(deck_file, cache).cards[1] == load_deck(deck_file).cards[1]
    assert list(each_card(load_deck_cached(deck_file, cache))) == list(load_deck(deck_file).cards)
    deck = load_deck_cached(deck_file, cache)
    assert type(deck.cards).__name__ == "LazyCards"
    assert list(deck.cards) == list(load_deck(deck_file).cards)
    write_index(entry, raw, lines, offsets, texts)
    deck_file.write_text(VALID.replace("Gradients shrink", "Gradients get small"), "utf-8")
    assert list(load_deck_cached(deck_file, cache).cards) == list(load_deck(deck_file).cards)


def test_damaged_ids_in_an_index_are_dropped_with_it(deck_file, tmp_path):
    """An id that is not the card's cannot stand in for it: the command stops with one line, and
    the entry goes, so the next start parses the file instead of failing the same way again."""
    cache = tmp_path / "cache"
    load_deck_cached(deck_file, cache)
    entry = entry_path(cache, deck_file)
    raw, lines, offsets, texts = read_index(entry)
    texts[0] = texts[0][:-1] + b"x"  # demo-two -> demo-twx: the same bytes, another id
    write_index(entry, raw, lines, offsets, texts)
    deck = load_deck_cached(deck_file, cache)
    assert deck.cards.ids[-1] == "demo-twx"
    with pytest.raises(DeckError, match="cache was damaged or the file changed"):
        deck.cards[1]
    assert not entry.exists()
    assert load_deck_cached(deck_file, cache) == load_deck(deck_file)


def test_an_index_keeps_ids_tags_related_lines_and_offsets(deck_file, tmp_path):
    cache = tmp_path / "cache"
    load_deck_cached(deck_file, cache)
    raw, lines, offsets, texts = read_index(entry_path(cache, deck_file))
    deck = load_deck(deck_file)
    assert raw["cards"] == len(deck.cards) == len(lines) == len(offsets) - 1
    assert texts[0].decode() == " ".join(c.id for c in deck.cards)
    assert texts[1].decode() == ",".join(" ".join(c.tags) for c in deck.cards)
    assert texts[2].decode() == ",".join(" ".join(c.related) for c in deck.cards)
    assert lines == [c.line for c in deck.cards] and offsets[0] == 0
    entry = entry_path(cache, deck_file)
    write_index(entry, {**raw, "unknown": [1]}, lines, offsets, texts)
    assert deck_cache.read_entry(entry, deck_file) is not None  # an unknown key is ignored


def test_a_running_session_survives_another_process_rewriting_the_cache(deck_file, tmp_path):
    """Issue 11.9: cards are read through the file handle opened at start."""
    cache = tmp_path / "cache"
    load_deck_cached(deck_file, cache)
    running = load_deck_cached(deck_file, cache)  # a session holding lazily loaded cards
    deck_file.write_text(VALID.replace("Demo", "Edited").replace("梯度消失", "梯度变小"), "utf-8")
    load_deck_cached(deck_file, cache)  # another process re-parses and rewrites the cache
    assert running.cards[0].question.zh == "什么是梯度消失？"  # what the session loaded
    assert running.cards[1].id == "demo-two"


def test_round_trip_keeps_every_field(tmp_path):
    from decktext import MOVED

    path = tmp_path / "demo.yaml"
    path.write_text(MOVED, encoding="utf-8")
    cache = tmp_path / "cache"
    parsed = load_deck_cached(path, cache)
    cached = load_deck_cached(path, cache)
    for fresh, again in zip(parsed.cards, cached.cards, strict=True):
        assert again == fresh and again.line == fresh.line
        assert again.original_question == fresh.original_question


def test_card_records_are_the_generic_encoding_and_follow_a_grown_model(monkeypatch):
    from decktext import MOVED

    from flashdl.decks import cache
    from flashdl.decks.loader import load_collection, parse_deck
    from flashdl.paths import bundled_decks_dir

    decks = [parse_deck(MOVED, "demo.yaml"), *load_collection([bundled_decks_dir()])]
    cards = [card for deck in decks for card in deck.cards]
    assert any(c.pitfalls for c in cards) and any(c.original_question for c in cards)
    assert any(t.is_group for c in cards for p in c.key_points for t in p.terms)
    for card in cards:
        relative = cache._relative(card, card.line)
        assert cache._card_record(card) == cache.encode(relative) and relative.line == 0
        again = cache._decode_card(cache._card_bytes(card), card.line)
        assert again == card and cache.encode(again) == cache.encode(card)
    # A card model with a field the record does not know falls back to the generic walk.
    cache._records_fit.cache_clear()
    monkeypatch.setitem(cache._RECORD_FIELDS, cache.Text, ("zh",))
    try:
        assert cache._records_fit() is False
        record = cache._card_record(cards[0])
        assert record == cache.encode(cache._relative(cards[0], cards[0].line))
        again = cache._decode_card(cache._card_bytes(cards[0]), cards[0].line)
        assert cache.encode(again) == cache.encode(cards[0])
    finally:
        cache._records_fit.cache_clear()


def test_cached_tags_and_related_are_the_parsed_ones(tmp_path):
    """The cache keeps each card's tags and related ids as one text (``Words``); read back they
    are the parsed tuples, and ``related_pairs`` skips the cards that name none."""
    from flashdl.core.model import Words, card_related, card_tags, related_pairs

    text = VALID.replace("tags: [training]", "tags: [training, 梯度, a.b-c]")
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    parsed = load_deck(path)
    load_deck_cached(path, tmp_path / "cache")
    cached = load_deck_cached(path, tmp_path / "cache")
    assert isinstance(card_tags(cached), Words)
    assert list(card_tags(cached)) == list(card_tags(parsed)) == [("training", "梯度", "a.b-c"), ()]
    assert list(card_related(cached)) == list(card_related(parsed))
    assert (
        [(c, tuple(r)) for c, r in related_pairs(cached)]
        == [(c, tuple(r)) for c, r in related_pairs(parsed)]
        == [("demo-one", ("demo-two",))]
    )
    assert card_tags(cached)[::-1] == [(), ("training", "梯度", "a.b-c")]


def test_the_record_decoder_is_the_generic_one_for_every_bundled_card():
    """``_card_from_record`` (the fast path every cached card is read through) gives exactly
    what the generic ``decode`` gives, line numbers included (counted from the card's start)."""
    import json

    from flashdl.core.model import Card
    from flashdl.decks.cache import _card_bytes, _card_from_record, _relative, decode, encode
    from flashdl.decks.loader import load_collection
    from flashdl.paths import bundled_decks_dir

    for deck in load_collection([bundled_decks_dir()]):
        for card in deck.cards:
            value = json.loads(_card_bytes(card))
            fast, slow = _card_from_record(value, card.line), decode(Card, value)
            assert fast == card and fast.line == card.line and slow.line == 0
            assert [p.line for p in fast.key_points] == [p.line for p in card.key_points]
            assert fast.pitfalls == card.pitfalls
            assert encode(_relative(fast, card.line)) == encode(slow)


@pytest.mark.parametrize(
    "damage",
    [
        lambda v: v.update(id=7),
        lambda v: v.update(extra=1),
        lambda v: v["key_points"][0].update(weight="3"),
        lambda v: v["key_points"][0].update(weight=True),
        lambda v: v["key_points"][0]["terms"].append("flat"),
        lambda v: v["key_points"][0]["terms"].append([["a"], ["b"]]),
        lambda v: v["key_points"][0]["terms"].append([[1]]),
        lambda v: v["key_points"][0].pop("line"),
        lambda v: v["question"].update(fr="x"),
        lambda v: v.update(tags=["a", None]),
        lambda v: v.update(pitfalls=[[{"zh": "x"}, []]]),
        lambda v: v.update(original_question="text"),
    ],
)
def test_a_damaged_card_record_is_refused(damage):
    import json

    from flashdl.decks.cache import _card_bytes, _card_from_record
    from flashdl.decks.loader import parse_deck

    card = parse_deck(VALID, "demo.yaml", "demo").cards[0]
    value = json.loads(_card_bytes(card))
    damage(value)
    with pytest.raises(ValueError):
        _card_from_record(value)


def test_an_index_of_an_earlier_format_goes_when_the_entry_is_written(deck_file, tmp_path):
    """Until cache format 8 an index was all JSON, named ``.json``; it is never read."""
    cache = tmp_path / "cache"
    entry = entry_path(cache, deck_file)
    cache.mkdir()
    old = entry.with_suffix(".json")
    old.write_text('{"format": "8:0.1.0"}', encoding="utf-8")
    load_deck_cached(deck_file, cache)
    assert entry.suffix == ".index" and entry.is_file() and not old.exists()
    assert cache_files(cache) == [entry]
    gone = cache / "deck-removed-0123abcd.json"  # of a deck no longer loaded: listed for doctor
    gone.write_text("{}", encoding="utf-8")
    assert deck_cache.leftover_files(cache) == [gone]
