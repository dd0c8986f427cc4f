"""``flashdl doctor``: look at everything flashdl depends on and say, in plain words, what is wrong.

Each check returns ``Finding``s: ``ok``, a ``note`` (worth knowing, nothing to fix) or a
``problem`` (something to fix; the command exits 1). The checks only look: the database is opened
read-only (never through ``Store.open``, which would migrate it), folders and the cache are not
created, and the one write — a probe file proving a folder is writable — is removed at once.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from flashdl.core.errors import FlashdlError, one_line
from flashdl.core.scheduling import MAX_COUNT, MAX_INTERVAL_DAYS
from flashdl.files import resolved

LOW_DISK_BYTES = 20 * 2**20  # below this, the next grades may not fit
MAX_LISTED = 10  # deck problems listed before "... and N more"


class Status(StrEnum):
    OK = "ok"
    NOTE = "note"
    PROBLEM = "PROBLEM"


@dataclass(frozen=True)
class Finding:
    check: str  # "data folder", "database", "settings", "decks", "cache"
    status: Status
    message: str
    details: tuple[str, ...] = ()  # printed indented below the message (e.g. deck problems)


def ok(check: str, message: str) -> Finding:
    return Finding(check, Status.OK, message)


def note(check: str, message: str) -> Finding:
    return Finding(check, Status.NOTE, message)


def problem(check: str, message: str, details: Sequence[str] = ()) -> Finding:
    return Finding(check, Status.PROBLEM, message, tuple(details))


def has_problems(findings: Iterable[Finding]) -> bool:
    return any(f.status is Status.PROBLEM for f in findings)


# -- folders -------------------------------------------------------------------------------------


def _existing_ancestor(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path(path.anchor or ".")


def _probe_write(folder: Path) -> str | None:
    """Create and remove a small file in ``folder``; the reason it failed, or None."""
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".flashdl-doctor-", suffix=".tmp")
    except OSError as exc:
        return exc.strerror or str(exc)
    try:
        os.write(handle, b"flashdl doctor\n")
    except OSError as exc:
        return exc.strerror or str(exc)
    finally:
        os.close(handle)
        os.unlink(name)
    return None


def _free(folder: Path) -> tuple[str, bool]:
    """Free space in words, and whether it is too little."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return "free space unknown", False
    if free >= 2**30:
        return f"{free / 2**30:.1f} GB free", False
    return f"{free / 2**20:.2f} MB free", free < LOW_DISK_BYTES


def check_folder(check: str, folder: Path, purpose: str) -> list[Finding]:
    """A folder flashdl writes to: it exists (or can be made), is writable, and has room."""
    if folder.exists() and not folder.is_dir():
        return [
            problem(check, f"{folder} is a file, not a folder; move it aside or set FLASHDL_HOME")
        ]
    if not folder.exists():
        ancestor = _existing_ancestor(folder)
        if not ancestor.is_dir():
            return [
                problem(
                    check,
                    f"{folder} cannot be created: {ancestor} is a file, not a folder; "
                    "move it aside or set FLASHDL_HOME (or --db)",
                )
            ]
        if not os.access(ancestor, os.W_OK | os.X_OK):
            return [
                problem(
                    check,
                    f"{folder} does not exist and cannot be created: {ancestor} is not writable; "
                    "set FLASHDL_HOME (or --db) to a folder you own",
                )
            ]
        return [note(check, f"{folder} does not exist yet; flashdl creates it when {purpose}")]
    failure = None if os.access(folder, os.W_OK | os.X_OK) else "permission denied"
    failure = failure or _probe_write(folder)
    if failure:
        return [
            problem(
                check,
                f"{folder} is not writable ({failure}); fix its permissions or set FLASHDL_HOME "
                "(or --db) to a folder you own",
            )
        ]
    space, low = _free(folder)
    if low:
        return [
            problem(
                check,
                f"{folder} is writable but the disk is nearly full ({space}); free some space",
            )
        ]
    return [ok(check, f"{folder} (writable, {space})")]


