"""The cold path's fast parses against the precise path: libyaml's events straight to plain data
(``loader._fast_data``), and the plain reader before it (``flashdl.decks.plain_yaml``).

Each must give exactly what the precise path (compose + ``_to_data``) gives, lines included, and
hand everything unusual or wrong to the precise path, whose messages the tests in test_loader.py
and test_hostile_decks.py pin down."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml
from decktext import MOVED, VALID
from hypothesis import example, given, settings
from hypothesis import strategies as st

from flashdl.core.errors import DeckError
from flashdl.decks import loader, plain_yaml
from flashdl.decks.loader import deck_files, parse_deck
from flashdl.paths import bundled_decks_dir


def _generator():
    """benchmarks/generate.py, for its synthetic decks (as tests/test_benchmarks.py loads it)."""
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("flashdl_fast_parse_generate", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


generate = _generator()


def precise(text: str) -> object:
    problems = loader._Problems("x")
    node = yaml.compose(text, Loader=loader._loader())
    data = loader._to_data(node, problems, set(), (yaml.ScalarNode, yaml.SequenceNode))
    assert not problems.items
    return data


def same(a: object, b: object) -> bool:
    """Equal values, types, and the line of every mapping, key and list item."""
    if type(a) is not type(b):
        return False
    if isinstance(a, loader._Map):
        return (a.line, a.key_lines, list(a)) == (b.line, b.key_lines, list(b)) and all(
            same(a[k], b[k]) for k in a
        )
    if isinstance(a, loader._List):
        return (a.line, a.item_lines, len(a)) == (b.line, b.item_lines, len(b)) and all(
            same(x, y) for x, y in zip(a, b, strict=True)
        )
    return a == b


def lines(deck) -> list:
    return [
        (c.line, [p.line for p in c.key_points], [p.line for p in c.pitfalls]) for c in deck.cards
    ]


def slow_parse(monkeypatch, data: str | bytes, name: str = "x"):
    with monkeypatch.context() as patch:
        patch.setattr(loader, "_fast_data", lambda text, card=None: loader._UNSURE)
        patch.setattr(plain_yaml, "read", lambda *args: plain_yaml.UNSURE)
        return parse_deck(data, name)


def plain(text: str) -> object:
    return plain_yaml.read(text, loader._Map, loader._List, loader._NULLS, loader.MAX_NESTING)


DECKS = [
    *(p.read_text("utf-8") for p in deck_files([bundled_decks_dir()])),
    VALID,
    MOVED,
    generate.deck_text(300)[0],
    generate.compact_deck_text(100),
]


@pytest.mark.parametrize("text", DECKS, ids=lambda t: t.split("\n", 1)[0])
def test_fast_data_is_the_precise_data(text):
    assert same(loader._fast_data(text), precise(text))


@pytest.mark.parametrize("text", DECKS, ids=lambda t: t.split("\n", 1)[0])
def test_fast_and_precise_decks_are_equal_lines_included(text, monkeypatch):
    fast = parse_deck(text, "x")
    slow = slow_parse(monkeypatch, text)
    assert fast == slow and lines(fast) == lines(slow)
    assert all(type(c) is type(slow.cards[0]) for c in fast.cards)


def test_a_valid_deck_never_composes_a_node_tree(monkeypatch):
    def refuse(text, problems):
        raise AssertionError("the precise path ran for a valid deck")

    monkeypatch.setattr(loader, "_compose", refuse)
    assert len(parse_deck(generate.deck_text(50)[0], "x").cards) == 50


def test_cards_before_the_deck_name_still_parse():
    text = VALID.replace("deck: demo\n", "") + "deck: demo\n"
    deck = parse_deck(text, "x", expected_name="demo")
    assert deck.name == "demo" and all(c.deck == "demo" for c in deck.cards)
    assert [c.line for c in deck.cards] == [3, 17]


@pytest.mark.parametrize(
    "text",
    [
        "deck: fuzz\ncards:\n    question: {en: '[b]?'}\n",  # found by hypothesis
        "deck: fuzz\ncards:\n  a: {b: c}\n  d: [e]\n",
        "deck: fuzz\ncards: {a: {b: c}}\n",
    ],
)
def test_cards_that_are_a_mapping_are_a_problem_not_a_crash(text):
    with pytest.raises(DeckError, match="cards"):
        parse_deck(text, "x.yaml")


UNUSUAL = {
    "alias of a mapping": "a: &x {b: c}\nd: *x\n",
    "alias of a scalar": "a: &x b\nd: *x\n",
    "anchor": "a: &x b\n",
    "python tag": "a: !!python/object:os.system x\n",
    "str tag": "a: !!str b\n",
    "local tag": "a: !thing b\n",
    "tagged mapping": "a: !!map {b: c}\n",
    "merge key": "a: {<<: {b: c}}\n",
    "duplicate key": "a: b\na: c\n",
    "null key": "~: b\n",
    "mapping key": "? {a: b}\n: c\n",
    "two documents": "a: b\n---\nc: d\n",
    "syntax error": "a: [b\n",
    "tab indent": "a:\n\t- b\n",
    "empty": "",
    "only a comment": "# nothing\n",
    "deep nesting": "a: " + "[" * 40 + "]" * 40 + "\n",
}


@pytest.mark.parametrize("text", UNUSUAL.values(), ids=UNUSUAL.keys())
def test_anything_unusual_goes_to_the_precise_path(text):
    assert loader._fast_data(text) is loader._UNSURE


def test_a_card_with_a_problem_ends_the_fast_path_and_is_reported_precisely(monkeypatch):
    text = generate.deck_text(30)[0].replace("terms: [", "terms: [[", 1)
    with pytest.raises(DeckError) as fast:
        parse_deck(text, "x")
    with pytest.raises(DeckError) as slow:
        slow_parse(monkeypatch, text)
    assert fast.value.problems == slow.value.problems and fast.value.problems


# Small YAML documents with the shapes the fast path builds: block and flow collections, every
# scalar style, empty values, comments, document markers.
scalars = st.sampled_from(
    [
        "x",
        "two words",
        "~",
        "null",
        "",
        "'single ''quoted'''",
        '"double \\"quoted\\" \\u00e9"',
        "|\n  literal\n  block\n",
        ">-\n  folded\n  block\n",
        "1.5",
        "yes",
        "中文",
        "x # comment",
        '"<<"',
    ]
)
keys = st.sampled_from(["a", "b", "c", "zh", "en", "'q'"])


@st.composite
def documents(draw, depth: int = 0) -> str:
    pad = "  " * depth
    kind = draw(st.sampled_from(["map", "seq", "flow"]) if depth < 3 else st.just("flow"))
    if kind == "flow":
        items = draw(st.lists(st.sampled_from(["x", "'y'", "~", "[a, b]", "{k: v}"]), max_size=3))
        return "[" + ", ".join(items) + "]"
    lines = []
    used = set()
    for _ in range(draw(st.integers(1, 3))):
        child = draw(st.one_of(scalars, documents(depth + 1)))
        if "\n" in child and not child.startswith(("|", ">")):
            child = "\n" + child
        elif child.startswith(("|", ">")):
            head, _, body = child.partition("\n")
            child = head + "\n" + "".join(f"{pad}  {line}\n" for line in body.split("\n") if line)
            child = child.rstrip("\n")
        if kind == "map":
            key = draw(keys)
            if key.strip("'") in used:
                continue
            used.add(key.strip("'"))
            lines.append(f"{pad}{key}: {child}")
        else:
            lines.append(f"{pad}- {child}")
    return "\n".join(lines)


@settings(max_examples=200, deadline=None)
@given(documents())
def test_fast_data_matches_the_precise_path_on_random_documents(text):
    text += "\n"
    try:
        expected = precise(text)
    except (yaml.YAMLError, AssertionError):  # a problem: only the precise path words it
        assert loader._fast_data(text) is loader._UNSURE
        return
    fast = loader._fast_data(text)
    if fast is not loader._UNSURE:
        assert same(fast, expected), text


# -- the validation's common case, against the checks it skips -----------------------------------

_TEXTS = st.one_of(
    st.none(),
    st.sampled_from(
        ["", "  ", "点", " point ", "x" + "{" * 21, "{" * 25 + "}" * 25, "1", "2", "4"]
    ),
    st.text(max_size=8),
)
_KEYS = st.sampled_from(["zh", "en", "terms", "weight", "all", "other"])
_VALUES = st.recursive(
    _TEXTS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3)
)
# Near the common case, so that each of its conditions is missed alone too.
_PHRASES = st.lists(st.sampled_from(["t", " 词 "]), min_size=1, max_size=3) | st.lists(
    st.sampled_from(["t", "", " "]) | _TEXTS, max_size=3
)
_NEAR_TEXT = st.fixed_dictionaries({}, optional={"zh": _TEXTS, "en": _TEXTS, "other": _TEXTS})
_NEAR_POINT = st.fixed_dictionaries(
    {},
    optional={
        "zh": st.just("点") | _TEXTS,
        "en": st.just(" point ") | _TEXTS,
        "terms": _PHRASES | _VALUES | st.just([{"all": ["a", "b"]}]),
        "weight": st.sampled_from(["1", "2", "3", " 2 ", "4", "", "1.0"]) | _TEXTS,
    },
)


def _plain(value: object, line: int = 1) -> object:
    """Hypothesis' data as the fast parse builds it (``_Map``/``_List`` with their lines)."""
    if isinstance(value, dict):
        mapping = loader._Map({key: _plain(item, line) for key, item in value.items()})
        mapping.line, mapping.key_lines = line, dict.fromkeys(value, line)
        return mapping
    if isinstance(value, list):
        items = loader._List(_plain(item, line) for item in value)
        items.line, items.item_lines = line, [line] * len(value)
        return items
    return value


