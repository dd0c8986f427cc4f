"""Deck files: parsing and validation of the YAML format, and loading the deck collection.

``parse_deck`` is pure (text in, ``Deck`` out) and reports every problem in a file at once as
``path:LINE: message``. Only ``yaml.safe_load`` semantics are accepted: no Python tags, and no
anchors or aliases at all, which also rules out alias ("billion laughs") bombs.
"""

from __future__ import annotations

import contextlib
import gc
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from flashdl.core.errors import DeckError, UsageError, one_line
from flashdl.core.model import (
    EVERY_GROUP,
    Card,
    CardOverride,
    Deck,
    KeyPoint,
    LazyCards,
    Overrides,
    Pitfall,
    Term,
    Text,
    card_ids,
    card_lines,
    related_positions,
)
from flashdl.decks import plain_yaml
from flashdl.decks.plain_yaml import UNSURE as _UNSURE  # the fast paths' "ask the precise path"
from flashdl.files import resolved

if TYPE_CHECKING:
    import yaml

__all__ = [
    "Card",
    "Deck",
    "DeckError",
    "KeyPoint",
    "Pitfall",
    "Term",
    "Text",
    "load_collection",
    "load_deck",
    "load_file",
    "parse_deck",
    "parse_overrides",
]

LANGS = ("zh", "en")
MIN_KEY_POINTS, MAX_KEY_POINTS = 3, 6
MAX_PITFALLS = 3
FORMATS = ("1", "2")  # the deck format versions this flashdl reads
WEIGHTS = ("1", "2", "3")
MAX_NESTING = 32  # a deck needs 8 levels (deck, cards, card, key_points, point, terms, all, part)
MAX_DECK_BYTES = 64 * 1024 * 1024
MAX_FORMULA_NESTING = 20  # far beyond any real formula; deeper ones would exhaust the renderer
# ``\Z``, not ``$``: ``$`` also matches before a final newline, and "abc\n" is no id.
ID_TEXT = r"[a-z0-9][a-z0-9_-]{0,99}"  # a card id (also read in bulk: pieces.cut_and_outline)
ID_PATTERN = re.compile(rf"^{ID_TEXT}\Z")
DECK_NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}\Z")
TAG_TEXT = r"[\w][\w.-]{0,49}"
TAG_PATTERN = re.compile(rf"^{TAG_TEXT}\Z")

DECK_KEYS = ("deck", "format", "group", "title", "cards")
REQUIRED_DECK_KEYS = ("deck", "title", "cards")
CARD_KEYS = (
    "id",
    "question",
    "corrected_question",
    "answer",
    "key_points",
    "pitfalls",
    "source",
    "current_source",
    "tags",
    "related",
)
TEXT_KEYS = LANGS
KEY_POINT_KEYS = ("zh", "en", "weight", "terms")
PITFALL_KEYS = ("zh", "en", "terms")
GROUP_KEYS = ("all",)
# The allowed keys as sets, for the common case's one subset test (``_unknown_keys``).
_KEY_SETS = {
    keys: frozenset(keys)
    for keys in (DECK_KEYS, CARD_KEYS, TEXT_KEYS, KEY_POINT_KEYS, PITFALL_KEYS, GROUP_KEYS)
}
_KEY_POINT_KEY_SET = _KEY_SETS[KEY_POINT_KEYS]

_YAML = "tag:yaml.org,2002:"
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_STR, _NULL, _SEQ, _MAP = _YAML + "str", _YAML + "null", _YAML + "seq", _YAML + "map"
_PLAIN_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "timestamp")}


# ---------------------------------------------------------------------------------------------
# YAML nodes -> plain data that remembers line numbers


class _Map(dict):
    __slots__ = ("key_lines", "line")  # no __dict__: a large deck has a million of these
    line: int
    key_lines: dict[str, int]


class _List(list):
    __slots__ = ("item_lines", "line")
    line: int
    item_lines: list[int]


# Messages quote the deck's own text (keys, ids, values); deck text is untrusted, and a message
# must be one line that cannot move, colour or retitle the terminal it is printed to.
MAX_MESSAGE = 300


def _one_safe_line(message: str) -> str:
    """Control characters shown as escapes (``\\x1b``); very long quotes cut."""
    return one_line(message, MAX_MESSAGE)


class _Problems:
    def __init__(self, source: str):
        self.source = source
        self.items: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self.items.append((line, _one_safe_line(message)))

    def formatted(self) -> list[str]:
        """One line per problem, by line number; a problem repeated on one line is listed once."""
        ordered = dict.fromkeys(sorted(self.items, key=lambda p: p[0]))
        return [f"{self.source}:{line}: {msg}" for line, msg in ordered]


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: yaml.Node, problems: _Problems) -> str | None:
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _NULL:
        return None
    if tag in _PLAIN_TAGS:
        return node.value
    problems.add(_line(node), f"YAML tag {tag!r} is not allowed (plain values only)")
    return None


def _to_data(
    node: yaml.Node,
    problems: _Problems,
    seen: set[int],
    kinds: tuple[type, type],
    depth: int = 0,
) -> object:
    """Convert a composed node, rejecting aliases of lists and mappings (the stuff of "billion
    laughs" bombs), foreign tags, duplicate keys and nesting deeper than any deck needs (which
    would otherwise exhaust Python's recursion limit).

    Scalars, the bulk of a deck, are converted inline rather than by recursion: this loop is
    most of the time of loading a large deck."""
    scalar, sequence = kinds
    if type(node) is scalar:
        return _scalar(node, problems)
    if depth > MAX_NESTING:
        problems.add(_line(node), f"nesting deeper than {MAX_NESTING} levels is not allowed")
        return None
    if id(node) in seen:
        problems.add(_line(node), "YAML aliases (*name) are not supported in deck files")
        return None
    seen.add(id(node))
    tag = node.tag
    line = node.start_mark.line + 1
    if isinstance(node, sequence):
        if tag != _SEQ:
            problems.add(line, f"YAML tag {tag!r} is not allowed (plain lists only)")
        out = _List()
        lines = []
        for item in node.value:
            if type(item) is scalar:
                out.append(item.value if item.tag == _STR else _scalar(item, problems))
            else:
                out.append(_to_data(item, problems, seen, kinds, depth + 1))
            lines.append(item.start_mark.line + 1)
        out.line, out.item_lines = line, lines
        return out
    if tag != _MAP:
        problems.add(line, f"YAML tag {tag!r} is not allowed (plain mappings only)")
    mapping = _Map()
    key_lines: dict[str, int] = {}
    mapping.line, mapping.key_lines = line, key_lines
    for key_node, value_node in node.value:
        if type(key_node) is scalar:
            key = key_node.value if key_node.tag == _STR else _scalar(key_node, problems)
        else:
            key = _to_data(key_node, problems, seen, kinds, depth + 1)
        if not isinstance(key, str):
            problems.add(_line(key_node), "keys must be plain words")
            continue
        if key in mapping:
            problems.add(_line(key_node), f"duplicate key '{key}'")
            continue
        if type(value_node) is scalar:
            value = value_node.value if value_node.tag == _STR else _scalar(value_node, problems)
        else:
            value = _to_data(value_node, problems, seen, kinds, depth + 1)
        mapping[key] = value
        key_lines[key] = value_node.start_mark.line + 1
    return mapping


