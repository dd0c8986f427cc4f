"""Building a scheduler by name: ``sm2`` (the default) or ``fsrs``."""

from __future__ import annotations

from flashdl.core.scheduling import DEFAULT_RETENTION, Scheduler
from flashdl.core.sm2 import SM2

SCHEDULERS = ("sm2", "fsrs")
DEFAULT_SCHEDULER = "sm2"


def make_scheduler(name: str, *, desired_retention: float = DEFAULT_RETENTION) -> Scheduler:
    """The scheduler called ``name`` (``sm2`` or ``fsrs``); ``desired_retention`` is FSRS's target."""
    if name == "sm2":
        return SM2()
    if name == "fsrs":
        from flashdl.core.fsrs import FSRS

        return FSRS(desired_retention=desired_retention)
    raise ValueError(f"unknown scheduler {name!r}; choose one of: {', '.join(SCHEDULERS)}")
