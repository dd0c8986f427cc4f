"""A reader for the plain YAML that decks are written in, exact or unsure.

libyaml through PyYAML hands Python one event object (with two position marks) per value, and
building those objects is more than half of the time of reading a large deck. Deck files use a
small part of YAML: block mappings and lists, literal ``|`` blocks, one-line plain and quoted
text, one-line flow lists and mappings of plain text. ``read`` reads that part line by line
with regular expressions, and gives exactly the plain data the loader's libyaml path gives
(the same values, the same start lines); for anything outside it (a comment, a tab, a
multi-line plain scalar, an escape, an anchor or tag, a duplicate key, an unusual indent, any
character libyaml treats specially) it gives ``UNSURE``, and the loader reads the file with
libyaml as before. It never decides a file is wrong: a problem is always worded by libyaml's
path. ``tests/decks/test_fast_parse.py`` holds it to libyaml's data over the bundled decks and
generated ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable

UNSURE = object()

# A plain scalar starting with one of these, or holding ": " or " #", means something else (or
# something this reader does not follow); one ending in ":" too.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_USUAL_KEYS = frozenset(("zh", "en", "terms", "weight", "all"))  # (no regex needed for them)
_SPECIAL = frozenset("-?:,[]{}#&*!|>'\"%@`<")  # first characters the fast path leaves to inline()


_UNUSUAL: re.Pattern[str]
_LINE: re.Pattern[str]
_KEY: re.Pattern[str]
_FLOW_PAIR: re.Pattern[str]
_SINGLE: re.Pattern[str]
_DOUBLE: re.Pattern[str]
_ESCAPE: re.Pattern[str]
_FLOW_ITEM: re.Pattern[str]
_KEY_NAME: re.Pattern[str]
_FLOW_UNSAFE: re.Pattern[str]
_NOT_IN_PLAIN_ITEMS: re.Pattern[str]
_ODD_ITEM: re.Pattern[str]
_compiled = False  # the expressions below are compiled by the first read (about 4 ms that a
# start whose decks are all cached never needs)


def _compile() -> None:
    global _compiled, _UNUSUAL, _LINE, _KEY, _FLOW_PAIR, _SINGLE, _DOUBLE, _ESCAPE, _FLOW_ITEM
    global _KEY_NAME, _FLOW_UNSAFE, _NOT_IN_PLAIN_ITEMS, _ODD_ITEM
    # Everything but the characters these rules read: printable text (as YAML defines it) without
    # tabs, carriage returns, byte-order marks or the Unicode line breaks libyaml also breaks at.
    _UNUSUAL = re.compile(
        "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
    )
    # A block line: its indent, then "key:" with the rest, or "- " with the rest.
    _LINE = re.compile(r"( *)(?:([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?|(- +)(.*))\Z")
    _KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*:(?: |\Z)")
    # One "key: value" of a one-line flow mapping, then "," or its end.
    _FLOW_PAIR = re.compile(
        r" *([A-Za-z_][A-Za-z0-9_-]*): +(?:\[([^\[\]{}]*)\]|([^\[\]{},]*)) *(,|\Z)"
    )
    _SINGLE = re.compile(r"'((?:[^']|'')*)'\Z")
    _DOUBLE = re.compile(r'"((?:[^"\\]|\\[\\"])*)"\Z')  # escapes: \\ and \" only
    _ESCAPE = re.compile(r"\\(.)")
    # One item of a one-line flow list, then "," or its end: quoted, or plain text.
    _FLOW_ITEM = re.compile(
        r""" *(?:'((?:[^']|'')*)'|"((?:[^"\\]|\\[\\"])*)"|([^,'" ][^,]*?)) *(,|\Z)"""
    )
    _KEY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
    _FLOW_UNSAFE = re.compile(r":| #")  # in flow text: libyaml versions differ on ":"
    _NOT_IN_PLAIN_ITEMS = re.compile(r"[\[\]{}:#'\"]")
    # An item of such a list that is empty, "<<", or starts with an indicator other than a dash
    # before text ("-1" is text)
    _ODD_ITEM = re.compile(r"(?:^|,) *(?:$|,|<<|[?:\[\]{}#&*!|>'\"%@`]|-(?:$|[ ,]))")
    _compiled = True