def _fast_data(text: str, card: Callable[[_Map, int, str], object] | None = None) -> object:
    """The deck's plain data straight from libyaml's event stream, or ``_UNSURE``.

    The common case (valid YAML of plain mappings, lists and untagged scalars) is built without
    composing a node tree: no Python node or resolver call per value, and memory for the data
    alone. It gives exactly what ``_to_data`` gives for the same file (the same parser, the same
    values and start lines). Anything else (a syntax error, an anchor, alias or tag, a merge
    key, a duplicate or non-text key, deep nesting, more than one document) is ``_UNSURE``, and
    the precise path (``_compose`` + ``_to_data``) then finds and words the problem.

    ``card(item, line, deck_name)`` turns each card's mapping into a ``Card`` as soon as it has
    been read (when the deck's name came first, as it does in every deck flashdl writes), so the
    plain data of only one card is alive at a time; it returns ``_UNSURE`` for a card with
    problems, which ends the fast path there."""
    import yaml

    try:
        from yaml.cyaml import CParser
    except ImportError:  # pragma: no cover - depends on the platform's PyYAML build
        return _UNSURE
    from yaml.events import (
        DocumentEndEvent,
        DocumentStartEvent,
        MappingEndEvent,
        MappingStartEvent,
        ScalarEvent,
        SequenceEndEvent,
        SequenceStartEvent,
        StreamEndEvent,
        StreamStartEvent,
    )

    nulls = _NULLS
    unsure = _UNSURE
    no_key = unsure  # the current mapping is waiting for a key
    parser = CParser(text)
    get = parser.get_event
    try:
        if type(get()) is not StreamStartEvent or type(get()) is not DocumentStartEvent:
            return unsure
        root: object = unsure
        cards: object = unsure  # the list under the deck's 'cards' key
        # The open collections; for the innermost: itself, whether a mapping, its pending key.
        stack: list[list] = []
        top: list | None = None
        while True:
            event = get()
            kind = type(event)
            if kind is ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    return unsure
                value = event.value
                if event.implicit[0]:
                    if value in nulls:
                        value = None
                    elif value == "<<":
                        return unsure
                line = event.start_mark.line + 1
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if event.anchor is not None or event.tag is not None or len(stack) > MAX_NESTING:
                    return unsure
                line = event.start_mark.line + 1
                if kind is MappingStartEvent:
                    value = _Map()
                    value.key_lines = {}
                else:
                    value = _List()
                    value.item_lines = []
                value.line = line
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                done = stack.pop()[0]
                top = stack[-1] if stack else None
                if card is not None and len(stack) == 2 and top[0] is cards and not top[1]:
                    name = root.get("deck")
                    if type(name) is str:
                        built = card(done, top[0].item_lines[-1], name.strip())
                        if built is unsure:
                            return unsure
                        top[0][-1] = built
                continue
            elif kind is DocumentEndEvent:
                break
            else:  # an alias
                return unsure
            if top is None:
                root = value
            elif top[1]:  # a mapping
                key = top[2]
                if key is no_key:
                    if type(value) is not str or value in top[0]:
                        return unsure
                    top[2] = value
                    continue
                top[0][key] = value
                top[0].key_lines[key] = line
                top[2] = no_key
                if key == "cards" and len(stack) == 1:
                    cards = value
            else:
                top[0].append(value)
                top[0].item_lines.append(line)
            if kind is not ScalarEvent:
                top = [value, kind is MappingStartEvent, no_key]
                stack.append(top)
        if type(get()) is not StreamEndEvent:
            return unsure
    except yaml.YAMLError:
        return unsure
    return root


