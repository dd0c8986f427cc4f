"""Today's order: new cards interleaved across decks, related cards never back to back."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from flashdl.core.planning import (
    adjacent_related,
    choose_new,
    interleave,
    new_candidates_needed,
    new_cards_for_today,
    related_map,
    requeue_index,
    requeue_position,
    separate_related,
    with_tags,
)

CARDS = [f"c{i}" for i in range(12)]


@st.composite
def queues_with_relations(draw, max_size: int = 12):
    queue = draw(st.lists(st.sampled_from(CARDS), unique=True, max_size=max_size))
    pairs = draw(
        st.lists(st.tuples(st.sampled_from(CARDS), st.sampled_from(CARDS)), max_size=max_size)
    )
    return queue, related_map((a, [b]) for a, b in pairs)


def test_related_map_is_symmetric_and_ignores_self_references():
    related = related_map([("a", ["b", "a"]), ("c", ["b"])])
    assert related == {"a": {"b"}, "b": {"a", "c"}, "c": {"b"}}


def test_interleave_takes_one_card_of_each_deck_in_turn():
    assert interleave([["g1", "g2", "g3"], ["v1"], ["n1", "n2"]]) == [
        "g1", "v1", "n1", "g2", "n2", "g3",
    ]  # fmt: skip
    assert interleave([]) == []


@given(st.lists(st.lists(st.sampled_from(CARDS), unique=True, max_size=5), max_size=4))
def test_interleave_keeps_every_card_and_each_decks_order(groups):
    groups = [[f"{i}-{c}" for c in g] for i, g in enumerate(groups)]
    out = interleave(groups)
    assert sorted(out) == sorted(c for g in groups for c in g)
    for group in groups:
        assert [c for c in out if c in group] == group


def test_a_new_card_related_to_one_chosen_or_introduced_today_waits():
    related = related_map([("a", ["b"]), ("c", ["d"])])
    assert choose_new(["a", "b", "e", "f"], 3, related) == ["a", "e", "f"]
    assert choose_new(["c", "e"], 2, related, introduced_today={"d"}) == ["e", "c"]
    # nothing else is left: the related card comes after all
    assert choose_new(["a", "b"], 2, related) == ["a", "b"]
    assert choose_new(["a", "b"], 0, related) == []


@given(queues_with_relations(), st.integers(0, 12))
def test_choose_new_fills_the_limit_and_avoids_related_pairs_when_it_can(case, limit):
    candidates, related = case
    chosen = choose_new(candidates, limit, related)
    assert len(chosen) == min(limit, len(candidates))
    assert len(set(chosen)) == len(chosen) and set(chosen) <= set(candidates)
    related_free = []
    for c in candidates:
        if not any(c in related.get(g, ()) for g in related_free):
            related_free.append(c)
    if len(related_free) >= limit:  # other new cards were available: no related pair today
        assert chosen == related_free[:limit]
        assert not any(b in related.get(a, ()) for a, b in itertools.combinations(chosen, 2))


@given(queues_with_relations(), st.integers(0, 12))
def test_enough_candidates_are_read_to_choose_as_from_the_whole_list(case, limit):
    candidates, related = case
    needed = new_candidates_needed(limit, related, ())
    assert choose_new(candidates[:needed], limit, related) == choose_new(candidates, limit, related)


@given(
    st.lists(st.lists(st.sampled_from(CARDS), unique=True, max_size=6), max_size=3),
    queues_with_relations(),
    st.integers(0, 8),
    st.lists(st.sampled_from(CARDS), unique=True, max_size=3),
)
def test_new_cards_for_today_read_lazily_choose_as_from_every_unseen_card(
    groups, case, limit, today
):
    groups = [[c for c in g if c not in today] for g in groups]
    seen: set[str] = set()
    decks = []
    for g in groups:  # a card is in one deck only
        decks.append([c for c in g if c not in seen])
        seen.update(g)
    _, related = case
    lazy = new_cards_for_today(lambda n: [d[:n] for d in decks], limit, related, today)
    assert lazy == choose_new(interleave(decks), limit, related, today)


def brute_force_first(queue, related):
    """The earliest (in queue order) permutation with no related neighbours, or None."""
    for order in itertools.permutations(queue):
        if adjacent_related(order, related) == 0:
            return list(order)
    return None


@given(queues_with_relations())
def test_separate_related_is_a_permutation(case):
    queue, related = case
    out = separate_related(queue, related)
    assert sorted(out) == sorted(queue)


@given(queues_with_relations())
def test_a_queue_without_related_neighbours_is_kept_as_it_is(case):
    queue, related = case
    if adjacent_related(queue, related) == 0:
        assert separate_related(queue, related) == queue


@settings(max_examples=300)
@given(queues_with_relations(max_size=7))
def test_related_cards_are_never_neighbours_when_that_can_be_avoided(case):
    queue, related = case
    best = brute_force_first(queue, related)
    out = separate_related(queue, related)
    if best is not None:
        assert adjacent_related(out, related) == 0
        assert out == best  # and the due order is kept as far as it can be


@given(queues_with_relations(max_size=12))
def test_separating_never_adds_related_neighbours(case):
    queue, related = case
    out = separate_related(queue, related)
    assert adjacent_related(out, related) <= adjacent_related(queue, related)


def test_a_long_queue_is_separated_greedily():
    queue = [f"k{i}" for i in range(40)]
    related = related_map((f"k{i}", [f"k{i + 1}"]) for i in range(0, 40, 2))
    out = separate_related(queue, related)
    assert adjacent_related(out, related) == 0
    assert out[:3] == ["k0", "k2", "k1"]


def test_a_failed_card_is_not_requeued_beside_a_related_card():
    related = related_map([("x", ["b", "d"])])
    queue = ["a", "b", "c", "d", "e", "f"]
    assert requeue_position(len(queue)) == 3
    index = requeue_index(queue, "x", related)
    assert index == 5  # between e and f: c|d and d|e touch d
    assert requeue_index(queue, "y", related) == 3
    # nothing else possible: the usual place
    assert requeue_index(["b"], "x", related) == 1


@given(queues_with_relations(), st.sampled_from(CARDS))
def test_requeue_index_keeps_the_gap_and_avoids_related_neighbours_when_possible(case, card):
    queue, related = case
    queue = [c for c in queue if c != card]
    index = requeue_index(queue, card, related)
    assert requeue_position(len(queue)) <= index <= len(queue)
    placed = [*queue[:index], card, *queue[index:]]
    near = related.get(card, set())
    touching = {placed[i] for i in (index - 1, index + 1) if 0 <= i < len(placed)}
    if touching & near:
        assert index == requeue_position(len(queue))
        for other in range(requeue_position(len(queue)), len(queue) + 1):
            around = {queue[i] for i in (other - 1, other) if 0 <= i < len(queue)}
            assert around & near


def test_with_tags_filters_in_order():
    pairs = [("a", ("x",)), ("b", ("y",)), ("c", ("x", "y"))]
    assert with_tags(pairs, ["x"]) == ["a", "c"]
    assert with_tags(pairs, []) == ["a", "b", "c"]
