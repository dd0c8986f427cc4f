"""Issue 13.7: users correct a bundled card (overrides by id, a copied bundled deck, `flashdl edit`,
`flashdl show` saying so), with progress kept; issue 13.8: `show`'s title, shell completion."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from ast import literal_eval
from pathlib import Path

import pytest

from flashdl.app.edit import card_yaml, editor_command
from flashdl.core.errors import DeckError, UsageError
from flashdl.decks.cache import load_usable_decks_cached
from flashdl.decks.loader import load_collection, parse_overrides
from flashdl.paths import bundled_decks_dir
from flashdl.store import Store

FIX = """\
overrides:
  - id: gan-tanh-output
    question:
      en: Why does a GAN generator end in tanh?
    tags: [activation]
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def card(decks, card_id):
    return next(c for d in decks for c in d.cards if c.id == card_id)


# -- the overrides file -------------------------------------------------------------------------


def test_an_override_replaces_the_fields_it_gives_and_keeps_the_rest(home):
    write(home / "decks", "fixes.yaml", FIX)
    decks = load_collection([bundled_decks_dir(), home / "decks"])
    bundled = card(load_collection([bundled_decks_dir()]), "gan-tanh-output")
    fixed = card(decks, "gan-tanh-output")
    assert fixed.question.en == "Why does a GAN generator end in tanh?"
    assert fixed.question.zh == bundled.question.zh  # one language given: the other stays
    assert fixed.answer == bundled.answer and fixed.key_points == bundled.key_points
    assert fixed.tags == ("activation",) and fixed.deck == "gan"
    [gan] = [d for d in decks if d.name == "gan"]
    assert gan.overridden_by("gan-tanh-output").endswith("fixes.yaml:2")
    assert gan.overridden_by("gan-noise-input") is None
    assert len(decks) == len(list(bundled_decks_dir().glob("*.yaml")))  # no deck of its own


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("overrides:\n  - question: {en: Hi?}\n", "2: card is missing 'id'"),
        ("overrides:\n  - id: gan-tanh-output\n", "2: the override of card 'gan-tanh-output' changes nothing"),
        ("overrides:\n  - id: gan-tanh-output\n    answr: {en: x}\n", "3: unknown key 'answr' in card (did you mean 'answer'?)"),
        ("overrides:\n  - id: gan-tanh-output\n    key_points: [{en: one, terms: [a]}]\n", "3: card 'gan-tanh-output' key_points has 1 items; give 3 to 6"),
        ("overrides:\n  - id: a-b\n    tags: [x]\n  - id: a-b\n    tags: [y]\n", "4: card 'a-b' is overridden twice (first at line 2)"),
        ("overrides: []\n", "1: 'overrides' must be a non-empty list"),
        ("deck: mine\noverrides:\n  - {id: a-b, tags: [x]}\n", "1: 'deck' cannot be in a file of overrides"),
        ("overrides:\n  - {id: a-b, tags: [x]}\nextra: 1\n", "3: unknown key 'extra' in a file of overrides"),
    ],
)  # fmt: skip
def test_overrides_are_validated_like_cards_with_file_and_line(text, message):
    with pytest.raises(DeckError) as caught:
        parse_overrides(text, "fixes.yaml")
    assert any(p.startswith("fixes.yaml:") and message in p for p in caught.value.problems), (
        caught.value.problems
    )


def test_an_override_of_an_unknown_id_is_a_warning_with_the_closest_id(invoke, home):
    write(home / "decks", "fixes.yaml", FIX.replace("gan-tanh-output", "gan-tanh-outptu"))
    result = invoke("check")
    assert result.exit_code == 0, result.output
    assert (
        "fixes.yaml:2: warning: no card has the id 'gan-tanh-outptu' (did you mean "
        "'gan-tanh-output'?); this override is ignored"
    ) in result.stderr
    result = invoke("show", "gan-tanh-output")
    assert result.exit_code == 0 and "overridden by" not in result.stdout


