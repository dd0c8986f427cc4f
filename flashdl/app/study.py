"""Preparing a study session: the interview date, the scheduler in force, and today's queue.

The planning rules are pure (``flashdl.core.planning``); this module supplies them with what the
store knows.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from flashdl.core.days import study_day
from flashdl.core.errors import UsageError
from flashdl.core.grades import REPEAT_BELOW_IN
from flashdl.core.interview import DEFAULT_WINDOW, MAX_DAYS_AHEAD, MAX_WINDOW, Interview
from flashdl.core.messages import message
from flashdl.core.model import Deck, card_ids, card_tags, related_pairs
from flashdl.core.planning import (
    LEARNING_DELAY,
    Related,
    RelatedMap,
    due_in_order,
    new_cards_for_today,
    plan_study,
    positions,
    prepare_related,
    separate_related,
    with_learning,
    with_tags,
)
from flashdl.core.scheduling import REPEAT_BELOW

if TYPE_CHECKING:
    from flashdl.app.config import Config
    from flashdl.core.leeches import LeechRule
    from flashdl.core.scheduling import Scheduler
    from flashdl.store import Store

UNTIL_SETTING = "interview_date"
INCLUDE_DAY_SETTING = "interview_include_day"  # "1": reviews may fall on the interview day
WINDOW_SETTING = "interview_window"  # the final days before the interview, a whole number


def interview_date(
    store: Store,
    value: str | None,
    today: date,
    *,
    include_day: bool | None = None,
    final_days: int | None = None,
) -> Interview | None:
    """Apply ``--until`` (set, or 'off' to clear), ``--include-day`` and ``--final-days`` (each
    remembered, like the date), and return the interview still ahead, or None."""
    if value is not None:
        if value.strip().lower() in ("off", "none", ""):
            store.set_setting(UNTIL_SETTING, None)
            return None
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise UsageError(f"--until expects a date like 2026-12-20, not '{value}'") from None
        if day <= today:
            raise UsageError(
                f"the interview date {day.isoformat()} is not after today ({today.isoformat()})"
            )
        if (day - today).days > MAX_DAYS_AHEAD:
            raise UsageError(
                f"the interview date {day.isoformat()} is more than {MAX_DAYS_AHEAD} days ahead"
            )
        store.set_setting(UNTIL_SETTING, day.isoformat())
    if include_day is not None:
        store.set_setting(INCLUDE_DAY_SETTING, "1" if include_day else "0")
    if final_days is not None:
        if not 1 <= final_days <= MAX_WINDOW:
            raise UsageError(f"--final-days must be 1 to {MAX_WINDOW}, not {final_days}")
        store.set_setting(WINDOW_SETTING, str(final_days))
    stored = store.setting(UNTIL_SETTING)
    try:
        day = date.fromisoformat(stored) if stored else None
    except ValueError:
        return None  # not a date (a damaged or hostile database): `flashdl doctor` reports it
    if day is None or day <= today or (day - today).days > MAX_DAYS_AHEAD:
        return None  # (past, or further than any date flashdl sets: a damaged database)
    return Interview(day, window=_stored_window(store), include_day=_stored_include_day(store))


def _stored_window(store: Store) -> int:
    """The remembered ``--final-days``; the default for a missing or damaged value."""
    text = store.setting(WINDOW_SETTING) or ""
    window = int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else DEFAULT_WINDOW
    return window if 1 <= window <= MAX_WINDOW else DEFAULT_WINDOW


def _stored_include_day(store: Store) -> bool:
    return store.setting(INCLUDE_DAY_SETTING) == "1"


def scheduler_in_force(
    config_dir: Path,
    store: Store,
    interview: Interview | None,
    config: Config | None = None,
    *,
    recap: bool = False,
) -> Scheduler:
    """The scheduler in the settings file (or ``config``, read from it already). If another one
    built the card states in ``store`` (the user switched, or this database was last used
    elsewhere), they are first rebuilt from the review log, in one transaction. ``recap`` (the
    interview changed) rebuilds them anyway, so that every card's due day follows the new
    interview's cap."""
    from flashdl.app.config import config_path, load_config

    if config is None:
        config = load_config(config_path(config_dir))
    scheduler = config.make_scheduler()
    if store.use_scheduler(scheduler, until=interview) is None and recap:
        store.rebuild_states(scheduler, until=interview)
    return scheduler


def related_cards(decks: Sequence[Deck]) -> RelatedMap:
    """Card id -> the ids related to it (``related:``, both ways) across ``decks``, worked out
    for the cards that are asked about (``RelatedMap``)."""
    decks = list(decks)
    return RelatedMap(lambda: itertools.chain.from_iterable(map(related_pairs, decks)))


def selected_ids(decks: Sequence[Deck], tags: Sequence[str] = ()) -> list[list[str]]:
    """Per selected deck, its card ids in deck order, only those with one of ``tags`` if any."""
    if not tags:
        return [list(card_ids(d)) for d in decks]
    return [with_tags(zip(card_ids(d), card_tags(d), strict=True), tags) for d in decks]


def leech_rule(config_dir: Path) -> LeechRule:
    """When a card is a leech and what marking it does, from the settings file."""
    from flashdl.app.config import config_path, load_config

    return load_config(config_path(config_dir)).leech_rule()