def _checked(check, *args) -> tuple:
    """``check(*args)`` with the common-case shortcuts, then without them: (result, problems)."""
    outcomes = []
    for shortcuts in (True, False):
        with pytest.MonkeyPatch.context() as patch:
            if not shortcuts:
                for name in ("_plain_key_point", "_plain_languages", "_plain_terms", "_plain_item"):
                    patch.setattr(loader, name, lambda *_: None)
                patch.setattr(loader, "_KEY_SETS", {})
            problems = loader._Problems("demo.yaml")
            outcomes.append((check(*args, problems), problems.items))
    return tuple(outcomes)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(_NEAR_POINT, max_size=7)
    | st.lists(_NEAR_POINT | st.dictionaries(_KEYS, _VALUES, max_size=5) | _VALUES, max_size=7)
)
@example([{"zh": "点", "en": "p", "terms": ["t", " "]}, {"en": "p", "terms": [], "weight": "4"}])
def test_the_key_points_shortcut_gives_what_every_check_gives(points):
    value = _plain(points)
    fast, full = _checked(loader._key_points, value, 1, "demo-one")
    assert fast == full


@settings(max_examples=400, deadline=None)
@given(_NEAR_TEXT | st.dictionaries(_KEYS, _VALUES, max_size=4) | _VALUES)
def test_the_texts_shortcut_gives_what_every_check_gives(text):
    fast, full = _checked(loader._text, _plain(text), 1, "card 'x' question")
    assert fast == full


