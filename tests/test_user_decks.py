"""The user's own decks: where they are found, the JSON Schema that agrees with the loader, new-deck."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from decktext import VALID

from flashdl.core.errors import DeckError
from flashdl.decks.authoring import SCHEMA_FILE, starter_deck
from flashdl.decks.loader import display_path, load_collection, parse_deck
from flashdl.paths import bundled_decks_dir
from flashdl.store import Store

BAD = Path(__file__).parent / "data" / "bad_decks"
# Broken decks whose fault is in the structure, which the schema can see too.
STRUCTURAL = [
    "unknown_key",
    "missing_answer",
    "wrong_type_cards",
    "too_few_key_points",
    "bad_id",
    "missing_terms",
    "empty_question",
    "bad_url",
    "url_with_quote",
    "url_with_angle_bracket",
    "not_a_mapping",
]


def write_deck(folder: Path, text: str = VALID, name: str = "demo") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# -- where decks come from ----------------------------------------------------------------------


def test_decks_in_the_user_folder_are_listed_and_studied(invoke, home):
    write_deck(home / "decks")
    result = invoke("decks")
    assert result.exit_code == 0, result.output
    assert "demo" in result.stdout and "演示" in result.stdout
    result = invoke("study", "--deck", "demo", "--new", "1", input="\n5\n")
    assert result.exit_code == 0, result.output
    with Store.open(home / "flashdl.db") as store:
        assert [(r.card_id, r.deck) for r in store.reviews()] == [("demo-one", "demo")]


def test_an_edited_card_is_studied_as_edited_and_a_broken_edit_is_named(invoke, home):
    """Through the CLI: the cache re-parses only the edited card, and shows it as edited; an
    edit that breaks a card is reported with its line, as a full parse words it."""
    path = write_deck(home / "decks")
    assert invoke("decks").exit_code == 0  # the cache now holds the deck
    assert list((home / "cache").glob("deck-demo-*.pieces"))
    stat = path.stat()
    edited = VALID.replace("What is an exploding gradient?", "What makes gradients explode?")
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    result = invoke("study", "--deck", "demo", "--lang", "en", input="\n5\n\n5\n")
    assert result.exit_code == 0, result.output
    assert "What makes gradients explode?" in result.stdout
    assert "exploding gradient" not in result.stdout
    path.write_text(edited.replace("id: demo-two", "id: Demo Two"), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2 * 10**9))
    result = invoke("check", str(path))
    assert result.exit_code == 1 and "demo.yaml:18:" in result.output
    result = invoke("study", "--deck", "demo", input="")
    assert "demo.yaml:18:" in result.output and "Traceback" not in result.output


def test_decks_dir_option_and_environment_variable(invoke, tmp_path, monkeypatch):
    write_deck(tmp_path / "extra")
    result = invoke("check", "--decks-dir", str(tmp_path / "extra"))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "ok: 21 decks, 206 cards"
    result = invoke("export", "markdown", "--decks-dir", str(tmp_path / "extra"),
                    "--deck", "demo", "-o", str(tmp_path / "demo.md"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "梯度消失" in (tmp_path / "demo.md").read_text(encoding="utf-8")

    monkeypatch.setenv("FLASHDL_DECKS", str(tmp_path / "extra"))
    assert invoke("check").stdout.strip() == "ok: 21 decks, 206 cards"
    # The same folder named twice is loaded once, not reported as a clash with itself.
    result = invoke("check", "--decks-dir", str(tmp_path / "extra"))
    assert result.exit_code == 0, result.output


def test_a_missing_decks_dir_is_a_one_line_error(invoke, tmp_path):
    result = invoke("decks", "--decks-dir", str(tmp_path / "nope"))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"flashdl: --decks-dir {tmp_path / 'nope'}: no such folder"


def test_decks_paths_shows_every_source(invoke, home, tmp_path, monkeypatch):
    monkeypatch.setenv("FLASHDL_DECKS", str(tmp_path / "env-decks"))
    (tmp_path / "cli-decks").mkdir()
    result = invoke("decks", "--paths", "--decks-dir", str(tmp_path / "cli-decks"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["bundled", str(bundled_decks_dir())]
    assert lines[1].split()[:2] == ["user", str(home / "decks")]
    assert lines[1].endswith("(does not exist yet)")
    assert lines[2].split()[:2] == ["FLASHDL_DECKS", str(tmp_path / "env-decks")]
    assert lines[3].split() == ["--decks-dir", str(tmp_path / "cli-decks")]


def test_a_card_id_clash_with_a_bundled_card_names_both_files(invoke, home):
    clash = VALID.replace("demo-one", "basics-why-normalize")
    path = write_deck(home / "decks", clash)
    result = invoke("check")
    assert result.exit_code == 1
    [problem] = [line for line in result.stderr.splitlines() if "duplicate card id" in line]
    assert problem.startswith(f"{path}:4: duplicate card id 'basics-why-normalize' (also in ")
    assert f"(also in {display_path(bundled_decks_dir() / 'basics.yaml')}:" in problem
    assert result.stderr.splitlines()[-1] == "flashdl: 1 problem in deck files"
    # Study leaves the clashing user deck out with the same line, and the bundled card is the
    # one studied (issue 13.6).
    result = invoke("study", "--deck", "basics", "--new", "1", input="\n5\n")
    assert result.exit_code == 0 and "duplicate card id 'basics-why-normalize'" in result.stderr
    assert "Why do we need normalization?" in result.stdout or "归一化" in result.stdout


def test_check_of_one_file_judges_it_beside_the_decks_it_is_studied_with(invoke, home, tmp_path):
    """``check FILE`` says what ``study`` will do with the file: a card id that a bundled deck or
    one of your decks has is a clash (study leaves the deck out), a related card in a bundled deck
    is known (study shows the link). Other decks' own problems are not this file's."""
    outside = tmp_path / "new"
    text = VALID.replace("demo-one", "basics-why-normalize").replace("deck: demo", "deck: clash")
    clash = write_deck(outside, text, "clash")
    result = invoke("check", str(clash))
    assert result.exit_code == 1, result.output
    [problem] = result.stderr.splitlines()[:-1]
    assert problem.startswith(f"{display_path(clash)}:4: duplicate card id 'basics-why-normalize'")
    assert f"(also in {display_path(bundled_decks_dir() / 'basics.yaml')}:" in problem
    assert result.stderr.splitlines()[-1] == "flashdl: 1 problem in deck files"

    linked = VALID.replace("related: [demo-two]", "related: [demo-two, basics-why-normalize]")
    linked_file = write_deck(outside, linked.replace("deck: demo", "deck: linked"), "linked")
    result = invoke("check", str(linked_file))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "ok: 1 deck, 2 cards"
    write_deck(home / "decks", linked)
    result = invoke("study", "--deck", "demo", "--new", "1", input="\n5\n")
    assert result.exit_code == 0 and "problem" not in result.stderr, result.output

    # One of your decks has the id: the clash names it, whichever file is checked later.
    two = write_deck(outside, VALID.replace("deck: demo", "deck: two"), "two")
    result = invoke("check", str(two))
    assert result.exit_code == 1
    assert f"(also in {display_path(home / 'decks' / 'demo.yaml')}:4)" in result.stderr
    # A broken deck of yours beside it is left out, as study leaves it out: not this file's fault.
    broken = VALID.replace("demo", "broken").replace("answer:", "anwser:")
    write_deck(home / "decks", broken, "broken")
    result = invoke("check", str(linked_file))
    assert result.exit_code == 1
    assert {line.split(":")[0] for line in result.stderr.splitlines()[:-1]} == {
        display_path(linked_file)
    }, result.stderr
    # A file in your folder is checked in its place there.
    result = invoke("check", str(home / "decks" / "demo.yaml"))
    assert result.exit_code == 0, result.output


def test_check_of_a_copy_of_a_bundled_deck_checks_its_links(invoke, home, tmp_path):
    """A copy named like a bundled deck overrides it card by card: its links to the bundled cards
    are known, and a link to no card is still reported at the copy's line."""
    copy = (
        VALID.replace("deck: demo", "deck: basics")
        .replace("related: [demo-two]", "related: [basics-normalization-vs-standardization]")
        .replace("id: demo-two", "id: basics-why-normalize")
    )
    path = write_deck(tmp_path / "mine", copy, "basics")
    result = invoke("check", str(path))
    assert result.exit_code == 0, result.output
    path.write_text(
        copy.replace("related: [basics-normalization-vs-standardization]", "related: [nowhere]")
    )
    result = invoke("check", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{display_path(path)}:4: card 'demo-one' is related to unknown card 'nowhere'"
    )


