"""The commands as a user types them, through typer's CliRunner with a fixed clock."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from decktext import VALID

from flashdl.store import Store

BAD = Path(__file__).parent / "data" / "bad_decks"


def db_path(home: Path) -> Path:
    return home / "flashdl.db"


def test_version_and_help(invoke):
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.startswith("flashdl ")
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("study", "check", "decks"):
        assert command in result.stdout


def test_python_dash_m_works():
    result = subprocess.run(
        [sys.executable, "-m", "flashdl", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and result.stdout.startswith("flashdl ")


def test_study_with_piped_input_saves_every_grade(invoke, home):
    result = invoke("study", "--deck", "basics", "--new", "2", "--lang", "zh", input="\n5\n\n4\n")
    assert result.exit_code == 0, result.output
    assert "为什么归一化能够提高求解最优解的速度？" in result.stdout
    assert "本次小结" in result.stdout and "复习卡片" in result.stdout  # the session's words too
    result = invoke("study", "--deck", "basics", "--new", "4", "--lang", "en", input="")
    assert "Session summary" in result.stdout and "Cards reviewed" in result.stdout
    with Store.open(db_path(home)) as store:
        reviews = store.reviews()
        assert [(r.deck, r.grade, r.mode) for r in reviews] == [
            ("basics", 5, "study"),
            ("basics", 4, "study"),
        ]
        assert len(store.states()) == 2


def test_new_cards_seen_earlier_today_count_against_the_limit(invoke, home):
    assert invoke("study", "--deck", "cnn", "--new", "2", input="\n5\n\n5\n").exit_code == 0
    result = invoke("study", "--deck", "cnn", "--new", "2", "--lang", "en", input="")
    assert result.exit_code == 0
    assert (  # issue 13.4: it says why, and what to do
        "Nothing due today, and 2 of 2 new cards are introduced already; `flashdl study --new 7`"
        " for more (the next review is due 2026-11-30)." in " ".join(result.stdout.split())
    )
    result = invoke("study", "--deck", "cnn", "--new", "3", input="\n5\n")
    with Store.open(db_path(home)) as store:
        assert len(store.states()) == 3


def test_due_cards_come_back_on_their_day(invoke, clock, home):
    invoke("study", "--deck", "gan", "--new", "1", input="\n5\n")
    clock.advance(days=1)
    result = invoke("study", "--deck", "gan", "--new", "0", input="\n4\n")
    assert "GAN是怎么训练的？" in result.stdout
    with Store.open(db_path(home)) as store:
        [state] = store.states().values()
        assert state.state.repetitions == 2 and state.state.interval == 6


def test_english_and_both_languages(invoke):
    from flashdl.decks.loader import load_deck
    from flashdl.paths import bundled_decks_dir

    first = load_deck(bundled_decks_dir() / "gan.yaml").cards[0]
    result = invoke("study", "--deck", "gan", "--new", "1", "--lang", "en", input="q\n")
    assert first.question.en in result.stdout
    assert "GAN是怎么训练的？" not in result.stdout
    result = invoke("study", "--deck", "gan", "--new", "1", "--lang", "both", input="q\n")
    assert "GAN是怎么训练的？" in result.stdout


def test_end_of_input_ends_the_session_with_exit_0(invoke, home):
    result = invoke("study", "--deck", "basics", input="\n")
    assert result.exit_code == 0
    with Store.open(db_path(home)) as store:
        assert store.reviews() == []


def test_unknown_deck_is_one_clear_line(invoke):
    result = invoke("study", "--deck", "nope")
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("flashdl: no deck named 'nope'; the decks are: activations, attention, ")
    assert ", basics, cnn, cnn-ops," in line and line.endswith(", rl, sequence, tuning")


@pytest.mark.parametrize(
    "args",
    [["study", "--new", "-1"], ["study", "--lang", "fr"], ["study", "--bogus"], ["frobnicate"]],
)
def test_bad_flags_are_usage_errors(invoke, args):
    result = invoke(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_a_broken_user_deck_is_skipped_with_its_problems_and_check_still_fails(
    invoke, monkeypatch, tmp_path
):
    """Issue 13.6: a typo in one user deck never blocks study of the others."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "demo.yaml").write_text(
        VALID.replace("id: demo-two", "id: Demo Two"), encoding="utf-8"
    )
    (folder / "clash.yaml").write_text(
        VALID.replace("deck: demo", "deck: clash").replace("demo-two", "cnn-receptive-field"),
        encoding="utf-8",
    )
    monkeypatch.setenv("FLASHDL_DECKS", str(folder))
    for command in (["study", "--deck", "cnn"], ["quiz", "--deck", "cnn", "-n", "1"], ["stats"],
                    ["export", "csv", "-o", str(tmp_path / "x.csv")]):  # fmt: skip
        result = invoke(*command, input="q\n")
        assert result.exit_code == 0, (command, result.output)
        lines = result.stderr.strip().splitlines()
        assert any(
            line.endswith("demo.yaml:18: card id 'Demo Two' must be lowercase letters, digits, "
                          "'-' or '_' (max 100)") for line in lines
        ), lines  # fmt: skip
        assert any("duplicate card id 'cnn-receptive-field'" in line for line in lines), lines
        assert lines[-1].startswith("flashdl: warning: 2 problems in deck files")
    assert "cnn" in invoke("decks").output
    checked = invoke("check")
    assert checked.exit_code == 1 and "flashdl: 2 problems in deck files" in checked.stderr