@settings(max_examples=400, deadline=None)
@given(st.lists(_TEXTS | st.sampled_from(["cv", "bad tag!", " nlp", "a.b-c"]), max_size=4))
def test_the_tags_shortcut_gives_what_every_check_gives(tags):
    def tags_of(value, problems):
        return loader._string_list(value, 1, "card 'x' tags", loader.TAG_PATTERN, problems)

    fast, full = _checked(tags_of, _plain(tags))
    assert fast == full


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(max_size=30),
        st.builds(
            lambda scheme, rest: scheme + rest,
            st.sampled_from(["https://", "http://", "ftp://", "HTTPS://", "https:", ""]),
            st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=20) | st.text(max_size=8),
        ),
    )
)
def test_a_plain_ascii_link_is_judged_as_each_character_would_judge_it(url):
    from flashdl.core import urls

    assert urls.url_problem(url) == (urls._character_problem(url) or urls._form_problem(url))


# -- the plain reader ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", DECKS, ids=lambda t: t.split("\n", 1)[0])
def test_the_plain_reader_gives_the_precise_data_or_is_unsure(text):
    data = plain(text)
    assert data is plain_yaml.UNSURE or same(data, precise(text))


def test_the_plain_reader_reads_most_bundled_decks_and_the_synthetic_ones():
    read = [text for text in DECKS if plain(text) is not plain_yaml.UNSURE]
    assert len(read) >= len(DECKS) * 3 // 4
    assert all(plain(text) is not plain_yaml.UNSURE for text in DECKS[-2:])


def test_a_deck_the_plain_reader_reads_is_the_deck_the_event_path_builds(monkeypatch):
    text = generate.deck_text(200)[0]
    with monkeypatch.context() as patch:
        patch.setattr(plain_yaml, "read", lambda *args: plain_yaml.UNSURE)
        events = parse_deck(text, "x")
    with monkeypatch.context() as patch:
        patch.setattr(loader, "_fast_data", lambda *args: pytest.fail("the event path ran"))
        read = parse_deck(text, "x")
    assert read == events and lines(read) == lines(events)


