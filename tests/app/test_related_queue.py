"""Today's queue with related cards worked out on demand (``RelatedMap``) is the queue the whole
map gives, and a session that asks only about its own cards never builds the whole map."""

from __future__ import annotations

from datetime import timedelta

from conftest import NOW
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashdl.app.study import Limits, related_cards, todays_queue
from flashdl.core.model import Card, Deck, KeyPoint, Text
from flashdl.core.planning import RelatedMap, related_map
from flashdl.store import Store

IDS = [f"c{i}" for i in range(12)]
pairs_strategy = st.lists(
    st.tuples(st.sampled_from(IDS), st.lists(st.sampled_from(IDS), max_size=3)), max_size=10
)


@given(
    pairs_strategy,
    st.lists(st.lists(st.sampled_from(IDS)), max_size=3),
    st.lists(st.sampled_from([*IDS, "x"])),
)
def test_a_related_map_answers_as_the_whole_map(pairs, prepared, asked):
    whole = related_map(pairs)
    lazy = RelatedMap(lambda: iter(pairs))
    for ids in prepared:
        lazy.prepare(ids)
    for card_id in asked:
        assert lazy.get(card_id, ()) == whole.get(card_id, ())
        assert (card_id in lazy) == (card_id in whole)
    assert dict(lazy) == whole and len(lazy) == len(whole)
    assert dict(lazy.items()) == whole
    lazy.prepare(IDS)  # after the whole map, nothing more to prepare
    assert dict(lazy) == whole


@given(pairs_strategy)
def test_asking_about_prepared_cards_walks_the_pairs_once(pairs):
    walks = []

    def source():
        walks.append(1)
        return iter(pairs)

    lazy = RelatedMap(source)
    lazy.prepare(IDS[:6])
    lazy.prepare(IDS[2:4])  # known already: no walk
    whole = related_map(pairs)
    for card_id in IDS[:6]:
        assert lazy.get(card_id, ()) == whole.get(card_id, ())
    assert len(walks) == 1


def _card(card_id: str, deck: str, related: tuple[str, ...]) -> Card:
    text = Text(zh="问", en="question")
    point = KeyPoint(text=Text(zh="点", en="point"), terms=())
    return Card(
        id=card_id,
        deck=deck,
        question=text,
        answer=text,
        key_points=(point,),
        related=related,
        line=1,
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    links=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=14),
    history=st.lists(
        st.tuples(st.integers(0, 11), st.integers(0, 5), st.integers(0, 6)), max_size=16
    ),
    new_per_day=st.integers(0, 6),
    review_limit=st.sampled_from([None, 0, 2, 5]),
)
def test_todays_queue_is_the_one_the_whole_map_gives(
    tmp_path_factory, links, history, new_per_day, review_limit
):
    related: dict[int, set[str]] = {}
    for a, b in links:
        related.setdefault(a, set()).add(IDS[b])
    cards = [
        _card(card_id, "one" if i < 7 else "two", tuple(sorted(related.get(i, ()))))
        for i, card_id in enumerate(IDS)
    ]
    decks = [
        Deck(name="one", title=Text(zh="一", en="one"), cards=tuple(cards[:7]), path="one.yaml"),
        Deck(name="two", title=Text(zh="二", en="two"), cards=tuple(cards[7:]), path="two.yaml"),
    ]
    limits = Limits(new_per_day=new_per_day, max_reviews_per_day=review_limit)
    with Store.open(tmp_path_factory.mktemp("db") / "flashdl.db") as store:
        for index, grade, days_ago in history:  # reviews over the last week, some failed today
            store.record_review(
                card_id=IDS[index],
                deck="one" if index < 7 else "two",
                grade=grade,
                mode="study",
                reviewed_at=NOW - timedelta(days=days_ago, minutes=30),
            )
        whole = related_map((c.id, c.related) for c in cards)
        expected = todays_queue(store, decks, NOW, limits, related=whole)
        lazy = related_cards(decks)
        assert todays_queue(store, decks, NOW, limits, related=lazy) == expected
        assert todays_queue(store, decks, NOW, limits) == expected
        for card_id in expected:  # what the session asks about a failed card
            assert lazy.get(card_id, ()) == whole.get(card_id, ())


@given(
    st.lists(st.sampled_from(IDS), max_size=20),
    st.dictionaries(st.sampled_from([*IDS, "gone"]), st.integers(0, 3), max_size=8),
)
def test_the_due_order_needs_the_positions_of_the_due_cards_only(order, due_days):
    """``todays_queue`` indexes only the selected cards that are due (or in learning): the order
    is the one an index of every selected card gives, a card listed twice included."""
    from datetime import date

    from flashdl.core.planning import due_in_order, positions

    due = {card_id: date(2026, 11, 1 + days) for card_id, days in due_days.items()}
    every = positions(order)
    few = positions(filter(due.keys().__contains__, order))
    assert due_in_order(due, few) == due_in_order(due, every)
