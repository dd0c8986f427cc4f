"""Cards buried until a later day (``b`` in study): out of today's queue, back tomorrow.

Kept as one JSON setting (card id -> the first day the card is back), so burying needs no schema
change; read through a hostile database's eyes: anything that is not such a mapping buries nothing.
"""

from __future__ import annotations

import json
from datetime import date

from flashdl.store.connection import Connection

BURIED_SETTING = "buried"


def _parse(value: str | None) -> dict[str, str]:
    try:
        data = json.loads(value) if value else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class BuriedStore(Connection):
    """Burying (a part of ``Store``)."""

    def _buried(self, conn) -> dict[str, str]:
        row = conn.execute("SELECT value FROM settings WHERE key = ?", [BURIED_SETTING]).fetchone()
        return _parse(row[0] if row else None)

    def _save_buried(self, conn, buried: dict[str, str], today: date) -> None:
        live = {k: v for k, v in buried.items() if (d := _day(v)) is not None and d > today}
        if live:
            conn.execute(
                "INSERT INTO settings(key, value) VALUES(?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [BURIED_SETTING, json.dumps(live, sort_keys=True)],
            )
        else:
            conn.execute("DELETE FROM settings WHERE key = ?", [BURIED_SETTING])

    def bury(self, card_id: str, until: date, today: date) -> None:
        """Keep ``card_id`` out of every queue before ``until`` (expired entries are dropped)."""
        with self._write() as conn:
            buried = self._buried(conn)
            buried[card_id] = until.isoformat()
            self._save_buried(conn, buried, today)

    def unbury(self, card_id: str, today: date) -> None:
        with self._write() as conn:
            buried = self._buried(conn)
            buried.pop(card_id, None)
            self._save_buried(conn, buried, today)

    def buried_ids(self, today: date) -> set[str]:
        """The cards buried on ``today``."""
        with self._errors():
            buried = self._buried(self.conn)
        return {k for k, v in buried.items() if (d := _day(v)) is not None and d > today}