def test_user_deck_is_studied_beside_the_bundled_ones(invoke, monkeypatch, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "demo.yaml").write_text(VALID, encoding="utf-8")
    monkeypatch.setenv("FLASHDL_DECKS", str(folder))
    result = invoke("study", "--deck", "demo", "--lang", "en", input="\n3\n")
    assert "What is a vanishing gradient?" in result.stdout


def test_check_bundled_and_broken(invoke):
    result = invoke("check")
    assert result.exit_code == 0
    assert result.stdout.strip() == "ok: 20 decks, 204 cards"
    result = invoke("check", str(BAD / "unknown_key.yaml"), str(BAD / "bad_url.yaml"))
    assert result.exit_code == 1
    assert "unknown_key.yaml:" in result.stderr and "did you mean 'answer'" in result.stderr
    assert "bad_url.yaml:" in result.stderr
    assert "Traceback" not in result.output


def test_check_lints_the_bundled_decks_once_until_they_change(invoke, home, monkeypatch):
    """The bundled decks (and the glossary) are linted by the first `flashdl check`; later ones
    skip them while the files are unchanged. Your decks are linted at every check."""
    from flashdl.decks import lint

    linted: list[list[str]] = []
    real = lint.lint_decks

    def counting(decks, *args, **kwargs):
        linted.append(sorted(d.name for d in decks))
        return real(decks, *args, **kwargs)

    monkeypatch.setattr(lint, "lint_decks", counting)
    assert invoke("check").exit_code == 0
    assert len(linted) == 1 and "optimizers" in linted[0]
    assert list((home / "cache").glob("lint-*.ok"))
    assert invoke("check").exit_code == 0
    assert len(linted) == 1  # skipped
    from decktext import VALID

    (home / "decks").mkdir(parents=True, exist_ok=True)
    (home / "decks" / "demo.yaml").write_text(VALID, encoding="utf-8")
    assert invoke("check").exit_code == 0
    assert linted[1:] == [["demo"]]  # yours, compared with every deck; not the bundled again


def test_db_option_and_env_pick_the_file(invoke, home, tmp_path, monkeypatch):
    chosen = tmp_path / "elsewhere.db"
    invoke("study", "--deck", "cnn", "--new", "1", "--db", str(chosen), input="\n5\n")
    assert chosen.exists() and not db_path(home).exists()
    other = tmp_path / "env.db"
    monkeypatch.setenv("FLASHDL_DB", str(other))
    invoke("study", "--deck", "cnn", "--new", "1", input="\n5\n")
    assert other.exists()


def test_damaged_database_is_one_line_and_untouched(invoke, home):
    home.mkdir(parents=True)
    db_path(home).write_bytes(b"garbage" * 100)
    result = invoke("study")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("flashdl: ") and "not a SQLite database" in line
    assert db_path(home).read_bytes() == b"garbage" * 100


def test_decks_lists_progress(invoke):
    invoke("study", "--deck", "recsys", "--new", "2", input="\n5\n\n5\n")
    result = invoke("decks")
    assert result.exit_code == 0
    row = next(
        line for line in result.stdout.splitlines() if line[1:].split("│")[0].strip() == "recsys"
    )
    assert [cell.strip() for cell in row.split("│")[3:7]] == ["4", "2", "0", "2"]
    assert "total" in result.stdout


