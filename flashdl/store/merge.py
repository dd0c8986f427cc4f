"""Merging a progress file into the database: reviews are identified by (card, time, grade,
mode), so importing twice changes nothing; an undo wins; the later state wins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flashdl.core.errors import StoreError
from flashdl.store.cards import SCHEDULER_SETTING
from flashdl.store.connection import Connection
from flashdl.store.records import dict_rows, insert_known, last_change, table_columns

if TYPE_CHECKING:
    from flashdl.core.interview import Deadline
    from flashdl.core.leeches import LeechRule
    from flashdl.core.scheduling import Scheduler


@dataclass
class MergeCounts:
    """What ``Store.merge_progress`` changed."""

    reviews_added: int = 0
    reviews_undone: int = 0
    cards_added: int = 0
    cards_updated: int = 0
    settings_added: int = 0
    needs_rebuild: bool = False  # card states from another scheduler were taken
    leeches_marked: int = 0  # leech marks the merged log implies (``rebuild_leeches``)

    @property
    def changed(self) -> bool:
        return any(vars(self).values())


class ProgressMerge(Connection):
    """Progress merging (a part of ``Store``)."""

    def progress_rows(self) -> tuple[list[dict], list[dict], dict[str, str]]:
        """Every ``card_state`` row, every review (undone ones too, without the local ``id``) and
        the settings, read in one transaction so they agree with each other."""
        conn = self.conn
        with self._errors():
            conn.execute("BEGIN")
            try:
                for table in ("card_state", "reviews"):
                    self._no_binary_values(table)
                cards = dict_rows(conn.execute("SELECT * FROM card_state ORDER BY card_id"))
                reviews = dict_rows(conn.execute("SELECT * FROM reviews ORDER BY id"))
                settings = dict(
                    conn.execute(  # (a value that is no text is none flashdl set: left out)
                        "SELECT key, value FROM settings"
                        " WHERE typeof(key) = 'text' AND typeof(value) = 'text' ORDER BY key"
                    )
                )
            finally:
                conn.execute("COMMIT")
        for review in reviews:
            review.pop("id", None)
        return cards, reviews, settings

    def _no_binary_values(self, table: str) -> None:
        """Binary data in ``table`` (none flashdl writes; a progress file is JSON text) is one
        line naming the column, before anything is written."""
        columns = [row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")]
        flags = ", ".join(f"max(typeof(\"{column}\") = 'blob')" for column in columns)
        found = self.conn.execute(f'SELECT {flags} FROM "{table}"').fetchone()  # one scan
        for column, blob in zip(columns, found, strict=True):
            if blob:
                raise StoreError(
                    f"the database {self.path} holds binary data in {table}.{column}, which"
                    " flashdl never writes; run `flashdl doctor`"
                )

    def merge_progress(
        self,
        cards: Iterable[dict],
        reviews: Iterable[dict],
        settings: dict[str, str],
        *,
        rebuild_with: Scheduler | None = None,
        until: Deadline | None = None,
        leech_rule: LeechRule | None = None,
    ) -> MergeCounts:
        """Merge progress from another database, in one transaction; merging twice changes nothing.

        - Reviews are the same review when ``card_id``, ``reviewed_at``, ``grade`` and ``mode``
          agree (the time has milliseconds and the UTC offset): each is added once. An undo on
          either side wins: ``undone_at`` is filled in, never cleared.
        - A card takes the whole row of the side that changed it last (the later of
          ``last_reviewed_at`` and ``reset_at``); on a tie this database's row stays.
        - Settings that this database lacks are added; its own settings are kept.
        - If another scheduler built the incoming card states (the ``scheduler`` setting differs)
          and some were taken, the ``scheduler`` setting becomes ``mixed``, so that
          ``use_scheduler`` rebuilds every state from the merged log (``needs_rebuild``); with
          ``rebuild_with`` that rebuild happens here, in the same transaction.
        - With ``leech_rule``, the leech marks are rebuilt from the merged log, in the same
          transaction (a progress file does not carry them).

        Columns this version does not have are ignored, so rows can come from a newer schema.
        """
        counts = MergeCounts()
        theirs = settings.get(SCHEDULER_SETTING, "sm2")
        with self._write() as conn:
            ours = conn.execute(
                "SELECT value FROM settings WHERE key = ?", [SCHEDULER_SETTING]
            ).fetchone()
            review_columns = table_columns(conn, "reviews") - {"id"}
            card_columns = table_columns(conn, "card_state")
            for review in reviews:
                key = [review["card_id"], review["reviewed_at"], review["grade"], review["mode"]]
                found = conn.execute(
                    "SELECT id, undone_at FROM reviews"
                    " WHERE card_id = ? AND reviewed_at = ? AND grade = ? AND mode = ?",
                    key,
                ).fetchone()
                if found is None:
                    insert_known(conn, "reviews", review, review_columns)
                    counts.reviews_added += 1
                elif found[1] is None and review.get("undone_at"):
                    conn.execute(
                        "UPDATE reviews SET undone_at = ? WHERE id = ?",
                        [review["undone_at"], found[0]],
                    )
                    counts.reviews_undone += 1
            for card in cards:
                cursor = conn.execute(
                    "SELECT * FROM card_state WHERE card_id = ?", [card["card_id"]]
                )
                local = dict_rows(cursor)
                if not local:
                    insert_known(conn, "card_state", card, card_columns)
                    counts.cards_added += 1
                elif last_change(card) > last_change(local[0]):
                    columns = [c for c in card if c in card_columns and c != "card_id"]
                    conn.execute(
                        "UPDATE card_state SET "
                        + ", ".join(f"{c} = ?" for c in columns)
                        + " WHERE card_id = ?",
                        [card[c] for c in columns] + [card["card_id"]],
                    )
                    counts.cards_updated += 1
            for key, value in settings.items():
                if key == SCHEDULER_SETTING:
                    continue
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO settings(key, value) VALUES (?, ?)", [key, value]
                )
                counts.settings_added += cursor.rowcount
            if theirs != (ours[0] if ours else "sm2") and (
                counts.cards_added or counts.cards_updated
            ):
                conn.execute(
                    "INSERT INTO settings(key, value) VALUES (?, 'mixed')"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [SCHEDULER_SETTING],
                )
                counts.needs_rebuild = True
                if rebuild_with is not None:
                    self.rebuild_states(rebuild_with, until=until)  # type: ignore[attr-defined]
            if leech_rule is not None:
                counts.leeches_marked = self.rebuild_leeches(leech_rule)  # type: ignore[attr-defined]
        return counts
