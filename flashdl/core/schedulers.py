"""Building a scheduler by name: ``sm2`` (the default) or ``fsrs``."""

from __future__ import annotations

import re

from flashdl.core.scheduling import DEFAULT_RETENTION, MAX_RETENTION, MIN_RETENTION, Scheduler
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


_FSRS_KEY = re.compile(r"fsrs\(desired_retention=([0-9.]+)\)")


def scheduler_from_key(key: str) -> Scheduler | None:
    """The scheduler a stored key (``scheduler_key``) names, or None for a key flashdl never writes."""
    if key == "sm2":
        return SM2()
    match = _FSRS_KEY.fullmatch(key)
    if match:
        retention = float(match[1])
        if MIN_RETENTION <= retention <= MAX_RETENTION:
            return make_scheduler("fsrs", desired_retention=retention)
    return None
