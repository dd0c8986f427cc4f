"""The cold path's fast parse (libyaml events straight to plain data) against the precise path.

The fast path must give exactly what the precise path (compose + ``_to_data``) gives, lines
included, and hand everything unusual or wrong to the precise path, whose messages the tests in
test_loader.py and test_hostile_decks.py pin down."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml
from decktext import MOVED, VALID
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdl.core.errors import DeckError
from flashdl.decks import loader
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
        return parse_deck(data, name)


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
