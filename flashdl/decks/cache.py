"""A cache of parsed decks, so that unchanged YAML is not parsed again at every start.

Each deck file has two files in ``Paths.cache_dir``: an index ``deck-<stem>-<crc>.index`` (the
deck file's size, mtime and SHA-256, the deck's name and title, and per card its id, start line,
tags, related ids and where its bytes are: ``_Index``) and a card file
``deck-<stem>-<crc>-<sha>.cards`` of JSON records, one per card, read only when that card is shown.

The cache is data, never code: JSON, numbers and plain texts, decoded by the card model's own field
types and checked as they are decoded (a planted or damaged entry is a miss, or, for one card, a re-parse of the
deck file). A running session reads its cards through a file handle it opened at start, so another
flashdl process that rewrites the cache for an edited deck does not disturb it.

An entry is used when size and mtime still match; otherwise the file is read and hashed, and an
entry whose hash matches is reused (a touched file). After an edit, only the cards whose bytes
changed are parsed again, when the file is laid out the usual way (``flashdl.decks.pieces``): the
entry keeps a digest of each card's piece of the file, and a record counts its lines from the
card's first line, so an unchanged card's record is kept as it is wherever the card now stands.
Anything else, or any problem, parses the whole file. Only decks that passed validation are
cached. A cache that cannot be written is simply not written.
"""

from __future__ import annotations

import array
import binascii
import bisect
import contextlib
import dataclasses
import itertools
import json
import operator
import os
import re
import stat
import sys
import tempfile
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache, partial
from pathlib import Path
from typing import Any, NamedTuple

from flashdl import __version__
from flashdl.core.errors import DeckError, UsageError
from flashdl.core.model import (
    OVERRIDABLE,
    Card,
    Deck,
    KeyPoint,
    LazyCards,
    Overrides,
    Pitfall,
    Term,
    Text,
    Words,
)
from flashdl.decks.loader import DECK_NAME_PATTERN as GROUP_PATTERN
from flashdl.decks.loader import (
    FORMATS,
    apply_overrides,
    deck_files,
    display_path,
    gc_paused,
    is_overrides_file,
    load_collection,
    load_usable_collection,
    parse_deck,
    parse_overrides,
    read_deck_file,
)
from flashdl.files import read_regular_file, resolved

CACHE_FORMAT = 9  # 5: JSON (4 and earlier were pickles, which are never read); 6: deck format 2;
# 7: deck groups; 8: lines in a card record counted from the card's first line, the deck's pieces
# (flashdl.decks.pieces) and its format; 9: an index's per-card fields each one text (``_Index``)
INDEX_SUFFIX = ".index"  # ".json" until cache format 8 (an index all JSON): removed when rewritten
MAX_INDEX_BYTES = 256 * 2**20


@dataclass(frozen=True)
class CacheEntry:
    format: str
    size: int
    mtime_ns: int
    sha256: str
    deck: Deck
    # When the file is cut the usual way (``flashdl.decks.pieces``), the digest of its header;
    # the digests of its cards' pieces are in a file of their own (``pieces_path``), read only
    # after an edit, which then re-parses only the pieces it changed.
    header: str | None = None
    pieces: tuple[bytes, ...] | None = None  # given when writing an entry


def _format() -> str:
    """Entries from another flashdl version (whose rules or card fields may differ) are misses."""
    return f"{CACHE_FORMAT}:{__version__}"


def entry_path(cache_dir: Path, deck_file: Path) -> Path:
    """One entry per deck file: its name and a checksum of its absolute path."""
    where = str(resolved(deck_file)).encode()
    return cache_dir / f"deck-{deck_file.stem[:40]}-{binascii.crc32(where):08x}{INDEX_SUFFIX}"


def cards_path(entry: Path, digest: str) -> Path:
    """The card bytes of an entry, named after the deck file's content, so that an index can
    never be paired with the cards of another version of the file."""
    return entry.with_name(f"{entry.stem}-{digest[:16]}.cards")


def pieces_path(entry: Path, digest: str) -> Path:
    """The digests of an entry's card pieces, named like its card file."""
    return entry.with_name(f"{entry.stem}-{digest[:16]}.pieces")


def _stored_pieces(entry_file: Path, entry: CacheEntry) -> list[bytes] | None:
    """The digests of the card pieces of the file ``entry`` was made from; None when the entry
    has none or they are missing or damaged."""
    from flashdl.decks import pieces

    size = pieces.DIGEST_SIZE
    expected = len(entry.deck.cards) * size
    try:
        data = _cache_file(pieces_path(entry_file, entry.sha256), expected)
    except ValueError:
        return None
    if len(data) != expected:
        return None
    return [data[i : i + size] for i in range(0, len(data), size)]


def _cache_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; ValueError for anything else (a
    missing file, a folder, a FIFO or device planted in the cache, a file too large)."""
    try:
        return read_regular_file(path, limit=limit, what="a cache file")
    except (OSError, UsageError):
        raise ValueError(f"cannot read {path}") from None


LARGE_JSON = 256 << 10  # a file this large (the overrides of thousands of cards) is read by msgspec


def _json(data: bytes, large: int = LARGE_JSON) -> Any:
    """JSON from a cache file's bytes, strictly UTF-8 (``json.loads`` of bytes would let an
    encoded lone surrogate through: it decodes with ``surrogatepass``); ValueError for anything
    else. A file of ``large`` bytes or more is read by msgspec, three times faster on many small
    values; a smaller one by ``json``, which costs no import.

    flashdl writes its JSON with ``ensure_ascii=False``, so the only ``\\u`` escapes in it are of
    control characters; an escaped surrogate (which no text flashdl writes can hold, and which
    would fail later, in SQLite or the terminal) is refused as damage."""
    if _escaped_surrogate(data):
        raise ValueError("an escaped surrogate")
    try:
        if len(data) < large:
            return json.loads(data.decode("utf-8"))
        import msgspec

        try:
            return msgspec.json.decode(data)
        except msgspec.MsgspecError:
            raise ValueError("not JSON") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None


_SURROGATE_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u[dD][89a-fA-F]")


def _escaped_surrogate(data: bytes) -> bool:
    """Whether JSON text escapes a surrogate (``\\udc80``; ``\\\\udc80`` is a backslash and
    text). Searched for only where a quick look finds a backslash at all (one ``memchr``: the
    five indexes of 100k cards hold none, and two searches for ``\\ud`` took 12 ms)."""
    if b"\\" not in data or (b"\\ud" not in data and b"\\uD" not in data):
        return False
    return _SURROGATE_ESCAPE.search(data) is not None


# -- cards as JSON ------------------------------------------------------------------------------


def encode(value: Any) -> Any:
    """A card (or any part of one) as JSON-ready data: dataclasses as objects, tuples (named
    ones too) as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"cannot cache a {type(value).__name__}")


