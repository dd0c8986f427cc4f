"""CardLookup: one mapping of card ids over several decks, whatever the number of look-ups."""

from __future__ import annotations

from dataclasses import replace

import pytest
from decktext import VALID
from hypothesis import given
from hypothesis import strategies as st

from flashdl.core.model import CardLookup, Deck
from flashdl.decks.loader import parse_deck

BASE = parse_deck(VALID, "demo.yaml").cards[0]


def deck(name: str, ids: list[str]) -> Deck:
    cards = tuple(replace(BASE, id=card_id, deck=name) for card_id in ids)
    return Deck(name=name, title=BASE.question, cards=cards)


ids = st.lists(st.sampled_from([f"c{i}" for i in range(12)]), unique=True, max_size=8)


@given(st.lists(ids, min_size=1, max_size=4), st.lists(st.sampled_from(
    [f"c{i}" for i in range(14)]), max_size=60))  # fmt: skip
def test_it_answers_as_one_dict_built_in_deck_order(per_deck, asked):
    """Before and after it indexes the ids (past SEARCHES_BEFORE_INDEX look-ups), a card id in two
    decks is the later deck's card, and an unknown id is missing."""
    decks = [deck(f"d{i}", card_ids) for i, card_ids in enumerate(per_deck)]
    expected = {card.id: card for d in decks for card in d.cards}
    lookup = CardLookup(decks)
    for card_id in asked:
        assert (card_id in lookup) == (card_id in expected)
        if card_id in expected:
            assert lookup[card_id] is expected[card_id]
        else:
            with pytest.raises(KeyError):
                lookup[card_id]
        assert lookup.get(card_id) is expected.get(card_id)
    assert dict(lookup) == expected and len(lookup) == len(expected)


def test_a_few_look_ups_build_no_index():
    """The first card of a session asks for two or three ids: searching the ids is enough."""
    lookup = CardLookup([deck("a", [f"c{i}" for i in range(1000)])])
    assert lookup["c999"].id == "c999" and "x" not in lookup
    assert lookup._index is None
    for _ in range(CardLookup.SEARCHES_BEFORE_INDEX):
        assert "c5" in lookup
    assert lookup._index is not None and lookup["c5"].id == "c5"
