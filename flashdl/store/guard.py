"""The schema guard: a database is used only if every object in it is one flashdl created.

A database copied from elsewhere may carry triggers, views or altered tables that would run the
copier's SQL on the user's next grade (a trigger that deletes reviews, say). On open, every entry
of ``sqlite_master`` is compared with what flashdl's migrations create at some schema version:
our tables and indexes by a fingerprint of their SQL, sqlite-utils' migrations table and SQLite's
own objects by name. Anything else is foreign, and the store refuses the file in one line;
``flashdl doctor`` lists the objects and ``flashdl doctor --remove-foreign`` backs the file up
and drops them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from flashdl.store.migrations import MIGRATIONS_TABLE

try:  # hashlib's own SHA-256, without importing hashlib (OpenSSL: 3-4 ms of every start)
    from _sha256 import sha256  # Python 3.11
except ImportError:  # pragma: no cover - 3.12 renamed it
    try:
        from _sha2 import sha256
    except ImportError:
        from hashlib import sha256

# (type, name) -> fingerprints of the SQL that flashdl's migrations give that object at some schema
# version. tests/store/test_guard.py rebuilds this from the migrations, so it cannot go stale.
KNOWN_OBJECTS: dict[tuple[str, str], frozenset[str]] = {
    ("table", "card_state"): frozenset(
        {"03cbe894fdeb48fb", "61064f1e8be24e24", "995173a218189ef5"}
    ),
    ("table", "reviews"): frozenset({"fd67dfbd68727eca", "fdbdfd9afe4aabe4"}),
    ("table", "settings"): frozenset({"15591caadd777a87"}),
    ("index", "card_state_due"): frozenset({"fe254b4457723a87"}),
    ("index", "card_state_due_cover"): frozenset({"3186ed42288ba4eb"}),
    ("index", "card_state_introduced"): frozenset({"af62a5820aec7138"}),
    ("index", "reviews_card"): frozenset({"30a9b0131c0839ab"}),
    ("index", "reviews_day"): frozenset({"8dc4e20d9b47f8d0"}),
    ("index", "reviews_mode_day"): frozenset({"71cf963a13243d63"}),
    ("index", "reviews_day_deck"): frozenset({"4821f84303fe102b"}),
    ("index", "reviews_quiz"): frozenset({"a3963e465e5ef979"}),
    ("table", "leeches"): frozenset({"bf7b1512c9480f5b"}),
    ("index", "leeches_card"): frozenset({"07698bb031c8678a"}),
}
# Objects accepted by name and the table they are on, not their SQL: sqlite-utils' bookkeeping
# (its SQL varies between its versions), the indexes SQLite makes itself for primary keys and
# UNIQUE constraints (which have no SQL), and ANALYZE's tables (names only SQLite may create).
# The table matters: an index of any name on ``reviews`` could refuse every grade.
BY_NAME = {
    ("table", MIGRATIONS_TABLE): MIGRATIONS_TABLE,
    ("index", f"idx_{MIGRATIONS_TABLE}_migration_set_name"): MIGRATIONS_TABLE,
    ("index", "sqlite_autoindex_card_state_1"): "card_state",
    ("index", "sqlite_autoindex_settings_1"): "settings",
    ("table", "sqlite_stat1"): "sqlite_stat1",
    ("table", "sqlite_stat4"): "sqlite_stat4",
}
_MADE_BY_SQLITE = ("sqlite_autoindex_",)  # these have no SQL of their own


def fingerprint(sql: str | None) -> str:
    """The SQL of a schema object with white space folded, hashed."""
    folded = re.sub(r"\s+", " ", sql or "").strip()
    return sha256(folded.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class ForeignObject:
    type: str
    name: str
    table: str
    altered: bool  # one of flashdl's own names, with SQL flashdl never wrote

    def describe(self) -> str:
        shown = re.sub(r"[^\w.-]", "?", self.name)[:60]
        return f"{'altered ' if self.altered else ''}{self.type} '{shown}'"


def foreign_objects(conn: sqlite3.Connection) -> list[ForeignObject]:
    """Every schema object of ``conn`` that flashdl's migrations did not create."""
    rows: Iterable[tuple[str, str, str, str | None]] = conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
    )
    found = []
    for kind, name, table, sql in rows:
        key = (str(kind), str(name))
        if BY_NAME.get(key) == table and (sql is None or not key[1].startswith(_MADE_BY_SQLITE)):
            continue
        expected = KNOWN_OBJECTS.get(key)
        if expected is not None and fingerprint(sql) in expected:
            continue
        found.append(ForeignObject(key[0], key[1], str(table), altered=expected is not None))
    return found


def summary(found: list[ForeignObject], limit: int = 3) -> str:
    shown = ", ".join(obj.describe() for obj in found[:limit])
    return shown + (f" and {len(found) - limit} more" if len(found) > limit else "")


def remove_foreign(conn: sqlite3.Connection) -> list[ForeignObject]:
    """Drop the foreign triggers, views, indexes and tables (one transaction); altered tables of
    flashdl's own cannot be repaired here and are returned."""
    found = foreign_objects(conn)
    kept = [obj for obj in found if obj.altered and obj.type == "table"]
    conn.execute("BEGIN IMMEDIATE")
    try:
        for kind in ("trigger", "view", "index", "table"):
            for obj in found:
                if obj.type == kind and obj not in kept:
                    quoted = '"' + obj.name.replace('"', '""') + '"'
                    conn.execute(f"DROP {kind.upper()} IF EXISTS {quoted}")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return kept