def check_folders(data_dir: Path, db_path: Path) -> list[Finding]:
    findings = check_folder("data folder", data_dir, "it first saves something")
    if db_path.parent.resolve() != data_dir.resolve():
        findings += check_folder("database folder", db_path.parent, "the database is first used")
    return findings


# -- the database --------------------------------------------------------------------------------


def _read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write: no migration, no WAL checkpoint, no journal change."""
    from flashdl.store.connection import harden

    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
    harden(conn)
    return conn


def check_database(path: Path, today: date | None = None) -> list[Finding]:
    """The file is flashdl's, sound, and of a schema this version can use. Never modified."""
    from flashdl.store import SQLITE_HEADER

    check = "database"
    today = today or date.today()
    if not path.exists():
        if os.path.islink(path):
            from flashdl.store.connection import dangling_link

            return [problem(check, dangling_link(path))]
        return [note(check, f"{path} does not exist yet; the first `flashdl study` creates it")]
    if not path.is_file() and not path.is_dir():
        return [problem(check, f"{path} is not a regular file (a device, FIFO or socket)")]
    if path.is_dir():
        return [problem(check, f"{path} is a folder; --db / FLASHDL_DB must name a database file")]
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        return [problem(check, f"cannot read {path} ({exc.strerror}); check its permissions")]
    if not header:
        return [note(check, f"{path} is empty; flashdl sets it up when it first opens it")]
    if header != SQLITE_HEADER:
        return [
            problem(
                check,
                f"{path} is not a SQLite database (a damaged or foreign file); move it aside "
                "(flashdl then starts a new one) or point --db at your database",
            )
        ]
    try:
        conn = _read_only(path)
    except sqlite3.Error as exc:
        return [problem(check, f"cannot open {path} ({exc}); check the file and its folder")]
    try:
        return _inspect(conn, path, today)
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return [
                note(
                    check,
                    f"{path} is busy (another process, flashdl or a program that opened it,"
                    " is writing to it); run doctor again",
                )
            ]
        if "unable to open" in text or "readonly" in text:
            return [
                problem(
                    check,
                    f"cannot read {path} ({text}); check the permissions of it and its folder",
                )
            ]
        return [
            problem(
                check,
                f"{path} is damaged ({text}); restore a backup (see `flashdl backup`) or move it "
                "aside — flashdl then starts a new one",
            )
        ]
    finally:
        conn.close()


def _check_contents(conn: sqlite3.Connection, path: Path, today: date) -> list[Finding]:
    """Values no flashdl writes: dates that are not dates or lie far outside the calendar of a
    learner (a hostile or damaged database), and a stored interview date that is not a date."""
    check = "database"
    # A review up to a day ahead of now is clock skew between two machines (``import progress``
    # takes it); its UTC date is at most three days after the local study day.
    latest = (today + timedelta(days=3)).isoformat()
    bad_dates = conn.execute(
        "SELECT count(*) FROM card_state WHERE due IS NOT NULL AND (date(due) IS NOT due"
        " OR due > ? OR due < '1970-01-01')",
        [(today + timedelta(days=MAX_INTERVAL_DAYS)).isoformat()],
    ).fetchone()[0]
    future = conn.execute(
        "SELECT count(*) FROM reviews WHERE date(reviewed_at) > ? OR date(day) IS NOT day",
        [latest],
    ).fetchone()[0]
    findings = []
    if bad_dates or future:
        findings.append(
            problem(
                check,
                f"{path} has {bad_dates} card state(s) with an impossible due date and {future} "
                "review(s) dated in the future or not dated; restore a backup, or export "
                "progress elsewhere and import it into a new database",
            )
        )
    findings += _unreadable_rows(conn, path)
    stored = conn.execute("SELECT value FROM settings WHERE key = 'interview_date'").fetchone()
    if stored is not None:
        try:
            date.fromisoformat(str(stored[0]))
        except ValueError:
            findings.append(
                problem(
                    check,
                    f"the stored interview date '{one_line(str(stored[0]), 40)}' is not a date "
                    "(it is ignored); set it again with `flashdl study --until YYYY-MM-DD` or "
                    "`--until off`",
                )
            )
    return findings


