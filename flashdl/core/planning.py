"""Planning a session: which cards today's study shows, in what order, and a quiz's cards.

Pure functions over card ids, dates and counts; the store supplies the facts, the caller the clock
and the random generator.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta

Related = Mapping[str, Collection[str]]  # card id -> ids of the cards related to it, both ways


def due_in_order(due: Mapping[str, date], position: Mapping[str, int]) -> list[str]:
    """The due cards of the selected decks, most overdue first, then in deck order (``position``:
    the selected cards' ``positions``)."""
    return sorted((c for c in due if c in position), key=lambda c: (due[c], position[c]))


def positions(card_ids: Iterable[str]) -> dict[str, int]:
    """Card id -> its index in ``card_ids`` (built at C speed: decks of 100k cards)."""
    return dict(zip(card_ids, itertools.count()))


LEARNING_DELAY = timedelta(minutes=10)  # a failed card waits this long before it is asked again
LEARNING_GAP = 3  # ... or, within a session, until this many other cards have been shown


def with_learning(
    queue: Sequence[str],
    learning: Mapping[str, datetime],
    now: datetime,
    delay: timedelta = LEARNING_DELAY,
) -> list[str]:
    """Today's queue with the learning cards (failed today, not yet recalled) in it: those whose
    delay has passed first (longest waiting first), those still waiting after everything else."""
    waited = sorted(learning, key=lambda card_id: learning[card_id])
    ready = [c for c in waited if learning[c] + delay <= now]
    waiting = [c for c in waited if learning[c] + delay > now]
    rest = [c for c in queue if c not in learning]
    return [*ready, *rest, *waiting]


def requeue_position(queue_length: int, gap: int = LEARNING_GAP) -> int:
    """Where a card failed just now goes back into the session's queue (after the card being
    answered is taken off it): after ``gap`` other cards, or last when fewer are waiting, so it
    never comes straight back while other cards wait."""
    return min(gap, queue_length)


def requeue_index(
    queue: Sequence[str], card_id: str, related: Related, gap: int = LEARNING_GAP
) -> int:
    """``requeue_position``, moved later until the failed card sits between two cards it is not
    related to; where no such place exists, ``requeue_position`` itself."""
    start = requeue_position(len(queue), gap)
    near = related.get(card_id, ())
    if not near:
        return start
    for index in range(start, len(queue) + 1):
        before = queue[index - 1] if index > 0 else None
        after = queue[index] if index < len(queue) else None
        if before not in near and after not in near:
            return index
    return start


def related_map(pairs: Iterable[tuple[str, Sequence[str]]]) -> dict[str, set[str]]:
    """Card id -> related ids from (id, related ids) pairs, made symmetric: a card that names
    another is related to it, and that one to it."""
    related: dict[str, set[str]] = {}
    for card_id, others in pairs:
        for other in others:
            if other != card_id:
                related.setdefault(card_id, set()).add(other)
                related.setdefault(other, set()).add(card_id)
    return related


class RelatedMap(Mapping[str, set[str]]):
    """``related_map`` of ``pairs()``, worked out only for the cards a session asks about.

    A session asks about the few hundred cards of its queue; the whole map of 100k cards (40k
    of them related) costs 50 ms of every start. ``prepare(ids)`` finds the entries of ``ids``
    in one pass over the pairs (``pairs`` is called once per pass); a card not prepared, or
    ``len``, iteration and ``values``, build the whole map once, so every answer is the one
    ``related_map`` gives."""

    def __init__(self, pairs: Callable[[], Iterable[tuple[str, Sequence[str]]]]):
        self._pairs = pairs
        self._known: dict[str, set[str]] = {}  # prepared ids; an empty set: related to none
        self._whole: dict[str, set[str]] | None = None

    def prepare(self, ids: Iterable[str]) -> None:
        if self._whole is not None:
            return
        wanted = set(ids).difference(self._known)
        if not wanted:
            return
        found: dict[str, set[str]] = {card_id: set() for card_id in wanted}
        disjoint = wanted.isdisjoint
        for card_id, others in self._pairs():
            mine = card_id in wanted
            if not mine and disjoint(others):
                continue
            for other in others:
                if other == card_id:
                    continue
                if mine:
                    found[card_id].add(other)
                if other in wanted:
                    found[other].add(card_id)
        self._known.update(found)

    def whole(self) -> dict[str, set[str]]:
        if self._whole is None:
            self._whole = related_map(self._pairs())
        return self._whole

    def __getitem__(self, card_id: str) -> set[str]:
        if self._whole is None and card_id in self._known:
            found = self._known[card_id]
            if found:
                return found
            raise KeyError(card_id)
        return self.whole()[card_id]

    def __contains__(self, card_id: object) -> bool:
        if self._whole is None and card_id in self._known:
            return bool(self._known[card_id])
        return card_id in self.whole()

    def __iter__(self) -> Iterator[str]:
        return iter(self.whole())

    def __len__(self) -> int:
        return len(self.whole())


def prepare_related(related: Related, ids: Iterable[str]) -> None:
    """Let a ``RelatedMap`` find the entries of ``ids`` in one pass (see there)."""
    if isinstance(related, RelatedMap):
        related.prepare(ids)


def interleave(groups: Sequence[Sequence[str]]) -> list[str]:
    """Round-robin over ``groups`` in their order: the first of each, then the second of each, ..."""
    return [
        card_id
        for layer in itertools.zip_longest(*groups)
        for card_id in layer
        if card_id is not None
    ]


def choose_new(
    candidates: Sequence[str],
    limit: int,
    related: Related,
    introduced_today: Collection[str] = (),
) -> list[str]:
    """Up to ``limit`` of ``candidates`` (in their order) to introduce today, passing over a card
    related to one introduced today or chosen before it while other candidates remain; the
    passed-over ones fill the limit only when nothing else is left."""
    chosen: list[str] = []
    passed: list[str] = []
    blocked = {r for c in introduced_today for r in related.get(c, ())}
    for card_id in candidates:
        if len(chosen) >= limit:
            break
        if card_id in blocked:
            passed.append(card_id)
            continue
        chosen.append(card_id)
        blocked.update(related.get(card_id, ()))
    return chosen + passed[: max(0, limit - len(chosen))]


def new_candidates_needed(limit: int, related: Related, introduced_today: Collection[str]) -> int:
    """How many unseen cards per deck ``choose_new`` needs to see to fill ``limit`` as well as
    any longer list would: the limit plus every card the chosen and today's cards can block."""
    if limit <= 0:
        return 0
    widest = max((len(others) for others in related.values()), default=0)
    today = sum(len(related.get(c, ())) for c in introduced_today)
    return limit + limit * widest + today


def new_cards_for_today(
    unseen: Callable[[int], Sequence[Sequence[str]]],
    limit: int,
    related: Related,
    introduced_today: Collection[str] = (),
) -> list[str]:
    """``choose_new`` over the selected decks interleaved, where ``unseen(n)`` gives the first
    ``n`` unseen cards of each deck. Reading them costs the store a query per few hundred seen
    cards, so it looks only as far as the limit first, and as far as ``new_candidates_needed``
    only if a card was passed over (else a longer look would choose the same)."""
    candidates = interleave(unseen(limit))
    prepare_related(related, [*candidates, *introduced_today])
    chosen = choose_new(candidates, limit, related, introduced_today)
    near = set(chosen) | set(introduced_today)
    passed_over = chosen != candidates[: len(chosen)] or any(
        other in near for card_id in chosen for other in related.get(card_id, ())
    )
    if not passed_over:
        return chosen
    reach = new_candidates_needed(limit, related, introduced_today)
    return choose_new(interleave(unseen(reach)), limit, related, introduced_today)


def adjacent_related(queue: Sequence[str], related: Related) -> int:
    """How many neighbouring pairs of ``queue`` are related cards."""
    return sum(1 for a, b in itertools.pairwise(queue) if b in related.get(a, ()))


EXACT_SEPARATION = 7  # up to this many cards, ``separate_related`` searches every order


def separate_related(queue: Sequence[str], related: Related) -> list[str]:
    """``queue`` reordered so that no two related cards are shown back to back, moving as little
    as it can: each place takes the earliest card not related to the one before it.

    Queues of up to ``EXACT_SEPARATION`` cards are searched exhaustively (the earliest order, in
    queue order, with no related neighbours, if there is one); longer ones greedily, falling back
    to the earliest card when every card left is related to the last (nothing else is left)."""
    if adjacent_related(queue, related) == 0:
        return list(queue)
    if len(queue) <= EXACT_SEPARATION:
        found = _first_separated(list(queue), related)
        if found is not None:
            return found
    return _greedy_separated(queue, related)


def _first_separated(queue: list[str], related: Related) -> list[str] | None:
    """Depth-first, in queue order: the first order without related neighbours, or None."""
    order: list[str] = []
    left = list(queue)

    def extend() -> bool:
        if not left:
            return True
        last = order[-1] if order else None
        near = related.get(last, ()) if last is not None else ()
        for index, card_id in enumerate(left):
            if card_id in near:
                continue
            order.append(left.pop(index))
            if extend():
                return True
            left.insert(index, order.pop())
        return False

    return order if extend() else None


def _greedy_separated(queue: Sequence[str], related: Related) -> list[str]:
    order: list[str] = []
    held: list[str] = []  # cards passed over, earliest first; few, so scanning them is cheap
    rest = iter(queue)
    pending = len(queue)
    while pending:
        near = related.get(order[-1], ()) if order else ()
        pick = next((i for i, c in enumerate(held) if c not in near), None)
        if pick is not None:
            order.append(held.pop(pick))
        else:
            for card_id in rest:
                if card_id not in near:
                    order.append(card_id)
                    break
                held.append(card_id)
            else:
                order.append(held.pop(0))  # every card left is related to the last one
        pending -= 1
    return order


def plan_study(
    due: Sequence[str],
    new: Sequence[str],
    *,
    new_limit: int,
    introduced_today: int,
    review_limit: int | None = None,
    reviewed_today: int = 0,
) -> list[str]:
    """The session's card ids: the due cards (as ordered by the store: most overdue first, then
    deck order) up to ``review_limit`` less those reviewed earlier today (None: all of them; the
    rest wait, the least overdue longest), then new cards up to the daily limit less those
    introduced earlier today. While the limit holds due cards back, no new card comes: each
    would add to the backlog (Anki limits new cards by the review limit too)."""
    if review_limit is not None:
        allowed = max(0, review_limit - reviewed_today)
        if len(due) > allowed:
            return list(due[:allowed])
    return [*due, *new[: max(0, new_limit - introduced_today)]]


def pick_cards(
    candidates: Sequence[tuple[str, Sequence[str]]],
    *,
    count: int,
    tags: Sequence[str] = (),
    shuffle: bool = True,
    rng: random.Random | None = None,
    exclude: Container[str] = (),
) -> list[str]:
    """The round's card ids from (id, tags) pairs: filtered by tag, shuffled with ``rng`` (or kept
    in deck order), cut to ``count``."""
    chosen = [card_id for card_id in with_tags(candidates, tags) if card_id not in exclude]
    if shuffle:
        (rng or random.Random()).shuffle(chosen)
    return chosen[:count]


def with_tags(candidates: Iterable[tuple[str, Sequence[str]]], tags: Sequence[str]) -> list[str]:
    """The ids, in order, of the (id, tags) pairs that carry one of ``tags`` (all when none)."""
    wanted = set(tags)
    return [card_id for card_id, card_tags in candidates if not wanted or wanted & set(card_tags)]
