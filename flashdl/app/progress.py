"""The progress file: review state and the full review log as JSON, to carry to another machine.

``progress_document`` reads a store into a JSON-ready dict; ``parse_progress`` checks a file
completely before anything is written, and ``import_progress`` merges it with
``Store.merge_progress`` (one transaction, idempotent). The file looks like::

    {"format": "flashdl-progress", "schema_version": 1, "flashdl_version": "0.2.0",
     "exported_at": "2026-11-29T09:30:00.000+08:00",
     "cards": [{"card_id": ..., "deck": ..., "repetitions": ..., ...}, ...],
     "reviews": [{"card_id": ..., "reviewed_at": ..., "grade": ..., "mode": ..., ...}, ...],
     "settings": {"key": "value"}}

``cards`` and ``reviews`` hold the database rows as they are (column name to value; the local
review ``id`` is left out). ``schema_version`` changes only when a reader of an older version would
misread the file; new optional columns do not change it, and an older flashdl ignores them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from flashdl import __version__
from flashdl.core.days import MAX_UTC_OFFSET, study_day
from flashdl.core.errors import UsageError
from flashdl.core.interview import MAX_DAYS_AHEAD
from flashdl.core.scheduling import MAX_COUNT, MAX_INTERVAL_DAYS
from flashdl.decks.loader import DECK_NAME_PATTERN, ID_PATTERN

if TYPE_CHECKING:
    from flashdl.core.interview import Deadline
    from flashdl.core.leeches import LeechRule
    from flashdl.core.scheduling import Scheduler
    from flashdl.store import MergeCounts, Store

FORMAT = "flashdl-progress"
SCHEMA_VERSION = 1

MAX_PROGRESS_BYTES = 64 * 2**20
MAX_TEXT = 10_000  # an id, a deck name, a stamp: far below this
MAX_TYPED = 100_000  # a typed quiz answer
MODES = ("study", "repeat", "quiz")

_REVIEW_REQUIRED = {
    "card_id": "id",
    "deck": "deck",
    "reviewed_at": "past_time",
    "day": "past_date",
    "grade": "grade",
    "mode": "mode",
    "state_before": "state",
    "state_after": "state",
}
_REVIEW_OPTIONAL = {
    "answer_ms": "millis",
    "typed": "typed",
    "undone_at": "past_time",
    "coverage": "share",
    "missed": "missed",
}
_CARD_REQUIRED = {"card_id": "id", "deck": "deck"}
_CARD_OPTIONAL = {
    "repetitions": "count",
    "interval": "interval",
    "easiness": "easiness",
    "due": "due",
    "lapses": "count",
    "introduced_on": "past_date",
    "last_reviewed_at": "past_time",
    "suspended": "flag",
    "reset_at": "past_time",
    "stability": "stability",
    "difficulty": "difficulty",
}
_STATE_KEYS = {"repetitions", "interval", "easiness", "due", "lapses"}
_SETTINGS = {
    "interview_date": "interview_date",
    "interview_window": "final_days",
    "interview_include_day": "switch",
    "scheduler": "scheduler",
}


@dataclass(frozen=True)
class Progress:
    cards: list[dict]
    reviews: list[dict]
    settings: dict[str, str]


def progress_document(store: Store, exported_at: datetime) -> dict:
    """Everything needed to carry progress to another machine, as a JSON-ready dict."""
    cards, reviews, settings = store.progress_rows()
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "flashdl_version": __version__,
        "exported_at": exported_at.isoformat(timespec="milliseconds"),
        "cards": cards,
        "reviews": reviews,
        # Only the settings a progress file carries: a card buried until tomorrow stays here.
        "settings": {k: v for k, v in settings.items() if k in _SETTINGS},
    }


def dumps(document: dict) -> str:
    """The document as JSON with one card or review per line: compact, yet easy to grep."""
    lines = ["{"]
    for index, (key, value) in enumerate(document.items()):
        comma = "," if index < len(document) - 1 else ""
        if isinstance(value, list) and value:
            rows = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in value)
            lines.append(f" {json.dumps(key)}: [\n{rows}\n ]{comma}")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    return "\n".join(lines) + "\n}\n"


def parse_progress(data: bytes | str, source: str, now: datetime | None = None) -> Progress:
    """Check a progress file completely; raise ``UsageError`` naming the first problem.

    The file comes from elsewhere and is treated as hostile: every value is type- and
    range-checked (no NaN or infinity, no date before 1970 or after ``now`` plus a day of clock
    skew, no due date beyond a century), modes and settings must be ones flashdl writes, and
    texts are bounded. Nothing is written until all of it has passed."""
    if len(data) > MAX_PROGRESS_BYTES:
        raise UsageError(f"{source} is larger than {MAX_PROGRESS_BYTES // 2**20} MiB")
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        document = json.loads(text, parse_constant=_no_constant, parse_int=_whole_number)
    except _LongNumber as exc:
        raise UsageError(
            f"{source} is not a flashdl progress file (a number of {exc.digits} digits; flashdl"
            f" writes none longer than {MAX_DIGITS})"
        ) from None
    except UnicodeDecodeError:
        raise UsageError(f"{source} is not a flashdl progress file (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{source} is not a flashdl progress file (invalid JSON at line {exc.lineno},"
            f" column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise UsageError(f"{source} is not a flashdl progress file (nested too deeply)") from None
    except ValueError as exc:
        raise UsageError(f"{source}: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise UsageError(f'{source} is not a flashdl progress file (no "format": "{FORMAT}")')
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UsageError(f"{source}: schema_version must be a whole number from 1")
    if version > SCHEMA_VERSION:
        raise UsageError(
            f"{source} was written by a newer flashdl (progress schema {version}; this version"
            f" reads up to {SCHEMA_VERSION}); upgrade flashdl (pip install -U flashdl)"
        )
    limits = _Limits.around(now or datetime.now(UTC))
    cards = _rows(document, "cards", _CARD_REQUIRED, _CARD_OPTIONAL, source, limits)
    reviews = _rows(document, "reviews", _REVIEW_REQUIRED, _REVIEW_OPTIONAL, source, limits)
    known = {card["card_id"] for card in cards}
    for index, review in enumerate(reviews):
        _check_review_times(review, f"{source}: reviews[{index}]")
        if review["card_id"] not in known and _schedules(review):
            # (the merge would find a leech in the log of a card with no state: doctor calls
            # such a mark corrupt, ``doctor._stray_rows``)
            raise UsageError(
                f"{source}: reviews[{index}].card_id '{review['card_id']}' has a {review['mode']}"
                " review but no entry in 'cards', as every card flashdl grades has"
            )
    settings = document.get("settings", {})
    if not isinstance(settings, dict):
        raise UsageError(f"{source}: settings must map names to text")
    for key, value in settings.items():
        if key not in _SETTINGS:
            raise UsageError(f"{source}: settings.{key[:40]} is not a flashdl setting")
        _check(value, _SETTINGS[key], f"{source}: settings.{key}", limits, required=True)
    return Progress(cards=cards, reviews=reviews, settings=settings)


def import_progress(
    store: Store,
    progress: Progress,
    scheduler: Scheduler | None = None,
    *,
    until: Deadline | None = None,
    leech_rule: LeechRule | None = None,
) -> MergeCounts:
    """Merge ``progress`` and, if its card states came from another scheduler, rebuild the
    states with ``scheduler``; with ``leech_rule``, find the leeches again in the merged log:
    one transaction, so a failure leaves the database as it was."""
    return store.merge_progress(
        progress.cards,
        progress.reviews,
        progress.settings,
        rebuild_with=scheduler,
        until=until,
        leech_rule=leech_rule,
    )


# -- validation --------------------------------------------------------------------------------


MAX_DIGITS = 20  # a whole number flashdl writes (a count, a day, an interval) has fewer


class _LongNumber(ValueError):
    def __init__(self, digits: int):
        super().__init__(f"{digits} digits")
        self.digits = digits


def _whole_number(text: str) -> int:
    """JSON's whole numbers, refused past ``MAX_DIGITS``: Python's own refusal (past 4,300
    digits) reads as a hint for the programmer, and a longer number than flashdl writes is not
    its file anyway."""
    digits = len(text) - text.startswith("-")
    if digits > MAX_DIGITS:
        raise _LongNumber(digits)
    return int(text)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number flashdl writes")


@dataclass(frozen=True)
class _Limits:
    latest_time: datetime
    latest_day: date
    latest_due: date

    @classmethod
    def around(cls, now: datetime) -> _Limits:
        latest = now + timedelta(days=1)  # a day of clock skew between two machines
        # (due dates from the study day, as doctor counts them: not past what it calls impossible)
        return cls(latest, latest.date(), study_day(now) + timedelta(days=MAX_INTERVAL_DAYS))


EARLIEST = date(1970, 1, 1)


def _rows(
    document: dict,
    name: str,
    required: dict[str, str],
    optional: dict[str, str],
    source: str,
    limits: _Limits,
) -> list[dict]:
    rows = document.get(name)
    if not isinstance(rows, list):
        raise UsageError(f"{source}: '{name}' must be a list")
    for index, row in enumerate(rows):
        where = f"{source}: {name}[{index}]"
        if not isinstance(row, dict):
            raise UsageError(f"{where} must be an object")
        for key, kind in required.items():
            if key not in row:
                raise UsageError(f"{where} is missing '{key}'")
            _check(row[key], kind, f"{where}.{key}", limits, required=True)
        for key, value in row.items():
            if key in optional:
                _check(value, optional[key], f"{where}.{key}", limits, required=False)
            elif key not in required and not (
                value is None
                or (isinstance(value, str) and len(value) <= MAX_TEXT)
                or (isinstance(value, int | float) and not isinstance(value, bool))
            ):
                raise UsageError(f"{where}.{key[:40]} must be a plain value")
    return rows


def _schedules(review: dict) -> bool:
    """Whether flashdl wrote the card's state with this review: a study grade, a repeat of one,
    a quiz grade that rescheduled — the reviews leech marks count (``store.leeches._ANSWERS``)."""
    return review["mode"] in ("study", "repeat") or review["state_before"] != review["state_after"]


def _check_review_times(review: dict, where: str) -> None:
    """What each field of a review allows alone but no review flashdl writes has, and doctor
    calls corrupt (``doctor._unreadable_rows``): an undo before the grade, or a ``day`` that is
    not the day of ``reviewed_at`` — its study day (a day ends at 4 AM), or its calendar date,
    which flashdl wrote before the 4 AM rule."""
    reviewed = datetime.fromisoformat(review["reviewed_at"])
    card = f" (card '{review['card_id']}')"
    undone = review.get("undone_at")
    if undone is not None and datetime.fromisoformat(undone) < reviewed:
        raise UsageError(
            f"{where}.undone_at{card} {undone} is before its reviewed_at {review['reviewed_at']}"
        )
    if review["day"] not in (study_day(reviewed).isoformat(), reviewed.date().isoformat()):
        raise UsageError(
            f"{where}.day{card} {review['day']} is not the day of its reviewed_at"
            f" {review['reviewed_at']} ({study_day(reviewed).isoformat()}: a day ends at 4 AM)"
        )


def _check(value: object, kind: str, where: str, limits: _Limits, *, required: bool) -> None:
    if value is None:
        if required:
            raise UsageError(f"{where} is missing")
        return
    problem = _PROBLEMS[kind](value, limits)
    if problem:
        raise UsageError(f"{where} {problem}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _bounded_int(low: int, high: int) -> Callable[[object, _Limits], str | None]:
    def check(value: object, _: _Limits) -> str | None:
        ok = _is_int(value) and low <= value <= high  # type: ignore[operator]
        return None if ok else f"must be a whole number from {low} to {high}"

    return check


def _bounded_number(low: float, high: float) -> Callable[[object, _Limits], str | None]:
    def check(value: object, _: _Limits) -> str | None:
        ok = _is_number(value) and low <= value <= high  # type: ignore[operator]
        return None if ok else f"must be a number from {low:g} to {high:g}"

    return check


def _text(limit: int) -> Callable[[object, _Limits], str | None]:
    def check(value: object, _: _Limits) -> str | None:
        ok = isinstance(value, str) and len(value) <= limit
        return None if ok else f"must be text of at most {limit:,} characters"

    return check


def _pattern(pattern: re.Pattern[str], what: str) -> Callable[[object, _Limits], str | None]:
    def check(value: object, _: _Limits) -> str | None:
        return None if isinstance(value, str) and pattern.match(value) else f"must be {what}"

    return check


# The shapes flashdl writes (``isoformat``). ``fromisoformat`` alone also takes week dates
# ("2026-W49-1") and basic forms ("20261022T080506+0800"), which would be stored as written and
# then compare wrongly as text in every query by day or time.
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?[+-]\d{2}:\d{2}\Z")


def _time(value: object, limits: _Limits) -> str | None:
    if not isinstance(value, str) or len(value) > 40:
        return "must be an ISO time"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return "is not an ISO time"
    if moment.tzinfo is None:
        return "needs a UTC offset"
    if abs(moment.utcoffset() or timedelta(0)) > MAX_UTC_OFFSET:
        return f"{value} has a UTC offset no time zone has"  # (SQLite's dates refuse it too)
    if not _ISO_TIME.match(value):
        return "must be an ISO time as flashdl writes it (YYYY-MM-DDTHH:MM:SS.sss+HH:MM)"
    if moment.date() < EARLIEST or moment > limits.latest_time:
        return f"{value} is before 1970 or in the future"
    return None


def _day(value: object) -> date | None:
    if not isinstance(value, str) or not _ISO_DAY.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _past_date(value: object, limits: _Limits) -> str | None:
    day = _day(value)
    if day is None:
        return "must be an ISO date (YYYY-MM-DD)"
    return (
        None if EARLIEST <= day <= limits.latest_day else f"{value} is before 1970 or in the future"
    )


def _any_date(value: object, limits: _Limits) -> str | None:
    return None if _day(value) is not None else "must be an ISO date (YYYY-MM-DD)"


def _interview_date(value: object, limits: _Limits) -> str | None:
    day = _day(value)
    if day is None:
        return "must be an ISO date (YYYY-MM-DD)"
    if not EARLIEST <= day <= limits.latest_day + timedelta(days=MAX_DAYS_AHEAD):
        return f"{value} is not an interview date flashdl sets"
    return None


def _due(value: object, limits: _Limits) -> str | None:
    day = _day(value)
    if day is None:
        return "must be an ISO date (YYYY-MM-DD)"
    return (
        None if EARLIEST <= day <= limits.latest_due else f"{value} is not a due date flashdl sets"
    )


def _state(value: object, limits: _Limits) -> str | None:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        return "must be a card state in JSON"
    try:
        state = json.loads(value, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return "must be a card state in JSON"
    if not isinstance(state, dict) or not state.keys() >= _STATE_KEYS:
        return f"must have {', '.join(sorted(_STATE_KEYS))}"
    for key, value_ in state.items():
        kind = _STATE_FIELDS.get(key)
        if kind is None:
            return f"has an unknown field '{key[:40]}'"
        if value_ is None and key in ("due", "stability", "difficulty"):
            continue
        problem = _PROBLEMS[kind](value_, limits)
        if problem:
            return f"{key} {problem}"
    return None


def _missed(value: object, _: _Limits) -> str | None:
    try:
        items = json.loads(value) if isinstance(value, str) and len(value) < 200 else None
    except ValueError:
        items = None
    ok = (
        isinstance(items, list)
        and len(items) <= 6
        and all(_is_int(i) and 0 <= i < 6 for i in items)
    )
    return None if ok else "must be a JSON list of key-point numbers"


def _scheduler(value: object, _: _Limits) -> str | None:
    from flashdl.core.schedulers import scheduler_from_key

    ok = isinstance(value, str) and (value == "mixed" or scheduler_from_key(value) is not None)
    return None if ok else "must name a scheduler flashdl writes (sm2, fsrs(...), mixed)"


_PROBLEMS: dict[str, Callable[[object, _Limits], str | None]] = {
    "id": _pattern(ID_PATTERN, "a card id (lowercase letters, digits, '-', '_')"),
    "deck": _pattern(DECK_NAME_PATTERN, "a deck name (lowercase letters, digits, '-', '_')"),
    "mode": lambda v, _: None if v in MODES else f"must be one of {', '.join(MODES)}",
    "typed": _text(MAX_TYPED),
    "past_time": _time,
    "past_date": _past_date,
    "date": _any_date,
    "interview_date": _interview_date,
    "due": _due,
    "grade": lambda v, _: None if _is_int(v) and 0 <= v <= 5 else "must be a grade from 0 to 5",
    "count": _bounded_int(0, MAX_COUNT),
    "interval": _bounded_int(0, MAX_INTERVAL_DAYS),
    "millis": _bounded_int(0, 10**9),
    "easiness": _bounded_number(1.0, 100.0),
    "stability": _bounded_number(0.0, 1e7),
    "difficulty": _bounded_number(1.0, 10.0),
    "share": _bounded_number(0.0, 1.0),
    "missed": _missed,
    "flag": lambda v, _: None if v in (0, 1) and _is_int(v) else "must be 0 or 1",
    "state": _state,
    "scheduler": _scheduler,
    "final_days": _pattern(re.compile(r"(?:[1-9]|[1-8][0-9]|90)\Z"), "a whole number from 1 to 90"),
    "switch": lambda v, _: None if v in ("0", "1") else "must be '0' or '1'",
}
_STATE_FIELDS = {
    "repetitions": "count",
    "interval": "interval",
    "easiness": "easiness",
    "due": "due",
    "lapses": "count",
    "stability": "stability",
    "difficulty": "difficulty",
}
