"""Deck parsing and validation: every rule, the broken-deck corpus, and random input."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml
from decktext import MOVED, VALID
from hypothesis import given, settings
from hypothesis import strategies as st

from flashdl.core.errors import DeckError
from flashdl.core.model import Term
from flashdl.decks.loader import check_collection, load_collection, load_deck, parse_deck

BAD = Path(__file__).parents[1] / "data" / "bad_decks"


def problems(text: str | bytes, name: str = "demo") -> list[str]:
    with pytest.raises(DeckError) as info:
        parse_deck(text, f"decks/{name}.yaml", expected_name=name)
    return info.value.problems


def test_valid_deck_parses():
    deck = parse_deck(VALID, "decks/demo.yaml", expected_name="demo")
    assert deck.name == "demo" and deck.title.en == "Demo"
    assert [c.id for c in deck.cards] == ["demo-one", "demo-two"]
    one = deck.cards[0]
    assert one.question.zh == "什么是梯度消失？"
    assert "\\frac{\\partial L}" in one.answer.en
    assert [t.parts for t in one.key_points[2].terms] == [("ReLU",), ("residual",), ("残差",)]
    assert one.related == ("demo-two",) and one.tags == ("training",)
    assert one.line == 4 and deck.path == "decks/demo.yaml"


def test_bom_is_accepted():
    deck = parse_deck(b"\xef\xbb\xbf" + VALID.encode(), "decks/demo.yaml")
    assert deck.name == "demo"


def test_every_problem_is_reported_at_once_with_lines():
    text = VALID.replace("id: demo-two", "id: Demo Two").replace(
        "source: https://example.com/vanishing", "source: not a url"
    )
    found = problems(text)
    assert len(found) == 2
    assert found[0].startswith("decks/demo.yaml:15: card 'demo-one' source 'not a url'")
    assert found[1].startswith("decks/demo.yaml:18: card id 'Demo Two'")


def test_one_language_is_enough_but_one_is_needed():
    deck = parse_deck(VALID.replace(", en: What is an exploding gradient?", ""), "x")
    assert deck.cards[1].question.get("en") == "什么是梯度爆炸？"  # falls back to zh
    found = problems(
        VALID.replace("{zh: 什么是梯度爆炸？, en: What is an exploding gradient?}", "{}")
    )
    assert any("question needs 'zh' or 'en'" in p for p in found)


def test_wrong_types_are_named():
    found = problems(VALID.replace("tags: [training]", "tags: training"))
    assert found == ["decks/demo.yaml:16: card 'demo-one' tags must be a list"]
    found = problems(
        VALID.replace(
            "question: {zh: 什么是梯度爆炸？, en: What is an exploding gradient?}",
            "question: [a, b]",
        )
    )
    assert "question must be a mapping" in found[0]


def test_url_with_control_characters_is_rejected():
    found = problems(
        VALID.replace(
            "source: https://example.com/exploding", 'source: "https://example.com/\\e]8;;x"'
        )
    )
    assert "not an http(s) URL" in found[0]


@pytest.mark.parametrize("path", sorted(BAD.glob("*.yaml")), ids=lambda p: p.stem)
def test_broken_deck_corpus(path: Path):
    expected = path.read_bytes().split(b"\n", 1)[0].decode().removeprefix("# expect: ")
    with pytest.raises(DeckError) as info:
        load_collection([path])
    messages = info.value.problems
    assert any(expected in m for m in messages), messages
    for message in messages:
        assert re.match(r"^.+\.yaml:\d+: \S", message), message
        assert "\n" not in message and "Traceback" not in message


def test_alias_bomb_is_rejected_quickly():
    started = time.perf_counter()
    with pytest.raises(DeckError):
        load_deck(BAD / "alias_bomb.yaml")
    assert time.perf_counter() - started < 2


def test_duplicate_ids_across_decks_name_both_files():
    one = parse_deck(VALID, "decks/demo.yaml")
    other = parse_deck(VALID.replace("deck: demo", "deck: other"), "mine/other.yaml")
    found = check_collection([one, other])
    assert "mine/other.yaml:4: duplicate card id 'demo-one' (also in decks/demo.yaml:4)" in found
    assert any("deck name" not in f for f in found)


def test_missing_file_and_folder_expansion(tmp_path: Path):
    with pytest.raises(DeckError, match="no such file"):
        load_collection([tmp_path / "nope.yaml"])
    (tmp_path / "demo.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    assert [d.name for d in load_collection([tmp_path])] == ["demo"]


def test_long_lines_are_fine():
    long_answer = "很长" * 50_000
    text = VALID.replace("Gradients grow layer by layer.", long_answer)
    deck = parse_deck(text, "decks/demo.yaml")
    assert len(deck.cards[1].answer.en) == 100_000


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_random_text_never_crashes_the_loader(text: str):
    try:
        parse_deck(text, "decks/fuzz.yaml")
    except DeckError as exc:
        assert exc.problems and all(p.startswith("decks/fuzz.yaml:") for p in exc.problems)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(yaml_values)
def test_random_yaml_structures_give_deck_errors(value):
    text = yaml.safe_dump(value, allow_unicode=True)
    try:
        parse_deck(text, "decks/fuzz.yaml")
    except DeckError as exc:
        assert exc.problems


def test_a_corrected_question_is_shown_and_the_original_wording_kept():
    card = parse_deck(MOVED, "decks/demo.yaml").cards[0]
    assert card.question.zh == "什么是梯度消失?"
    assert card.question.en == "What is a vanishing gradient?"  # falls back per language
    assert card.original_question is not None and card.original_question.zh == "什么是剃度消失？"
    assert parse_deck(VALID, "decks/demo.yaml").cards[0].original_question is None


def test_current_source_is_validated_like_source():
    card = parse_deck(MOVED, "decks/demo.yaml").cards[0]
    assert card.source == "https://example.com/vanishing"
    assert card.current_source == "https://example.com/new/vanishing"
    bad = MOVED.replace("https://example.com/new/vanishing", "javascript:alert(1)")
    assert problems(bad) == [
        "decks/demo.yaml:17: card 'demo-one' current_source 'javascript:alert(1)' is not an http(s) URL"
    ]


FORMAT_2 = (
    VALID.replace("deck: demo\n", "deck: demo\nformat: 2\n")
    .replace(
        "      - {zh: 连乘导致梯度变小, en: repeated products shrink gradients, terms: [连乘, product]}\n",
        "      - zh: 连乘导致梯度变小\n"
        "        en: repeated products shrink gradients\n"
        "        weight: 3\n"
        "        terms:\n"
        "          - 连乘\n"
        "          - {all: [梯度, 相乘, 变小]}\n"
        "          - {all: [product, shrink]}\n",
    )
    .replace(
        "    source: https://example.com/vanishing\n",
        "    pitfalls:\n"
        "      - zh: 梯度消失不是过拟合\n"
        "        en: A vanishing gradient is not overfitting\n"
        "        terms: [{all: [梯度消失, 过拟合]}]\n"
        "    source: https://example.com/vanishing\n",
    )
)


def test_format_2_weights_groups_and_pitfalls():
    deck = parse_deck(FORMAT_2, "decks/demo.yaml", expected_name="demo")
    assert deck.format == 2
    one = deck.cards[0]
    first = one.key_points[0]
    assert first.weight == 3 and [p.weight for p in one.key_points[1:]] == [1, 1]
    assert first.terms == (
        Term(("连乘",)),
        Term(("梯度", "相乘", "变小")),
        Term(("product", "shrink")),
    )
    assert first.terms[1].is_group and not first.terms[0].is_group
    assert first.line == 13 and one.key_points[1].line == 20
    [pitfall] = one.pitfalls
    assert pitfall.text.en == "A vanishing gradient is not overfitting"
    assert pitfall.terms == (Term(("梯度消失", "过拟合")),) and pitfall.line == 23
    assert deck.cards[1].pitfalls == ()
    assert parse_deck(VALID, "x").format == 1  # no format: format 1, loaded the same way
    single = parse_deck(FORMAT_2.replace("{all: [product, shrink]}", "{all: [product]}"), "x")
    assert single.cards[0].key_points[0].terms[2] == Term(("product",))  # a group of one


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("format: 2", "format: 3"), "deck format '3' is not one this flashdl reads (1, 2)"),
        (("weight: 3", "weight: 5"), "key_points #1 weight is '5'; give 1, 2 or 3"),
        (("weight: 3", "weight: [3]"), "key_points #1 weight is 'list'; give 1, 2 or 3"),
        (("{all: [梯度, 相乘, 变小]}", "{all: []}"), "terms #2 all: is empty"),
        (
            ("{all: [梯度, 相乘, 变小]}", "{any: [梯度, 变小]}"),
            "unknown key 'any' in card 'demo-one'",
        ),
        (("{all: [梯度, 相乘, 变小]}", "{all: 梯度}"), "terms #2 all must be a list"),
        (("terms: [{all: [梯度消失, 过拟合]}]", "terms: []"), "pitfalls #1 terms is empty"),
        (("        terms: [{all: [梯度消失, 过拟合]}]\n", ""), "pitfalls #1 is missing 'terms'"),
        (
            ("        en: A vanishing gradient is not overfitting\n", "        why: x\n"),
            "unknown key 'why' in card 'demo-one' pitfalls #1",
        ),
        (("    pitfalls:\n", "    pitfalls: 3\n    x:\n"), "pitfalls must be a list"),
    ],
)
def test_format_2_rules(change, message):
    old, new = change
    assert old in FORMAT_2
    found = problems(FORMAT_2.replace(old, new, 1))
    assert any(message in p for p in found), found


def test_more_than_three_pitfalls_is_an_error():
    block = (
        "      - zh: 梯度消失不是过拟合\n"
        "        en: A vanishing gradient is not overfitting\n"
        "        terms: [{all: [梯度消失, 过拟合]}]\n"
    )
    found = problems(FORMAT_2.replace(block, block * 4))
    assert any("pitfalls has 4 items; give at most 3" in p for p in found), found


def _reference_check(decks):
    """check_collection as first written: one pass per card, the plain way."""
    from flashdl.core.model import card_ids, card_lines, card_related

    problems, deck_origin, card_origin = [], {}, {}
    for deck in decks:
        if deck.name in deck_origin:
            problems.append(
                f"{deck.path}:1: deck name '{deck.name}' is also used by {deck_origin[deck.name]}"
            )
        deck_origin.setdefault(deck.name, deck.path)
        for card_id, line in zip(card_ids(deck), card_lines(deck), strict=True):
            where = f"{deck.path}:{line}"
            if card_id in card_origin:
                problems.append(
                    f"{where}: duplicate card id '{card_id}' (also in {card_origin[card_id]})"
                )
            card_origin.setdefault(card_id, where)
    for deck in decks:
        for card_id, line, related in zip(
            card_ids(deck), card_lines(deck), card_related(deck), strict=True
        ):
            for other in related:
                where = f"{deck.path}:{line}"
                if other not in card_origin:
                    problems.append(
                        f"{where}: card '{card_id}' is related to unknown card '{other}'"
                    )
                elif other == card_id:
                    problems.append(f"{where}: card '{card_id}' lists itself as related")
    return problems


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(st.sampled_from("abcdef"), st.lists(st.sampled_from("abcdefg"), max_size=2)),
            min_size=1,
            max_size=5,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_check_collection_finds_what_the_plain_check_finds(layout):
    """Duplicate ids (within and across decks), unknown and self-related ids: the fast check
    reports exactly the plain one-pass-per-card check's problems, in the same order."""
    from flashdl.core.model import Card, Deck, KeyPoint, Text
    from flashdl.decks.loader import check_collection

    point = KeyPoint(Text("要点", "point"), ("term",))
    decks = [
        Deck(
            name=f"d{n % 3}",
            title=Text("t", "t"),
            path=f"d{n}.yaml",
            cards=tuple(
                Card(
                    id=i,
                    deck=f"d{n}",
                    question=Text("q", "q"),
                    answer=Text("a", "a"),
                    key_points=(point,),
                    related=tuple(r),
                    line=line + 1,
                )
                for line, (i, r) in enumerate(cards)
            ),
        )
        for n, cards in enumerate(layout)
    ]
    assert check_collection(decks) == _reference_check(decks)


@settings(max_examples=60, deadline=None)
@given(
    before=st.text(alphabet="ab 中文😀é\n", max_size=40).filter(lambda t: "\n" not in t[-1:]),
    char=st.sampled_from(["\x07", "\x1b", "\x00", "\x7f", "\ufffe"]),
)
def test_a_forbidden_character_is_reported_on_its_own_line(before, char):
    """libyaml gives the position of a forbidden character in bytes of UTF-8: after Chinese
    text (three bytes a character) that is many lines further than in the text itself."""
    lines = VALID.splitlines(keepends=True)
    # a comment of any text before the line with the character
    text = "".join(lines[:3]) + "".join(f"# {part}\n" for part in before.split("\n"))
    at = text.count("\n") + 1
    text += f"# bad {char} here\n" + "".join(lines[3:])
    found = problems(text)
    assert found[0].startswith(f"decks/demo.yaml:{at}: character "), found
