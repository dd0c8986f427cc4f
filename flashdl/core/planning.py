"""Planning a session: which cards today's study shows, in what order, and a quiz's cards.

Pure functions over card ids, dates and counts; the store supplies the facts, the caller the clock
and the random generator.
"""

from __future__ import annotations

import random
from collections.abc import Container, Mapping, Sequence
from datetime import date, datetime, timedelta


def due_in_order(due: Mapping[str, date], deck_order: Sequence[str]) -> list[str]:
    """The due cards of the selected decks, most overdue first, then in deck order."""
    position = {card_id: index for index, card_id in enumerate(deck_order)}
    return sorted((c for c in due if c in position), key=lambda c: (due[c], position[c]))


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
    introduced earlier today."""
    if review_limit is not None:
        due = due[: max(0, review_limit - reviewed_today)]
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
    wanted = set(tags)
    chosen = [
        card_id
        for card_id, card_tags in candidates
        if (not wanted or wanted & set(card_tags)) and card_id not in exclude
    ]
    if shuffle:
        (rng or random.Random()).shuffle(chosen)
    return chosen[:count]
