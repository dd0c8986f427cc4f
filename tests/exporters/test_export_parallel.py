"""A large export is rendered on every core (``flashdl.parallel``): the package is the same byte
for byte, and the per-card pieces it runs (the record decoder for many cards, note GUIDs, text
without formulas) give what the slower ones they replaced gave."""

from __future__ import annotations

import contextlib

import pytest
from decktext import MOVED
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdl import parallel
from flashdl.core.model import each_card
from flashdl.decks.cache import load_decks_cached
from flashdl.decks.loader import load_collection, parse_deck
from flashdl.exporters import anki_package_bytes, note_guid, text_html
from flashdl.paths import bundled_decks_dir

forking = pytest.mark.skipif(
    not parallel.parallel(parallel.MIN_PARALLEL), reason="needs two cores, fork and one thread"
)


@forking
def test_the_package_is_the_same_rendered_on_every_core(tmp_path, monkeypatch):
    """Bundled decks read from the cache (their cards decode in the workers) and parsed ones."""
    cached = load_decks_cached([bundled_decks_dir()], tmp_path / "cache")
    cached = load_decks_cached([bundled_decks_dir()], tmp_path / "cache")  # now LazyCards
    parsed = load_collection([bundled_decks_dir()])
    alone = anki_package_bytes(parsed, lang="both", timestamp=1.7e9)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "CHUNK", 5)
    assert anki_package_bytes(cached, lang="both", timestamp=1.7e9) == alone
    assert anki_package_bytes(parsed, lang="both", timestamp=1.7e9) == alone


def test_a_deck_streams_any_range_of_its_cards(tmp_path):
    cached = load_decks_cached([bundled_decks_dir()], tmp_path / "cache")
    cached = load_decks_cached([bundled_decks_dir()], tmp_path / "cache")
    parsed = load_collection([bundled_decks_dir()])
    for lazy, deck in zip(cached, parsed, strict=True):
        cards = list(deck.cards)
        for start, stop in ((0, None), (3, 9), (len(cards) - 2, len(cards) + 5), (4, 2)):
            assert list(each_card(lazy, start, stop)) == cards[start:stop]
            assert list(each_card(deck, start, stop)) == cards[start:stop]


def test_the_many_cards_decoder_is_the_single_card_one():
    """msgspec (``_decode_cards``) and the hand-written walk (``_decode_card``) read every record
    alike, lines included, and both refuse a field of the wrong type."""
    import json

    from flashdl.decks import cache

    decks = [parse_deck(MOVED, "demo.yaml"), *load_collection([bundled_decks_dir()])]
    for card in (card for deck in decks for card in deck.cards):
        data = cache._card_bytes(card)
        one, many = cache._decode_card(data, card.line), cache._decode_cards(data, card.line)
        assert one == many == card and one.line == many.line == card.line
        assert [p.line for p in many.key_points] == [p.line for p in card.key_points]
        assert [p.line for p in many.pitfalls] == [p.line for p in card.pitfalls]
    value = json.loads(cache._card_bytes(decks[0].cards[0]))
    for damage in (
        {"id": 7},
        {"tags": ["a", None]},
        {"key_points": [{"text": {"zh": "x"}, "terms": [["flat"]], "weight": 1, "line": 0}]},
        {"key_points": [{"text": {"zh": "x"}, "terms": [], "weight": True, "line": 0}]},
        {"original_question": "text"},
    ):
        data = json.dumps({**value, **damage}).encode()
        for decoder in (cache._decode_card, cache._decode_cards):
            with pytest.raises(ValueError):
                decoder(data, 1)
    for broken in (b"{", b"\xff", b'{"id": "\\udc80"}', b"[]"):
        with pytest.raises(ValueError):
            cache._decode_cards(broken, 1)


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_note_guids_are_genankis(card_id):
    import genanki

    assert note_guid(card_id) == genanki.guid_for("flashdl", card_id)


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("ab <>&\"'\n\\hrefclass{}$ 中")), max_size=30))
def test_text_without_a_formula_is_rendered_as_before(text):
    """``text_html``'s short cut for text without ``$`` gives what the piecewise path gives."""
    from flashdl.exporters.html import _ACTIVE_TEX, escape, formula_pieces, mathjax
    from flashdl.exporters.text import Formula, clean

    pieces = formula_pieces(clean(text).strip())
    expected = "".join(
        mathjax(p) if isinstance(p, Formula) else escape(_ACTIVE_TEX.sub(r"\\backslash{}\1", p))
        for p in pieces
    ).replace("\n", "<br>")
    assert text_html(text) == expected


@forking
def test_flashdl_export_anki_writes_the_same_package_on_every_core(invoke, tmp_path, monkeypatch):
    """The command itself, twice from the cache (the second run decodes the cached cards in the
    workers), against a run that uses no worker."""
    alone, shared = tmp_path / "alone.apkg", tmp_path / "shared.apkg"
    assert invoke("export", "anki", "-g", "all", "-o", str(alone)).exit_code == 0
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 0)
    monkeypatch.setattr(parallel, "CHUNK", 3)
    for _ in range(2):
        result = invoke("export", "anki", "-g", "all", "-o", str(shared), "--force")
        assert result.exit_code == 0, result.output
        assert shared.read_bytes() == alone.read_bytes()


DEEP = b"[" * 5000 + b"]" * 5000  # msgspec skips an unknown key's value by recursion


@pytest.mark.parametrize(
    "damage",
    [
        lambda v: {**v, "extra": "DEEP"},
        lambda v: {k: x for k, x in v.items() if k != "key_points"},
        lambda v: {k: x for k, x in v.items() if k != "id"},
    ],
    ids=["deep unknown key", "no key points", "no id"],
)
def test_a_planted_record_either_decoder_refuses_is_a_value_error(damage):
    """``LazyCards`` treats a ValueError as damage (the deck file is parsed again); nothing else
    may escape a decoder."""
    import json

    from flashdl.decks import cache

    card = parse_deck(MOVED, "demo.yaml").cards[0]
    data = json.dumps(damage(json.loads(cache._card_bytes(card)))).encode()
    data = data.replace(b'"DEEP"', DEEP)
    for decoder in (cache._decode_card, cache._decode_cards):
        with contextlib.suppress(ValueError):
            decoder(data, 1)


def test_an_encoded_lone_surrogate_in_a_record_is_refused():
    """``json.loads`` of bytes decodes with surrogatepass; records are read as strict UTF-8."""
    from flashdl.decks import cache

    card = parse_deck(MOVED, "demo.yaml").cards[0]
    data = cache._card_bytes(card).replace(card.id.encode(), card.id.encode() + b"\xed\xa0\x80")
    for decoder in (cache._decode_card, cache._decode_cards):
        with pytest.raises(ValueError):
            decoder(data, 1)