def test_check_of_a_file_of_overrides_applies_it_to_the_decks_it_overrides(invoke, tmp_path):
    """Checked alone, every override named a card no deck had; beside the decks, only the one
    that names no card is warned of, with the closest id."""
    fixes = tmp_path / "fixes.yaml"
    fixes.write_text(
        "overrides:\n  - id: gan-tanh-output\n    tags: [activation]\n"
        "  - id: gan-tanh-outpt\n    tags: [typo]\n",
        encoding="utf-8",
    )
    result = invoke("check", str(fixes))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "ok: 0 decks, 0 cards, 1 file of overrides"
    assert result.stderr.splitlines() == [
        f"{display_path(fixes)}:4: warning: no card has the id 'gan-tanh-outpt' (did you mean "
        "'gan-tanh-output'?); this override is ignored"
    ]


def deck_text(name: str, first: str, second: str) -> str:
    """VALID as deck ``name`` with the card ids ``first`` (related to ``second``) and ``second``."""
    return (
        VALID.replace("deck: demo", f"deck: {name}")
        .replace("demo-one", first)
        .replace("demo-two", second)
    )


def test_check_keeps_and_leaves_out_decks_as_study_does(invoke, home, tmp_path):
    """Study leaves out a deck that reuses an id of a deck kept before it; a deck it left out
    takes no id. ``check`` of several files judges each the same way, its path whatever it is."""
    folder = home / "decks"
    a = write_deck(folder, deck_text("a", "basics-why-normalize", "shared-1"), "a")
    write_deck(folder, deck_text("b", "shared-1", "b-1"), "b")  # kept: a is left out
    c = write_deck(folder, deck_text("c", "c-1", "b-1"), "c")
    result = invoke("check", str(a), str(c))
    assert result.exit_code == 1
    assert [line.split(": ", 1)[0] for line in result.stderr.splitlines()[:-1]] == [
        f"{display_path(a)}:4",
        f"{display_path(c)}:18",
    ], result.stderr
    assert f"duplicate card id 'b-1' (also in {display_path(folder / 'b.yaml')}:18)" in (
        result.stderr
    )
    study = invoke("decks")
    assert "a.yaml:4: duplicate card id" in study.stderr and "c.yaml:18: dup" in study.stderr
    c.write_text(deck_text("c", "c-1", "c-2").replace("related: [c-2]", "related: [b-1]"))
    result = invoke("check", str(c))
    assert result.exit_code == 0, result.output  # b-1 is b's, and b is kept
    # A folder with ": " in its name, as a problem's "path:line: message" has.
    odd = write_deck(tmp_path / "a: b", deck_text("odd", "odd-1", "basics-why-normalize"), "odd")
    result = invoke("check", str(odd))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{display_path(odd)}:18: duplicate card id"), result.stderr


