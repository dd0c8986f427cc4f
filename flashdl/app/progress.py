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
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from flashdl import __version__
from flashdl.core.errors import UsageError

if TYPE_CHECKING:
    from flashdl.store import MergeCounts, Store

FORMAT = "flashdl-progress"
SCHEMA_VERSION = 1

_REVIEW_REQUIRED = {
    "card_id": "id",
    "deck": "text",
    "reviewed_at": "time",
    "day": "date",
    "grade": "grade",
    "mode": "text",
    "state_before": "state",
    "state_after": "state",
}
_REVIEW_OPTIONAL = {"answer_ms": "count", "typed": "text", "undone_at": "time"}
_CARD_REQUIRED = {"card_id": "id", "deck": "text"}
_CARD_OPTIONAL = {
    "repetitions": "count",
    "interval": "count",
    "easiness": "number",
    "due": "date",
    "lapses": "count",
    "introduced_on": "date",
    "last_reviewed_at": "time",
    "suspended": "flag",
    "reset_at": "time",
}
_STATE_KEYS = {"repetitions", "interval", "easiness", "due", "lapses"}


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
        "settings": settings,
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


def parse_progress(data: bytes | str, source: str) -> Progress:
    """Check a progress file completely; raise ``UsageError`` naming the first problem."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        document = json.loads(text)
    except UnicodeDecodeError:
        raise UsageError(f"{source} is not a flashdl progress file (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{source} is not a flashdl progress file (invalid JSON at line {exc.lineno},"
            f" column {exc.colno}: {exc.msg})"
        ) from None
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
    cards = _rows(document, "cards", _CARD_REQUIRED, _CARD_OPTIONAL, source)
    reviews = _rows(document, "reviews", _REVIEW_REQUIRED, _REVIEW_OPTIONAL, source)
    settings = document.get("settings", {})
    if not isinstance(settings, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in settings.items()
    ):
        raise UsageError(f"{source}: settings must map names to text")
    return Progress(cards=cards, reviews=reviews, settings=settings)


def import_progress(store: Store, progress: Progress) -> MergeCounts:
    return store.merge_progress(progress.cards, progress.reviews, progress.settings)


# -- validation --------------------------------------------------------------------------------


def _rows(
    document: dict, name: str, required: dict[str, str], optional: dict[str, str], source: str
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
            _check(row[key], kind, f"{where}.{key}", required=True)
        for key, value in row.items():
            if key in optional:
                _check(value, optional[key], f"{where}.{key}", required=False)
            elif key not in required and not (
                value is None or isinstance(value, str | int | float)
            ):
                raise UsageError(f"{where}.{key} must be a plain value")
    return rows


def _check(value: object, kind: str, where: str, *, required: bool) -> None:
    if value is None:
        if required:
            raise UsageError(f"{where} is missing")
        return
    problem = _PROBLEMS[kind](value)
    if problem:
        raise UsageError(f"{where} {problem}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _time(value: object) -> str | None:
    if not isinstance(value, str):
        return "must be an ISO time"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return f"'{value[:40]}' is not an ISO time"
    return None if moment.tzinfo else "needs a UTC offset"


def _date(value: object) -> str | None:
    try:
        date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "must be an ISO date (YYYY-MM-DD)"
    return None


def _state(value: object) -> str | None:
    try:
        state = json.loads(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "must be a card state in JSON"
    if not isinstance(state, dict) or not state.keys() >= _STATE_KEYS:
        return f"must have {', '.join(sorted(_STATE_KEYS))}"
    for key in ("repetitions", "interval", "lapses"):
        if not _is_int(state[key]) or state[key] < 0:
            return f"{key} must be a whole number ≥ 0"
    if not isinstance(state["easiness"], int | float) or isinstance(state["easiness"], bool):
        return "easiness must be a number"
    if state["due"] is not None and _date(state["due"]):
        return "due must be an ISO date or null"
    return None


_PROBLEMS = {
    "id": lambda v: None if isinstance(v, str) and 0 < len(v) <= 200 else "must be a card id",
    "text": lambda v: None if isinstance(v, str) else "must be text",
    "time": _time,
    "date": _date,
    "grade": lambda v: None if _is_int(v) and 0 <= v <= 5 else "must be a grade from 0 to 5",
    "count": lambda v: None if _is_int(v) and v >= 0 else "must be a whole number ≥ 0",
    "number": lambda v: (
        None if isinstance(v, int | float) and not isinstance(v, bool) else "must be a number"
    ),
    "flag": lambda v: None if v in (0, 1) and not isinstance(v, float) else "must be 0 or 1",
    "state": _state,
}