def _unreadable_rows(conn: sqlite3.Connection, path: Path) -> list[Finding]:
    """Card states and reviews the store would refuse to read (a copied or edited file): each
    command then stops with "run `flashdl doctor`", so doctor must name them too. Card states
    go through the store's own decoder; reviews (a million of them) through SQL."""
    from flashdl.store.records import stored_card

    bad_states, first = 0, ""
    # What the row decoder lets through but flashdl never writes (``odd``): a suspended flag that
    # is no 0 or 1, a review time that is no time, counts past any real history.
    rows = conn.execute(
        "SELECT card_id, deck, repetitions, interval, easiness, due, lapses, introduced_on,"
        " suspended, stability, difficulty, suspended NOT IN (0, 1)"
        " OR (last_reviewed_at IS NOT NULL AND datetime(last_reviewed_at) IS NULL)"
        f" OR lapses > {MAX_COUNT} OR repetitions > {MAX_COUNT} AS odd FROM card_state"
    )
    for row in rows:
        try:
            stored_card(row)
            if not isinstance(row[0], str) or not isinstance(row[1], str):
                raise TypeError("a card id or deck that is no text")
            if row[11]:
                raise ValueError("a value flashdl never writes")
        except (ValueError, TypeError, OverflowError, RecursionError):
            bad_states += 1
            first = first or one_line(str(row[0]), 60)
    # (json_valid refuses nesting deeper than SQLite's JSON parser takes: 1000 levels)
    bad_reviews, first_review = conn.execute(
        "SELECT count(*), min(id) FROM reviews WHERE typeof(grade) IS NOT 'integer'"
        " OR grade NOT BETWEEN 0 AND 5 OR NOT json_valid(state_before)"
        " OR NOT json_valid(state_after)"
        " OR typeof(reviewed_at) IS NOT 'text' OR datetime(reviewed_at) IS NULL"
        " OR typeof(card_id) IS NOT 'text' OR typeof(deck) IS NOT 'text'"
        " OR typeof(mode) IS NOT 'text' OR typeof(typed) NOT IN ('text', 'null')"
        " OR (missed IS NOT NULL AND (typeof(missed) IS NOT 'text' OR NOT json_valid(missed)))"
        " OR mode NOT IN ('study', 'repeat', 'quiz')"
        " OR (answer_ms IS NOT NULL AND (typeof(answer_ms) IS NOT 'integer' OR answer_ms < 0))"
        # An undo before its grade; a day that is neither the study day of reviewed_at (in its
        # own zone, a day ending at 4 AM) nor its date (written before the 4 AM rule): what
        # ``import progress`` refuses too (``progress._check_review_times``).
        " OR (undone_at IS NOT NULL AND (typeof(undone_at) IS NOT 'text'"
        " OR datetime(undone_at) IS NULL OR strftime('%Y-%m-%d %H:%M:%f', undone_at)"
        " < strftime('%Y-%m-%d %H:%M:%f', reviewed_at)))"
        " OR (date(day) IS day AND day NOT IN (date(substr(reviewed_at, 1, 19), '-4 hours'),"
        " date(substr(reviewed_at, 1, 19))))"
    ).fetchone()
    findings = []
    if bad_states or bad_reviews:
        examples = [f"card '{first}'"] if first else []
        if first_review is not None:
            (card,) = conn.execute("SELECT card_id FROM reviews WHERE id = ?", [first_review])
            examples.append(f"review {first_review} of card '{one_line(str(card[0]), 60)}'")
        example = f" (the first: {', '.join(examples)})" if examples else ""
        findings.append(
            problem(
                "database",
                f"{path} has {bad_states} card state(s) and {bad_reviews} review(s) with values"
                f" flashdl never writes{example}; restore a backup, or export progress elsewhere"
                " and import it into a new database",
            )
        )
    return findings + _stray_rows(conn, path)