def test_real_home_is_not_touched(invoke, home):
    invoke("study", "--deck", "cnn", "--new", "1", input="\n5\n")
    assert db_path(home).exists()
    assert os.environ["FLASHDL_HOME"] == str(home)


def test_most_overdue_card_comes_first_then_deck_order(invoke, home, clock):
    from flashdl.decks.loader import load_deck
    from flashdl.paths import bundled_decks_dir

    ids = [c.id for c in load_deck(bundled_decks_dir() / "cnn.yaml").cards]
    invoke("study", "--deck", "cnn", "--new", "3", input="\n5\n\n5\n\n5\n")  # all due tomorrow
    with Store.open(db_path(home)) as store:
        from dataclasses import replace

        from flashdl.core.scheduling import NEW_CARD

        seen = sorted((r.card_id for r in store.reviews()), key=ids.index)
        third = store.state_of(seen[2]).state
        earlier = replace(third, due=third.due - timedelta(days=3))
        store.record_review(card_id=seen[2], deck="cnn", grade=5, mode="study",
                            reviewed_at=clock.now, before=NEW_CARD, after=earlier)  # fmt: skip
    clock.advance(days=1)
    result = invoke("study", "--deck", "cnn", "--new", "1", input="\n4\n\n4\n\n4\n\n4\n")
    assert result.exit_code == 0
    with Store.open(db_path(home)) as store:
        today = [r.card_id for r in store.reviews() if r.day == "2026-11-30"]
    # overdue first, then due in deck order, then new; but conv-vs-fully-connected and
    # receptive-field are related, so the new card goes between them
    assert seen == ["cnn-conv-vs-fully-connected", "cnn-receptive-field", "cnn-1x1-convolution"]
    assert today == [seen[2], seen[0], "cnn-depthwise-separable", seen[1]]


def test_dash_h_is_help_everywhere(invoke):
    """Issue 13.8: -h is --help, as in other Typer tools."""
    for args in ([], ["study"], ["export"], ["export", "anki"], ["config", "set"]):
        result = invoke(*args, "-h")
        assert result.exit_code == 0 and "Usage: flashdl" in result.output, args


def test_nothing_to_study_says_why(invoke, home):
    """Issue 13.4: an empty selection and an exhausted deck each say so."""
    invoke("study", "--deck", "cnn", "--new", "10", input=" \n5\n" * 4)
    result = invoke("study", "--deck", "cnn", "--lang", "en")
    assert "no new cards left in the selected decks" in " ".join(result.stdout.split())
    invoke("suspend", "cnn-receptive-field")
    result = invoke("study", "--deck", "cnn", "--lang", "en")
    assert "1 is suspended" in " ".join(result.stdout.split())


def test_a_one_shot_command_builds_only_its_own_parameters(monkeypatch):
    """main() keeps just the named command on the app (start-up: typer reads every command's
    type hints); help, options first, unknown names and sub-apps keep working."""
    from flashdl import cli

    commands, groups = list(cli.app.registered_commands), list(cli.app.registered_groups)
    for argv, left in (
        (["grade", "x"], (["grade"], [])),
        (["config", "show"], ([], ["config"])),
        (["--version"], None),
        (["stduy"], None),
        ([], None),
    ):
        monkeypatch.setattr(cli.app, "registered_commands", list(commands))
        monkeypatch.setattr(cli.app, "registered_groups", list(groups))
        every = len(commands)
        cli._only_the_invoked_command(argv)
        names = [c.name or c.callback.__name__ for c in cli.app.registered_commands]
        kept = [g.name for g in cli.app.registered_groups]
        if left is None:
            assert len(names) == every and "config" in kept
        else:
            assert (names, kept) == left


def test_every_command_is_registered_once():
    """A second decorator registers a command twice: help lists it twice and the pruned app
    keeps two copies."""
    from flashdl import cli

    names = [c.name or c.callback.__name__.replace("_", "-") for c in cli.app.registered_commands]
    assert sorted(names) == sorted(set(names)), names


def test_the_pruned_app_still_runs_a_command_in_a_real_process(tmp_path):
    env = {**os.environ, "FLASHDL_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "flashdl", "decks"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0 and "gan" in done.stdout, done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "flashdl", "stduy"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 2 and "Did you mean 'study'?" in done.stderr
