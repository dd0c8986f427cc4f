"""Opening a flashdl database: refuse foreign, damaged or newer files, migrate, WAL; one
write transaction at a time, and SQLite errors turned into one-line messages."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Self

from flashdl import __version__
from flashdl.core.errors import StoreError, one_line
from flashdl.store import migrations
from flashdl.store.guard import foreign_objects, summary
from flashdl.store.migrations import KNOWN, SCHEMA_VERSION

if TYPE_CHECKING:
    from sqlite_utils import Database


SQLITE_HEADER = b"SQLite format 3\x00"


BUSY_TIMEOUT_MS = 10_000
# Upgrading a database with more reviews than this takes seconds (new indexes): say so first.
SLOW_UPGRADE_REVIEWS = 100_000


def _describe(exc: sqlite3.Error, path: Path) -> str:
    """One line for the user, chosen by SQLite's error code (never by the message text alone,
    which a hostile schema's RAISE() could make say anything)."""
    message = one_line(str(exc))
    name = getattr(exc, "sqlite_errorname", "") or _name_from_text(message.lower())
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return (
            f"database {path} is busy: another process (flashdl, or a program that opened it)"
            " is writing to it; try again in a moment"
        )
    if name.startswith("SQLITE_READONLY"):
        return f"cannot write {path}: the file or its folder is read-only (set FLASHDL_HOME or --db to move it)"
    if name == "SQLITE_FULL":
        return (
            f"cannot write {path}: {message}; free some space and retry (earlier reviews are saved)"
        )
    if name.startswith("SQLITE_IOERR"):
        return (
            f"cannot write {path}: disk I/O error; check the disk (or move the file with --db) "
            "and retry (earlier reviews are saved)"
        )
    if name.startswith("SQLITE_CANTOPEN"):
        if os.path.islink(path) and not os.path.exists(path):
            return (
                f"cannot open database {path}: it is a symbolic link to a missing file or to"
                " itself; remove the link, or use --db"
            )
        return f"cannot open database {path}: check the folder exists and is writable, or use --db"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return f"database {path} is damaged ({message}); move it aside or restore a backup"
    if name.startswith("SQLITE_CONSTRAINT"):
        return f"database {path} refused a write ({message}); run `flashdl doctor`"
    if message.startswith(("no such table", "no such column")):  # a table dropped, say
        return (
            f"database {path} lacks part of its schema ({message}); restore a backup, or run"
            " `flashdl doctor`"
        )
    return f"database {path}: {message}"


_TEXT_CODES = (  # for errors raised without SQLite's code (by Python's module itself)
    (("locked", "busy"), "SQLITE_BUSY"),
    (("readonly", "read-only"), "SQLITE_READONLY"),
    (("disk is full",), "SQLITE_FULL"),
    (("disk i/o",), "SQLITE_IOERR"),
    (("unable to open",), "SQLITE_CANTOPEN"),
    (("malformed", "not a database", "corrupt"), "SQLITE_CORRUPT"),
)


def _name_from_text(lowered: str) -> str:
    return next((code for words, code in _TEXT_CODES if any(w in lowered for w in words)), "")


def harden(conn: sqlite3.Connection) -> None:
    """SQLite's defences against a hostile file: no SQL functions with side effects in the schema
    (``trusted_schema``), and where Python offers it, the defensive mode that forbids writing the
    schema table directly."""
    conn.execute("PRAGMA trusted_schema = OFF")
    setconfig = getattr(conn, "setconfig", None)  # Python 3.12+
    defensive = getattr(sqlite3, "SQLITE_DBCONFIG_DEFENSIVE", None)
    if setconfig is not None and defensive is not None:
        setconfig(defensive, True)


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL mode. Another process switching the same new file at the same moment makes
    SQLite answer "locked" at once, without the busy timeout, so wait for it here."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _unfinished_start(conn: sqlite3.Connection, tables: set[str]) -> bool:
    """True for a file whose creation was cut short by an older flashdl: an empty migrations
    table and nothing else (that version created the table outside the first migration)."""
    if tables != {migrations.MIGRATIONS_TABLE}:
        return False
    return conn.execute(f"SELECT count(*) FROM {migrations.MIGRATIONS_TABLE}").fetchone()[0] == 0


def dangling_link(path: Path) -> str:
    """What to say of a database path that is a symbolic link to nothing: SQLite would create
    the file it points to (a typo, or a disk not mounted, would start a new, empty history)."""
    try:
        target = os.readlink(path)
    except OSError:
        target = "?"
    return (
        f"{path} is a symbolic link to a missing file or to itself ({target}); flashdl creates no"
        " database through it: remove the link, or point --db or FLASHDL_DB at the database"
    )