def read(
    text: str,
    mapping: type,
    sequence: type,
    nulls: frozenset[str],
    max_nesting: int,
    card: Callable[[object, int, str], object] | None = None,
) -> object:
    """The plain data of ``text`` as ``mapping``/``sequence`` objects with the loader's line
    attributes (``line``, ``key_lines``, ``item_lines``), or ``UNSURE``. ``card`` is the
    loader's per-card builder, called as libyaml's path calls it."""
    if not _compiled:
        _compile()
    if not text.endswith("\n") or _UNUSUAL.search(text):
        return UNSURE
    lines = text.split("\n")
    lines.pop()
    reader = _Reader(lines, mapping, sequence, nulls, max_nesting)
    try:
        first = reader.next_content(0)
        if first is None or lines[first][0] == " ":
            return UNSURE
        root, end = reader.block_mapping(first, 0, 0)
        if end != len(lines):
            return UNSURE
    except _Unsure:
        return UNSURE
    if card is not None:
        keys = list(root)
        cards = root.get("cards")
        name = root.get("deck")
        if (
            type(cards) is sequence
            and "deck" in root
            and keys.index("deck") < keys.index("cards")
            and type(name) is str
        ):
            name = name.strip()
            for i, item in enumerate(cards):
                if type(item) is mapping or type(item) is sequence:
                    built = card(item, cards.item_lines[i], name)
                    if built is UNSURE:
                        return UNSURE
                    cards[i] = built
    return root


class _Unsure(Exception):
    pass


