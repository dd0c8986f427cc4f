"""The only code that talks to SQLite: card state, the append-only review log, settings, stats
queries and progress merging, each in its own module and joined in one ``Store``.

Tables (documented in docs/data.md):
- ``card_state``: one row per card the user has seen, keyed by the deck's card id.
- ``reviews``: every grade ever given, with the state before and after (JSON), the mode (``study``,
  ``repeat`` for same-session repeats, ``quiz``), the answer time and, for quizzes, the typed answer.
  Rows are never deleted; an undo stamps ``undone_at`` and restores the state before.
- ``leeches``: one row per grade that made a card a leech (``review_id``, ``card_id``, ``deck``,
  the ``lapses`` then, and whether marking it ``suspended`` the card); undo deletes the row.
- ``settings``: small key/value pairs (e.g. the interview date, and ``scheduler``: which scheduler
  built the card states, so that switching rebuilds them from the log).

The database is opened in WAL mode with a busy timeout, so two terminals can study at once, and
every grade is one ``BEGIN IMMEDIATE`` transaction committed before the next card is shown.
"""

from __future__ import annotations

from flashdl.store.buried import BuriedStore
from flashdl.store.cards import SCHEDULER_SETTING, CardStore, StateLookup
from flashdl.store.connection import BUSY_TIMEOUT_MS, SQLITE_HEADER
from flashdl.store.leeches import Leech, LeechMark, LeechStore
from flashdl.store.merge import MergeCounts, ProgressMerge
from flashdl.store.queries import StatsQueries
from flashdl.store.records import Review, StoredCard, state_from_json, state_to_json
from flashdl.store.settings import SettingsStore

__all__ = [
    "BUSY_TIMEOUT_MS",
    "SCHEDULER_SETTING",
    "SQLITE_HEADER",
    "Leech",
    "LeechMark",
    "MergeCounts",
    "Review",
    "StateLookup",
    "Store",
    "StoredCard",
    "state_from_json",
    "state_to_json",
]


class Store(CardStore, SettingsStore, BuriedStore, StatsQueries, ProgressMerge, LeechStore):
    """Progress for one database file. Use ``Store.open(path)``; close it (or use ``with``)."""