def test_a_broken_override_file_is_skipped_and_study_goes_on(invoke, home):
    write(home / "decks", "fixes.yaml", FIX.replace("[activation]", "[bad tag!]"))
    result = invoke("check")
    assert result.exit_code == 1
    assert "fixes.yaml:5: card 'gan-tanh-output' tags item 'bad tag!'" in result.stderr
    result = invoke("study", "--deck", "gan", "--new", "1", input="\n5\n")
    assert result.exit_code == 0, result.output
    assert "fixes.yaml:5:" in result.stderr


def test_progress_is_kept_and_the_cache_follows_every_change(invoke, home, clock):
    invoke("study", "--deck", "gan", "--new", "3", input="\n5\n" * 3)
    with Store.open(home / "flashdl.db") as store:
        before = {k: v.state for k, v in store.states().items()}
    assert "gan-tanh-output" in before
    path = write(home / "decks", "fixes.yaml", FIX)
    sources = [bundled_decks_dir(), home / "decks"]
    cache = home / "cache"
    for _run in ("fill the cache", "from the cache"):
        decks, problems = load_usable_decks_cached(sources, cache)
        assert problems == []
        assert card(decks, "gan-tanh-output").tags == ("activation",)
    assert any(cache.glob("overrides-fixes-*.json"))
    # Edited with the old size and mtime put back (as cp -p does): the inode's change time says.
    info = path.stat()
    path.write_text(FIX.replace("activation", "activatio2"), encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    decks, _ = load_usable_decks_cached(sources, cache)
    assert card(decks, "gan-tanh-output").tags == ("activatio2",)
    path.write_text(FIX.replace("[activation]", "[activation, gan]"), encoding="utf-8")
    decks, _ = load_usable_decks_cached(sources, cache)
    assert card(decks, "gan-tanh-output").tags == ("activation", "gan")
    path.unlink()
    decks, _ = load_usable_decks_cached(sources, cache)
    assert card(decks, "gan-tanh-output").tags != ("activation", "gan")
    write(home / "decks", "fixes.yaml", FIX)
    result = invoke("show", "gan-tanh-output", "--lang", "en")
    assert "Why does a GAN generator end in tanh?" in result.stdout
    with Store.open(home / "flashdl.db") as store:
        assert {k: v.state for k, v in store.states().items()} == before  # same ids, same progress


def test_a_file_of_overrides_that_becomes_a_deck_is_read_as_a_deck(home):
    from decktext import VALID

    path = write(home / "decks", "demo.yaml", FIX)
    sources = [bundled_decks_dir(), home / "decks"]
    load_usable_decks_cached(sources, home / "cache")
    path.write_text(VALID, encoding="utf-8")
    decks, problems = load_usable_decks_cached(sources, home / "cache")
    assert problems == [] and "demo" in {d.name for d in decks}


# -- a bundled deck copied into the user folder -------------------------------------------------


def test_a_copied_bundled_deck_overrides_it_with_one_note(invoke, home):
    copy = home / "decks" / "gan.yaml"
    copy.parent.mkdir(parents=True)
    shutil.copy(bundled_decks_dir() / "gan.yaml", copy)
    text = copy.read_text(encoding="utf-8").replace(
        "How is a GAN trained?", "How is a GAN trained, exactly?"
    )
    copy.write_text(text, encoding="utf-8")
    result = invoke("check")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "ok: 20 decks, 204 cards"
    notes = result.stderr.strip().splitlines()
    assert len(notes) == 1 and "gan.yaml:1: note: deck 'gan' is already loaded from" in notes[0]
    result = invoke("study", "--deck", "gan", "--new", "1", "--lang", "en", input="\n5\n")
    assert result.exit_code == 0, result.output
    assert "How is a GAN trained, exactly?" in result.stdout
    assert "problem" not in result.stderr
    result = invoke("show", "gan-training-procedure")
    line = next(
        n for n, row in enumerate(text.splitlines(), 1) if "id: gan-training-procedure" in row
    )
    assert f"overriddenby{copy}:{line}" in "".join(result.stdout.split())  # long paths fold


def test_a_copied_deck_may_add_cards_but_not_take_other_decks_ids(home):
    from decktext import VALID

    text = VALID.replace("deck: demo", "deck: gan").replace("demo-two", "basics-why-normalize")
    write(home / "decks", "gan.yaml", text)
    with pytest.raises(DeckError) as caught:
        load_collection([bundled_decks_dir(), home / "decks"])
    assert any("duplicate card id 'basics-why-normalize'" in p for p in caught.value.problems)
    notes: list[str] = []
    decks, problems = load_usable_decks_cached(
        [bundled_decks_dir(), home / "decks"], home / "cache", notes=notes
    )
    [gan] = [d for d in decks if d.name == "gan"]
    assert "demo-one" in [c.id for c in gan.cards] and len(gan.cards) == 9
    assert any("duplicate card id 'basics-why-normalize'" in p for p in problems)
    assert len(notes) == 1


# -- flashdl edit -------------------------------------------------------------------------------

EDITOR = """\
#!{python}
import pathlib, sys
pathlib.Path({log!r}).write_text(repr(sys.argv[1:]))
path = pathlib.Path(sys.argv[-1])
path.write_text(path.read_text(encoding="utf-8").replace({old!r}, {new!r}), encoding="utf-8")
"""


def fake_editor(tmp_path: Path, old: str, new: str, name: str = "fake-editor") -> tuple[Path, Path]:
    log = tmp_path / "editor-args"
    script = tmp_path / name
    script.write_text(EDITOR.format(python=sys.executable, log=str(log), old=old, new=new))
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, log


def test_edit_copies_the_bundled_card_opens_the_editor_and_checks(
    invoke, home, tmp_path, monkeypatch
):
    script, log = fake_editor(tmp_path, "Why does the last layer", "Why does the final layer")
    monkeypatch.setenv("EDITOR", str(script))
    result = invoke("edit", "gan-tanh-output")
    assert result.exit_code == 0, result.output
    target = home / "decks" / "overrides.yaml"
    assert f"Copied card 'gan-tanh-output' into {target}:8 as an override." in result.stdout
    assert "now shows your version" in result.stdout
    assert literal_eval(log.read_text()) == [str(target)]
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[7] == "  - id: gan-tanh-output"
    assert "key_points:" in text and "Why does the final layer" in text  # the real content
    assert (home / "decks" / "deck.schema.json").is_file()
    result = invoke("show", "gan-tanh-output", "--lang", "en")
    assert "Why does the final layer of a GAN generator" in result.stdout
    assert f"overriddenby{target}:8" in "".join(result.stdout.split())  # long paths fold
    # A second edit opens the same entry, and adds nothing.
    script, log = fake_editor(tmp_path, "final layer", "very last layer", name="vim")
    monkeypatch.setenv("EDITOR", str(script))
    result = invoke("edit", "gan-tanh-output")
    assert result.exit_code == 0, result.output
    assert literal_eval(log.read_text()) == ["+8", str(target)]
    assert target.read_text(encoding="utf-8").count("- id:") == 1
    result = invoke("show", "gan-tanh-output", "--lang", "en")
    assert "Why does the very last layer" in result.stdout


def test_an_edit_that_breaks_the_file_is_reported_and_kept(invoke, home, tmp_path, monkeypatch):
    script, _ = fake_editor(tmp_path, "    tags: [", "    tags: [bad tag!, ")
    monkeypatch.setenv("EDITOR", str(script))
    result = invoke("edit", "gan-tanh-output")
    assert result.exit_code == 1
    target = home / "decks" / "overrides.yaml"
    assert f"{target}:" in result.stderr and "tags item 'bad tag!'" in result.stderr
    assert "your edit is kept there: fix it with `flashdl edit gan-tanh-output`" in result.stderr
    assert "bad tag!" in target.read_text(encoding="utf-8")
    # Study goes on with the bundled card meanwhile; the next edit opens the broken entry.
    assert invoke("study", "--deck", "gan", "--new", "1", input="\n5\n").exit_code == 0
    script, log = fake_editor(tmp_path, "bad tag!, ", "", name="nano")
    monkeypatch.setenv("EDITOR", str(script))
    result = invoke("edit", "gan-tanh-output")
    assert result.exit_code == 0, result.output
    assert literal_eval(log.read_text())[0] == "+8"


def test_edit_of_a_users_own_card_opens_its_deck(invoke, home, tmp_path, monkeypatch):
    from decktext import VALID

    deck = write(home / "decks", "demo.yaml", VALID)
    script, log = fake_editor(tmp_path, "What is a vanishing gradient?", "What is it?", name="code")
    monkeypatch.setenv("EDITOR", str(script))
    result = invoke("edit", "demo-one")
    assert result.exit_code == 0, result.output
    assert literal_eval(log.read_text())[-2:] == ["-g", f"{deck}:4"]
    assert not (home / "decks" / "overrides.yaml").exists()


def test_edit_without_an_editor_or_with_a_missing_one_is_one_line(invoke, monkeypatch, tmp_path):
    monkeypatch.setenv("EDITOR", str(tmp_path / "no-such-editor"))
    result = invoke("edit", "gan-tanh-output")
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith(f"flashdl: cannot start the editor '{tmp_path / 'no-such-editor'}'")
    )
    monkeypatch.delenv("EDITOR")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = invoke("edit", "gan-tanh-output")
    assert result.exit_code == 1
    assert result.stderr.strip() == "flashdl: no editor found: set EDITOR (for example EDITOR=nano)"
    result = invoke("edit", "gan-tanh-outpt")
    assert "did you mean 'gan-tanh-output'?" in result.stderr


