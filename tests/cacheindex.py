"""An index file of the parsed-deck cache taken apart and put back together, for tests that
damage one part of it (``flashdl.decks.cache._Index``: a JSON line, numbers, texts)."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any


def read_index(path: Path) -> tuple[dict[str, Any], list[int], list[int], list[bytes]]:
    """The JSON fields, the cards' lines, the records' offsets and the three texts."""
    line, _, rest = path.read_bytes().partition(b"\n")
    raw = json.loads(line)
    count = raw["cards"]
    numbers = list(struct.unpack(f"<{2 * count + 1}q", rest[: (2 * count + 1) * 8]))
    texts, at = [], (2 * count + 1) * 8
    for size in raw["texts"]:
        texts.append(rest[at : at + size])
        at += size
    return raw, numbers[:count], numbers[count:], texts


def write_index(
    path: Path, raw: dict[str, Any], lines: list[int], offsets: list[int], texts: list[bytes]
) -> None:
    """An index from its parts, the texts' sizes as given in ``raw``. ``json.dumps`` escapes
    everything but ASCII, so a planted "\\udc80" stays escaped."""
    numbers = struct.pack(f"<{len(lines) + len(offsets)}q", *lines, *offsets)
    path.write_bytes(json.dumps(raw).encode() + b"\n" + numbers + b"".join(texts))


def change_index(path: Path, change) -> None:
    """``change(raw)`` applied to the JSON fields of the index at ``path``."""
    raw, lines, offsets, texts = read_index(path)
    change(raw)
    write_index(path, raw, lines, offsets, texts)