def _stray_rows(conn: sqlite3.Connection, path: Path) -> list[Finding]:
    """Rows every command runs with but flashdl never leaves: a leech mark of a card that has
    no state (flashdl marks a card only as it grades it, and a reset removes the marks) and a
    ``scheduler`` setting that names no scheduler (the next study or stats rebuilds every card
    state)."""
    findings = []
    strays, card = conn.execute(
        "SELECT count(*), min(card_id) FROM leeches"
        " WHERE card_id NOT IN (SELECT card_id FROM card_state)"
    ).fetchone()
    if strays:
        findings.append(
            problem(
                "database",
                f"{path} has {strays} leech mark(s) of cards that have no card state (the first:"
                f" card '{one_line(str(card), 60)}'); flashdl never writes them; restore a"
                " backup, or export progress elsewhere and import it into a new database",
            )
        )
    stored = conn.execute("SELECT value FROM settings WHERE key = 'scheduler'").fetchone()
    if stored is not None and not _known_scheduler(stored[0]):
        findings.append(
            problem(
                "database",
                f"the stored scheduler '{one_line(str(stored[0]), 40)}' (settings table, key"
                " scheduler) names none flashdl writes; the next `flashdl study` or `flashdl"
                " stats` rebuilds every card state from the review log with the configured one",
            )
        )
    return findings


def _known_scheduler(value: object) -> bool:
    from flashdl.core.schedulers import scheduler_from_key

    return isinstance(value, str) and (value == "mixed" or scheduler_from_key(value) is not None)


def _missing_tables(tables: set[str], path: Path) -> list[Finding]:
    missing = sorted({"card_state", "reviews", "settings", "leeches"} - tables)
    if not missing:
        return []
    return [
        problem(
            "database",
            f"{path} is missing its table(s) {', '.join(missing)} although its schema version has "
            "them; restore a backup, or export progress elsewhere and import it into a new "
            "database",
        )
    ]


def _inspect(conn: sqlite3.Connection, path: Path, today: date) -> list[Finding]:
    """Ownership, integrity, schema version and size of an open (read-only) database."""
    from flashdl import __version__ as version
    from flashdl.store import migrations
    from flashdl.store.migrations import KNOWN as known
    from flashdl.store.migrations import SCHEMA_VERSION as schema_version

    check = "database"
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    applied = migrations.applied(conn)
    only_empty_log = (
        tables == {migrations.MIGRATIONS_TABLE}
        and conn.execute(f"SELECT count(*) FROM {migrations.MIGRATIONS_TABLE}").fetchone()[0] == 0
    )
    if tables and not applied and not only_empty_log:
        return [
            problem(
                check,
                f"{path} is a SQLite database, but not flashdl's (tables: "
                f"{', '.join(sorted(tables)[:5])}); point --db at your flashdl database",
            )
        ]
    findings: list[Finding] = []
    rows = [
        text.strip()
        for (row,) in conn.execute("PRAGMA integrity_check(20)")
        for text in str(row).splitlines()
        if text.strip() and not text.startswith("*** in database")
    ]
    if rows != ["ok"]:
        more = (
            f"; and {len(rows) - 2}{'+' if len(rows) >= 20 else ''} more" if len(rows) > 2 else ""
        )
        shown = "; ".join(rows[:2]) + more
        findings.append(
            problem(
                check,
                f"{path} fails SQLite's integrity check ({shown}); restore a backup, or save what "
                f"can be read with `sqlite3 {path} .recover`",
            )
        )
    unknown = [name for name in applied if name not in known]
    if unknown:
        findings.append(
            problem(
                check,
                f"{path} was written by a newer flashdl (schema change '{unknown[0]}' is unknown "
                f"to version {version}); upgrade flashdl: pip install -U flashdl",
            )
        )
        return findings
    current = len(applied)
    if current < schema_version:
        findings.append(
            note(
                check,
                f"{path} has schema version {current} of {schema_version}; flashdl upgrades it "
                "the next time it opens it (`flashdl backup` first keeps a copy of the old one)",
            )
        )
    from flashdl.store.guard import foreign_objects, summary

    found = foreign_objects(conn)
    if found:
        findings.append(
            problem(
                check,
                f"{path} has schema objects flashdl did not create ({summary(found)}); flashdl "
                "refuses it. `flashdl doctor --remove-foreign` backs it up and removes them",
                [obj.describe() for obj in found],
            )
        )
        return findings
    if not os.access(path, os.W_OK):
        findings.append(
            problem(check, f"{path} is read-only; grades cannot be saved (check its permissions)")
        )
    missing = _missing_tables(tables, path) if current == schema_version else []
    if missing:
        return findings + missing
    if rows == ["ok"] and "reviews" in tables:
        findings += _check_contents(conn, path, today)
    if rows == ["ok"] and "reviews" in tables:
        reviews = conn.execute("SELECT count(*) FROM reviews").fetchone()[0]
        cards = conn.execute("SELECT count(*) FROM card_state").fetchone()[0]
        state = "current" if current == schema_version else "will be upgraded"
        findings.append(
            ok(
                check,
                f"{path}: integrity ok, schema version {current} ({state}), "
                f"{reviews} review{'s' if reviews != 1 else ''} of {cards} card{'s' if cards != 1 else ''}",
            )
        )
    elif rows == ["ok"]:
        findings.append(ok(check, f"{path}: integrity ok, no tables yet (set up on first use)"))
    return findings