@pytest.mark.parametrize(
    ("editor", "expected"),
    [
        ("vim", ["vim", "+12", "f.yaml"]),
        ("nano -w", ["nano", "-w", "+12", "f.yaml"]),
        ("emacsclient -t", ["emacsclient", "-t", "+12", "f.yaml"]),
        ("code --wait", ["code", "--wait", "-g", "f.yaml:12"]),
        ("/usr/bin/subl -w", ["/usr/bin/subl", "-w", "f.yaml:12"]),
        ("my-editor", ["my-editor", "f.yaml"]),
    ],
)
def test_the_line_is_passed_the_way_each_editor_reads_it(editor, expected):
    assert editor_command(Path("f.yaml"), 12, {"EDITOR": editor}) == expected


def test_editor_falls_back_to_visual_then_vi_then_nano():
    assert editor_command(Path("f"), 1, {"VISUAL": "kak"}) == ["kak", "+1", "f"]
    assert editor_command(Path("f"), 1, {}, which=lambda n: n == "nano")[0] == "nano"
    assert editor_command(Path("f"), 1, {}, which=lambda n: True)[0] == "vi"
    with pytest.raises(UsageError, match="no editor found"):
        editor_command(Path("f"), 1, {"EDITOR": "  "}, which=lambda n: False)


