"""A cache of parsed decks, so that unchanged YAML is not parsed again at every start.

Each deck file has one entry in ``Paths.cache_dir``, named after the file's absolute path, holding
the file's size, mtime and SHA-256 with the parsed ``Deck`` (pickled). An entry is used when size
and mtime still match; otherwise the file is read and hashed, and an entry whose hash matches is
reused (a touched file), else the file is parsed again. Only decks that passed validation are
cached. The cache lives in the user's own data folder; a broken or unreadable entry is a miss, and
a cache that cannot be written is simply not written.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from flashdl import __version__
from flashdl.decks import display_path, parse_deck, read_deck_file
from flashdl.model import Deck

CACHE_FORMAT = 1


@dataclass(frozen=True)
class CacheEntry:
    format: str
    size: int
    mtime_ns: int
    sha256: str
    deck: Deck


def _format() -> str:
    """Entries from another flashdl version (whose rules or classes may differ) are misses."""
    return f"{CACHE_FORMAT}:{__version__}"


def entry_path(cache_dir: Path, deck_file: Path) -> Path:
    key = hashlib.sha256(str(deck_file.resolve()).encode()).hexdigest()[:32]
    return cache_dir / f"deck-{key}.pickle"


def read_entry(path: Path) -> CacheEntry | None:
    """The cache entry at ``path``, or None when it is missing, damaged or from another version."""
    try:
        entry = pickle.loads(path.read_bytes())
    except Exception:  # any damage to a cache entry is just a miss
        return None
    return entry if isinstance(entry, CacheEntry) and entry.format == _format() else None


def _write_entry(path: Path, entry: CacheEntry) -> None:
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".deck-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                pickle.dump(entry, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def load_deck_cached(path: Path, cache_dir: Path) -> Deck:
    """``decks.load_deck`` with the cache in front of it."""
    shown = display_path(path)
    cached = entry_path(cache_dir, path)
    entry = read_entry(cached)
    try:
        stat = path.stat()
    except OSError:
        stat = None
    if (
        entry is not None
        and stat is not None
        and (entry.size, entry.mtime_ns)
        == (
            stat.st_size,
            stat.st_mtime_ns,
        )
    ):
        deck = entry.deck
    else:
        data = read_deck_file(path)
        digest = hashlib.sha256(data).hexdigest()
        if entry is not None and entry.sha256 == digest:
            deck = entry.deck
        else:
            deck = parse_deck(data, shown, expected_name=path.stem)
        if stat is not None:
            _write_entry(cached, CacheEntry(_format(), stat.st_size, stat.st_mtime_ns, digest, deck))
    return deck if deck.path == shown else replace(deck, path=shown)


def cache_files(cache_dir: Path) -> list[Path]:
    """The entries now in the cache (for ``flashdl doctor``)."""
    return sorted(cache_dir.glob("deck-*.pickle")) if cache_dir.is_dir() else []