# -- settings and decks --------------------------------------------------------------------------


def check_settings(config_dir: Path) -> list[Finding]:
    from flashdl.app.config import config_path, load_config

    path = config_path(config_dir)
    try:
        config = load_config(path)
    except FlashdlError as exc:
        return [problem("settings", str(exc))]
    if not path.exists():
        return [
            ok(
                "settings",
                f"no settings file ({path}); the defaults (scheduler {config.scheduler})",
            )
        ]
    return [ok("settings", f"{path} (scheduler {config.scheduler})")]


def check_decks(sources: Sequence[tuple[str, Path]]) -> list[Finding]:
    """``sources`` as (label, path) in load order: the bundled decks, the user's folder,
    FLASHDL_DECKS and --decks-dir. All the decks are loaded and validated together."""
    from flashdl.core.errors import DeckError
    from flashdl.decks.loader import load_collection

    findings: list[Finding] = []
    usable: list[Path] = []
    for label, path in sources:
        if label == "user" and path.exists() and not path.is_dir():
            findings.append(
                problem("decks", f"{path} should be your decks folder but is a file; move it aside")
            )
        elif path.exists():
            usable.append(path)
        elif label == "user":
            findings.append(
                note(
                    "decks",
                    f"no decks folder of your own yet ({path}); `flashdl new-deck NAME` starts one",
                )
            )
        else:
            findings.append(
                problem("decks", f"{label} names {path}, which does not exist; fix or unset it")
            )
    unique = list({resolved(path): path for path in usable}.values())
    try:
        decks = load_collection(unique)
    except DeckError as exc:
        count = len(exc.problems)
        listed = exc.problems[:MAX_LISTED]
        more = [f"... and {count - len(listed)} more"] if count > len(listed) else []
        findings.append(
            problem(
                "decks",
                f"{count} problem{'s' if count != 1 else ''} in deck files; the decks that have them "
                "are left out until they are fixed (`flashdl check` lists them)",
                [*listed, *more],
            )
        )
        return findings
    cards = sum(len(d.cards) for d in decks)
    findings.insert(
        0,
        ok("decks", f"{len(decks)} deck{'s' if len(decks) != 1 else ''}, {cards} cards, all valid"),
    )
    return findings


# -- the parsed-deck cache -----------------------------------------------------------------------


