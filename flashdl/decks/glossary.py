"""Reading the shared glossary (``glossary.yaml`` beside this module) into a ``Glossary``.

The file is parsed once and its groups kept as JSON in the deck cache folder (keyed on its size,
mtime and the flashdl version, and on the matching code that computes the entries' matching
forms), together with those forms, so that ``flashdl grade`` and ``quiz`` pay neither for the
YAML parser nor for tokenising every entry at every start. The cache is data, never code: a
damaged or planted entry is a miss.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from flashdl import __version__
from flashdl.core.errors import DeckError
from flashdl.core.glossary import Glossary
from flashdl.files import resolved

GLOSSARY_FILE = Path(__file__).with_name("glossary.yaml")
GLOSSARY_VERSION = 1  # the file's `version`
CACHE_FORMAT = 5  # 5: JSON groups and their index (3 and earlier were pickles, never read)


def parse_glossary(text: str, source: str = "glossary.yaml") -> Glossary:
    """``version: 1`` and ``groups``: a list of groups, each a list of two or more phrases."""
    import yaml

    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise DeckError([f"{source}: YAML syntax: {exc}"]) from None
    if not isinstance(data, dict) or data.get("version") != GLOSSARY_VERSION:
        raise DeckError([f"{source}: a glossary is a mapping with version: 1 and groups"])
    groups = data.get("groups")
    if not isinstance(groups, list) or not groups:
        raise DeckError([f"{source}: 'groups' must be a non-empty list"])
    problems = []
    parsed = []
    for number, group in enumerate(groups, 1):
        if (
            not isinstance(group, list)
            or len(group) < 2
            or not all(isinstance(e, str | int | float) and str(e).strip() for e in group)
        ):
            problems.append(f"{source}: group #{number} must be a list of two or more phrases")
            continue
        parsed.append(tuple(str(e).strip() for e in group))
    if problems:
        raise DeckError(problems)
    return Glossary(tuple(parsed))


def _cache_path(cache_dir: Path, path: Path) -> tuple[Path, str]:
    from flashdl.core import matching

    stat = path.stat()
    code = Path(matching.__file__).stat()  # the matching forms change with the stemmer
    stamp = (
        f"{CACHE_FORMAT}:{__version__}:{resolved(path)}:{stat.st_size}:{stat.st_mtime_ns}"
        f":{code.st_size}:{code.st_mtime_ns}"
    )
    return cache_dir / "glossary.json", stamp


def _cached(saved: object, stamp: str) -> Glossary | None:
    """The glossary a cache entry holds, or None when it is stale, damaged or foreign."""
    if not isinstance(saved, dict) or saved.get("stamp") != stamp:
        return None
    groups, merged, keys = saved.get("groups"), saved.get("merged"), saved.get("keys")
    if not (
        isinstance(groups, list)
        and all(isinstance(g, list) and all(type(e) is str for e in g) for g in groups)
        and isinstance(merged, list)
        and all(isinstance(g, list) and all(type(e) is str for e in g) for g in merged)
        and isinstance(keys, dict)
        and all(type(n) is int and 0 <= n < len(merged) for n in keys.values())
    ):
        return None
    return Glossary(tuple(tuple(g) for g in groups), index=(tuple(tuple(g) for g in merged), keys))


def load_glossary(cache_dir: Path | None = None, path: Path = GLOSSARY_FILE) -> Glossary:
    """The glossary, from the cache when the file has not changed since it was cached."""
    try:
        if cache_dir is None:
            return parse_glossary(path.read_text(encoding="utf-8"), str(path))
        cached, stamp = _cache_path(cache_dir, path)
    except OSError as exc:
        raise DeckError([f"{path}: cannot read the glossary ({exc.strerror})"]) from None
    with contextlib.suppress(OSError, ValueError, RecursionError):  # damaged or foreign: a miss
        found = _cached(json.loads(cached.read_bytes()), stamp)
        if found is not None:
            return found
    glossary = parse_glossary(path.read_text(encoding="utf-8"), str(path))
    with contextlib.suppress(OSError):
        import tempfile  # only on a miss: it costs a few milliseconds to import

        cache_dir.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".glossary-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                merged, keys = glossary.index()
                data = {
                    "stamp": stamp,
                    "groups": [list(group) for group in glossary.groups],
                    "merged": [list(group) for group in merged],
                    "keys": keys,
                }
                out.write(json.dumps(data, ensure_ascii=False).encode("utf-8"))
            os.replace(temporary, cached)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return glossary