def _decode(data: bytes | str, problems: _Problems) -> str | None:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(line, f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
        return None


def _loader() -> type:
    """A safe YAML loader whose resolver only tells text from null.

    flashdl reads every scalar as text, so the regex-based implicit typing of the stock
    SafeLoader (ints, floats, booleans, timestamps) is wasted work: a third of the compose time
    of a large deck. Explicit tags still reach the validator untouched, and are refused there."""
    import yaml
    from yaml.resolver import BaseResolver

    scalar, sequence, nulls, merge = yaml.ScalarNode, yaml.SequenceNode, _NULLS, _YAML + "merge"

    class PlainResolver(BaseResolver):
        """Called for every node of a deck, so kept to a few comparisons."""

        def resolve(self, kind: type, value: object, implicit: tuple[bool, bool]) -> str:
            if kind is scalar:
                if implicit[0]:
                    if value in nulls:
                        return _NULL
                    if value == "<<":
                        return merge
                return _STR
            return _SEQ if kind is sequence else _MAP

        # No path-dependent resolvers are registered; skip the bookkeeping for each node.
        def descend_resolver(self, current_node: object, current_index: object) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None

    try:
        from yaml.cyaml import CParser  # libyaml, where it is built
    except ImportError:  # pragma: no cover - depends on the platform's PyYAML build
        CParser = None
    if CParser is not None:

        class PlainLoader(CParser, yaml.constructor.BaseConstructor, PlainResolver):
            def __init__(self, stream: str):
                CParser.__init__(self, stream)
                yaml.constructor.BaseConstructor.__init__(self)
                PlainResolver.__init__(self)

        return PlainLoader

    class PurePlainLoader(  # pragma: no cover - depends on the platform's PyYAML build
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        yaml.composer.Composer,
        yaml.constructor.BaseConstructor,
        PlainResolver,
    ):
        def __init__(self, stream: str):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.BaseConstructor.__init__(self)
            PlainResolver.__init__(self)

    return PurePlainLoader


def _anchors(text: str, problems: _Problems) -> None:
    """Report every anchor. A node tree does not keep them, so libyaml's events are read, for a
    file with an ``&`` in it; this is the precise path only (a deck with problems, or one the
    fast path declined, which it does for any anchor).

    Anchors name nodes across the whole file; refusing them (aliases are refused anyway) keeps
    each card's meaning its own, as the parsed-deck cache relies on after an edit."""
    if "&" not in text:
        return
    import yaml

    try:
        for event in yaml.parse(text, Loader=_loader()):
            if type(event) is not yaml.AliasEvent and getattr(event, "anchor", None) is not None:
                problems.add(
                    event.start_mark.line + 1,
                    f"YAML anchors (&{event.anchor}) are not supported in deck files",
                )
    except yaml.YAMLError:
        pass  # the composer reported it


def _compose(text: str, problems: _Problems) -> yaml.Node | None:
    import yaml  # imported here: a start-up that hits the deck cache never needs it

    loader = _loader()
    try:
        return yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or exc.context or "invalid YAML"
        problems.add(line, f"YAML syntax: {what}")
    except yaml.reader.ReaderError as exc:
        if isinstance(exc.character, str):  # PyYAML's own reader: an index in the text
            line = text[: exc.position].count("\n") + 1
            char = exc.character
        else:  # libyaml: the character's code, at a byte offset in the text's UTF-8
            line = text.encode("utf-8")[: exc.position].count(b"\n") + 1
            char = chr(exc.character)
        problems.add(
            line,
            f"character {char!r} (U+{ord(char):04X}) is not allowed in YAML; "
            'inside "double quotes" write it as an escape such as \\e or \\x07',
        )
    except yaml.YAMLError as exc:
        problems.add(1, f"YAML: {exc}")
    return None


# ---------------------------------------------------------------------------------------------
# Validation


def _unknown_keys(mapping: _Map, allowed: Sequence[str], where: str, problems: _Problems) -> None:
    known = _KEY_SETS.get(allowed)
    if known is not None and mapping.keys() <= known:  # the common case: one C-level test
        return
    for key in mapping:
        if key not in allowed:
            import difflib

            hint = difflib.get_close_matches(key, allowed, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            allowed_list = ", ".join(allowed)
            problems.add(
                mapping.key_lines[key],
                f"unknown key '{key}' in {where}{suggestion}; allowed: {allowed_list}",
            )


def _string(value: object, line: int, what: str, problems: _Problems) -> str:
    if value is None:
        problems.add(line, f"{what} is empty")
        return ""
    if not isinstance(value, str):
        problems.add(line, f"{what} must be text, not a {_kind(value)}")
        return ""
    if not value.strip():
        problems.add(line, f"{what} is empty")
        return ""
    return value


def _kind(value: object) -> str:
    return "mapping" if isinstance(value, dict) else "list" if isinstance(value, list) else "value"


def _text(value: object, line: int, what: str, problems: _Problems) -> Text:
    if not isinstance(value, _Map):
        if value is None:
            problems.add(line, f"{what} is empty")
        else:
            problems.add(line, f"{what} must be a mapping with 'zh' and/or 'en'")
        return Text()
    _unknown_keys(value, TEXT_KEYS, what, problems)
    return _languages(value, what, problems)


def _brace_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif char == "}":
            depth = max(0, depth - 1)
    return deepest


def _plain_languages(mapping: _Map) -> Text | None:
    """The zh/en texts of ``mapping`` when none of ``_languages``' problems can apply (the
    common case, checked without building a label), else None."""
    zh, en = mapping.get("zh", ""), mapping.get("en", "")
    if type(zh) is not str or type(en) is not str:
        return None
    zh_text, en_text = zh.strip(), en.strip()
    if (
        (zh_text or en_text)
        and (zh_text or "zh" not in mapping)
        and (en_text or "en" not in mapping)
        and zh.count("{") <= MAX_FORMULA_NESTING
        and en.count("{") <= MAX_FORMULA_NESTING
    ):
        return Text(zh_text, en_text)
    return None


def _languages(mapping: _Map, what: str, problems: _Problems) -> Text:
    """The zh/en texts of ``mapping``; at least one must be there."""
    plain = _plain_languages(mapping)
    if plain is not None:
        return plain
    texts = {}
    for lang in LANGS:
        if lang in mapping:
            value = mapping[lang]
            if type(value) is str and value.strip():  # the common case, without building labels
                texts[lang] = value
            else:
                texts[lang] = _string(value, mapping.key_lines[lang], f"{what}.{lang}", problems)
            if texts[lang].count("{") > MAX_FORMULA_NESTING:  # rare: only then measure
                depth = _brace_depth(texts[lang])
                if depth > MAX_FORMULA_NESTING:
                    problems.add(
                        mapping.key_lines[lang],
                        f"{what}.{lang} nests braces {depth} deep; formulas may nest at most "
                        f"{MAX_FORMULA_NESTING}",
                    )
    if not texts:
        problems.add(mapping.line, f"{what} needs 'zh' or 'en' (or both)")
    return Text(zh=texts.get("zh", "").strip(), en=texts.get("en", "").strip())


def _plain_item(item: object, pattern: re.Pattern[str] | None) -> bool:
    """Whether ``_string_list`` keeps ``item`` stripped, with no problem (the common case; the
    pattern is matched on the text as written, as ``_string_list`` matches it)."""
    return (
        type(item) is str and bool(item.strip()) and (pattern is None or bool(pattern.match(item)))
    )


def _string_list(
    value: object, line: int, what: str, pattern: re.Pattern[str] | None, problems: _Problems
) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, _List):
        problems.add(line, f"{what} must be a list")
        return ()
    items = []
    for item, item_line in zip(value, value.item_lines, strict=True):
        if _plain_item(item, pattern):
            items.append(item.strip())
            continue
        text = _string(item, item_line, f"{what} item", problems)
        if text and pattern is not None and not pattern.match(text):
            problems.add(item_line, f"{what} item '{text}' has characters that are not allowed")
        elif text:
            items.append(text.strip())
    return tuple(items)


def _plain_terms(value: object) -> tuple[Term, ...] | None:
    """``_terms`` of a non-empty list of phrases (the common case, no label built), else None."""
    if type(value) is not _List or not value:
        return None
    terms = []
    for item in value:
        if type(item) is not str:
            return None
        phrase = item.strip()
        if not phrase:
            return None
        terms.append(Term((phrase,)))
    return tuple(terms)


def _plain_key_point(item: object) -> KeyPoint | None:
    """``_key_points``' key point from ``item`` when none of its problems can apply (the
    common case: texts, phrases and maybe a weight), else None: the full check then words them."""
    if type(item) is not _Map or not item.keys() <= _KEY_POINT_KEY_SET:
        return None
    terms = _plain_terms(item.get("terms"))
    text = _plain_languages(item) if terms is not None else None
    raw = item.get("weight", "1")
    if text is None or type(raw) is not str or raw.strip() not in WEIGHTS:
        return None
    return KeyPoint(text, terms, int(raw), item.line)


def _terms(value: object, line: int, what: str, problems: _Problems) -> tuple[Term, ...]:
    """A list of alternatives: each a phrase, or ``{all: [phrase, phrase, ...]}``."""
    if value is None or (isinstance(value, _List) and not value):
        problems.add(line, f"{what} is empty")
        return ()
    if not isinstance(value, _List):
        problems.add(line, f"{what} must be a list")
        return ()
    terms = []
    for number, (item, item_line) in enumerate(zip(value, value.item_lines, strict=True), 1):
        if type(item) is str and item.strip():  # the common case: one phrase
            terms.append(Term((item.strip(),)))
            continue
        if not isinstance(item, _Map):
            text = _string(item, item_line, f"{what} item", problems)
            if text:
                terms.append(Term((text.strip(),)))
            continue
        where = f"{what} #{number}"
        _unknown_keys(item, GROUP_KEYS, where, problems)
        if "all" not in item:
            problems.add(item.line, f"{where} must be a phrase or {{all: [phrase, phrase, ...]}}")
            continue
        parts = _string_list(item["all"], item.key_lines["all"], f"{where} all", None, problems)
        if not parts and not isinstance(item["all"], str):
            problems.add(item.key_lines["all"], f"{where} all: is empty")
            continue
        if parts:
            terms.append(Term(parts))  # a group of one phrase is that phrase
    return tuple(terms)


def _key_points(
    value: object, line: int, card_id: str, problems: _Problems
) -> tuple[KeyPoint, ...]:
    what = f"card '{card_id}' key_points"
    if not isinstance(value, _List):
        problems.add(line, f"{what} must be a list" if value is not None else f"{what} is empty")
        return ()
    if not MIN_KEY_POINTS <= len(value) <= MAX_KEY_POINTS:
        problems.add(
            value.line, f"{what} has {len(value)} items; give {MIN_KEY_POINTS} to {MAX_KEY_POINTS}"
        )
    points = []
    for index, (item, item_line) in enumerate(zip(value, value.item_lines, strict=True), 1):
        plain = _plain_key_point(item)
        if plain is not None:
            points.append(plain)
            continue
        where = f"{what} #{index}"
        if not isinstance(item, _Map):
            problems.add(item_line, f"{where} must be a mapping with zh/en and terms")
            continue
        _unknown_keys(item, KEY_POINT_KEYS, where, problems)
        text = _languages(item, where, problems)
        terms: tuple[Term, ...] = ()
        if "terms" not in item:
            problems.add(item.line, f"{where} is missing 'terms'")
        else:
            terms = _terms(item["terms"], item.key_lines["terms"], f"{where} terms", problems)
        weight = 1
        if "weight" in item:
            raw = item["weight"]
            if isinstance(raw, str) and raw.strip() in WEIGHTS:
                weight = int(raw)
            else:
                shown = raw if isinstance(raw, str) else _kind(raw)
                problems.add(
                    item.key_lines["weight"], f"{where} weight is '{shown}'; give 1, 2 or 3"
                )
        points.append(KeyPoint(text=text, terms=terms, weight=weight, line=item.line))
    return tuple(points)


def _pitfalls(value: object, line: int, card_id: str, problems: _Problems) -> tuple[Pitfall, ...]:
    what = f"card '{card_id}' pitfalls"
    if value is None:
        return ()
    if not isinstance(value, _List):
        problems.add(line, f"{what} must be a list")
        return ()
    if len(value) > MAX_PITFALLS:
        problems.add(value.line, f"{what} has {len(value)} items; give at most {MAX_PITFALLS}")
    pitfalls = []
    for index, (item, item_line) in enumerate(zip(value, value.item_lines, strict=True), 1):
        where = f"{what} #{index}"
        if not isinstance(item, _Map):
            problems.add(
                item_line, f"{where} must be a mapping with zh/en (the correction) and terms"
            )
            continue
        _unknown_keys(item, PITFALL_KEYS, where, problems)
        text = _languages(item, where, problems)
        terms: tuple[Term, ...] = ()
        if "terms" not in item:
            problems.add(item.line, f"{where} is missing 'terms'")
        else:
            terms = _terms(item["terms"], item.key_lines["terms"], f"{where} terms", problems)
        pitfalls.append(Pitfall(text=text, terms=terms, line=item.line))
    return tuple(pitfalls)


def _url(value: object, line: int, what: str, problems: _Problems) -> str:
    text = _string(value, line, what, problems).strip()
    if not text:
        return ""
    from flashdl.core.urls import url_problem

    problem = url_problem(text)
    if problem:
        shown = text[:80].encode("unicode_escape").decode("ascii")
        problems.add(line, f"{what} '{shown}' {problem}")
        return ""
    return text


def _card(item: object, line: int, deck: str, source: str, problems: _Problems) -> Card | None:
    if not isinstance(item, _Map):
        problems.add(line, "each card must be a mapping (id, question, answer, key_points, ...)")
        return None
    _unknown_keys(item, CARD_KEYS, "card", problems)
    for required in ("id", "question", "answer", "key_points"):
        if required not in item:
            label = f"card '{item.get('id')}'" if isinstance(item.get("id"), str) else "card"
            problems.add(item.line, f"{label} is missing '{required}'")
    card_id = ""
    if "id" in item:
        card_id = _string(item["id"], item.key_lines["id"], "card id", problems).strip()
        if card_id and not ID_PATTERN.match(card_id):
            problems.add(
                item.key_lines["id"],
                f"card id '{card_id[:80]}' must be lowercase letters, digits, '-' or '_' (max 100)",
            )
            card_id = ""
    label = f"card '{card_id}'" if card_id else "card"
    lines = item.key_lines
    question = (
        _text(item.get("question"), lines.get("question", item.line), f"{label} question", problems)
        if "question" in item
        else Text()
    )
    answer = (
        _text(item.get("answer"), lines.get("answer", item.line), f"{label} answer", problems)
        if "answer" in item
        else Text()
    )
    points = (
        _key_points(item["key_points"], lines["key_points"], card_id or "?", problems)
        if "key_points" in item
        else ()
    )
    pitfalls = (
        _pitfalls(item["pitfalls"], lines["pitfalls"], card_id or "?", problems)
        if "pitfalls" in item
        else ()
    )
    src = (
        _url(item["source"], lines["source"], f"{label} source", problems)
        if "source" in item
        else ""
    )
    current_src = (
        _url(item["current_source"], lines["current_source"], f"{label} current_source", problems)
        if "current_source" in item
        else ""
    )
    original_question = None
    if "corrected_question" in item:
        # The deck keeps the question as first written (the seed's wording, typo included) and
        # shows the corrected one; each language falls back to the original.
        fixed = _text(
            item["corrected_question"],
            lines["corrected_question"],
            f"{label} corrected_question",
            problems,
        )
        original_question = question
        question = Text(zh=fixed.zh or question.zh, en=fixed.en or question.en)
    tags = _string_list(
        item.get("tags"), lines.get("tags", item.line), f"{label} tags", TAG_PATTERN, problems
    )
    related = _string_list(
        item.get("related"),
        lines.get("related", item.line),
        f"{label} related",
        ID_PATTERN,
        problems,
    )
    return Card(
        id=card_id,
        deck=deck,
        question=question,
        answer=answer,
        key_points=points,
        source=src,
        tags=tags,
        related=related,
        line=item.line,
        current_source=current_src,
        original_question=original_question,
        pitfalls=pitfalls,
    )


def parse_deck(data: bytes | str, source: str = "<deck>", expected_name: str | None = None) -> Deck:
    """Parse and validate one deck file's content; raise ``DeckError`` listing every problem.
    The garbage collector is paused meanwhile (``gc_paused``: more than half of the time of a
    5 MB deck went to it)."""
    with gc_paused():
        return _parse_deck(data, source, expected_name)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off meanwhile: building a large deck's cards creates
    hundreds of thousands of small objects, none of them cyclic garbage, and each collection
    would rescan all of them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _parse_deck(data: bytes | str, source: str, expected_name: str | None) -> Deck:
    problems = _Problems(source)
    text = _decode(data, problems)
    if text is not None:
        found = _Problems(source)

        def card(item: _Map, line: int, deck: str) -> object:
            built = _card(item, line, deck, source, found)
            return _UNSURE if found.items else built

        root = plain_yaml.read(text, _Map, _List, _NULLS, MAX_NESTING, card)
        if root is _UNSURE:
            root = _fast_data(text, card)
        if isinstance(root, _Map):
            try:
                return _deck(root, 1, found, source, expected_name)
            except DeckError:
                pass  # the precise path below reports it, exactly as it always has
        del root
    node = _compose(text, problems) if text is not None else None
    if node is None:
        if not problems.items:
            problems.add(1, "the deck file is empty")
        raise DeckError(problems.formatted())
    _anchors(text, problems)
    from yaml import ScalarNode, SequenceNode

    root = _to_data(node, problems, set(), (ScalarNode, SequenceNode))
    root_line = _line(node)
    del node  # the node tree is most of the memory; the plain data keeps every line needed
    return _deck(root, root_line, problems, source, expected_name)


def _deck(
    root: object, root_line: int, problems: _Problems, source: str, expected_name: str | None
) -> Deck:
    """Validate a deck file's plain data; raise ``DeckError`` listing every problem."""
    if not isinstance(root, _Map):
        problems.add(root_line, "a deck file must be a mapping with 'deck', 'title' and 'cards'")
        raise DeckError(problems.formatted())
    _unknown_keys(root, DECK_KEYS, "deck file", problems)
    for required in REQUIRED_DECK_KEYS:
        if required not in root:
            problems.add(root.line, f"missing '{required}'")
    name = ""
    if "deck" in root:
        name = _string(root["deck"], root.key_lines["deck"], "deck name", problems).strip()
        if name and not DECK_NAME_PATTERN.match(name):
            problems.add(
                root.key_lines["deck"],
                f"deck name '{name[:60]}' must be lowercase letters, digits, '-' or '_'",
            )
        elif name and expected_name is not None and name != expected_name:
            problems.add(
                root.key_lines["deck"],
                f"deck name '{name}' does not match the file name '{expected_name}.yaml'",
            )
    version = 1
    if "format" in root:
        raw = root["format"]
        if isinstance(raw, str) and raw.strip() in FORMATS:
            version = int(raw)
        else:
            shown = raw if isinstance(raw, str) else _kind(raw)
            problems.add(
                root.key_lines["format"],
                f"deck format '{shown}' is not one this flashdl reads ({', '.join(FORMATS)});"
                " upgrade flashdl or write format: 2",
            )
    group = ""
    if "group" in root:
        group = _string(root["group"], root.key_lines["group"], "group", problems).strip()
        if not DECK_NAME_PATTERN.match(group) or group == EVERY_GROUP:
            problems.add(
                root.key_lines["group"],
                f"group '{group[:60]}' must be lowercase letters, digits, '-' or '_' (and not "
                f"'{EVERY_GROUP}', which selects every deck)",
            )
    title = (
        _text(root["title"], root.key_lines["title"], "title", problems)
        if "title" in root
        else Text()
    )
    cards: list[Card] = []
    if "cards" in root:
        raw_cards = root["cards"]
        if not isinstance(raw_cards, _List) or not raw_cards:
            problems.add(root.key_lines["cards"], "'cards' must be a non-empty list")
        else:
            first_line: dict[str, int] = {}
            for item, line in zip(raw_cards, raw_cards.item_lines, strict=True):
                card = item if type(item) is Card else _card(item, line, name, source, problems)
                if card is None or not card.id:
                    continue
                if card.id in first_line:
                    problems.add(
                        line, f"duplicate card id '{card.id}' (first at line {first_line[card.id]})"
                    )
                    continue
                first_line[card.id] = line
                cards.append(card)
    if problems.items:
        raise DeckError(problems.formatted())
    return Deck(
        name=name, title=title, cards=tuple(cards), path=source, format=version, group=group
    )


# ---------------------------------------------------------------------------------------------
# Overrides: a user's corrections of existing cards, by id

OVERRIDES_KEYS = ("format", "overrides")
_OVERRIDES_ROOT = re.compile(rb"^(?:\xef\xbb\xbf)?overrides[ \t]*:", re.MULTILINE)
_PARTIAL_KEYS = ("question", "answer", "key_points")  # required in a card, optional here


def is_overrides_file(data: bytes | str) -> bool:
    """Whether a file declares a top-level ``overrides:`` list (no deck file does): a cheap test
    on the raw text, so that a deck is never parsed twice."""
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    if b"overrides" not in raw:  # a plain search of 16 MB takes 5 ms, the pattern's 120 ms
        return False
    return _OVERRIDES_ROOT.search(raw) is not None


def parse_overrides(data: bytes | str, source: str = "<overrides>") -> Overrides:
    """Parse and validate a file of ``overrides:``; raise ``DeckError`` listing every problem.

    Each entry names a card by ``id`` and gives the fields to change, each checked by the rules
    of a deck's cards (a partial card); ``question`` and ``answer`` may give one language only."""
    problems = _Problems(source)
    text = _decode(data, problems)
    node = _compose(text, problems) if text is not None else None
    if node is None:
        if not problems.items:
            problems.add(1, "the file is empty")
        raise DeckError(problems.formatted())
    from yaml import ScalarNode, SequenceNode

    root = _to_data(node, problems, set(), (ScalarNode, SequenceNode))
    if not isinstance(root, _Map) or "overrides" not in root:
        problems.add(_line(node), "a file of overrides must be a mapping with an 'overrides' list")
        raise DeckError(problems.formatted())
    for key in root:
        if key in ("deck", "title", "cards"):
            problems.add(
                root.key_lines[key],
                f"'{key}' cannot be in a file of overrides (it holds only 'overrides' and "
                "'format'); put new cards in a deck file of their own",
            )
        elif key not in OVERRIDES_KEYS:
            problems.add(
                root.key_lines[key],
                f"unknown key '{key}' in a file of overrides; allowed: overrides, format",
            )
    if "format" in root:
        raw_format = root["format"]
        if not (isinstance(raw_format, str) and raw_format.strip() in FORMATS):
            shown = raw_format if isinstance(raw_format, str) else _kind(raw_format)
            problems.add(
                root.key_lines["format"],
                f"deck format '{shown}' is not one this flashdl reads ({', '.join(FORMATS)})",
            )
    entries: list[CardOverride] = []
    raw = root["overrides"]
    if not isinstance(raw, _List) or not raw:
        problems.add(
            root.key_lines["overrides"],
            "'overrides' must be a non-empty list, each item the 'id' of a card and the fields "
            "to change",
        )
    else:
        first_line: dict[str, int] = {}
        for item, line in zip(raw, raw.item_lines, strict=True):
            entry = _override(item, line, problems)
            if entry is None:
                continue
            card_id = entry.card.id
            if card_id in first_line:
                problems.add(
                    line,
                    f"card '{card_id}' is overridden twice (first at line {first_line[card_id]})",
                )
                continue
            first_line[card_id] = line
            entries.append(entry)
    if problems.items:
        raise DeckError(problems.formatted())
    return Overrides(path=source, entries=tuple(entries))


def _override(item: object, line: int, problems: _Problems) -> CardOverride | None:
    """One entry of ``overrides:``, checked as a card that may leave out any field but ``id``."""
    if not isinstance(item, _Map):
        problems.add(
            line, "each override must be a mapping: the card's 'id', then the fields to change"
        )
        return None
    own = _Problems(problems.source)
    card = _card(item, line, "", problems.source, own)
    raw_id = item.get("id")
    label = f"card '{raw_id}'" if isinstance(raw_id, str) else "card"
    partial = {_one_safe_line(f"{label} is missing '{key}'") for key in _PARTIAL_KEYS}
    problems.items.extend(p for p in own.items if p[1] not in partial)
    if card is None or not card.id:
        return None
    given = tuple(
        dict.fromkeys(
            "question" if key == "corrected_question" else key
            for key in CARD_KEYS
            if key in item and key != "id"
        )
    )
    if not given:
        problems.add(
            item.line,
            f"the override of card '{card.id}' changes nothing; give the fields to change "
            "(question, answer, key_points, ...)",
        )
    return CardOverride(card=card, given=given)


def apply_overrides(
    loaded: Sequence[Deck | Overrides], notes: list[str] | None = None
) -> tuple[list[Deck], list[str]]:
    """The decks once the user's corrections are in, and the problems of those that cannot be.

    A deck whose name an earlier deck already has (a bundled deck copied into the user folder to
    fix it) overrides that deck card by card: a card with the same id is replaced, a new id is
    added, the title is its own; ``notes`` gets one line saying so. Then every file of
    ``overrides:`` replaces the fields it gives of the cards it names. Ids stay, so progress is
    kept. An override of an id no deck has is a note with the closest id, not a problem."""
    notes = [] if notes is None else notes
    problems: list[str] = []
    decks: list[Deck] = []
    copies: list[tuple[int, Deck]] = []
    files: list[Overrides] = []
    by_name: dict[str, int] = {}
    for item in loaded:
        if isinstance(item, Overrides):
            files.append(item)
        elif item.name in by_name:
            copies.append((by_name[item.name], item))
        else:
            by_name[item.name] = len(decks)
            decks.append(item)
    if not copies and not any(f.entries for f in files):
        return decks, problems
    where: dict[str, tuple[int, int]] = {}
    for index, deck in enumerate(decks):
        for position, card_id in enumerate(card_ids(deck)):
            where.setdefault(card_id, (index, position))
    replaced: dict[int, dict[int, Card]] = {}
    added: dict[int, list[Card]] = {}
    titles: dict[int, Text] = {}
    groups: dict[int, str] = {}
    origin: dict[int, dict[str, str]] = {}

    def current(index: int, position: int) -> Card:
        if position in replaced.get(index, {}):
            return replaced[index][position]
        size = len(decks[index].cards)
        if position >= size:
            return added[index][position - size]
        try:
            return decks[index].cards[position]
        except DeckError as error:  # a deck read early: its cards are parsed when asked for
            raise _BrokenDeck(decks[index], error) from None

    def put(index: int, position: int, card: Card, at: str) -> None:
        size = len(decks[index].cards)
        if position < size:
            replaced.setdefault(index, {})[position] = card
        else:
            added[index][position - size] = card
        origin.setdefault(index, {})[card.id] = at

    for index, copy in copies:
        base = decks[index]
        notes.append(
            f"{copy.path}:1: note: deck '{base.name}' is already loaded from {base.path}, so this "
            "file overrides it: its cards replace those with the same id (progress is kept)"
        )
        titles[index] = copy.title
        if copy.group:
            groups[index] = copy.group
        for card in copy.cards:
            at = f"{copy.path}:{card.line}"
            if card.id not in where:
                added.setdefault(index, []).append(replace(card, deck=base.name))
                where[card.id] = (index, len(base.cards) + len(added[index]) - 1)
                origin.setdefault(index, {})[card.id] = at
            elif where[card.id][0] != index:
                other = decks[where[card.id][0]]
                problems.append(f"{at}: duplicate card id '{card.id}' (also in {other.path})")
            else:
                position = where[card.id][1]
                kept = current(index, position)
                put(index, position, replace(card, deck=base.name, line=kept.line), at)
    by_file: dict[str, str] = {}
    for file in files:
        for entry in file.entries:
            card_id, at = entry.card.id, f"{file.path}:{entry.card.line}"
            if card_id not in where:
                import difflib

                close = difflib.get_close_matches(card_id, list(where), n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                notes.append(
                    f"{at}: warning: no card has the id '{card_id}'{hint}; this override is ignored"
                )
            elif card_id in by_file:
                problems.append(
                    f"{at}: card '{card_id}' is already overridden at {by_file[card_id]}"
                )
            else:
                by_file[card_id] = at
                index, position = where[card_id]
                put(index, position, entry.apply(current(index, position)), at)
    for index in sorted({*replaced, *added, *titles}):
        deck = decks[index]
        changes, extra = replaced.get(index, {}), added.get(index, [])
        if isinstance(deck.cards, LazyCards) and not extra:
            cards: Sequence[Card] = deck.cards.replaced(changes)
        else:
            try:
                cards = (*(changes.get(i, c) for i, c in enumerate(deck.cards)), *extra)
            except DeckError as error:
                raise _BrokenDeck(deck, error) from None
        decks[index] = replace(
            deck,
            cards=cards,
            title=titles.get(index, deck.title),
            group=groups.get(index, deck.group),
            overridden=tuple(origin.get(index, {}).items()),
        )
    return decks, problems


class _BrokenDeck(DeckError):
    """A deck found to have problems while overrides were applied to it: a deck read early, whose
    cards are parsed only when first asked for (``cache._read_early``)."""

    def __init__(self, deck: Deck, error: DeckError):
        super().__init__(error.problems)
        self.deck = deck


def _overrides_applied(
    loaded: Sequence[Deck | Overrides], problems: list[str], notes: list[str] | None
) -> tuple[list[Deck], list[str]]:
    """``apply_overrides`` for the usable collection: a deck found broken meanwhile is left out
    with its problems, as ``_load_each`` leaves out a file with problems, and the overrides are
    applied again without it."""
    while True:
        said: list[str] = []
        try:
            merged, unusable = apply_overrides(loaded, said)
        except _BrokenDeck as broken:
            problems.extend(broken.problems)
            loaded = [item for item in loaded if item is not broken.deck]
            continue
        if notes is not None:
            notes.extend(said)
        return merged, unusable


# ---------------------------------------------------------------------------------------------
# Files and the collection


def display_path(path: Path) -> str:
    """The path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(resolved(path).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def read_deck_file(path: Path) -> bytes:
    """The raw bytes of a deck file; I/O problems, special files (a FIFO, a device) and oversized
    files become ``DeckError``."""
    from flashdl.files import read_regular_file

    shown = display_path(path)
    if path.is_dir():
        raise DeckError([f"{shown}: is a folder, not a deck file"])
    try:
        return read_regular_file(path, limit=MAX_DECK_BYTES, what="a deck")
    except FileNotFoundError:
        raise DeckError([f"{shown}: no such file"]) from None
    except UsageError as exc:
        message = str(exc)
        if message.startswith(f"{path} "):  # "PATH is not a regular file, ..."
            raise DeckError([shown + message[len(str(path)) :]]) from None
        # "cannot read PATH: why" -> "SHOWN: cannot read it: why"
        raise DeckError([f"{shown}: {message.replace(f' {path}:', ' it:', 1)}"]) from None


def load_deck(path: Path) -> Deck:
    """Read one deck file and parse it."""
    return parse_deck(read_deck_file(path), display_path(path), expected_name=path.stem)


def deck_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to the ``*.yaml``/``*.yml`` entries in them (sorted); keep files as given.

    An entry that is not a folder is kept even when it is no regular file (a FIFO, a link to
    nowhere or to itself), so that reading it says what is wrong instead of the deck vanishing;
    a hidden one that is no regular file (Emacs' lock link ``.#deck.yaml``) is skipped."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if _listed(p)))
        else:
            files.append(path)
    return files


def _listed(entry: Path) -> bool:
    if entry.suffix not in (".yaml", ".yml") or entry.is_dir():
        return False
    return entry.is_file() or not entry.name.startswith(".")


def check_collection(decks: Sequence[Deck]) -> list[str]:
    """Rules that span decks: unique deck names and card ids, and ``related`` ids that exist.

    Works from the ids, lines and related lists alone, so cached decks stay unloaded; and runs
    at C speed while nothing is wrong (every command checks 100k cards), finding the lines of a
    problem only once there is one."""
    problems: list[str] = []
    deck_origin: dict[str, str] = {}
    known: set[str] = set()  # the card ids of the decks so far
    for index, deck in enumerate(decks):
        if deck.name in deck_origin:
            problems.append(
                f"{deck.path}:1: deck name '{deck.name}' is also used by {deck_origin[deck.name]}"
            )
        deck_origin.setdefault(deck.name, deck.path)
        ids = card_ids(deck)
        mine = set(ids)
        if len(mine) != len(ids) or not mine.isdisjoint(known):
            problems += _duplicate_ids(decks, index)
        known |= mine
    for deck in decks:
        problems += _related_problems(deck, known)
    return problems


def _related_problems(deck: Deck, known: set[str]) -> list[str]:
    """The deck's ``related`` ids that no card in ``known`` has, and cards related to themselves."""
    problems = []
    ids = card_ids(deck)
    overridden = dict(deck.overridden)  # a card a copy or an override replaced is where that is
    for position, related in related_positions(deck):
        card_id = ids[position]
        for other in related:
            if other in known and other != card_id:
                continue
            where = overridden.get(card_id) or f"{deck.path}:{card_lines(deck)[position]}"
            if other not in known:
                problems.append(f"{where}: card '{card_id}' is related to unknown card '{other}'")
            else:
                problems.append(f"{where}: card '{card_id}' lists itself as related")
    return problems


_HARMLESS = re.compile(
    r"^.*?:\d+: card '[^']*' (?:is related to unknown card '|lists itself as related)"
)


def is_harmless(problem: str) -> bool:
    """Whether a problem of ``check_collection`` leaves its deck in use: a ``related`` link
    that leads nowhere is only not shown (``load_usable_collection``)."""
    return _HARMLESS.match(problem) is not None


def _duplicate_ids(decks: Sequence[Deck], index: int) -> list[str]:
    """The duplicate-id problems of ``decks[index]``: ids it repeats, or that an earlier deck has."""
    first: dict[str, str] = {}
    for deck in decks[:index]:
        for card_id, line in zip(card_ids(deck), card_lines(deck), strict=True):
            first.setdefault(card_id, f"{deck.path}:{line}")
    problems = []
    deck = decks[index]
    overridden = dict(deck.overridden)
    for card_id, line in zip(card_ids(deck), card_lines(deck), strict=True):
        where = overridden.get(card_id) or f"{deck.path}:{line}"
        if card_id in first:
            problems.append(f"{where}: duplicate card id '{card_id}' (also in {first[card_id]})")
        first.setdefault(card_id, where)
    return problems


def load_file(path: Path) -> Deck | Overrides:
    """Read one deck file, or a file of ``overrides:``, and parse it."""
    data = read_deck_file(path)
    if is_overrides_file(data):
        return parse_overrides(data, display_path(path))
    return parse_deck(data, display_path(path), expected_name=path.stem)


def load_collection(
    paths: Iterable[Path],
    loader: Callable[[Path], Deck | Overrides] = load_file,
    notes: list[str] | None = None,
) -> list[Deck]:
    """Load every deck under ``paths``, overrides applied; raise one ``DeckError`` with all
    problems of all files. Notes (a bundled deck copied, an override of an unknown id) go to
    ``notes``.

    ``loader`` reads one file (``load_file``, or the cached loader of ``flashdl.decks.cache``)."""
    loaded, problems = _load_each(paths, loader)
    decks, unusable = apply_overrides(loaded, notes)
    problems.extend(unusable)
    problems.extend(check_collection(decks))
    if problems:
        raise DeckError(problems)
    return decks


def load_checked(
    checked: Sequence[Path],
    others: Sequence[Path],
    loader: Callable[[Path], Deck | Overrides] = load_file,
    others_loader: Callable[[Path], Deck | Overrides] = load_file,
    notes: list[str] | None = None,
) -> list[Deck]:
    """The decks of the files ``checked``, each held to every rule of a file as ``load_file``
    holds it, and to the rules that span decks beside the decks of the files ``others`` as a
    session applies them (``load_usable_collection``): a deck with a card id that a deck kept
    before it has is left out, a ``related`` id in another kept deck is known. Raise one
    ``DeckError`` with the problems of the checked files alone (a clash names both files; a
    card a copy or an override replaced is where that is); ``notes`` gets theirs.

    A checked file among ``others`` keeps its place there; the rest come after them, as a
    ``--decks-dir`` would. A file of ``others`` with problems is left out, as a session leaves
    it out."""
    mine = {resolved(path) for path in checked}
    placed = {resolved(path) for path in others}
    order = list(others)
    for path in checked:
        if resolved(path) not in placed:
            placed.add(resolved(path))
            order.append(path)
    loaded: list[Deck | Overrides] = []
    problems: list[str] = []
    shown: set[str] = set()
    for path in order:
        if resolved(path) not in mine:
            with contextlib.suppress(DeckError):
                loaded.append(others_loader(path))
            continue
        shown.add(display_path(path))
        try:
            loaded.append(loader(path))
        except DeckError as exc:
            problems.extend(exc.problems)
    checked_decks = [d for d in loaded if isinstance(d, Deck) and d.path in shown]

    def theirs(problem: str) -> bool:  # "path:line: message", or "path: message"
        for path in shown:
            if problem.startswith(f"{path}:") or f"(also in {path}:" in problem:
                return True
        return False

    said: list[str] = []
    merged, found = _overrides_applied(loaded, [], said)
    if notes is not None:
        notes.extend(note for note in said if theirs(note))
    # The decks a session keeps, chosen as ``load_usable_collection`` chooses them.
    decks: list[Deck] = []
    known: set[str] = set()
    for deck in merged:
        ids = set(card_ids(deck))
        if ids.isdisjoint(known):
            decks.append(deck)
            known |= ids
        elif deck.path in shown or any(at.startswith(tuple(shown)) for _, at in deck.overridden):
            found += check_collection([*decks, deck])  # (its clashes; it is left out)
    found += check_collection(decks)
    problems.extend(p for p in dict.fromkeys(found) if theirs(p))
    if problems:
        raise DeckError(problems)
    return checked_decks


def _load_each(
    paths: Iterable[Path], loader: Callable[[Path], Deck | Overrides]
) -> tuple[list[Deck | Overrides], list[str]]:
    """Every file under ``paths`` that loads, and the problems of those that do not."""
    loaded: list[Deck | Overrides] = []
    problems: list[str] = []
    for path in deck_files(paths):
        try:
            loaded.append(loader(path))
        except DeckError as exc:
            problems.extend(exc.problems)
    return loaded, problems


def load_usable_collection(
    paths: Iterable[Path],
    loader: Callable[[Path], Deck | Overrides] = load_file,
    notes: list[str] | None = None,
) -> tuple[list[Deck], list[str]]:
    """Every deck under ``paths`` that can be used, overrides applied, and the problems of the
    rest.

    One broken user deck must not block study of all the others: a file with problems is left out
    whole, as is a deck with a card id already taken by a deck loaded before it (the bundled decks
    come first); a deck that reuses the name of an earlier one overrides it (see
    ``apply_overrides``); a ``related`` id that does not exist is reported but harmless (it is
    not shown). ``flashdl check`` stays strict (``load_collection``)."""
    loaded, problems = _load_each(paths, loader)
    merged, unusable = _overrides_applied(loaded, problems, notes)
    problems.extend(unusable)
    decks: list[Deck] = []
    ids: set[str] = set()
    for deck in merged:
        deck_ids = set(card_ids(deck))
        if deck_ids & ids:
            clashes = check_collection([*decks, deck])
            own = [p for p in clashes if p.startswith(f"{deck.path}:")]
            problems.extend(p for p in own if not is_harmless(p))
            continue
        decks.append(deck)
        ids |= deck_ids
    problems.extend(p for p in check_collection(decks) if p not in problems)
    return decks, problems