def check_cache(cache_dir: Path, deck_files: Sequence[Path]) -> list[Finding]:
    """The cache of parsed decks: present or not, and how its entries match the deck files now."""
    from flashdl.decks import cache as deck_cache

    check = "cache"
    if cache_dir.exists() and not cache_dir.is_dir():
        return [
            problem(
                check,
                f"{cache_dir} is a file, so decks are parsed again at every start; remove it",
            )
        ]
    entries = deck_cache.cache_files(cache_dir)
    leftovers = deck_cache.leftover_files(cache_dir)
    message = (
        f"{len(leftovers)} cache files of an earlier flashdl version"
        f" (*.pickle, *.json in {cache_dir})"
    )
    old = [note(check, f"{message} are never read; delete them")] if leftovers else []
    if not entries:
        return [note(check, f"no cache ({cache_dir}); the next study fills it"), *old]
    findings = check_folder(check, cache_dir, "")
    if has_problems(findings):
        return findings
    size = deck_cache.cache_size(cache_dir)  # the card files too, most of the bytes
    expected = {deck_cache.entry_path(cache_dir, path): path for path in deck_files}
    fresh = stale = damaged = 0
    read_entry = deck_cache.read_entry
    for entry in entries:
        content = read_entry(entry)
        if content is None:
            damaged += 1
            continue
        deck_file = expected.get(entry)
        if deck_file is None:
            continue
        try:
            stat = deck_file.stat()
        except OSError:
            continue
        if (content.size, content.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            fresh += 1
        else:
            stale += 1
    orphans = len(entries) - damaged - fresh - stale
    parts = [f"{fresh} up to date"]
    if stale:
        parts.append(f"{stale} for decks changed since (parsed again on next use)")
    if orphans:
        parts.append(f"{orphans} for deck files that are gone (harmless)")
    if damaged:
        parts.append(f"{damaged} unreadable or from another version (ignored, then rewritten)")
    summary = (
        f"{len(entries)} entr{'ies' if len(entries) != 1 else 'y'} ({size / 2**20:.1f} MB): "
        + ", ".join(parts)
    )
    return [ok(check, summary) if not (stale or orphans or damaged) else note(check, summary), *old]


# -- all of it -----------------------------------------------------------------------------------


def diagnose(
    *,
    data_dir: Path,
    config_dir: Path,
    db_path: Path,
    cache_dir: Path,
    deck_sources: Sequence[tuple[str, Path]],
    today: date | None = None,
) -> list[Finding]:
    from flashdl.decks.loader import deck_files

    existing = [path for _, path in deck_sources if path.exists()]
    return [
        *check_folders(data_dir, db_path),
        *check_database(db_path, today),
        *check_settings(config_dir),
        *check_decks(deck_sources),
        *check_cache(cache_dir, deck_files(existing)),
    ]


def report(findings: Sequence[Finding]) -> list[str]:
    """The lines ``flashdl doctor`` prints: one per finding, then a verdict."""
    width = max((len(f.check) for f in findings), default=0)
    lines = []
    for f in findings:
        lines.append(f"{f.status.value:<8} {f.check:<{width}}  {f.message}")
        lines += [f"{'':<8} {'':<{width}}    {detail}" for detail in f.details]
    count = sum(1 for f in findings if f.status is Status.PROBLEM)
    lines.append(
        "No problems found." if not count else f"{count} problem{'s' if count != 1 else ''} found."
    )
    return lines


# -- the one repair ------------------------------------------------------------------------------


def remove_foreign_objects(path: Path, now: datetime) -> tuple[Path, list[str], list[str]]:
    """Back ``path`` up beside it, then drop the schema objects flashdl did not create.

    Returns the backup, what was removed, and what could not be (a table of flashdl's own whose
    definition was altered: restore a backup for that). No SQL from the file runs: the schema is
    read with ``trusted_schema`` off and objects are only dropped."""
    from flashdl.store import SQLITE_HEADER
    from flashdl.store.connection import harden
    from flashdl.store.guard import foreign_objects, remove_foreign

    if not path.is_file():
        raise FlashdlError(f"{path} is not a database file")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise FlashdlError(f"{path} is not a SQLite database; nothing was changed")
    backup = path.with_name(f"{path.name}.before-repair-{now.strftime('%Y%m%d-%H%M%S')}")
    if backup.exists():
        raise FlashdlError(f"{backup} exists already; wait a second and run this again")
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=10)
    except sqlite3.Error as exc:
        raise FlashdlError(f"cannot open {path} ({one_line(str(exc))})") from None
    try:
        harden(conn)
        found = foreign_objects(conn)
        target = sqlite3.connect(str(backup))
        with target:
            conn.backup(target)
        target.close()
        kept = remove_foreign(conn)
    except sqlite3.Error as exc:
        raise FlashdlError(
            f"cannot repair {path} ({one_line(str(exc))}); it was left as it was"
        ) from None
    finally:
        conn.close()
    removed = [obj.describe() for obj in found if obj not in kept]
    return backup, removed, [obj.describe() for obj in kept]
