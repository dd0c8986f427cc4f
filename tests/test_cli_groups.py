"""Issue 17: deck groups. The bundled decks are in two groups, `interview` (the seed's questions,
the default) and `knowledge`; study, quiz, export and stats take `--group`, and the `group`
setting changes the default. A deck that names no group is in the interview group."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml
from decktext import VALID

from flashdl.core.errors import DeckError
from flashdl.core.model import KNOWLEDGE_GROUP, deck_group, decks_in_group
from flashdl.decks.cache import load_deck_cached
from flashdl.decks.loader import load_collection, parse_deck
from flashdl.paths import bundled_decks_dir
from flashdl.store import Store

KNOWN = VALID.replace("deck: demo\n", "deck: demo\ngroup: knowledge\n")
MINE = VALID.replace("deck: demo\n", "deck: demo\ngroup: mine\n")


def write_deck(folder: Path, text: str, name: str = "demo") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


DECK_NAMES = {p.stem for p in bundled_decks_dir().glob("*.yaml")} | {"demo"}


def deck_of(card_id: str) -> str:
    """A card's deck, from its id (which starts with the deck's name and a dash)."""
    return max((n for n in DECK_NAMES if card_id.startswith(f"{n}-")), key=len)


def studied_decks(home: Path) -> set[str]:
    with Store.open(home / "flashdl.db") as store:
        return {deck_of(r.card_id) for r in store.reviews()}


def exported_decks(invoke, *args: str) -> set[str]:
    result = invoke("export", "csv", "-o", "-", *args)
    assert result.exit_code == 0, result.output
    rows = [
        r for r in csv.reader(io.StringIO(result.stdout), delimiter="\t") if r and r[0][:1] != "#"
    ]
    return {deck_of(row[4]) for row in rows}  # the card id


# -- the groups of the bundled decks ------------------------------------------------------------


def test_the_seven_seed_decks_form_the_interview_group_and_the_rest_the_knowledge_group():
    decks = load_collection([bundled_decks_dir()])
    interview = {d.name for d in decks_in_group(decks, "interview")}
    assert interview == {"basics", "cnn", "pretrain", "gan", "cv", "nlp", "recsys"}
    knowledge = decks_in_group(decks, KNOWLEDGE_GROUP)
    assert {d.name for d in knowledge} == {d.name for d in decks} - interview
    assert all(d.group for d in decks), "every bundled deck names its group"


def test_a_deck_without_a_group_is_in_the_interview_group():
    deck = parse_deck(VALID, "demo.yaml", "demo")
    assert deck.group == "" and deck_group(deck) == "interview"
    assert deck_group(parse_deck(KNOWN, "demo.yaml", "demo")) == KNOWLEDGE_GROUP


@pytest.mark.parametrize("bad", ["Knowledge", "all", "a b", "[x]", "''", "-x"])
def test_a_bad_group_in_a_deck_file_is_an_error_on_its_line(bad):
    text = VALID.replace("deck: demo\n", f"deck: demo\ngroup: {bad}\n")
    with pytest.raises(DeckError) as caught:
        parse_deck(text, "demo.yaml", "demo")
    assert caught.value.problems[0].startswith("demo.yaml:2: ")
    assert "group" in caught.value.problems[0]


def test_the_group_survives_the_parsed_deck_cache(tmp_path):
    path = write_deck(tmp_path / "decks", KNOWN)
    cache = tmp_path / "cache"
    first = load_deck_cached(path, cache)
    again = load_deck_cached(path, cache)  # read from the cache entry the first load wrote
    assert type(again.cards) is not tuple
    assert first.group == again.group == KNOWLEDGE_GROUP


def test_a_copied_deck_that_names_a_group_moves_the_deck_to_it(invoke, home):
    write_deck(home / "decks", KNOWN, "demo")
    copy = KNOWN.replace("group: knowledge", "group: mine")
    write_deck(home / "more", copy, "demo")
    result = invoke("decks", "--decks-dir", str(home / "more"))
    assert result.exit_code == 0, result.output
    assert "mine" in result.stdout


# -- choosing by group --------------------------------------------------------------------------


def test_study_uses_the_interview_group_unless_told_otherwise(invoke, home):
    write_deck(home / "decks", KNOWN)
    result = invoke("study", "--new", "30", "--plain", input="\n5\n" * 40)
    assert result.exit_code == 0, result.output
    done = studied_decks(home)
    assert "demo" not in done and done <= {
        "basics",
        "cnn",
        "pretrain",
        "gan",
        "cv",
        "nlp",
        "recsys",
    }


def test_study_group_knowledge_studies_only_that_group(invoke, home):
    result = invoke("study", "--group", "knowledge", "--plain", input="\n5\n" * 80)
    assert result.exit_code == 0, result.output
    done = studied_decks(home)
    assert len(done) == 10  # ten new cards, one from each of the first ten knowledge decks
    assert not done & {"basics", "cnn", "pretrain", "gan", "cv", "nlp", "recsys"}


def test_a_group_of_ones_own_decks(invoke, home):
    write_deck(home / "decks", MINE)
    result = invoke("study", "--group", "mine", "--plain", input="\n5\n" * 10)
    assert result.exit_code == 0, result.output
    assert studied_decks(home) == {"demo"}


def test_the_group_setting_changes_the_default_and_config_show_says_where_from(invoke, home):
    write_deck(home / "decks", KNOWN)
    assert invoke("config", "set", "group", "knowledge").exit_code == 0
    shown = invoke("config", "show").stdout
    line = next(x for x in shown.splitlines() if x.startswith("group = "))
    assert line.split()[2] == "knowledge" and "config.toml)" in line, shown
    assert "demo" in exported_decks(invoke)
    assert "basics" not in exported_decks(invoke)
    assert "basics" in exported_decks(invoke, "--group", "interview")  # the flag wins
    assert {"demo", "basics"} <= exported_decks(invoke, "--group", "all")
    assert invoke("config", "set", "group", "default").exit_code == 0
    assert "demo" not in exported_decks(invoke)


def test_the_decks_setting_wins_over_the_group_setting(invoke, home):
    write_deck(home / "decks", KNOWN)
    assert invoke("config", "set", "group", "knowledge").exit_code == 0
    assert invoke("config", "set", "decks", "gan").exit_code == 0
    assert exported_decks(invoke) == {"gan"}


def test_a_deck_of_ones_own_without_a_group_is_studied_by_default(invoke, home):
    write_deck(home / "decks", VALID)
    assert "demo" in exported_decks(invoke)
    assert "demo" not in exported_decks(invoke, "--group", "knowledge")


def test_quiz_and_stats_take_the_group_too(invoke, home):
    write_deck(home / "decks", MINE)
    result = invoke("quiz", "--group", "mine", "--no-type", "-n", "2", "--in-order",
                    "--plain", "--lang", "en", input="\n4\n\n4\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "What is a vanishing gradient?" in result.stdout
    stats = invoke("stats", "--group", "mine", "--json")
    assert stats.exit_code == 0, stats.output
    assert "demo" in stats.stdout and '"basics"' not in stats.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--group", "nope"], "--group: no deck is in the group 'nope'; the groups are: interview, knowledge ('all' selects every deck)"),
        (["--group", "knowledge", "--deck", "gan"], "give --deck or --group, not both"),
    ],
)  # fmt: skip
def test_a_bad_group_flag_is_one_line(invoke, home, args, message):
    write_deck(home / "decks", KNOWN)
    for command in (
        ["study", "--plain"],
        ["quiz", "--plain"],
        ["stats"],
        ["export", "csv", "-o", "-"],
    ):
        result = invoke(*command, *args)
        assert result.exit_code != 0
        assert result.stderr.strip().splitlines() == [f"flashdl: {message}"], result.stderr


@pytest.mark.parametrize("value", ["Knowledge", "a b", "", "x" * 80])
def test_a_bad_group_setting_is_refused(invoke, value):
    result = invoke("config", "set", "group", value)
    assert result.exit_code != 0
    assert len(result.stderr.strip().splitlines()) == 1 and "group" in result.stderr


def test_a_group_setting_no_deck_has_is_one_line_naming_the_file(invoke, home):
    (home).mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('group = "gone"\n', encoding="utf-8")
    result = invoke("study", "--plain")
    assert result.exit_code != 0
    line = result.stderr.strip()
    assert "\n" not in line and "config.toml: group: no deck is in the group 'gone'" in line


def test_a_hostile_group_in_the_settings_file_is_refused(invoke, home):
    (home).mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('group = "\\u001b[2J"\n', encoding="utf-8")
    result = invoke("study", "--plain")
    assert result.exit_code != 0
    assert "\x1b" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


# -- the decks command --------------------------------------------------------------------------


def test_decks_lists_the_groups_and_marks_the_default(invoke, home):
    write_deck(home / "decks", KNOWN)
    result = invoke("decks")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "interview (default)" in out and "knowledge" in out
    assert out.index("interview (default)") < out.index("basics") < out.index("knowledge ")
    assert out.index("knowledge ") < out.index("demo")
    assert "--group knowledge" in out and "config set group knowledge" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert invoke("config", "set", "group", "knowledge").exit_code == 0
    assert "knowledge (default)" in invoke("decks").stdout


def test_group_is_in_the_schema():
    from flashdl.decks.authoring import schema_text

    schema = yaml.safe_load(schema_text())
    assert "group" in schema["$defs"]["deck"]["properties"]