class _Reader:
    def __init__(self, lines, mapping, sequence, nulls, max_nesting):
        self.lines = lines
        self.mapping = mapping
        self.sequence = sequence
        self.nulls = nulls
        self.max_nesting = max_nesting

    def block_mapping(self, i: int, indent: int, depth: int) -> tuple[object, int]:
        """The mapping whose first key is on line ``i`` at ``indent``; and the line after it."""
        if depth > self.max_nesting - 3:  # (libyaml's path counts flow levels too)
            raise _Unsure
        lines, nulls, line_of, count = self.lines, self.nulls, _LINE.match, len(self.lines)
        out = self.mapping()
        key_lines: dict[str, int] = {}
        out.line, out.key_lines = i + 1, key_lines
        while True:
            match = line_of(lines[i].rstrip(" "))
            if match is None:
                if lines[i].strip(" "):
                    raise _Unsure
                i += 1  # a blank line
                if i == count:
                    return out, i
                continue
            spaces, key, rest, _, _ = match.groups()
            if len(spaces) != indent:
                if len(spaces) < indent:
                    return out, i
                raise _Unsure
            if key is None or key in out or key in nulls:
                raise _Unsure
            if rest:
                key_lines[key] = i + 1
                if rest[0] in _SPECIAL:
                    if rest == "|" or rest == "|-":
                        out[key], i = self.literal(i + 1, indent, rest == "|")
                    else:
                        out[key], i = self.inline(rest, i + 1), i + 1
                elif ": " in rest or " #" in rest or rest[-1] == ":":
                    raise _Unsure
                else:
                    out[key], i = (None if rest in nulls else rest), i + 1
            else:
                j = self.next_content(i + 1)
                if j is None:
                    raise _Unsure
                inner = len(lines[j]) - len(lines[j].lstrip(" "))
                if inner <= indent:
                    raise _Unsure  # an empty value (or a list at the key's own indent)
                key_lines[key] = j + 1
                if lines[j].startswith("-", inner):
                    out[key], i = self.block_sequence(j, inner, depth + 1)
                else:
                    out[key], i = self.block_mapping(j, inner, depth + 1)
            if i == count:
                return out, i

    def block_sequence(self, i: int, indent: int, depth: int) -> tuple[object, int]:
        """The list whose first "- " is on line ``i`` at ``indent``; and the line after it."""
        if depth > self.max_nesting - 3:
            raise _Unsure
        lines, nulls, line_of, count = self.lines, self.nulls, _LINE.match, len(self.lines)
        out = self.sequence()
        item_lines: list[int] = []
        out.line, out.item_lines = i + 1, item_lines
        flow = " " * indent + "- {"  # an item that is a flow mapping (a key point): read at once
        start = len(flow) - 1
        while True:
            line = lines[i]
            if line.startswith(flow):
                value = self.plain_mapping(line[start:].rstrip(" "), i + 1)
                if value is not None:
                    item_lines.append(i + 1)
                    out.append(value)
                    i += 1
                    if i == count:
                        return out, i
                    continue
            match = line_of(line.rstrip(" "))
            if match is None:
                if line.strip(" "):
                    raise _Unsure
                i += 1
                if i == count:
                    return out, i
                continue
            spaces, _, _, dash, rest = match.groups()
            if len(spaces) != indent:
                if len(spaces) < indent:
                    return out, i
                raise _Unsure
            if dash is None:
                raise _Unsure
            item_lines.append(i + 1)
            if _KEY.match(rest):  # "- key: ...": a mapping starts on this line
                inner = indent + len(dash)
                lines[i] = " " * inner + rest
                value, i = self.block_mapping(i, inner, depth + 1)
            elif rest[0] in _SPECIAL:
                if rest[0] == "|":
                    raise _Unsure
                value, i = self.inline(rest, i + 1), i + 1
            elif ": " in rest or " #" in rest or rest[-1] == ":":
                raise _Unsure
            else:
                value, i = (None if rest in nulls else rest), i + 1
            out.append(value)
            if i == count:
                return out, i

    def next_content(self, i: int) -> int | None:
        """The first line from ``i`` that is not blank."""
        lines = self.lines
        while i < len(lines):
            if lines[i].strip(" "):
                return i
            i += 1
        return None

    def literal(self, i: int, parent: int, clip: bool) -> tuple[str, int]:
        """A literal block scalar whose first content line is ``i`` (its key's mapping at
        ``parent``), and the line after it. Not followed: leading blank lines, an empty block,
        and lines of spaces longer than the indent."""
        lines, count = self.lines, len(self.lines)
        if i >= count:
            raise _Unsure
        first = lines[i]
        indent = len(first) - len(first.lstrip(" "))
        if indent <= parent or indent == len(first):
            raise _Unsure
        prefix = " " * indent
        start = i
        while i < count:
            line = lines[i]
            if not line.startswith(prefix):
                if line.strip(" "):
                    break
                lines[i] = prefix  # a blank line shorter than the indent: an empty line
            elif line[indent : indent + 1] == " " and not line.strip(" "):
                raise _Unsure  # spaces past the indent and nothing else
            i += 1
        end = i
        while not lines[end - 1].strip(" "):
            end -= 1  # trailing blank lines are not part of a clipped or stripped block
        text = "\n".join(lines[start:end]).replace("\n" + prefix, "\n")[indent:]
        return (text + "\n" if clip else text), i

    def inline(self, text: str, line: int) -> object:
        """The value written after "key: " or "- " on ``line``."""
        first = text[0]
        if first == "{":
            return self.flow_mapping(text, line)
        if first == "[":
            if not text.endswith("]"):
                raise _Unsure
            return self.flow_items(text[1:-1], line)
        if first == "'":
            match = _SINGLE.match(text)
            if match is None:
                raise _Unsure
            return match.group(1).replace("''", "'")
        if first == '"':
            match = _DOUBLE.match(text)
            if match is None:
                raise _Unsure
            value = match.group(1)
            return _ESCAPE.sub(r"\1", value) if "\\" in value else value
        if (
            (first in _INDICATORS and not _dash_text(text))
            or ": " in text
            or " #" in text
            or text[-1] == ":"
        ):
            raise _Unsure
        if text == "<<":
            raise _Unsure  # a merge key, which libyaml's path leaves to the precise path
        return None if text in self.nulls else text

    def flow_scalar(self, text: str) -> object:
        value = text.strip(" ")
        if (
            not value
            or (value[0] in _INDICATORS and not _dash_text(value))
            or _FLOW_UNSAFE.search(value)
            or value == "<<"
        ):
            raise _Unsure
        return None if value in self.nulls else value

    def plain_mapping(self, text: str, line: int) -> object:
        """The one-line flow mapping ``text`` when it holds only plain text and flow lists of
        it, read with string methods (regular expressions took 2-5 µs a mapping, and key points
        are four of them a card); None for anything else."""
        inner = text[1:-1]
        if (
            text[-1] != "}"
            or "{" in inner
            or "}" in inner
            or "#" in inner
            or "'" in inner
            or '"' in inner
            or "<<" in inner  # (a merge key or value: libyaml's path leaves it to the precise one)
        ):
            return None
        parts = inner.split(": ")
        keys = len(parts) - 1
        if inner.count(":") != keys or not keys:
            return None if inner.strip(" ") or keys else self.empty_mapping(line)
        lists = inner.count("[")
        if inner.count("]") != lists:
            return None
        out = self.mapping()
        out.line = line
        nulls, indicators, key_name = self.nulls, _INDICATORS, _KEY_NAME.match
        key = parts[0].lstrip(" ")
        for number in range(1, keys + 1):
            if (key not in _USUAL_KEYS and (not key_name(key) or key in nulls)) or key in out:
                return None
            part = parts[number]
            if number < keys:
                part, comma, following = part.rpartition(",")
                if not comma:
                    return None
            value = part.strip(" ")
            if not value:
                return None
            first = value[0]
            if first == "[":
                if value[-1] != "]":
                    return None
                lists -= 1
                items = self.plain_items(value[1:-1], line)
                if items is None:
                    return None
                out[key] = items
            elif "," in value or (
                first in indicators and (first != "-" or len(value) == 1 or value[1] == " ")
            ):
                return None
            else:
                out[key] = None if value in nulls else value
            if number < keys:
                key = following.strip(" ")
        if lists:
            return None  # a "[" inside plain text
        out.key_lines = dict.fromkeys(out, line)
        return out

    def empty_mapping(self, line: int) -> object:
        out = self.mapping()
        out.line, out.key_lines = line, {}
        return out

    def plain_items(self, inner: str, line: int) -> object:
        """The flow list ``[inner]`` when it holds only plain text, else None."""
        out = self.sequence()
        out.line = line
        if inner.strip(" "):
            if _NOT_IN_PLAIN_ITEMS.search(inner):
                return None
            if _ODD_ITEM.search(inner):
                return None
            items = [part.strip(" ") for part in inner.split(",")]
            if not self.nulls.isdisjoint(items):
                items = [None if item in self.nulls else item for item in items]
            out.extend(items)
        out.item_lines = [line] * len(out)
        return out

    def flow_items(self, inner: str, line: int) -> object:
        """The one-line flow list ``[inner]`` of plain or quoted text."""
        quick = self.plain_items(inner, line)
        if quick is not None:
            return quick
        if "[" in inner or "]" in inner or "{" in inner or "}" in inner:
            raise _Unsure
        out = self.sequence()
        out.line = line
        position = 0
        while True:
            match = _FLOW_ITEM.match(inner, position)
            if match is None:
                raise _Unsure
            single, double, plain, comma = match.groups()
            if plain is not None:
                out.append(self.flow_scalar(plain))
            elif single is not None:
                out.append(single.replace("''", "'"))
            else:
                out.append(_ESCAPE.sub(r"\1", double) if "\\" in double else double)
            if not comma:
                break
            position = match.end()
        out.item_lines = [line] * len(out)
        return out

    def flow_mapping(self, text: str, line: int) -> object:
        """The one-line flow mapping ``text`` of plain text and flow lists of it."""
        quick = self.plain_mapping(text, line)
        if quick is not None:
            return quick
        if not text.endswith("}"):
            raise _Unsure
        inner = text[1:-1]
        out = self.mapping()
        key_lines: dict[str, int] = {}
        out.line, out.key_lines = line, key_lines
        if not inner.strip(" "):
            return out
        position, nulls = 0, self.nulls
        while True:
            match = _FLOW_PAIR.match(inner, position)
            if match is None:
                raise _Unsure
            key, items = match.group(1), match.group(2)
            if key in out or key in nulls:
                raise _Unsure
            out[key] = (
                self.flow_items(items, line)
                if items is not None
                else self.flow_scalar(match.group(3))
            )
            key_lines[key] = line
            if not match.group(4):
                return out
            position = match.end()


def _dash_text(text: str) -> bool:
    """Plain text that starts with "-" and is no list item ("-1", "-log4")."""
    return text[0] == "-" and len(text) > 1 and text[1] != " "