@dataclass(frozen=True)
class Limits:
    """The daily limits and learning steps a study session plans with (settings, then flags)."""

    new_per_day: int = 10
    max_reviews_per_day: int | None = None
    learning_delay: timedelta = LEARNING_DELAY
    repeat_below: int = REPEAT_BELOW

    @classmethod
    def from_config(cls, config: Config, *, new_per_day: int | None = None) -> Limits:
        """The limits in ``config``; a ``--new`` given on the command line wins."""
        return cls(
            new_per_day=config.new_per_day if new_per_day is None else new_per_day,
            max_reviews_per_day=config.max_reviews_per_day,
            learning_delay=config.learning_delta,
            repeat_below=REPEAT_BELOW_IN[config.grading_mode],
        )


def todays_queue(
    store: Store,
    decks: Sequence[Deck],
    now: datetime,
    limits: Limits | int,
    *,
    tags: Sequence[str] = (),
    related: Related | None = None,
) -> list[str]:
    """Today's card ids for the selected decks (and ``tags``): the learning queue (cards failed
    today), due cards up to the daily review limit (most overdue first), then new cards up to
    the daily limit, taken from the decks in turn and never one related to a card introduced
    today while others are left; related cards are then kept apart. Learning cards never count
    against the review limit; cards buried today wait for tomorrow."""
    if isinstance(limits, int):
        limits = Limits(new_per_day=limits)
    today = study_day(now)
    buried = store.buried_ids(today)  # "b" in the app: back tomorrow
    per_deck = selected_ids(decks, tags)
    if buried:
        per_deck = [[c for c in ids if c not in buried] for ids in per_deck]
    related = related_cards(decks) if related is None else related
    learned = store.learning_cards(today, repeat_below=limits.repeat_below)
    due_days = store.due_cards(today)
    # The deck order of the selected cards that are due or in learning: a dict of these few
    # rather than of every selected card (100k ids cost 20 ms), in the same order.
    wanted = due_days.keys() | learned.keys()
    selected = positions(filter(wanted.__contains__, itertools.chain.from_iterable(per_deck)))
    learning = {c: at for c, at in learned.items() if c in selected}
    introduced = store.introduced_on(today)
    new_limit = limits.new_per_day
    remaining = max(0, new_limit - introduced)
    introduced_ids = store.introduced_ids_on(today) if remaining else set()
    first = [store.first_new(ids, remaining) for ids in per_deck]

    def unseen(reach: int) -> list[list[str]]:
        return first if reach == remaining else [store.first_new(ids, reach) for ids in per_deck]

    # Every card today's queue can hold unless a new card is passed over: one pass finds them all.
    prepare_related(related, itertools.chain(wanted, introduced_ids, *first))
    new = new_cards_for_today(unseen, remaining, related, introduced_ids)
    due = [c for c in due_in_order(due_days, selected) if c not in learning]
    queue = plan_study(
        due,
        new,
        new_limit=new_limit,
        introduced_today=introduced,
        review_limit=limits.max_reviews_per_day,
        reviewed_today=store.reviewed_due_on(today) if limits.max_reviews_per_day else 0,
    )
    queue = with_learning(queue, learning, now, limits.learning_delay)
    prepare_related(related, queue)
    return separate_related(queue, related)


def waiting_reviews(
    store: Store, decks: Sequence[Deck], today: date, limits: Limits, tags: Sequence[str] = ()
) -> int:
    """How many due cards of the selected decks the daily review limit holds back today (cards
    in today's learning queue are never held back; cards buried today are not due today).

    What is due less this is what ``study`` shows today: ``flashdl decks`` and ``flashdl stats``
    say so while the limit holds some back."""
    if limits.max_reviews_per_day is None:
        return 0
    buried = store.buried_ids(today)
    ordered = positions(
        c for c in itertools.chain.from_iterable(selected_ids(decks, tags)) if c not in buried
    )
    learning = store.learning_cards(today, repeat_below=limits.repeat_below)
    due = [c for c in due_in_order(store.due_cards(today), ordered) if c not in learning]
    allowed = max(0, limits.max_reviews_per_day - store.reviewed_due_on(today))
    return max(0, len(due) - allowed)


def nothing_to_study(
    store: Store,
    decks: Sequence[Deck],
    today: date,
    limits: Limits | int,
    lang: str = "en",
    tags: Sequence[str] = (),
) -> str:
    """Why today's queue is empty, in one line, with what to do about it."""
    if isinstance(limits, int):
        limits = Limits(new_per_day=limits)
    new_limit = limits.new_per_day
    ordered = [card_id for ids in selected_ids(decks, tags) for card_id in ids]
    next_due = store.next_due(today)
    when = (
        message("next_due_on", lang, day=next_due.isoformat())
        if next_due
        else message("no_review_scheduled", lang)
    )
    if not ordered:
        return message("empty_selection", lang)
    waiting = waiting_reviews(store, decks, today, limits, tags)
    if waiting:  # (the queue is empty: the limit is used up, and new cards wait too)
        return message(
            "reviews_capped_new_wait", lang, limit=limits.max_reviews_per_day, waiting=waiting
        )
    introduced = store.introduced_on(today)
    unseen = store.first_new(ordered, 1)
    if unseen and introduced >= new_limit:
        more = max(new_limit + 5, introduced + 5)
        fields = {"introduced": introduced, "limit": new_limit, "more": more, "when": when}
        return message("new_limit_reached", lang, **fields)
    if not unseen:
        left = store.suspended_ids() & set(ordered)
        extra = ""
        if left:
            verb = "is" if len(left) == 1 else "are"
            extra = message("suspended_left", lang, count=len(left), verb=verb)
        return message("no_new_left", lang, extra=extra, when=when)
    return message("nothing_due", lang, when=when)