READ_EXACTLY = {
    "literal with blank lines": "a: |\n  one\n\n   two\n\n\nb: x\n",
    "stripped literal": "a: |-\n    one\n    two\nb: x\n",
    "literal at the end": "a:\n  b: |\n    x\n",
    "short blank line in a literal": "a: |\n    x\n  \n    y\n",
    "escapes": 'a: "back\\\\slash \\"quote\\""\n',
    "single quotes": "a: 'it''s: #1'\n",
    "quoted flow items": "a: ['x, y', \"z\", w]\n",
    "dash text": "a: -1\nb: [-x, -log4]\nc: {d: -inf}\n",
    "nulls": "a: ~\nb: [null, Null]\nc: {d: NULL}\n",
    "empty flows": "a: []\nb: [ ]\nc: {}\n",
    "compact items": "a:\n  -   b: c\n      d: e\n  - f\n",
    "question marks": "a: what?\nb: {c: why?, d: [x?]}\n",
    "inner punctuation": 'a: x, [y] {z} it\'s "q"\nb: https://x.org/a#b\n',
}
UNSURE_OF = {
    "comment": "a: b # c\n",
    "comment line": "# c\na: b\n",
    "tab": "a:\tb\n",
    "no final line break": "a: b",
    "carriage return": "a: b\r\n",
    "multi-line plain": "a: b\n  c\n",
    "colon in flow text": "a: {b: c:d}\n",
    "empty value": "a:\nb: c\n",
    "list at the key's indent": "a:\n- b\n",
    "nested flow": "a: [b, [c]]\n",
    "trailing comma": "a: [b, ]\n",
    "folded block": "a: >\n  b\n",
    "kept literal": "a: |+\n  b\n",
    "literal of spaces": "a: |\n  b\n     \n  c\n",
    "leading blank in a literal": "a: |\n\n  b\n",
    "odd indent": "a:\n  b: c\n   d: e\n",
    "merge value": "a: <<\n",
    "merge value in a flow mapping": "a: {b: c, d: <<}\n",
    "merge item": "a: [b, <<]\n",
    "null key": "null: a\n",
    "escape": 'a: "b\\nc"\n',
    "line separator": "a: b\u2028c\n",
    "document marker": "---\na: b\n",
    "anchor": "a: &x b\n",
    "duplicate key": "a: b\na: c\n",
    "duplicate flow key": "a: {b: c, b: d}\n",
    "deep nesting": "".join(f"{'  ' * n}k:\n" for n in range(40)) + "  " * 40 + "k: v\n",
}


@pytest.mark.parametrize("text", READ_EXACTLY.values(), ids=READ_EXACTLY.keys())
def test_the_plain_reader_reads_these_as_libyaml_does(text):
    data = plain(text)
    assert data is not plain_yaml.UNSURE and same(data, precise(text))


@pytest.mark.parametrize("text", UNSURE_OF.values(), ids=UNSURE_OF.keys())
def test_the_plain_reader_leaves_these_to_libyaml(text):
    assert plain(text) is plain_yaml.UNSURE


# Line-based documents near the edge of what the reader follows: odd indents, literal blocks
# with blank and space-only lines, compact list items, and scalars that mean something else.
_RISKY = st.sampled_from(
    [
        *("a: b", "a #b", "#x", "- x", "-", "?x", ":x", "x:", '"a\\nb"', "[a, [b]]", "[a,]"),
        *("[a, , b]", "<<", "{a:b}", "{a: b,}", "{a: b, a: c}", "{null: b}", "{a: x]}", "&a x"),
        *("{a: [b], c}", "{a: b: c}", "*a", "!t x", "%x", "@x", "`x", "'a", '"a', "'a' b"),
        *("[a, b] c", "{a: b} c", "\u3000x", "x\u3000", "x  ", "{a: 'b, c'}", "1.5", "yes"),
        *("[a, -]", "[<<, a]", "[a, - b]", "[a,?b]", "{a: [x, -]}", "{a: [b, ~c], d: <<}"),
    ]
)
_SAFE = st.sampled_from(
    [
        *("x", "two words", "a:b", "a#b", "-x", "-1", "x?", "'q'", "'it''s'", "'a, b'", '"d"'),
        *('"a\\"b"', '"a, b"', '"a\\\\b"', "[a, b]", "[a,b]", "[ ]", "[]", "['x', \"y\"]"),
        *("['a, b', c]", "{a: b}", "{a: b, c: [d, e]}", "{ }", "{}", "{a: -1, b: ~}", "x ]"),
        *("{a: [], b: [ ]}", "{a: b c, d: x?}", "{a: [b, c], d: e, f: [g]}", "null", "~"),
        *("NULL", "中文", "：冒号", "a,b", "a, b", "x }", "x]", "a\\b", "é", "{ a : b }"),
        *("{a:  b ,c: d}", "https://x.org/a#b", "[-x, 中文, y z]", "{zh: 词, en: w, terms: [a]}"),
    ]
)
_EDGY = st.one_of(_SAFE, _SAFE, _SAFE, _SAFE, _RISKY)
_EDGY_KEYS = st.one_of(
    st.sampled_from(["a", "b", "zh", "en", "k-1", "_x", "terms"]),
    st.sampled_from(["null", "名", "a b", "'q'", "a", "b", "c"]),
)


