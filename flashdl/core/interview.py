"""The interview date: how it caps a card's next interval so the last reviews are spread, not piled.

A plain ``min(interval, days_left - 1)`` puts every card whose interval reaches past the interview on
its eve. The cap here instead reserves the last ``window`` days before the interview (the *final
days*, 7 by default) and spreads the cards over them. For a review on ``day`` whose natural next
due is ``day + interval``, with ``last`` the last day a review may be scheduled (the day before the
interview, or the interview day itself with ``include_day``):

1. The natural due is on or before ``last``: it stays (a cap only ever shortens an interval).
2. The review itself is before the final days: the card goes to a *slot*, one of the final days
   (``last`` included): the one with the fewest reviews already due (``Interview.load``, the other
   cards' due days as the store holds them when the review is made, Anki's "load balancer"), and
   among equally loaded days the first from the card's own place, a stable hash of its id
   (``spread_of``). Every card learned before the final days is thus reviewed once inside them,
   and the final days fill evenly. The placement depends only on the review log: replaying it in
   time order (``Store.rebuild_states``) gives each review the same load and the same day.
3. The review is inside the final days already: the card has had its last review before the
   interview, and its natural due (after the interview) stays. Only a natural due on the interview
   day itself (without ``include_day``) is pulled earlier, to the slot between tomorrow and
   ``last`` chosen the same way.
4. The review is on or after ``last``: there is no day left to place it on, and nothing is capped,
   except that a card graded on the eve whose natural due is the interview day (a lapse) comes
   back the day after it instead — the one case where the interval grows, so that nothing is
   scheduled on the interview day unless ``include_day`` asks for it.

A day's load in the final days is thus about the learned cards divided by the number of final days,
plus that day's lapses, new cards and young cards whose natural due falls there (``flashdl
simulate --until`` measures it against the 14 days before; no placement can do better than the
learned cards over the final days). Nothing here reads the clock or the store: the interview, the
day, the card's hash and the load are arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

try:  # hashlib's own BLAKE2, without importing hashlib (OpenSSL: 4-5 ms of every study start)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

DEFAULT_WINDOW = 7
MAX_WINDOW = 90
MAX_DAYS_AHEAD = 3650  # an interview date at most ten years ahead (past it, dates overflow)
# The load of the final days is compared with the mean daily load of this many days before them.
BASELINE_DAYS = 14


def spread_of(card_id: str) -> int:
    """A stable, well-mixed number for ``card_id`` (not ``hash()``, which changes per process)."""
    digest = blake2b(card_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


@dataclass(frozen=True)
class Interview:
    """An interview date and how the last reviews before it are placed.

    ``spread`` is the card's hash (``for_card``); the store sets it for each card it schedules.
    """

    day: date
    window: int = DEFAULT_WINDOW
    include_day: bool = False
    spread: int = 0
    # Reviews already due on each of the final days, other cards (``with_load``); None: unknown.
    load: Mapping[date, int] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not 1 <= self.window <= MAX_WINDOW:
            raise ValueError(f"the final days must be 1 to {MAX_WINDOW}, not {self.window}")

    def for_card(self, card_id: str) -> Interview:
        return replace(self, spread=spread_of(card_id))

    def with_load(self, load: Mapping[date, int] | None) -> Interview:
        return replace(self, load=load)

    @property
    def first_day(self) -> date:
        """The first of the final days."""
        return self.day - timedelta(days=self.window)

    @property
    def last_day(self) -> date:
        """The last day a review may be scheduled on."""
        return self.day if self.include_day else self.day - timedelta(days=1)

    def lightest(self, first: date, natural: date) -> date:
        """The least loaded day from ``first`` to ``natural``, the latest of those (a natural due
        inside the final days moves earlier only to a lighter day)."""
        load = self.load or {}
        days = [first + timedelta(days=i) for i in range((natural - first).days + 1)]
        return min(days, key=lambda d: (load.get(d, 0), -d.toordinal()))

    def in_window(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def slot(self, first: date, last: date | None = None) -> date:
        """This card's day among ``first`` … ``last`` (``last_day`` by default): the least
        loaded one, and among those the first from the card's hashed place onwards."""
        last = self.last_day if last is None else last
        days = (last - first).days + 1
        start = self.spread % days
        order = [first + timedelta(days=(start + i) % days) for i in range(days)]
        if not self.load:
            return order[0]
        load = self.load
        return min(order, key=lambda d: (load.get(d, 0), d))


Deadline = date | Interview
"""What ``until=`` accepts: an interview, or a bare date (the interview with the default window)."""


def as_interview(until: Deadline | None) -> Interview | None:
    if until is None or isinstance(until, Interview):
        return until
    return Interview(until)


def for_card(until: Deadline | None, card_id: str) -> Interview | None:
    """``until`` seeded with ``card_id``'s hash, the way the store schedules each card."""
    interview = as_interview(until)
    return None if interview is None else interview.for_card(card_id)


def capped_interval(day: date, interval: int, until: Deadline | None) -> int:
    """The interval after the interview cap (module docstring) of a review on ``day`` whose
    scheduler chose ``interval`` days; never under one day, and never longer than ``interval``
    but for a lapse on the eve (rule 4)."""
    interval = max(1, interval)
    interview = as_interview(until)
    if interview is None:
        return interval
    last = interview.last_day
    natural = day + timedelta(days=interval)
    if natural == interview.day and not interview.include_day and day >= last:
        return interval + 1  # graded on the eve: the day after the interview, not on it
    if day >= last:
        return interval
    if natural <= last:
        if interview.load and natural >= interview.first_day:
            return (
                interview.lightest(max(day + timedelta(days=1), interview.first_day), natural) - day
            ).days
        return interval
    if day < interview.first_day:
        return (interview.slot(interview.first_day) - day).days
    if natural == interview.day:  # not include_day, or ``natural <= last`` would have kept it
        return (interview.slot(day + timedelta(days=1)) - day).days
    return interval