def _check_file(path: Path) -> None:
    """Refuse a folder or a non-SQLite file before SQLite can touch it; create the parent folder."""
    text = str(path)
    if text in ("", ":memory:") or text.startswith("file:"):
        raise StoreError(
            f"'{text}' is not a database file; --db / FLASHDL_DB must name a file on disk"
        )
    if path.is_dir():
        raise StoreError(f"{path} is a folder; --db / FLASHDL_DB must name a database file")
    if path.exists() and not path.is_file():
        raise StoreError(
            f"{path} is not a regular file (a device, FIFO or socket); --db / FLASHDL_DB must "
            "name a database file"
        )
    if path.exists():
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise StoreError(f"cannot read database {path}: {exc.strerror}") from None
        if header and header != SQLITE_HEADER:
            raise StoreError(
                f"{path} is not a SQLite database (a damaged or foreign file); it was left "
                "untouched — move it aside or pass --db"
            )
        return
    if os.path.islink(path):  # (exists() follows the link: it points nowhere, or at itself)
        raise StoreError(dangling_link(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the data folder {path.parent}: {exc.strerror} (set FLASHDL_HOME or --db)"
        ) from None


class Connection:
    """A connection to one flashdl database and the means to read and write it safely."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path
        self._writing = False  # inside ``_write``: a nested one joins the open transaction

    @property
    def db(self) -> Database:
        """A sqlite-utils view of the same connection (imported on first use, for speed)."""
        from sqlite_utils import Database

        return Database(self.conn, execute_plugins=False, recursive_triggers=False)

    @classmethod
    def open(cls, path: Path, upgrade_notice: Callable[[Path], None] | None = None) -> Self:
        """Open (creating if missing) and migrate; refuse foreign, damaged or newer databases.
        ``upgrade_notice(path)`` is called before an upgrade of a long history (seconds)."""
        path = Path(path)
        _check_file(path)
        try:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, path)) from None
        store = cls(conn, path)
        try:
            with store._errors():
                store._prepare(upgrade_notice)
        except BaseException:
            conn.close()
            raise
        return store

    def _prepare(self, upgrade_notice: Callable[[Path], None] | None) -> None:
        conn = self.conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        harden(conn)
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        applied: list[str] = []
        if "_sqlite_migrations" in tables:
            applied = migrations.applied(conn)
        if tables and not applied and not _unfinished_start(conn, tables):
            raise StoreError(
                f"{self.path} is a SQLite database, but not a flashdl one; it was left untouched "
                "(use --db to choose another file)"
            )
        unknown = [name for name in applied if name not in KNOWN]
        if unknown:
            raise StoreError(
                f"database {self.path} was written by a newer flashdl (it has schema change "
                f"'{unknown[0]}', which this version {__version__} does not know); upgrade flashdl "
                "(pip install -U flashdl) — the file was left untouched"
            )
        found = foreign_objects(conn)
        if found:
            raise StoreError(
                f"database {self.path} has schema objects flashdl did not create "
                f"({summary(found)}); it was left untouched. `flashdl doctor` lists them and "
                "`flashdl doctor --remove-foreign` backs the file up and removes them"
            )
        _use_wal(conn)
        conn.execute("PRAGMA synchronous = FULL")
        if len(applied) < SCHEMA_VERSION:
            self._migrate(upgrade_notice)

    def _migrate(self, upgrade_notice: Callable[[Path], None] | None) -> None:
        """Apply the pending migrations in one write transaction, deciding again under the lock:
        two processes opening a new database at once must not both migrate it, and a kill -9
        part-way leaves the file as it was before (the next open finishes the job)."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            applied = migrations.applied(conn)
            if len(applied) < SCHEMA_VERSION:
                if applied and upgrade_notice is not None:
                    (last,) = conn.execute("SELECT coalesce(max(id), 0) FROM reviews").fetchone()
                    if last > SLOW_UPGRADE_REVIEWS:
                        upgrade_notice(self.path)
                try:
                    migrations.apply(conn)
                except sqlite3.OperationalError as exc:  # "index ... already exists", say
                    raise StoreError(
                        f"database {self.path} does not match the schema version it records"
                        f" ({one_line(str(exc), 80)}); restore a backup, or run `flashdl doctor`"
                    ) from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, self.path)) from None

    @contextlib.contextmanager
    def _decoded(self, what: str) -> Iterator[None]:
        """Values read from the database become dates, states and numbers in here: one that is
        not what flashdl writes (a copied or edited file: the schema guard sees only the
        schema) is a one-line error naming the column, not a crash further on."""
        try:
            with self._errors():
                yield
        except (ValueError, TypeError, OverflowError, KeyError, RecursionError) as exc:
            raise StoreError(
                f"the database {self.path} holds a {what} flashdl cannot read "
                f"({one_line(str(exc), 80)}); run `flashdl doctor`"
            ) from None

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One immediate transaction: takes the write lock up front, so WAL readers never deadlock.

        Nested, it joins the transaction already open (``merge_progress`` rebuilds the card states
        inside its own transaction, so that either both happen or neither does)."""
        conn = self.conn
        if self._writing:
            yield conn
            return
        self._writing = True
        try:
            with self._errors(), self._transaction(conn):
                yield conn
        finally:
            self._writing = False

    @staticmethod
    @contextlib.contextmanager
    def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            # SQLite has already rolled back after some errors (a full disk, an I/O error);
            # a second ROLLBACK would replace the real error with "no transaction is active".
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def schema_version(self) -> int:
        with self._errors():
            return len([name for name in migrations.applied(self.conn) if name in KNOWN])

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with self._errors():
            return self.conn.execute(sql, list(params)).fetchall()
