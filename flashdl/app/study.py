"""Preparing a study session: the interview date, the scheduler in force, and today's queue.

The planning rules are pure (``flashdl.core.planning``); this module supplies them with what the
store knows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flashdl.core.errors import UsageError
from flashdl.core.interview import DEFAULT_WINDOW, MAX_WINDOW, Interview
from flashdl.core.model import Deck, card_ids
from flashdl.core.planning import due_in_order, plan_study, with_learning

if TYPE_CHECKING:
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
    if day is None or day <= today:
        return None
    return Interview(day, window=_stored_window(store), include_day=_stored_include_day(store))


def _stored_window(store: Store) -> int:
    """The remembered ``--final-days``; the default for a missing or damaged value."""
    text = store.setting(WINDOW_SETTING) or ""
    window = int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else DEFAULT_WINDOW
    return window if 1 <= window <= MAX_WINDOW else DEFAULT_WINDOW


def _stored_include_day(store: Store) -> bool:
    return store.setting(INCLUDE_DAY_SETTING) == "1"


def scheduler_in_force(
    config_dir: Path, store: Store, interview: Interview | None, *, recap: bool = False
) -> Scheduler:
    """The scheduler in the settings file. If another one built the card states in ``store``
    (the user switched, or this database was last used elsewhere), they are first rebuilt from
    the review log, in one transaction. ``recap`` (the interview changed) rebuilds them anyway,
    so that every card's due day follows the new interview's cap."""
    from flashdl.app.config import config_path, load_config

    scheduler = load_config(config_path(config_dir)).make_scheduler()
    if store.use_scheduler(scheduler, until=interview) is None and recap:
        store.rebuild_states(scheduler, until=interview)
    return scheduler


def todays_queue(store: Store, decks: Sequence[Deck], now: datetime, new_limit: int) -> list[str]:
    """Today's card ids for the selected decks: the learning queue (cards failed today), due
    cards, then new cards up to the daily limit; none of the cards buried today."""
    today = now.date()
    buried = store.buried_ids(today)
    ordered = [card_id for deck in decks for card_id in card_ids(deck) if card_id not in buried]
    selected = set(ordered)
    introduced = store.introduced_on(today)
    due = {c: day for c, day in store.due_cards(today).items() if c not in buried}
    queue = plan_study(
        due_in_order(due, ordered),
        store.first_new(ordered, new_limit - introduced),
        new_limit=new_limit,
        introduced_today=introduced,
    )
    learning = {c: at for c, at in store.learning_cards(today).items() if c in selected}
    return with_learning(queue, learning, now)


def nothing_to_study(store: Store, decks: Sequence[Deck], today: date, new_limit: int) -> str:
    """Why today's queue is empty, in one line, with what to do about it."""
    ordered = [card_id for deck in decks for card_id in card_ids(deck)]
    next_due = store.next_due(today)
    when = (
        f"the next review is due {next_due.isoformat()}" if next_due else "no review is scheduled"
    )
    if not ordered:
        return "Nothing to study: the selected decks have no cards."
    introduced = store.introduced_on(today)
    unseen = store.first_new(ordered, 1)
    if unseen and introduced >= new_limit:
        more = max(new_limit + 5, introduced + 5)
        return (
            f"Nothing due today, and {introduced} of {new_limit} new cards are introduced "
            f"already; `flashdl study --new {more}` for more ({when})."
        )
    if not unseen:
        left = store.suspended_ids() & set(ordered)
        verb = "is" if len(left) == 1 else "are"
        extra = f"; {len(left)} {verb} suspended (`flashdl unsuspend`)" if left else ""
        return f"Nothing due today and no new cards left in the selected decks{extra} ({when})."
    return f"Nothing due today ({when})."
