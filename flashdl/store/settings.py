"""Small key/value settings kept in the database (the interview date, which scheduler built the
card states)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flashdl.store.connection import Connection

if TYPE_CHECKING:
    pass


class SettingsStore(Connection):
    """Settings (a part of ``Store``)."""

    def setting(self, key: str) -> str | None:
        with self._errors():
            row = self.conn.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row and isinstance(row[0], str) else None  # (a blob: none flashdl set)

    def set_setting(self, key: str, value: str | None) -> None:
        with self._write() as conn:
            if value is None:
                conn.execute("DELETE FROM settings WHERE key = ?", [key])
            else:
                conn.execute(
                    "INSERT INTO settings(key, value) VALUES(?, ?)"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [key, value],
                )