def test_a_link_an_override_gives_is_reported_at_the_override(invoke, home):
    folder = home / "decks"
    deck = write_deck(folder)
    fixes = folder / "fixes.yaml"
    fixes.write_text("overrides:\n  - id: demo-two\n    related: [nowhere]\n", encoding="utf-8")
    result = invoke("check", str(fixes))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{display_path(fixes)}:2: card 'demo-two' is related to unknown card 'nowhere'"
    )
    assert invoke("check", str(deck)).exit_code == 0


def test_the_outline_of_every_bundled_deck_is_its_parse():
    """``check FILE`` takes the bundled decks beside it from their outlines (``load_outline``):
    the ids, lines, tags and related ids must be those a parse gives."""
    from flashdl.core.model import LazyCards, card_ids, card_lines, card_related, card_tags
    from flashdl.decks.cache import load_outline
    from flashdl.decks.loader import deck_files, load_file

    for file in deck_files([bundled_decks_dir()]):
        outlined, parsed = load_outline(file), load_file(file)
        assert isinstance(outlined.cards, LazyCards), file  # (not parsed: the usual layout)
        assert list(card_ids(outlined)) == list(card_ids(parsed)), file
        assert list(card_lines(outlined)) == list(card_lines(parsed)), file
        for words in (card_tags, card_related):
            assert [tuple(w) for w in words(outlined)] == [tuple(w) for w in words(parsed)], file
        assert (outlined.name, outlined.title, outlined.path) == (
            parsed.name,
            parsed.title,
            parsed.path,
        )
        assert outlined.cards[0] == parsed.cards[0]  # a card asked for parses the file