def test_card_yaml_copies_one_list_item_reindented():
    text = "cards:\n    - id: a\n      q: |\n        x\n\n          y\n    # next\n    - id: b\n"
    assert card_yaml(text, 2) == "  - id: a\n    q: |\n      x\n\n        y\n"
    assert card_yaml(text, 3) is None


# -- show and completion ------------------------------------------------------------------------


def test_show_has_the_deck_title_in_the_language_asked_and_no_session_counter(invoke):
    result = invoke("show", "gan-tanh-output", "--lang", "en")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert "Generative adversarial networks" in first and "对抗神经网络" not in first
    assert "done" not in first and "left" not in first
    assert "对抗神经网络" in invoke("show", "gan-tanh-output").stdout.splitlines()[0]


def test_shell_completion_can_be_shown_and_installed(invoke, tmp_path, monkeypatch):
    # Typer finds the shell from the parent process; under `timeout` or a CI runner that is no
    # shell, so the shell is named instead (the option then takes it as its value).
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = invoke("--show-completion", "bash")
    assert result.exit_code == 0, result.output
    assert "_FLASHDL_COMPLETE=complete_bash" in result.stdout
    result = invoke("--install-completion", "bash")
    assert result.exit_code == 0, result.output
    home = Path(os.environ["HOME"])
    assert str(tmp_path) in str(home)  # never the real home
    assert "flashdl" in (home / ".bash_completions" / "flashdl.sh").read_text()
    for flag in ("-h", "--help"):
        result = invoke(flag)
        assert result.exit_code == 0 and "--install-completion" in result.stdout