@cache
def _field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decode(kind: Any, value: Any) -> Any:
    """``value`` (parsed JSON) as an instance of ``kind``; ValueError if it does not fit exactly."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            with contextlib.suppress(ValueError):
                return decode(option, value)
        raise ValueError(f"{value!r:.40} fits none of {kind}")
    if origin is tuple:
        args = typing.get_args(kind)
        if not isinstance(value, list):
            raise ValueError("expected a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], item) for item in value)
        if len(args) != len(value):
            raise ValueError("wrong length")
        return tuple(decode(a, item) for a, item in zip(args, value, strict=True))
    if isinstance(kind, type) and issubclass(kind, tuple) and hasattr(kind, "_fields"):
        if not isinstance(value, list) or len(value) != len(kind._fields):
            raise ValueError("expected a record")
        hints = _field_types(kind)
        return kind(
            *(decode(hints[name], item) for name, item in zip(kind._fields, value, strict=True))
        )
    if dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise ValueError("expected an object")
        hints = _field_types(kind)
        names = {f.name for f in dataclasses.fields(kind)}
        if not set(value) <= names:
            raise ValueError("unknown field")
        return kind(**{name: decode(hints[name], item) for name, item in value.items()})
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind in (str, int, bool) and type(value) is kind:
        return value
    if kind is type(None) and value is None:
        return None
    raise ValueError(f"expected {kind}")


# The fields ``_card_record`` writes, in order; a model that has grown others uses ``encode``.
_RECORD_FIELDS = {
    Card: (
        "id",
        "deck",
        "question",
        "answer",
        "key_points",
        "source",
        "tags",
        "related",
        "line",
        "current_source",
        "original_question",
        "pitfalls",
    ),
    KeyPoint: ("text", "terms", "weight", "line"),
    Text: ("zh", "en"),
}


@cache
def _records_fit() -> bool:
    return all(
        tuple(f.name for f in dataclasses.fields(kind)) == names
        for kind, names in _RECORD_FIELDS.items()
    ) and Pitfall._fields == ("text", "terms", "line")


def _relative(card: Card, line: int) -> Card:
    """The card with every line moved by ``-line``: a record counts lines from the card's first
    one, so that the same card is the same record wherever it stands in its file."""
    return replace(
        card,
        line=card.line - line,
        key_points=tuple(replace(p, line=p.line - line) for p in card.key_points),
        pitfalls=tuple(p._replace(line=p.line - line) for p in card.pitfalls),
    )


def _card_record(card: Card) -> Any:
    """``encode(_relative(card, card.line))``, written out for the card model: the generic walk
    over dataclass fields was half the time of a first start with a 20k-card deck."""
    start = card.line
    if not _records_fit():
        return encode(_relative(card, start))

    def text(t: Text) -> dict[str, str]:
        return {"zh": t.zh, "en": t.en}

    def terms(items: tuple[Term, ...]) -> list[list[list[str]]]:
        return [[list(term.parts)] for term in items]

    original = card.original_question
    return {
        "id": card.id,
        "deck": card.deck,
        "question": text(card.question),
        "answer": text(card.answer),
        "key_points": [
            {
                "text": text(p.text),
                "terms": terms(p.terms),
                "weight": p.weight,
                "line": p.line - start,
            }
            for p in card.key_points
        ],
        "source": card.source,
        "tags": list(card.tags),
        "related": list(card.related),
        "line": 0,
        "current_source": card.current_source,
        "original_question": None if original is None else text(original),
        "pitfalls": [[text(p.text), terms(p.terms), p.line - start] for p in card.pitfalls],
    }


_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _card_bytes(card: Card) -> bytes:
    return _to_json(_card_record(card)).encode("utf-8")


def _decode_card(data: bytes, line: int) -> Card:
    """The card of a record, starting on ``line`` of its file."""
    try:
        value = _json(data)
        if not _records_fit():
            return _relative(decode(Card, value), -line)
        return _card_from_record(value, line)
    except (KeyError, TypeError, RecursionError):  # a record with a field missing, or too deep
        raise ValueError("not a card record") from None


def _decode_cards(data: bytes, line: int) -> Card:
    """``_decode_card`` for reading many cards (an export, a search): msgspec decodes a record
    five times faster, but importing it costs about 10 ms, more than a first card is worth."""
    if _escaped_surrogate(data) or not _records_fit():  # see _json
        return _decode_card(data, line)
    import msgspec

    try:
        card = _card_decoder().decode(data)
    except (msgspec.MsgspecError, RecursionError):  # deep nesting in a key it skips
        raise ValueError("not a card record") from None
    return _moved(card, line)


@cache
def _card_decoder() -> Any:
    """msgspec's JSON decoder for records: it builds the model's dataclasses straight from the
    bytes and checks every type (a field of the wrong type is an error; unlike
    ``_card_from_record`` it ignores an unknown key and gives a missing one the model's default,
    neither of which can change what a card says)."""
    import msgspec

    return msgspec.json.Decoder(Card)


def _moved(card: Card, line: int) -> Card:
    """A freshly decoded card with its lines moved by ``line``, in place: nothing else holds it
    or its key points yet, and rebuilding them (``_relative``) would cost what msgspec saved."""
    if line:
        object.__setattr__(card, "line", card.line + line)
        for point in card.key_points:
            object.__setattr__(point, "line", point.line + line)
        if card.pitfalls:
            pitfalls = tuple(p._replace(line=p.line + line) for p in card.pitfalls)
            object.__setattr__(card, "pitfalls", pitfalls)
    return card


_CARD_KEYS = frozenset(_RECORD_FIELDS[Card])


def _str(value: Any) -> str:
    if type(value) is not str:
        raise ValueError("expected text")
    return value


def _int(value: Any) -> int:
    if type(value) is not int:
        raise ValueError("expected a whole number")
    return value


def _text_from(value: Any) -> Text:
    if type(value) is not dict or not value.keys() <= {"zh", "en"}:
        raise ValueError("expected a text")
    return Text(_str(value.get("zh", "")), _str(value.get("en", "")))


def _terms_from(value: Any) -> tuple[Term, ...]:
    """Each term is ``[[part, ...]]``; checked with C-level passes (a card has ~100 terms)."""
    if type(value) is not list or not set(map(type, value)) <= {list}:
        raise ValueError("expected terms")
    try:
        parts = [part for (part,) in value]
    except ValueError:
        raise ValueError("expected a term") from None
    if not set(map(type, parts)) <= {list} or not set(
        map(type, itertools.chain.from_iterable(parts))
    ) <= {str}:
        raise ValueError("expected a term")
    return tuple(map(Term, map(tuple, parts)))


def _card_from_record(value: Any, line: int = 0) -> Card:
    """``decode(Card, value)`` for what ``_card_record`` writes, as strict (any other shape is a
    ValueError, so a damaged or planted entry is a miss) at a tenth of the generic walk's cost:
    an export reads every card of the deck. Its lines are moved by ``line``."""
    if type(value) is not dict or not value.keys() <= _CARD_KEYS:
        raise ValueError("expected a card")
    points = value["key_points"]
    pitfalls = value.get("pitfalls", [])
    original = value.get("original_question")
    if type(points) is not list or type(pitfalls) is not list:
        raise ValueError("expected lists")
    key_points = []
    for point in points:
        if type(point) is not dict or point.keys() != {"text", "terms", "weight", "line"}:
            raise ValueError("expected a key point")
        key_points.append(
            KeyPoint(
                _text_from(point["text"]),
                _terms_from(point["terms"]),
                _int(point["weight"]),
                _int(point["line"]) + line,
            )
        )
    wrong = []
    for pitfall in pitfalls:
        if type(pitfall) is not list or len(pitfall) != 3:
            raise ValueError("expected a pitfall")
        wrong.append(
            Pitfall(_text_from(pitfall[0]), _terms_from(pitfall[1]), _int(pitfall[2]) + line)
        )
    tags, related = value.get("tags", []), value.get("related", [])
    if type(tags) is not list or type(related) is not list:
        raise ValueError("expected lists")
    return Card(
        id=_str(value["id"]),
        deck=_str(value["deck"]),
        question=_text_from(value["question"]),
        answer=_text_from(value["answer"]),
        key_points=tuple(key_points),
        source=_str(value.get("source", "")),
        tags=tuple(map(_str, tags)),
        related=tuple(map(_str, related)),
        line=_int(value.get("line", 0)) + line,
        current_source=_str(value.get("current_source", "")),
        original_question=None if original is None else _text_from(original),
        pitfalls=tuple(wrong),
    )


# -- reading ------------------------------------------------------------------------------------


class _CardFile:
    """An open card file: reads stay valid after another process replaces or deletes the file."""

    def __init__(self, path: Path, size: int):
        # Non-blocking, so that a FIFO planted in the cache is refused instead of waited on.
        flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
        self.fd = os.open(path, flags)
        info = os.fstat(self.fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size != size:
            os.close(self.fd)
            raise ValueError("card file is not the one its index describes")

    def read(self, offset: int, size: int) -> bytes:
        data = os.pread(self.fd, size, offset)
        if len(data) != size:
            raise ValueError("card file is shorter than its index")
        return data

    def __del__(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.close(self.fd)


def _reparse(
    deck_file: Path, ids: tuple[str, ...], entry_file: Path | None = None, misled: str = ""
) -> Sequence[Card]:
    """A deck's cards parsed from its file, when a cached card turned out to be damaged. The
    entry (``entry_file``) is dropped either way, so that the next start parses the file and
    writes it afresh instead of meeting the same damage at every start. Ids that differ from the
    cache's (the file was edited since, or the index's ids are damaged) cannot stand in for the
    cards a session already planned with: then this command stops, with ``misled`` as the
    reason when one is given."""
    if entry_file is not None:
        with contextlib.suppress(OSError):
            entry_file.unlink(missing_ok=True)
    shown = display_path(deck_file)
    cards = parse_deck(read_deck_file(deck_file), shown, expected_name=deck_file.stem).cards
    if tuple(c.id for c in cards) != ids:
        message = "the deck cache was damaged or the file changed since flashdl started"
        raise DeckError([f"{shown}: {misled or message + '; start flashdl again'}"])
    return cards


class _Index(NamedTuple):
    """An index file's fields, each of its type (``_index``).

    The file is one line of JSON (the deck's fields, the number of cards and the sizes of the
    texts below), then per card its start line and its record's offset in the card file as
    little-endian 64-bit integers, then three texts: the card ids joined by spaces, and the
    cards' tags and related ids (``Words``) joined by ``Words.SEPARATOR``. Texts outside the
    JSON cost a UTF-8 check instead of a JSON scan: the five indexes of 100k cards as JSON lists
    took 34 ms of msgspec (and its import 13 ms) at every start, this takes a few."""

    format: str
    size: int
    mtime_ns: int
    sha256: str
    name: str
    title: Any  # a Text as JSON, decoded by ``decode``
    group: str
    deck_format: int
    path: str
    header: str | None
    cards: int
    texts: list[int]  # the sizes of the three texts in bytes
    lines: Sequence[int]  # from here on, what follows the JSON line
    offsets: Sequence[int]
    ids: tuple[str, ...]
    tags: str
    related: str


_JSON_FIELDS = _Index._fields[: _Index._fields.index("lines")]
NUMBER_SIZE = 8  # bytes of each number after an index's JSON line
_ID_BYTES = b"abcdefghijklmnopqrstuvwxyz0123456789_- "  # of ids joined by spaces (ID_PATTERN)
# Tags are letters, digits, '.', '-' and '_' (TAG_PATTERN): ASCII ones are checked by byte (a
# pattern over 100k cards' tags takes milliseconds), others by pattern.
_TAG_BYTES = _ID_BYTES + b"ABCDEFGHIJKLMNOPQRSTUVWXYZ.,"
_TAGS = re.compile(r"[\w.\-, ]*\Z")


def _index(data: bytes) -> _Index:
    """An index's fields with their types checked and its per-card parts consistent (as many
    ids, lines, offsets and texts as cards); ValueError for anything else."""
    line, _, rest = data.partition(b"\n")  # JSON never holds a raw newline
    raw = _json(line)
    if not isinstance(raw, dict) or raw.get("format") != _format():
        raise ValueError("not an index of this version")
    try:
        fields = {name: raw[name] for name in _JSON_FIELDS}
    except KeyError:
        raise ValueError("a field is missing") from None
    texts = [fields[name] for name in ("format", "sha256", "name", "group", "path")]
    numbers = [fields[name] for name in ("size", "mtime_ns", "deck_format", "cards")]
    count, sizes, header = fields["cards"], fields["texts"], fields["header"]
    if (
        not all(type(t) is str for t in texts)
        or not all(type(n) is int for n in numbers)
        or (header is not None and type(header) is not str)
        or type(sizes) is not list
        or len(sizes) != 3
        or not all(type(n) is int and n >= 0 for n in sizes)
        or count < 0
    ):
        raise ValueError("a field of the wrong type")
    lines_end, numbers_end = count * NUMBER_SIZE, (2 * count + 1) * NUMBER_SIZE
    if len(rest) != numbers_end + sum(sizes):
        raise ValueError("not the numbers and texts of this many cards")
    parts, at = [], numbers_end
    for size in sizes:
        parts.append(rest[at : at + size])
        at += size
    ids_bytes, tags_bytes, related_bytes = parts
    if ids_bytes.translate(None, _ID_BYTES) or related_bytes.translate(None, _ID_BYTES + b","):
        raise ValueError("not card ids")
    tags = tags_bytes.decode("utf-8")
    if not (tags_bytes.translate(None, _TAG_BYTES) == b"" if tags.isascii() else _TAGS.match(tags)):
        raise ValueError("not tags")
    ids = tuple(ids_bytes.decode("ascii").split(" ")) if ids_bytes else ()
    separator = Words.SEPARATOR.encode()
    if len(ids) != count or "" in ids:
        raise ValueError("not one id per card")
    if not all(t.count(separator) == count - 1 if count else not t for t in parts[1:]):
        raise ValueError("not one text per card")
    offsets = _unpacked(rest[lines_end:numbers_end])
    if offsets[0] != 0:
        raise ValueError("the first record does not start the card file")
    return _Index(
        **fields,
        lines=_unpacked(rest[:lines_end]),
        offsets=offsets,
        ids=ids,
        tags=tags,
        related=related_bytes.decode("ascii"),
    )


def _packed(numbers: Sequence[int]) -> bytes:
    """Whole numbers as an index keeps them: little-endian 64-bit integers."""
    packed = array.array("q", numbers)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def _unpacked(data: bytes) -> Sequence[int]:
    """The numbers of ``_packed``, as an array (ints are made only for those asked for)."""
    numbers = array.array("q")
    numbers.frombytes(data)
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


def _ascending(numbers: Sequence[int]) -> bool:
    """Whether each number is at least the one before it. Checked before an edit reuses the
    records, not at every start (5 ms for 100k cards): a card read between offsets that go
    backwards is damaged (``LazyCards``) and the deck is parsed again."""
    return all(map(operator.le, numbers, itertools.islice(numbers, 1, None)))


def read_entry(path: Path, deck_file: Path | None = None) -> CacheEntry | None:
    """The cache entry at ``path``, or None when it is missing, damaged, planted or from another
    version. ``deck_file`` is where damaged cards are re-parsed from (default: none, a miss)."""
    try:
        index = _index(_cache_file(path, MAX_INDEX_BYTES))
        ids, lines, offsets = index.ids, index.lines, index.offsets
        sha, count = index.sha256, index.cards
        if not (
            len(sha) == 64
            and all(c in "0123456789abcdef" for c in sha)
            and (not index.group or GROUP_PATTERN.match(index.group))
            and GROUP_PATTERN.match(index.name)  # deck names follow the same rule
            and str(index.deck_format) in FORMATS
        ):
            return None
        title = decode(Text, index.title)
        card_file = _CardFile(cards_path(path, sha), offsets[-1])
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None  # any damage to a cache entry is just a miss

    def reload() -> Sequence[Card]:
        if deck_file is None:
            raise DeckError([f"{path}: the deck cache is damaged; delete the cache folder"])
        return _reparse(deck_file, ids, path)

    cards = LazyCards(
        ids,
        lines,
        Words.joined(index.tags, count),
        Words.joined(index.related, count),
        offsets,
        card_file.read,
        _decode_card,
        reload,
        _decode_cards,
    )
    deck = Deck(
        name=index.name,
        title=title,
        cards=cards,
        path=index.path,
        format=index.deck_format,
        group=index.group,
    )
    return CacheEntry(index.format, index.size, index.mtime_ns, sha, deck, index.header)


# -- writing ------------------------------------------------------------------------------------


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


def _write_entry(path: Path, entry: CacheEntry, cards: Sequence[Card] | _Rows) -> None:
    """The card bytes first, then the index that points at them; stale files of the entry go
    (the garbage collector paused, as while parsing: a large deck's cards are alive)."""
    # Text that cannot be UTF-8 (no parsed or cached text can be) is not cached, not fatal.
    with gc_paused(), contextlib.suppress(UnicodeError):
        _write_records(path, entry, cards if isinstance(cards, _Rows) else _Rows.of(cards))


@dataclass
class _Rows:
    """Per card, what an entry's index lists about it, and its record."""

    ids: list[str] = dataclasses.field(default_factory=list)
    lines: list[int] = dataclasses.field(default_factory=list)
    tags: list[str] = dataclasses.field(default_factory=list)
    related: list[str] = dataclasses.field(default_factory=list)
    records: list[bytes | memoryview] = dataclasses.field(default_factory=list)

    @classmethod
    def of(cls, cards: Iterable[Card]) -> _Rows:
        rows = cls()
        for card in cards:
            rows.add_card(card, card.line)
        return rows

    @classmethod
    def outline(cls, cards: Sequence[Card]) -> _Rows:
        """``of`` without the records (empty): what the rules that span decks read."""
        rows = cls()
        for card in cards:
            rows.add(card.id, card.line, " ".join(card.tags), " ".join(card.related), b"")
        return rows

    def add_card(self, card: Card, line: int) -> None:
        self.add(card.id, line, " ".join(card.tags), " ".join(card.related), card)

    def extend(self, other: _Rows) -> None:
        for field in dataclasses.fields(self):
            getattr(self, field.name).extend(getattr(other, field.name))

    def add(
        self, card_id: str, line: int, tags: str, related: str, record: Card | bytes | memoryview
    ) -> None:
        self.ids.append(card_id)
        self.lines.append(line)
        self.tags.append(tags)
        self.related.append(related)
        self.records.append(_card_bytes(record) if isinstance(record, Card) else record)


def _offsets(records: Sequence[bytes | memoryview]) -> list[int]:
    """Where each record starts in the records joined, and where the last one ends."""
    offsets = [0]
    for record in records:
        offsets.append(offsets[-1] + len(record))
    return offsets


def _write_records(path: Path, entry: CacheEntry, rows: _Rows) -> None:
    blobs = rows.records
    offsets = _offsets(blobs)
    deck = entry.deck
    index = {
        "format": entry.format,
        "size": entry.size,
        "mtime_ns": entry.mtime_ns,
        "sha256": entry.sha256,
        "name": deck.name,
        "title": encode(deck.title),
        "group": deck.group,
        "deck_format": deck.format,
        "path": deck.path,
        "cards": len(rows.ids),
        "header": entry.header if entry.pieces is not None else None,
    }
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        source = cards_path(path, entry.sha256)
        _write_atomically(source, b"".join(blobs))
        kept = [source, path]
        if entry.pieces is not None:
            kept.append(pieces_path(path, entry.sha256))
            _write_atomically(kept[-1], b"".join(entry.pieces))
        _write_atomically(path, _index_bytes(index, rows, offsets))
        stem = path.name[: -len(INDEX_SUFFIX)]
        for old in path.parent.glob(f"{stem}*"):
            if old not in kept and old.suffix in (".cards", ".pieces", ".pickle", ".json"):
                old.unlink(missing_ok=True)


def _index_bytes(fields: dict[str, Any], rows: _Rows, offsets: Sequence[int]) -> bytes:
    """An index file (``_Index``): the JSON line, then the numbers, then the texts."""
    texts = [
        " ".join(rows.ids).encode("ascii"),
        Words.SEPARATOR.join(rows.tags).encode("utf-8"),
        Words.SEPARATOR.join(rows.related).encode("ascii"),
    ]
    line = json.dumps({**fields, "texts": [len(t) for t in texts]}, ensure_ascii=False)
    return b"".join((line.encode("utf-8"), b"\n", _packed(rows.lines), _packed(offsets), *texts))


def load_deck_cached(
    path: Path,
    cache_dir: Path,
    *,
    early: bool = False,
    prepared: dict | None = None,
    queued: list | None = None,
) -> Deck:
    """``decks.load_deck`` with the cache in front of it. ``early``: a large file with no entry
    may be read early (``_read_early``): its cards come from an outline of the file, and the
    file is parsed and cached in the background (``prepared``: large files read, cut and outlined
    already, by ``_prepare_new_files``; ``queued``: a list to queue it on for one background
    process, ``_one_background_process``, instead of starting one for it)."""
    shown = display_path(path)
    cached = entry_path(cache_dir, path)
    entry = read_entry(cached, path)
    try:
        info = path.stat()
    except OSError:
        info = None
    if entry is not None and info is not None and _same_stat(entry, info, cached):
        deck = entry.deck
    else:
        ready = (prepared or {}).get(path)
        if ready is not None and info is not None and ready.of(info):
            data, digest = ready.data, ready.digest
        else:
            import hashlib

            data = read_deck_file(path)
            digest = hashlib.sha256(data).hexdigest()
        edited = (
            _edited(entry, cached, data, shown, path.stem)
            if entry is not None and info is not None
            else None
        )
        if edited is BROKEN_EDIT:
            early = False  # a deck known to be broken is not read early: its problems now
        elif edited is not None and info is not None:
            fresh, rows = edited
            fresh = replace(fresh, size=info.st_size, mtime_ns=info.st_mtime_ns, sha256=digest)
            if (written := _written(cached, path, fresh, rows)) is not None:
                return _shown_as(written, shown)
        if entry is not None and entry.sha256 == digest:
            deck = entry.deck
            cards: Sequence[Card] = deck.cards
        elif (
            early
            and info is not None
            and (soon := _early(path, cache_dir, data, digest, ready, queued))
        ):
            return soon
        elif info is not None and (split := _parsed_in_parts(data, shown, path.stem)):
            deck, rows, header, layout = split
            fresh = CacheEntry(
                _format(), info.st_size, info.st_mtime_ns, digest, deck, header, layout
            )
            if (written := _written(cached, path, fresh, rows)) is not None:
                return _shown_as(written, shown)
            # The cache cannot be written: the records in memory instead.
            reparse = partial(_reparse, path, tuple(rows.ids))
            return replace(deck, cards=_cards_of(rows, reparse))
        else:
            deck = parse_deck(data, shown, expected_name=path.stem)
            cards = deck.cards
        if info is not None:
            header, layout = _layout(data, cards)
            fresh = CacheEntry(
                _format(), info.st_size, info.st_mtime_ns, digest, deck, header, layout
            )
            fresh = replace(fresh, deck=replace(deck, path=shown))
            if type(deck.cards) is LazyCards:  # a touched file: its cards load on demand already
                _write_entry(cached, fresh, cards)
            elif (written := _written(cached, path, fresh, cards)) is not None:
                # Its cards load on demand, so the parsed ones can go (100k parsed cards are
                # half a gigabyte). Unwritable cache: keep them.
                del cards, fresh
                deck = written
    return _shown_as(deck, shown)


def _written(
    entry_file: Path, deck_file: Path, entry: CacheEntry, cards: Sequence[Card] | _Rows
) -> Deck | None:
    """The deck of ``entry``, written to the cache and read back from it (its cards then load on
    demand); None when the cache cannot be written."""
    _write_entry(entry_file, entry, cards)
    written = read_entry(entry_file, deck_file)
    return written.deck if written is not None and written.sha256 == entry.sha256 else None


def _same_stat(entry: CacheEntry, info: os.stat_result, entry_file: Path) -> bool:
    """Whether the file is, by its stat alone, the one ``entry`` was made of (else its digest
    decides): the same size and mtime, and its inode unchanged since the entry was written."""
    return (entry.size, entry.mtime_ns) == (info.st_size, info.st_mtime_ns) and _settled(
        info, entry_file
    )


def _settled(info: os.stat_result, entry_file: Path) -> bool:
    """Whether the file's inode last changed before ``entry_file`` was written. Copying a file
    with its times (``cp -p``, ``rsync -t``, ``tar x``) can give other content the old size and
    mtime, but not an old ctime, which only the kernel sets. (The same tick counts as changed.)"""
    try:
        return info.st_ctime_ns < entry_file.stat().st_mtime_ns
    except OSError:
        return False


def _shown_as(deck: Deck, shown: str) -> Deck:
    return deck if deck.path == shown else replace(deck, path=shown)


def _layout(data: bytes, cards: Sequence[Card]) -> tuple[str | None, tuple[bytes, ...] | None]:
    """The digests of the file's header and card pieces, when a full parse found the cards
    exactly where ``pieces.cut`` puts them; else (None, None): edits then parse the whole file."""
    from flashdl.decks import pieces  # only when a deck is parsed or edited: it imports hashlib

    cut = pieces.cut(data)
    lines = cards.lines if isinstance(cards, LazyCards) else [c.line for c in cards]
    if cut is None or not cut.aligned(lines):
        return None, None
    return _digests(cut)


def _digests(cut: Any) -> tuple[str, tuple[bytes, ...]]:
    """What an entry keeps of a cut: its header's digest (hex) and its pieces' digests."""
    from flashdl.decks import pieces

    return pieces.digest(cut.header).hex(), tuple(cut.digests())


MOST_EDITED = 0.5  # past this share of changed cards, parsing the whole file is as quick


def _edited(
    entry: CacheEntry, entry_file: Path, data: bytes, shown: str, expected_name: str
) -> tuple[CacheEntry, _Rows] | None:
    """The entry of ``data``, an edit of the file ``entry`` was made from, built by parsing only
    the pieces of it that changed; the records of the others are kept as they are.

    None when that cannot be sure to give what a full parse gives: the file is not cut the usual
    way, its header changed or most of it changed. ``BROKEN_EDIT`` when a changed card has a
    problem or an id is used twice (the full parse then words it, as always)."""
    from flashdl.decks import pieces

    old = entry.deck.cards
    if (
        entry.header is None
        or type(old) is not LazyCards
        or type(old.tags) is not Words
        or not _ascending(old.offsets)
    ):
        return None
    cut = pieces.cut(data)
    if cut is None or pieces.digest(cut.header).hex() != entry.header:
        return None
    stored = _stored_pieces(entry_file, entry)
    if stored is None:
        return None
    digests = cut.digests()
    kept = {piece: position for position, piece in enumerate(stored)}
    changed = [i for i, piece in enumerate(digests) if piece not in kept]
    if len(changed) > MOST_EDITED * len(digests):
        return None
    parsed: Iterable[Card] = ()
    if changed:
        try:
            deck = _pieces_deck(cut, changed, shown, expected_name)
        except DeckError:
            return BROKEN_EDIT
        if deck is None or _header_of(deck) != _header_of(entry.deck):
            return None
        parsed = deck.cards  # their records count lines from each card's start: any text works
    records, fresh = old.stored(), iter(parsed)
    rows = _Rows()
    for line, piece in zip(cut.lines, digests, strict=True):
        position = kept.get(piece)
        if position is None:
            rows.add_card(next(fresh), line)
        else:
            rows.add(
                old.ids[position],
                line,
                old.tags.texts[position],
                old.related.texts[position],
                records[position],
            )
    if len(set(rows.ids)) != len(rows.ids):
        return BROKEN_EDIT  # a duplicate id: the full parse reports it
    return replace(entry, deck=replace(entry.deck, path=shown), pieces=tuple(digests)), rows


# ``_edited``'s "a changed card has a problem": the file is then parsed whole at once, so that
# its problems are reported and the deck is left out in this run, not read early.
BROKEN_EDIT: Any = object()


def _header_of(deck: Deck) -> tuple:
    return deck.name, deck.title, deck.group, deck.format


def _parse_pieces(
    cut: Any, positions: Sequence[int], shown: str, expected_name: str
) -> Deck | None:
    """The cards of these pieces of ``cut``, parsed as one small deck behind the file's header;
    None when that deck has a problem or its cards do not start where the pieces do (the full
    parse then words the problem, or reads the cards where they really are)."""
    try:
        return _pieces_deck(cut, positions, shown, expected_name)
    except DeckError:
        return None


def _pieces_deck(cut: Any, positions: Sequence[int], shown: str, expected_name: str) -> Deck | None:
    """``_parse_pieces``, but a problem in those cards raises ``DeckError``."""
    text = cut.header + b"".join(cut.cards[i] for i in positions)
    deck = parse_deck(text, shown, expected_name=expected_name)
    line, where = cut.header.count(b"\n") + 1, []
    for i in positions:
        where.append(line)
        line += cut.newlines[i]
    return deck if [c.line for c in deck.cards] == where else None


PARSE_CHUNK = 500  # cards per range of a parse on every core


def _parsed_in_parts(
    data: bytes,
    shown: str,
    expected_name: str,
    *,
    layout: bool = True,
    records_up_to: int | None = None,
) -> tuple[Deck, _Rows, str | None, tuple[bytes, ...] | None] | None:
    """A large deck file parsed on every core, in ranges of cards, each range behind the header
    as one small deck (as an edit's changed cards are): the deck without its cards, their rows,
    and the header's and pieces' digests (None, None without ``layout``: only a cache entry
    needs them). Rows of a deck of more than ``records_up_to`` cards have empty records (the
    workers do not encode cards no one will read). None when the file is small, not cut the
    usual way, or any range has a problem: the full parse then reads it and words every
    problem, as always."""
    from flashdl import parallel
    from flashdl.decks import pieces

    cut = pieces.cut(data) if len(data) > MIN_SPLIT_BYTES else None
    if cut is None or len(cut.header) > MAX_SPLIT_HEADER or not parallel.parallel(len(cut.cards)):
        return None  # (every range parses the header again: a large one costs that many times)

    outline = records_up_to is not None and len(cut.cards) > records_up_to

    def work(start: int, stop: int) -> list[tuple[tuple, _Rows] | None]:
        deck = _parse_pieces(cut, range(start, stop), shown, expected_name)
        if deck is None:
            return [None]
        if outline:
            return [(_header_of(deck), _Rows.outline(deck.cards))]
        try:
            return [(_header_of(deck), _Rows.of(deck.cards))]
        except UnicodeError:  # text that cannot be UTF-8 (none can be parsed): not cached
            return [None]

    rows, header = _Rows(), None
    for part in parallel.in_order(work, len(cut.cards), chunk=PARSE_CHUNK):
        if part is None or (header is not None and part[0] != header):
            return None  # the workers still busy are stopped
        header = part[0]
        rows.extend(part[1])
    if header is None or len(set(rows.ids)) != len(rows.ids):
        return None  # a duplicate id: the full parse reports it
    rows.lines = list(cut.lines)  # each range's lines counted from its small deck's start
    name, title, group, version = header
    deck = Deck(name=name, title=title, cards=(), path=shown, format=version, group=group)
    return (deck, rows, *_digests(cut)) if layout else (deck, rows, None, None)


MIN_SPLIT_BYTES = 1 << 20  # smaller files are parsed whole without cutting them first
MAX_SPLIT_HEADER = 16 << 10  # a deck's name, title, group and format take a few lines


def _cards_of(rows: _Rows, reparse: Callable[[], Sequence[Card]]) -> LazyCards:
    """The cards of ``rows`` as the cache gives them, but from their records in memory: each is
    decoded when first asked for (``flashdl check`` of a large deck asks for none of them)."""
    data = b"".join(rows.records)
    return LazyCards(
        tuple(rows.ids),
        tuple(rows.lines),
        Words(rows.tags),
        Words(rows.related),
        tuple(_offsets(rows.records)),
        lambda offset, size: data[offset : offset + size],
        _decode_card,
        reparse,
        _decode_cards,
    )


class EarlyCards(LazyCards):
    """The cards of a deck read early (``_read_early``): ids, tags and related ids from the
    file's outline, each card parsed from its piece when first asked for, and checked against the
    outline; the whole file is parsed (and the session stops if it disagrees) when one is not."""


def _early(
    path: Path,
    cache_dir: Path,
    data: bytes,
    digest: str,
    ready: Prepared | None,
    queued: list | None,
) -> Deck | None:
    with gc_paused():  # a cut and an outline are 100k small objects, none of them cyclic
        return _read_early(path, cache_dir, data, digest, ready, queued)


def _read_early(
    path: Path,
    cache_dir: Path,
    data: bytes,
    digest: str,
    ready: Prepared | None = None,
    queued: list | None = None,
) -> Deck | None:
    """A large deck file without a cache entry, ready for a session before it is parsed.

    Parsing a 20k-card file takes seconds; planning a session needs only every card's id, tags
    and related ids, which the usual layout gives away (``pieces.cut_and_outline``, 0.2 s at 20k
    cards), and showing a card needs only that card. So the file is parsed, checked and cached by a
    background process (``parallel.detached``) while the session runs on its outline. A file the
    background parse found a problem in is marked, and read the usual way at the next start, which
    then reports the problem and leaves the deck out as always.

    None (read it the usual way) unless the file is large, has the usual layout and an outline,
    its header and first card parse and agree with the outline, and the background process
    started (or is queued: ``queued``). ``ready``: the file as a worker read it already
    (``_prepare_new_files``), if any."""
    entry_file = entry_path(cache_dir, path)
    # A small file is read early only when a worker prepared it: a bundled deck.
    prepared = ready is not None and ready.digest == digest
    if (len(data) <= MIN_SPLIT_BYTES and not prepared) or _marked_broken(entry_file, digest):
        return None
    if prepared:
        cut, outline = ready.cut, ready.outline
    else:
        cut, outline = _outlined(data)
    if cut is None or outline is None:
        return None
    data = cut.cards[0].obj  # the bytes the cut was made of (the same, by their digest)
    shown = display_path(path)
    first = _parse_pieces(cut, [0], shown, path.stem)
    if first is None or not _as_outlined(first.cards[0], outline, 0):
        return None
    if not _parsing_in_background(path, cache_dir, digest, queued):
        return None
    base, lines = len(cut.header), cut.lines
    view = memoryview(data)

    def read(offset: int, size: int) -> bytes:
        return bytes(view[base + offset : base + offset + size])

    def decode(piece: bytes, line: int) -> Card:
        position = bisect.bisect_left(lines, line)
        deck = _parse_pieces(cut, [position], shown, path.stem)
        if deck is None or not _as_outlined(deck.cards[0], outline, position):
            raise ValueError("the card is not what the outline of its file says")
        return _moved(deck.cards[0], line - deck.cards[0].line)

    def reload() -> Sequence[Card]:
        try:
            cards = _reparse(path, outline.ids, misled=MISLED)
            if any(not _as_outlined(card, outline, at) for at, card in enumerate(cards)):
                raise DeckError([f"{shown}: {MISLED}"])  # the session was planned on wrong tags
            return cards
        except DeckError:
            _mark_broken(entry_file, digest)  # the next start reads it the usual way
            raise

    offsets = cut.offsets()
    cards = EarlyCards(
        outline.ids,
        lines,
        Words(outline.tags),
        Words(outline.related),
        offsets,
        read,
        decode,
        reload,
    )
    return replace(first, cards=cards, path=shown)


MIN_EARLY_CARDS = 2000  # smaller files parse in well under a second


def _outlined(data: bytes, fewest: int | None = None) -> tuple[Any, Any]:
    """The cut of a file and its outline, each None when it cannot be read early (or has fewer
    than ``fewest`` cards, by default ``MIN_EARLY_CARDS``)."""
    from flashdl.decks import pieces

    cut, outline = pieces.cut_and_outline(data)
    fewest = MIN_EARLY_CARDS if fewest is None else fewest
    if cut is None or len(cut.header) > MAX_SPLIT_HEADER or len(cut.cards) < fewest:
        return None, None
    return cut, outline


class Prepared(NamedTuple):
    """A large new file as read, cut and outlined by a worker of ``_prepare_new_files``."""

    info: os.stat_result  # the file when it was read
    data: bytes
    digest: str
    cut: Any  # pieces.Pieces, or None
    outline: Any  # pieces.Outline, or None

    def of(self, info: os.stat_result) -> bool:
        """Whether the file is unchanged since (else it is read again)."""
        keys = ("st_ino", "st_dev", "st_size", "st_mtime_ns", "st_ctime_ns")
        return all(getattr(self.info, key) == getattr(info, key) for key in keys)


def _outlined_elsewhere(data: bytes, fewest: int | None) -> tuple:
    """What a worker sends back of a file to read early: its digest, its cut (packed) and
    outline (see ``_outlined`` for ``fewest``)."""
    import hashlib

    with gc_paused():
        cut, outline = _outlined(data, fewest)
        return hashlib.sha256(data).hexdigest(), cut and cut.packed(), outline


MISLED = (  # a plan from an outline that the file's cards do not bear out
    "the quick read of this new deck does not match the file (it changed since flashdl "
    "started, or a text in quotes over several lines misled it); start flashdl again: it "
    "reads the whole file first"
)


def _as_outlined(card: Card, outline: Any, position: int) -> bool:
    return (
        card.id == outline.ids[position]
        and " ".join(card.tags) == outline.tags[position]
        and " ".join(card.related) == outline.related[position]
    )


PARSING_SUFFIX = ".parsing"  # beside an entry: locked while a background process parses its file


def _parsing_in_background(
    path: Path, cache_dir: Path, digest: str, queued: list | None = None
) -> bool:
    """Whether a background process now parses and caches ``path``: started here, or already at
    it (a start a moment ago), or to be started for all the files ``queued`` at the end of a load
    (``_one_background_process``). It holds a lock on a file beside the entry until it is done
    with it (``background_done``); the lock is taken here, before it starts, so that it is never
    missed."""
    import fcntl

    from flashdl import parallel

    if queued is not None and not parallel.detachable():
        return False
    try:
        lock = _lock_file(entry_path(cache_dir, path).with_suffix(PARSING_SUFFIX))
    except OSError:
        return False
    if lock is None:
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(lock)
        return True  # held: another process is parsing this file
    if queued is not None:
        queued.append((path, digest, lock))
        return True
    try:
        return parallel.detached(partial(_parse_in_background, [(path, digest, lock)], cache_dir))
    finally:
        os.close(lock)  # the background process keeps the lock: it shares this open file


@contextlib.contextmanager
def _one_background_process(cache_dir: Path) -> Iterator[list[tuple[Path, str, int]]]:
    """A list for the files read early meanwhile (file, digest, lock), parsed at the end by one
    background process: each process forked copies the page tables of this one (150 MB with
    five 16 MB files read), which took 15-30 ms a file. Should it not start, nothing parses
    them: they are read early again at the next start."""
    from flashdl import parallel

    queued: list[tuple[Path, str, int]] = []
    try:
        yield queued
    finally:
        try:
            if queued:
                parallel.detached(partial(_parse_in_background, queued, cache_dir))
        finally:
            for *_, lock in queued:
                os.close(lock)  # the background process keeps the lock: it shares this open file


def background_done(cache_dir: Path, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for the background parses of ``_read_early`` to end (for
    benchmarks and tests: a session never waits for them); whether they did."""
    import fcntl
    import time

    deadline = time.monotonic() + timeout
    for lock_file in cache_dir.glob(f"deck-*{PARSING_SUFFIX}"):
        try:
            lock = os.open(lock_file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            continue
        try:
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        return False
                    time.sleep(0.02)
        finally:
            os.close(lock)
    return True


def _parse_in_background(files: list[tuple[Path, str, int]], cache_dir: Path) -> None:
    """The background half of ``_read_early``: parse and cache each (file, digest, lock), or
    mark it broken, letting go of its lock once done with it. One process at a time
    (``QUEUE_LOCK``): new files read early by starts a moment apart would otherwise be parsed
    by several processes at once, each with its workers and its memory."""
    import fcntl

    with contextlib.suppress(OSError):
        queue = _lock_file(cache_dir / QUEUE_LOCK)  # closed when this process ends
        if queue is not None:
            fcntl.lockf(queue, fcntl.LOCK_EX)  # waits for the one at work, and the start's gate
    for path, digest, lock in files:
        try:
            load_deck_cached(path, cache_dir)
        except DeckError:
            _mark_broken(entry_path(cache_dir, path), digest)
        except Exception:  # nowhere to say it; the next file is parsed still
            pass
        finally:
            os.close(lock)


QUEUE_LOCK = "parse-queue.lock"  # locked by the background parse at work, or a start's gate


def _lock_file(path: Path) -> int | None:
    """An open descriptor of a lock file in the cache, made if missing; None when something
    else stands there (a planted FIFO or folder; a link is not followed: OSError)."""
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = os.open(path, flags, 0o600)
    if stat.S_ISREG(os.fstat(lock).st_mode):
        return lock
    os.close(lock)
    return None


@contextlib.contextmanager
def _background_gate(cache_dir: Path, closed: bool) -> Iterator[None]:
    """While the decks load, background parses wait (``closed``): each new file read early
    starts one, and the files still to read would share the cores with them. A POSIX lock
    (``lockf``) is this process's alone: a forked process does not inherit it."""
    import fcntl

    gate = None
    if closed:
        with contextlib.suppress(OSError):
            gate = _lock_file(cache_dir / QUEUE_LOCK)
            if gate is not None:
                try:
                    fcntl.lockf(gate, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:  # a background parse is at work: the new ones queue behind it
                    os.close(gate)
                    gate = None
    try:
        yield
    finally:
        if gate is not None:
            os.close(gate)


BROKEN_SUFFIX = ".broken"  # beside an entry: the digest of a version of its file that has problems


def _mark_broken(entry_file: Path, digest: str) -> None:
    with contextlib.suppress(OSError):
        entry_file.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(entry_file.with_suffix(BROKEN_SUFFIX), digest.encode("ascii"))


def _marked_broken(entry_file: Path, digest: str) -> bool:
    """Whether this version of the file was found broken before (a planted mark only makes the
    file be read the usual way)."""
    try:
        return _cache_file(entry_file.with_suffix(BROKEN_SUFFIX), 64) == digest.encode("ascii")
    except (OSError, ValueError):
        return False


def load_file_in_parts(path: Path) -> Deck | Overrides:
    """``decks.load_file`` for ``flashdl check``, which does not use the cache: a large deck is
    parsed on every core (``_parsed_in_parts``) and its cards decoded from the records the
    workers made; any problem is worded by the full parse, as ``load_file`` words it. A deck
    too large for the lint comes without records (``check`` reads its ids, lines and related
    ids), and a card asked for all the same is read by parsing the file again."""
    from flashdl.decks.lint import MAX_LINTED_CARDS

    data = read_deck_file(path)
    shown = display_path(path)
    if is_overrides_file(data):
        return parse_overrides(data, shown)
    split = _parsed_in_parts(  # (check writes no entry)
        data, shown, path.stem, layout=False, records_up_to=MAX_LINTED_CARDS
    )
    if split is None:
        return parse_deck(data, shown, expected_name=path.stem)
    reparse = partial(_reparse, path, tuple(split[1].ids))
    return replace(split[0], cards=_cards_of(split[1], reparse))


def load_outline(path: Path) -> Deck | Overrides:
    """A deck for the rules that span decks (ids, start lines, related ids), from its file's cut
    and outline (``pieces.cut_and_outline``) instead of a parse: the 20 bundled decks in 20 ms
    instead of 0.7 s, for ``flashdl check FILE`` to check a file beside them. A card asked for
    parses the file. A file without the usual layout, or whose first card does not bear its
    outline out, is parsed (``load_file``). Meant for files that pass the checks already (the
    bundled decks, which the test suite checks against their outlines): a text in quotes over
    several lines can mislead an outline."""
    data = read_deck_file(path)
    if is_overrides_file(data):
        return parse_overrides(data, display_path(path))
    cut, outline = _outlined(data, fewest=1)
    shown = display_path(path)
    first = None if cut is None or outline is None else _parse_pieces(cut, [0], shown, path.stem)
    if first is None or not _as_outlined(first.cards[0], outline, 0):
        return parse_deck(data, shown, expected_name=path.stem)

    def unread(offset: int, size: int) -> bytes:
        raise ValueError("an outline holds no card")  # (LazyCards then calls reload)

    cards = LazyCards(
        outline.ids,
        cut.lines,
        Words(outline.tags),
        Words(outline.related),
        cut.offsets(),
        unread,
        _decode_card,
        partial(_reparse, path, tuple(outline.ids), misled=MISLED),
    )
    return replace(first, cards=cards, path=shown)


def overrides_entry_path(cache_dir: Path, overrides_file: Path) -> Path:
    """The entry of a file of ``overrides:`` (a small JSON file, cards and all)."""
    deck_entry = entry_path(cache_dir, overrides_file)
    return deck_entry.with_name(deck_entry.stem.replace("deck-", "overrides-", 1) + ".json")


def _read_overrides_entry(path: Path) -> tuple[int, int, str, Overrides] | None:
    """(size, mtime_ns, sha256, overrides) of an entry, or None when missing or damaged."""
    try:
        raw = _json(_cache_file(path, MAX_INDEX_BYTES))
        if not isinstance(raw, dict) or raw.get("format") != _format():
            return None
        size, mtime_ns, sha = raw["size"], raw["mtime_ns"], raw["sha256"]
        if type(size) is not int or type(mtime_ns) is not int or type(sha) is not str:
            return None
        found = decode(Overrides, raw["overrides"])
        if not all(set(entry.given) <= set(OVERRIDABLE) for entry in found.entries):
            return None  # planted: an override changes only a card's content
        return size, mtime_ns, sha, found
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None


def load_overrides_cached(path: Path, cache_dir: Path) -> Overrides | None:
    """A file of ``overrides:`` through the cache; None when the file is not (or no longer) one.

    The entry is used while the file's size and mtime match (and its inode has not changed
    since, ``_settled``), or its SHA-256 when they do not, so an edited file is always parsed
    again."""
    import hashlib

    cached = overrides_entry_path(cache_dir, path)
    entry = _read_overrides_entry(cached) if cached.is_file() else None
    info = path.stat()
    shown = display_path(path)
    if (
        entry is not None
        and entry[:2] == (info.st_size, info.st_mtime_ns)
        and _settled(info, cached)
    ):
        found = entry[3]
    else:
        data = read_deck_file(path)
        digest = hashlib.sha256(data).hexdigest()
        if entry is not None and entry[2] == digest:
            found = entry[3]
        elif not is_overrides_file(data):
            with contextlib.suppress(OSError):
                cached.unlink(missing_ok=True)
            return None
        else:
            found = parse_overrides(data, shown)
        index = {
            "format": _format(),
            "size": info.st_size,
            "mtime_ns": info.st_mtime_ns,
            "sha256": digest,
            "overrides": encode(replace(found, path=shown)),
        }
        with contextlib.suppress(OSError):
            cached.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(cached, json.dumps(index, ensure_ascii=False).encode("utf-8"))
    return found if found.path == shown else replace(found, path=shown)


def load_file_cached(
    path: Path,
    cache_dir: Path,
    *,
    early: bool = False,
    prepared: dict | None = None,
    queued: list | None = None,
) -> Deck | Overrides:
    """``decks.load_file`` with the cache in front of it: a file with an overrides entry is read
    as overrides; any other as a deck, and as overrides when it turns out to be a file of them."""
    if overrides_entry_path(cache_dir, path).is_file():
        found = load_overrides_cached(path, cache_dir)
        if found is not None:
            return found
    try:
        return load_deck_cached(path, cache_dir, early=early, prepared=prepared, queued=queued)
    except DeckError:
        if not is_overrides_file(read_deck_file(path)):
            raise
    found = load_overrides_cached(path, cache_dir)
    if found is None:  # it was a file of overrides a moment ago: changed meanwhile
        raise DeckError([f"{display_path(path)}: changed while it was read; try again"])
    return found


def forget(cache_dir: Path, deck_file: Path) -> None:
    """Drop what the cache knows of a file (``flashdl edit`` after the editor closed: an edit
    within the file system's timestamp resolution keeps the same mtime)."""
    with contextlib.suppress(OSError):
        overrides_entry_path(cache_dir, deck_file).unlink(missing_ok=True)
        entry_path(cache_dir, deck_file).unlink(missing_ok=True)
        entry_path(cache_dir, deck_file).with_suffix(BROKEN_SUFFIX).unlink(missing_ok=True)
        entry_path(cache_dir, deck_file).with_suffix(PARSING_SUFFIX).unlink(missing_ok=True)
        for old in cache_dir.glob("collection-*.ok"):
            old.unlink(missing_ok=True)


def cache_files(cache_dir: Path) -> list[Path]:
    """The entries now in the cache (for ``flashdl doctor``)."""
    return sorted(cache_dir.glob(f"deck-*{INDEX_SUFFIX}")) if cache_dir.is_dir() else []


def cache_size(cache_dir: Path) -> int:
    """Bytes the cache's entries take on disk: their indexes, card files and piece digests."""
    size = 0
    for file in cache_dir.glob("deck-*") if cache_dir.is_dir() else ():
        with contextlib.suppress(OSError):
            info = file.lstat()
            if stat.S_ISREG(info.st_mode):
                size += info.st_size
    return size


def leftover_files(cache_dir: Path) -> list[Path]:
    """Cache files of earlier flashdl versions (pickles, and indexes all JSON until cache format
    8): never read, safe to delete. An entry that is written again removes its own."""
    if not cache_dir.is_dir():
        return []
    return sorted([*cache_dir.glob("deck-*.pickle"), *cache_dir.glob("deck-*.json")])


def _stamp(files: list[Path]) -> str:
    """A checksum of which deck files there are and their sizes, mtimes, inodes and inode change
    times. The last two are this machine's own: a mark copied in with a data folder (or written
    there to switch the checks off) names files this machine does not have."""
    parts = [_format()]
    for file in files:
        try:
            info = file.stat()
        except OSError:
            return ""
        parts.append(
            f"{resolved(file)}:{info.st_size}:{info.st_mtime_ns}:{info.st_ino}:{info.st_ctime_ns}"
        )
    return f"{binascii.crc32(chr(0).join(parts).encode()):08x}"


def _passed_before(
    files: list[Path], stamp: str, cache_dir: Path, notes: list[str] | None
) -> list[Deck] | None:
    """The decks of ``files`` when this same set of files passed the cross-deck rules before
    (overrides are applied again: that is cheap); None when they must be checked."""
    if not _marked("collection", stamp, cache_dir):
        return None
    said: list[str] = []
    loader = partial(load_file_cached, cache_dir=cache_dir)
    decks, problems = apply_overrides([loader(file) for file in files], said)
    if problems:
        return None
    if notes is not None:
        notes.extend(said)
    return decks


def _marked(kind: str, stamp: str, cache_dir: Path) -> bool:
    """Whether the set of files with ``stamp`` passed the ``kind`` of check before."""
    return bool(stamp) and (cache_dir / f"{kind}-{stamp}.ok").is_file()


def _mark(kind: str, stamp: str, cache_dir: Path) -> None:
    """Remember that the set of files with ``stamp`` passed ``kind`` (one marker: older go)."""
    if not stamp:
        return
    with contextlib.suppress(OSError):
        cache_dir.mkdir(parents=True, exist_ok=True)
        for old in cache_dir.glob(f"{kind}-*.ok"):
            old.unlink(missing_ok=True)
        (cache_dir / f"{kind}-{stamp}.ok").touch()


def lint_passed_before(files: list[Path], cache_dir: Path) -> bool:
    """Whether these files (the bundled decks and the glossary, unchanged) passed the lint
    before: they cannot change between releases, so ``flashdl check`` need not lint them at
    every run (the test suite does). A planted marker could only hide a bundled deck's finding."""
    return _marked("lint", _stamp(files), cache_dir)


def mark_lint_passed(files: list[Path], cache_dir: Path) -> None:
    _mark("lint", _stamp(files), cache_dir)


def _prepare_new_files(files: list[Path], cache_dir: Path, early: bool) -> dict[Path, Prepared]:
    """The files the cache has no entry for, made ready on every core: each small file parsed and
    its entry written by a worker, so that loading it reads the entry (a first run: the 20
    bundled decks take about 0.35 s on one core); with ``early``, each large file read here and
    cut and outlined by a worker for ``_read_early`` (the part of reading it early that grows
    with its size: 0.2 s at 20k cards). A file a worker cannot load is left for the load, which
    words its problems as always. Nothing is done here without two workers' worth of work."""
    from flashdl import parallel
    from flashdl.decks import pieces

    small, large = [], []
    for file in files:
        with contextlib.suppress(OSError):
            size = file.stat().st_size
            if entry_path(cache_dir, file).exists():
                continue
            if size <= MIN_SPLIT_BYTES and not overrides_entry_path(cache_dir, file).exists():
                small.append((file, size * PARSE_COST))
            elif size > MIN_SPLIT_BYTES and early:
                large.append(file)
    bundled: set[Path] = set()
    if large:
        # A load that waits for large files anyway: the bundled decks are read early beside
        # them (outlined by the workers, parsed in the background) instead of parsed first.
        # They are about 1 s of parsing on one core. Your own small decks are parsed now as
        # always, so that their problems are reported at once.
        from flashdl.paths import bundled_decks_dir

        folder = bundled_decks_dir().resolve()
        bundled = {file for file, _ in small if _folder_of(file) == folder}
        large += bundled
        small = [(file, cost) for file, cost in small if file not in bundled]
    worth = len(small) + NEW_FILE_WORTH * len(large)
    if len(small) + len(large) < 2 or worth < MIN_NEW_FILES or not parallel.parallel(2, 2):
        return {}
    read: dict[Path, tuple[os.stat_result, bytes]] = {}  # the workers inherit the bytes
    for file in large:
        with contextlib.suppress(OSError, DeckError):
            info = file.stat()
            read[file] = (info, read_deck_file(file))
    jobs = small + [(file, len(data) * OUTLINE_COST) for file, (_, data) in read.items()]

    def work(start: int, stop: int) -> list[tuple | None]:
        done: list[tuple | None] = []
        for file, _ in jobs[start:stop]:
            if file in read:
                fewest = 1 if file in bundled else None  # a bundled deck has a few cards
                done.append(_outlined_elsewhere(read[file][1], fewest))
                continue
            with contextlib.suppress(DeckError, UsageError, OSError):
                load_file_cached(file, cache_dir)
            done.append(None)
        return done

    costs = [cost for _, cost in jobs]
    made = parallel.in_order(work, len(jobs), chunk=1, minimum=2, costs=costs)
    prepared = {}
    for (file, _), result in zip(jobs, made, strict=True):
        if result is not None:
            info, data = read[file]
            digest, packed, outline = result
            cut = packed and pieces.Pieces.unpacked(data, packed)
            prepared[file] = Prepared(info, data, digest, cut, outline)
    return prepared


def _folder_of(file: Path) -> Path | None:
    """The folder ``file`` really is in; None when that cannot be told (a link loop)."""
    try:
        return file.resolve().parent
    except (OSError, RuntimeError):  # Python 3.11 raises RuntimeError for a loop
        return None


MIN_NEW_FILES = 4  # fewer small files are parsed as soon here as two processes start
NEW_FILE_WORTH = MIN_NEW_FILES  # a large file to cut and outline is worth this many small ones
PARSE_COST, OUTLINE_COST = 15, 1  # the time per byte of parsing a deck, of cutting and outlining


def load_decks_cached(
    sources: Iterable[Path], cache_dir: Path, notes: list[str] | None = None
) -> list[Deck]:
    """``decks.load_collection`` through the cache, the rules that span decks included: once a set
    of unchanged files has passed them, they are not checked again."""
    files = deck_files(sources)
    stamp = _stamp(files)
    decks = _passed_before(files, stamp, cache_dir, notes)
    if decks is None:
        loader = partial(load_file_cached, cache_dir=cache_dir)
        decks = load_collection(files, loader=loader, notes=notes)
        _mark("collection", stamp, cache_dir)
    return decks


def load_usable_decks_cached(
    sources: Iterable[Path], cache_dir: Path, notes: list[str] | None = None, *, early: bool = False
) -> tuple[list[Deck], list[str]]:
    """``load_usable_collection`` through the cache: the decks that can be used, and the
    problems of the others (none, and no re-check, when the same files passed before).
    ``early``: large new files may be read early (``_read_early``), for a session."""
    files = deck_files(sources)
    stamp = _stamp(files)
    decks = _passed_before(files, stamp, cache_dir, notes)
    if decks is not None:
        return decks, []
    prepared = _prepare_new_files(files, cache_dir, early)
    with _background_gate(cache_dir, closed=early), _one_background_process(cache_dir) as queued:
        loader = partial(
            load_file_cached, cache_dir=cache_dir, early=early, prepared=prepared, queued=queued
        )
        decks, problems = load_usable_collection(files, loader=loader, notes=notes)
    if not problems and not any(isinstance(d.cards, EarlyCards) for d in decks):
        _mark("collection", stamp, cache_dir)  # (a deck read early is not known sound yet)
    return decks, problems
