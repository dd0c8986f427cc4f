"""A cache of parsed decks, so that unchanged YAML is not parsed again at every start.

Each deck file has one entry in ``Paths.cache_dir``, named after the file's absolute path, holding
the file's size, mtime and SHA-256 with the parsed ``Deck`` (pickled; its cards as ``LazyCards``,
so that a start-up unpickles only the cards it shows). An entry is used when size
and mtime still match; otherwise the file is read and hashed, and an entry whose hash matches is
reused (a touched file), else the file is parsed again. Only decks that passed validation are
cached. The cache lives in the user's own data folder; a broken or unreadable entry is a miss, and
a cache that cannot be written is simply not written.
"""

from __future__ import annotations

import binascii
import contextlib
import gc
import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from flashdl import __version__
from flashdl.core.errors import DeckError
from flashdl.core.model import Deck, LazyCards
from flashdl.decks.loader import (
    deck_files,
    display_path,
    load_collection,
    parse_deck,
    read_deck_file,
)

CACHE_FORMAT = 6


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
    """One entry per deck file: its name and a checksum of its absolute path."""
    where = str(deck_file.resolve()).encode()
    return cache_dir / f"deck-{deck_file.stem[:40]}-{binascii.crc32(where):08x}.pickle"


def cards_path(entry: Path, digest: str) -> Path:
    """The card bytes of an entry, named after the deck file's content, so that an index can
    never be paired with the cards of another version of the file."""
    return entry.with_name(f"{entry.stem}-{digest[:16]}.cards")


def read_entry(path: Path) -> CacheEntry | None:
    """The cache entry at ``path``, or None when it is missing, damaged or from another version."""
    try:
        data = path.read_bytes()
        with _gc_paused():
            entry = pickle.loads(data)
    except Exception:  # any damage to a cache entry is just a miss
        return None
    if not isinstance(entry, CacheEntry) or entry.format != _format():
        return None
    cards = entry.deck.cards
    if isinstance(cards, LazyCards):
        source = cards_path(path, entry.sha256)
        if not source.is_file():
            return None
        cards.read_blobs_with(lambda: _read_cards(source, cards.offsets[-1]))
    return entry


def _read_cards(source: Path, size: int) -> bytes:
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise DeckError(
            [f"{source}: the deck cache changed while flashdl ran ({exc.strerror})"]
        ) from None
    if len(data) != size:
        raise DeckError([f"{source}: the deck cache is damaged; delete the cache folder"])
    return data


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Unpickling creates many small objects; the cyclic collector would keep rescanning them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".deck-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _write_entry(path: Path, entry: CacheEntry) -> None:
    """The card bytes first, then the index that points at them; stale card files go."""
    cards = entry.deck.cards
    assert isinstance(cards, LazyCards)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        source = cards_path(path, entry.sha256)
        _write_atomically(source, cards.blobs)
        _write_atomically(path, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
        for old in path.parent.glob(f"{path.stem}-*.cards"):
            if old != source:
                old.unlink(missing_ok=True)


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
        import hashlib

        digest = hashlib.sha256(data).hexdigest()
        if entry is not None and entry.sha256 == digest:
            deck = entry.deck
        else:
            deck = parse_deck(data, shown, expected_name=path.stem)
        if stat is not None:
            packed = (
                deck
                if isinstance(deck.cards, LazyCards)
                else replace(deck, cards=LazyCards.of(deck.cards))
            )
            _write_entry(
                cached, CacheEntry(_format(), stat.st_size, stat.st_mtime_ns, digest, packed)
            )
    return deck if deck.path == shown else replace(deck, path=shown)


def cache_files(cache_dir: Path) -> list[Path]:
    """The entries now in the cache (for ``flashdl doctor``)."""
    return sorted(cache_dir.glob("deck-*.pickle")) if cache_dir.is_dir() else []


def _stamp(files: list[Path]) -> str:
    """A checksum of which deck files there are and their sizes and mtimes."""
    parts = [_format()]
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            return ""
        parts.append(f"{file.resolve()}:{stat.st_size}:{stat.st_mtime_ns}")
    return f"{binascii.crc32(chr(0).join(parts).encode()):08x}"


def load_decks_cached(sources: Iterable[Path], cache_dir: Path) -> list[Deck]:
    """``decks.load_collection`` through the cache, the rules that span decks included: once a set
    of unchanged files has passed them, they are not checked again."""
    files = deck_files(sources)
    stamp = _stamp(files)
    marker = cache_dir / f"collection-{stamp}.ok"
    loader = partial(load_deck_cached, cache_dir=cache_dir)
    if stamp and marker.is_file():
        return [loader(file) for file in files]
    decks = load_collection(files, loader=loader)
    if stamp:
        with contextlib.suppress(OSError):
            for old in cache_dir.glob("collection-*.ok"):
                old.unlink(missing_ok=True)
            marker.touch()
    return decks