def test_completion_completes_commands():
    import subprocess

    env = {**os.environ, "COMP_WORDS": "flashdl st", "COMP_CWORD": "1",
           "_FLASHDL_COMPLETE": "complete_bash"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", "from flashdl.cli import main; main()"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["study", "stats"]


def test_the_schema_accepts_a_file_of_overrides_and_still_every_deck():
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    from flashdl.decks.authoring import SCHEMA_FILE

    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text()))
    assert validator.is_valid(yaml.safe_load(FIX))
    assert not validator.is_valid(yaml.safe_load("overrides:\n  - id: a\n"))  # changes nothing
    assert not validator.is_valid(yaml.safe_load("overrides:\n  - {id: a, answr: {en: x}}\n"))
    assert not validator.is_valid(yaml.safe_load("overrides: []\n"))
    assert not validator.is_valid(yaml.safe_load("deck: x\noverrides: [{id: a, tags: [b]}]\n"))
    for path in sorted(bundled_decks_dir().glob("*.yaml")):
        assert validator.is_valid(yaml.safe_load(path.read_text(encoding="utf-8"))), path.name


def test_a_planted_overrides_cache_entry_is_a_miss(home):
    path = write(home / "decks", "fixes.yaml", FIX)
    sources, cache = [bundled_decks_dir(), home / "decks"], home / "cache"
    load_usable_decks_cached(sources, cache)
    [entry] = cache.glob("overrides-fixes-*.json")
    raw = json.loads(entry.read_text(encoding="utf-8"))
    raw["overrides"]["entries"][0]["given"] = ["__class__"]
    entry.write_text(json.dumps(raw), encoding="utf-8")
    for old in cache.glob("collection-*.ok"):
        old.unlink()
    decks, problems = load_usable_decks_cached(sources, cache)
    assert problems == [] and card(decks, "gan-tanh-output").tags == ("activation",)
    assert path.is_file()


def test_edit_card_returns_the_card_as_it_now_loads_for_the_study_app(home, tmp_path):
    """The study app's ``e`` goes through ``app.edit.edit_card``: the editor runs, the file is
    checked and the card comes back as edited (None while the file has problems)."""
    import os

    from flashdl.app.edit import edit_card
    from flashdl.decks.loader import load_collection
    from flashdl.paths import bundled_decks_dir

    decks = load_collection([bundled_decks_dir()])
    [deck] = [d for d in decks if d.name == "gan"]
    [card] = [c for c in deck.cards if c.id == "gan-tanh-output"]

    def run(editor: Path):
        return edit_card(
            card,
            deck,
            user_decks_dir=home / "decks",
            bundled_dir=bundled_decks_dir(),
            cache_dir=home / "cache",
            sources=[bundled_decks_dir(), home / "decks"],
            environ={**os.environ, "EDITOR": str(editor)},
        )

    script, _ = fake_editor(tmp_path, "Why does the last layer", "Why does the final layer")
    edited = run(script)
    assert edited.target.created and edited.problems == () and edited.editor_code == 0
    assert edited.card is not None and "final layer" in edited.card.question.get("en")
    script, _ = fake_editor(tmp_path, "  - id: gan-tanh-output", "  - id: [", name="breaker")
    broken = run(script)
    assert broken.card is None and broken.problems and not broken.target.created