def test_a_related_card_that_no_deck_has_keeps_the_deck_and_says_so(invoke, home):
    """The one problem that does not leave a deck out is not counted as one that does."""
    write_deck(home / "decks", VALID.replace("related: [demo-two]", "related: [demo-nowhere]"))
    result = invoke("study", "--deck", "demo", "--new", "1", input="\n5\n")
    assert result.exit_code == 0, result.output
    assert "is related to unknown card 'demo-nowhere'" in result.stderr
    assert "left out" not in result.stderr
    assert (
        "1 problem in deck files; a link that leads nowhere is not shown (the decks are in use)"
        in (result.stderr)
    )
    with Store.open(home / "flashdl.db") as store:
        assert [r.card_id for r in store.reviews()] == ["demo-one"]
    # beside a deck that is left out, each is counted as what it is
    write_deck(
        home / "decks", VALID.replace("demo-", "other-").replace("answer:", "anwser:"), "other"
    )
    result = invoke("decks")
    assert "5 problems in deck files; those decks were left out" in result.stderr, result.stderr
    assert "1 problem in deck files; a link that leads nowhere is not shown" in result.stderr


def test_a_deck_entry_that_is_no_file_is_named_not_skipped(invoke, home, tmp_path):
    """A link to nowhere, a link loop or a FIFO named like a deck would make that deck vanish
    without a word; each is named instead (reading a FIFO never waits). Emacs' lock link
    ``.#name.yaml`` (hidden, to nowhere) is not a deck."""
    folder = home / "decks"
    write_deck(folder)
    (folder / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    os.mkfifo(folder / "pipe.yml")
    (folder / ".#demo.yaml").symlink_to("me@host.1234")
    (folder / "notes.yaml").mkdir()  # a folder is not looked into
    result = invoke("check", str(folder))
    assert result.exit_code == 1
    named = [re.split(":? ", line, maxsplit=1)[0] for line in result.stderr.splitlines()[:-1]]
    assert named == [str(folder / n) for n in ("gone.yaml", "loop.yaml", "pipe.yml")], result.stderr
    assert result.stderr.splitlines()[-1] == "flashdl: 3 problems in deck files"
    result = invoke("study", "--deck", "demo", "--new", "1", input="\n5\n")
    assert result.exit_code == 0, result.output
    assert "3 problems in deck files; those decks were left out" in result.stderr


# -- the JSON Schema ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def yaml_data(text: str) -> object:
    """YAML as an editor's language server sees it (libyaml, like the loader: PyYAML's pure-Python
    scanner wrongly rejects flow mappings such as ``{en: Why?}``)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def schema_accepts(validator, text: str) -> bool:
    return validator.is_valid(yaml_data(text))


def loader_accepts(text: str, name: str = "demo") -> bool:
    try:
        load = parse_deck(text, f"{name}.yaml", expected_name=name)
    except DeckError:
        return False
    return bool(load.cards)


def test_schema_command_prints_the_shipped_schema(invoke):
    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert result.stdout == SCHEMA_FILE.read_text(encoding="utf-8")
    assert invoke("schema", "--path").stdout.strip() == str(SCHEMA_FILE)


def test_every_bundled_deck_and_the_valid_test_deck_satisfy_the_schema(validator):
    for path in sorted(bundled_decks_dir().glob("*.yaml")):
        errors = list(validator.iter_errors(yaml_data(path.read_text(encoding="utf-8"))))
        assert not errors, f"{path.name}: {errors[0].message} at {list(errors[0].path)}"
    assert schema_accepts(validator, VALID) and loader_accepts(VALID)
    assert schema_accepts(validator, starter_deck("mine"))


@pytest.mark.parametrize("name", STRUCTURAL)
def test_structural_errors_are_rejected_by_both(validator, name):
    text = (BAD / f"{name}.yaml").read_text(encoding="utf-8")
    assert not loader_accepts(text, name)
    assert not schema_accepts(validator, text)


PITFALL = """\
      - zh: 梯度消失不是过拟合
        en: A vanishing gradient is not overfitting
        terms: [overfitting, {all: [梯度, 过拟合]}]
"""
PITFALLS = f"    pitfalls:\n{PITFALL}    tags: [training]\n"


def _card_two(change: str) -> str:
    """VALID with the second card's key-points block replaced by ``change``."""
    start = VALID.index("  - id: demo-two")
    return VALID[:start] + change


MUTATIONS = {
    "unknown top-level key": (VALID + "extra: 1\n", False),
    "title without a language": (VALID.replace("title: {zh: 演示, en: Demo}", "title: {}"), False),
    "title in one language": (VALID.replace("title: {zh: 演示, en: Demo}", "title: {en: Demo}"), True),
    "deck name with capitals": (VALID.replace("deck: demo", "deck: Demo"), False),
    "empty card list": (VALID.split("cards:")[0] + "cards: []\n", False),
    "seven key points": (
        _card_two(
            "  - id: demo-two\n    question: {en: q}\n    answer: {en: a}\n    key_points:\n"
            + "      - {en: p, terms: [t]}\n" * 7
        ),
        False,
    ),
    "key point without text": (
        _card_two(
            "  - id: demo-two\n    question: {en: q}\n    answer: {en: a}\n    key_points:\n"
            + "      - {terms: [t]}\n" * 3
        ),
        False,
    ),
    "empty terms": (
        _card_two(
            "  - id: demo-two\n    question: {en: q}\n    answer: {en: a}\n    key_points:\n"
            + "      - {en: p, terms: []}\n" * 3
        ),
        False,
    ),
    "numbers as terms": (
        _card_two(
            "  - id: demo-two\n    question: {en: q}\n    answer: {en: a}\n    key_points:\n"
            + "      - {en: p, terms: [0.0002, 3]}\n" * 3
        ),
        True,
    ),
    "tag with a space": (VALID.replace("tags: [training]", "tags: [deep learning]"), False),
    "Chinese tag": (VALID.replace("tags: [training]", "tags: [训练, a.b-c_d]"), True),
    "ftp source": (VALID.replace("https://example.com/exploding", "ftp://example.com/x"), False),
    "null tags": (VALID.replace("tags: [training]", "tags:"), True),
    "blank answer": (VALID.replace("answer: {zh: 梯度逐层放大。, en: Gradients grow layer by layer.}", "answer: {zh: '  '}"), False),
    "related id with capitals": (VALID.replace("related: [demo-two]", "related: [Demo-Two]"), False),
    # deck format 2
    "format 2": (VALID.replace("deck: demo\n", "deck: demo\nformat: 2\n"), True),
    "format 3": (VALID.replace("deck: demo\n", "deck: demo\nformat: 3\n"), False),
    "weights": (VALID.replace("terms: [浅层, early layers]", "weight: 3, terms: [浅层, early layers]"), True),
    "weight 4": (VALID.replace("terms: [浅层, early layers]", "weight: 4, terms: [浅层, early layers]"), False),
    "a term group": (VALID.replace("terms: [连乘, product]", "terms: [连乘, {all: [long, product]}]"), True),
    "a group of one": (VALID.replace("terms: [连乘, product]", "terms: [{all: [product]}]"), True),
    "an empty group": (VALID.replace("terms: [连乘, product]", "terms: [{all: []}]"), False),
    "a group with another key": (VALID.replace("terms: [连乘, product]", "terms: [{all: [a, b], any: [c]}]"), False),
    "pitfalls": (VALID.replace("    tags: [training]\n", PITFALLS), True),
    "pitfall without terms": (VALID.replace("    tags: [training]\n", PITFALLS.replace("        terms: [overfitting, {all: [梯度, 过拟合]}]\n", "")), False),
    "four pitfalls": (VALID.replace("    tags: [training]\n", PITFALLS.replace(PITFALL, PITFALL * 4)), False),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_loader_and_schema_agree_on_each_rule(validator, case):
    text, valid = MUTATIONS[case]
    if "related" not in case and "demo-two" not in text:
        text = text.replace("related: [demo-two]", "")
    assert loader_accepts(text) is valid, "loader"
    assert schema_accepts(validator, text) is valid, "schema"


# -- new-deck -----------------------------------------------------------------------------------


def test_new_deck_writes_a_starter_that_passes_check(invoke, home):
    result = invoke("new-deck", "ml-basics")
    assert result.exit_code == 0, result.output
    path = home / "decks" / "ml-basics.yaml"
    assert result.stdout.strip() == f"Wrote {path}; edit it, then run `flashdl check`."
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=deck.schema.json\n")
    assert (home / "decks" / "deck.schema.json").read_text() == SCHEMA_FILE.read_text()
    result = invoke("check")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # not even a lint warning
    assert result.stdout.strip() == "ok: 21 decks, 206 cards"
    [deck] = [d for d in load_collection([home / "decks"]) if d.name == "ml-basics"]
    assert [c.id for c in deck.cards] == [
        "ml-basics-loss-scaling",
        "ml-basics-gradient-checkpointing",
    ]


def test_new_deck_replaces_a_planted_link_at_the_schema_copy(invoke, home, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "deck.schema.json").symlink_to(victim)
    result = invoke("new-deck", "ml-basics")
    assert result.exit_code == 0, result.output
    assert victim.read_text(encoding="utf-8") == "precious"
    schema = home / "decks" / "deck.schema.json"
    assert not schema.is_symlink() and schema.read_text() == SCHEMA_FILE.read_text()


def test_new_deck_refuses_existing_names_and_bad_names(invoke, home):
    assert invoke("new-deck", "mine").exit_code == 0
    (home / "decks" / "mine.yaml").write_text(VALID.replace("demo", "mine"), encoding="utf-8")
    result = invoke("new-deck", "mine")
    assert result.exit_code == 1
    assert result.stderr.startswith("flashdl: a deck named 'mine' already exists: ")
    assert "deck: mine" in (home / "decks" / "mine.yaml").read_text(encoding="utf-8")
    result = invoke("new-deck", "basics")
    assert result.exit_code == 1 and "basics.yaml" in result.stderr
    for bad in ("My Deck", "../escape", "_x", "a" * 51):
        result = invoke("new-deck", bad)
        assert result.exit_code == 1 and "is not a deck name" in result.stderr, bad
        assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in (home / "decks").iterdir()) == ["deck.schema.json", "mine.yaml"]


def test_a_card_of_yours_that_overlaps_a_bundled_one_is_a_warning_on_yours(invoke, home):
    """The bundled decks are linted against each other only: your card, however close to a
    bundled one, never turns into an error in a bundled deck (issue 17's knowledge decks cover
    what users often write cards about)."""
    import yaml as pyyaml

    from flashdl.decks.loader import load_collection

    [bundled] = [
        c for d in load_collection([bundled_decks_dir()]) for c in d.cards
        if c.id == "regularization-dropout"
    ]  # fmt: skip
    mine = {
        "deck": "mine",
        "format": 2,
        "title": {"zh": "我的", "en": "Mine"},
        "cards": [
            {
                "id": "mine-dropout",
                "question": {"zh": "讲讲 Dropout", "en": "Explain dropout"},
                "answer": {"zh": bundled.answer.zh, "en": bundled.answer.en},
                "key_points": [
                    {
                        "zh": p.text.zh,
                        "en": p.text.en,
                        "terms": [" ".join(t.parts) for t in p.terms[:3]],
                    }
                    for p in bundled.key_points
                ],
            }
        ],
    }
    (home / "decks").mkdir(parents=True)
    text = pyyaml.safe_dump(mine, allow_unicode=True)
    (home / "decks" / "mine.yaml").write_text(text, encoding="utf-8")
    result = invoke("check")
    assert result.exit_code == 0, result.output
    assert "decks/regularization.yaml" not in result.stderr
    assert "mine.yaml" in result.stderr and "warning" in result.stderr


def test_check_counts_a_file_given_twice_once(invoke, tmp_path):
    """A deck given by two paths (a link and the file) is one deck, not a deck and a file of
    overrides."""
    path = write_deck(tmp_path / "mine")
    link = tmp_path / "link.yaml"
    link.symlink_to(path)
    result = invoke("check", str(path), str(link), str(path.parent / ".." / "mine" / path.name))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().startswith("ok: 1 deck, "), result.stdout
    assert "overrides" not in result.stdout