@st.composite
def edgy_documents(draw, indent: int = 0, depth: int = 0) -> list[str]:
    pad = " " * indent
    kind = draw(st.sampled_from(["map", "seq"]) if depth else st.just("map"))
    count = draw(st.integers(1, 3))
    keys = draw(st.lists(_EDGY_KEYS, min_size=count, max_size=count, unique=draw(st.booleans())))
    lines: list[str] = []
    for key in keys:
        if draw(st.integers(0, 9)) == 0:
            lines.append(" " * draw(st.integers(0, 6)))  # a blank line
        head = f"{pad}{key}: " if kind == "map" else f"{pad}-" + " " * draw(st.integers(1, 3))
        shape = draw(st.sampled_from(["scalar", "literal", "block"] if depth < 3 else ["scalar"]))
        if shape == "scalar":
            lines.append(head + draw(_EDGY))
        elif shape == "literal":
            lines.append(head + draw(st.sampled_from(["|", "|-", "|", "| "])))
            inner = indent + draw(st.sampled_from([2, 2, 4, 1, 0]))
            for _ in range(draw(st.integers(1, 4))):
                extra = draw(st.sampled_from([0, 0, 0, 0, 1, 2, -1, -2]))
                text = draw(st.sampled_from(["text", "a: b", "# c", "- d", "", "  ", "x", "y"]))
                lines.append(" " * max(0, inner + extra) + text)
        else:
            step = draw(st.sampled_from([2, 2, 2, 4, 1, 0]))
            if kind == "seq" and draw(st.booleans()):  # "- key: value" on the item's line
                child = draw(edgy_documents(len(head), depth + 1))
                lines.append(head + child[0].lstrip(" "))
                lines.extend(child[1:])
            else:
                lines.append(head.rstrip(" "))
                lines.extend(draw(edgy_documents(indent + step, depth + 1)))
    return lines


def assert_exact_or_unsure(text: str) -> object:
    """The plain reader's data of ``text``, which is libyaml's (or the reader is unsure)."""
    data = plain(text)
    if data is plain_yaml.UNSURE:
        return data
    try:
        expected = precise(text)
    except (yaml.YAMLError, AssertionError):
        pytest.fail(f"the plain reader read a document libyaml refuses: {text!r}")
    assert same(data, expected), text
    return data


@settings(max_examples=1500, deadline=None)
@given(edgy_documents(), st.sampled_from([True, True, True, False]))
def test_the_plain_reader_is_exact_or_unsure_on_random_documents(lines, final_break):
    text = "\n".join(lines) + ("\n" if final_break else "")
    data = assert_exact_or_unsure(text)
    if data is not plain_yaml.UNSURE:
        assert same(data, loader._fast_data(text)), text


_SMALL_DECKS = [generate.deck_text(3)[0], generate.compact_deck_text(3), VALID, MOVED]
_EDITS = st.sampled_from(
    [*" \t:#-,[]{}'\"|>!&*?%@`<~\\\n", "  ", ": ", " #", "- ", "\u2028", "\x85", "中", "<<"]
)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(_SMALL_DECKS),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), _EDITS | st.just("")), max_size=3),
)
def test_the_plain_reader_is_exact_or_unsure_on_decks_with_a_few_characters_changed(deck, edits):
    """A real deck with a few characters inserted (or deleted, for ""): 62,474 such decks read
    by the reader in a 200,000-deck run were all libyaml's data."""
    text = deck
    for where, edit in edits:
        at = int(where * len(text))
        text = text[:at] + edit + text[at + (not edit) :]
    assert_exact_or_unsure(text)
