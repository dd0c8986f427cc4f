"""The settings file and ``flashdl config``: switching schedulers keeps every review."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from flashdl.app.config import Config, dumps, load_config, save_config, with_value
from flashdl.core.errors import ConfigError
from flashdl.core.fsrs import FSRS
from flashdl.core.scheduling import replay
from flashdl.core.sm2 import SM2
from flashdl.store import Store


def config_file(home: Path) -> Path:
    return home / "config.toml"


def db(home: Path) -> Path:
    return home / "flashdl.db"


# -- the file ---------------------------------------------------------------------------------


def test_missing_file_means_defaults(tmp_path: Path):
    assert load_config(tmp_path / "config.toml") == Config("sm2", 0.9)
    assert Config().make_scheduler() == SM2()
    assert Config("fsrs", 0.85).make_scheduler() == FSRS(0.85)


def test_round_trip(tmp_path: Path):
    path = tmp_path / "sub" / "config.toml"
    config = with_value(with_value(Config(), "scheduler", " FSRS "), "desired_retention", "0.85")
    save_config(path, config)
    assert load_config(path) == Config("fsrs", 0.85)
    assert not path.with_name("config.toml.tmp").exists()
    assert 'scheduler = "fsrs"' in dumps(config)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("sheduler", "fsrs", "unknown setting 'sheduler' (did you mean 'scheduler'?)"),
        ("scheduler", "anki", "scheduler must be one of sm2, fsrs, not 'anki'"),
        ("desired_retention", "high", "desired_retention must be a number from 0.7 to 0.99"),
        ("desired_retention", "0.995", "not '0.995'"),
        ("desired_retention", "nan", "not 'nan'"),
    ],
)
def test_bad_values(key, value, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        with_value(Config(), key, value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('scheduler = "fsrs\n', "not valid TOML (Illegal character '\\n' (at line 1, column 18))"),
        ('scheduler = "fsrs"\ncolour = 1\n', "unknown setting 'colour'"),
        ("desired_retention = true\n", "desired_retention must be a number"),
        ("scheduler = 2\n", "scheduler must be one of sm2, fsrs, not 2"),
    ],
)
def test_broken_files_name_the_file(tmp_path: Path, text, message):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: ") and message in str(info.value)
    assert "\n" not in str(info.value)


# -- flashdl config ---------------------------------------------------------------------------


@pytest.mark.parametrize("planted", ["config.toml.tmp", "config.toml"])
def test_a_planted_link_in_the_config_folder_is_never_written_through(
    invoke, home, tmp_path, planted
):
    """A copied data folder is hostile: a link at the settings file or at the name a writer
    once used for its temporary file must not make ``config set`` write over what it names."""
    victim = tmp_path / "victim.txt"
    victim.write_text("# precious\n", encoding="utf-8")  # (valid settings: it is read first)
    home.mkdir(parents=True, exist_ok=True)
    (home / planted).symlink_to(victim)
    result = invoke("config", "set", "new_per_day", "5")
    assert result.exit_code == 0, result.output
    assert victim.read_text(encoding="utf-8") == "# precious\n"
    assert not config_file(home).is_symlink()
    assert load_config(config_file(home)).new_per_day == 5
    assert not list(home.glob(".config.toml.*.tmp"))


def test_show_defaults_and_set(invoke, home):
    result = invoke("config", "show")
    assert result.exit_code == 0
    assert "(not written yet: the defaults)" in result.stdout
    assert "scheduler = sm2" in result.stdout and "desired_retention = 0.9" in result.stdout
    assert not db(home).exists()  # showing settings creates no database
    result = invoke("config", "set", "desired_retention", "0.85")
    assert result.exit_code == 0, result.output
    assert load_config(config_file(home)) == Config("sm2", 0.85)
    assert "desired_retention = 0.85" in invoke("config", "show").stdout


def test_bad_setting_is_one_line_and_changes_nothing(invoke, home):
    invoke("config", "set", "scheduler", "fsrs")
    before = config_file(home).read_text(encoding="utf-8")
    result = invoke("config", "set", "desired_retention", "1.2")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "flashdl: desired_retention must be a number from 0.7 to 0.99 (e.g. 0.9), not '1.2'"
    ]
    result = invoke("config", "set", "scheduler", "leitner")
    assert result.exit_code == 1 and "one of sm2, fsrs" in result.stderr
    assert config_file(home).read_text(encoding="utf-8") == before


def test_broken_settings_file_stops_study_with_one_line(invoke, home):
    home.mkdir(parents=True, exist_ok=True)
    config_file(home).write_text('scheduler = "fsrs\n', encoding="utf-8")
    result = invoke("study", "--deck", "gan", "--new", "1", input="\n5\n")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"flashdl: {config_file(home)}: not valid TOML")
    # the way out it names works: config set cannot read the file either
    assert line.endswith("fix the file, or delete it and use `flashdl config set` (which cannot"
                         " read it either)")  # fmt: skip
    assert invoke("config", "set", "new_per_day", "5").exit_code == 1


def _study_days(invoke, clock, days: list[str]) -> None:
    """One study session a day; each string is the piped input of that day."""
    for text in days:
        result = invoke("study", "--deck", "basics", "--new", "2", input=text)
        assert result.exit_code == 0, result.output
        clock.advance(days=1)


def test_switching_keeps_history_and_rebuilds_the_schedule(invoke, clock, home):
    # Day 0: two new cards graded 5 and 1 (the 1 is repeated the same day with a 4).
    _study_days(invoke, clock, ["\n5\n\n1\n\n4\n", "\n4\n\n4\n"])
    with Store.open(db(home)) as store:
        sm2_states = store.states()
        log = store.reviews(include_undone=True)
    assert len(log) == 5 and all(s.state.stability is None for s in sm2_states.values())

    result = invoke("config", "set", "scheduler", "fsrs")
    assert result.exit_code == 0, result.output
    assert (
        "rebuilt the schedule of 2 cards" in result.stdout
        and "every review is kept" in result.stdout
    )
    with Store.open(db(home)) as store:
        assert store.reviews(include_undone=True) == log
        assert store.built_with() == "fsrs(desired_retention=0.9)"
        fsrs_states = store.states()
        for card_id, stored in fsrs_states.items():
            history = [
                (r.grade, datetime.fromisoformat(r.reviewed_at))
                for r in log
                if r.card_id == card_id and r.mode == "study"
            ]
            assert len(history) == 2  # the same-day repeat is not a scheduling review
            assert stored.state == replay(FSRS(), history)
            assert stored.state.due >= clock.now.date()  # next due after the last review day
            assert stored.introduced_on == sm2_states[card_id].introduced_on

    # Idempotent: setting it again rebuilds nothing.
    result = invoke("config", "set", "scheduler", "fsrs")
    assert "already built by fsrs(desired_retention=0.9)" in result.stdout

    # A lower retention gives longer intervals from the same log.
    invoke("config", "set", "desired_retention", "0.8")
    with Store.open(db(home)) as store:
        longer = store.states()
    assert all(
        longer[c].state.interval >= fsrs_states[c].state.interval for c in fsrs_states
    ) and any(longer[c].state.interval > fsrs_states[c].state.interval for c in fsrs_states)

    # And back to SM-2: exactly the states SM-2 had built, and the same log.
    result = invoke("config", "set", "scheduler", "sm2")
    assert "rebuilt the schedule of 2 cards" in result.stdout
    with Store.open(db(home)) as store:
        assert store.states() == sm2_states
        assert store.reviews(include_undone=True) == log
    assert "schedule built by sm2" in invoke("config", "show").stdout


def test_study_uses_the_configured_scheduler(invoke, clock, home):
    invoke("config", "set", "scheduler", "fsrs")
    _study_days(invoke, clock, ["\n3\n"])  # FSRS defaults to Anki's buttons: 3 is Good
    with Store.open(db(home)) as store:
        [review] = store.reviews()
        [stored] = store.states().values()
    assert stored.state.stability == pytest.approx(2.3065)  # FSRS's first Good
    assert stored.state.interval == 2
    assert review.state_after == stored.state and review.state_after.stability is not None


def test_study_rebuilds_when_the_file_was_edited_by_hand(invoke, clock, home):
    _study_days(invoke, clock, ["\n5\n\n4\n"])
    config_file(home).write_text('scheduler = "fsrs"\n', encoding="utf-8")
    result = invoke("study", "--deck", "basics", "--new", "0", input="")
    assert result.exit_code == 0, result.output
    with Store.open(db(home)) as store:
        assert store.built_with() == "fsrs(desired_retention=0.9)"
        states = store.states()
        assert len(states) == 2 and all(s.state.stability for s in states.values())
        assert len(store.reviews()) == 2


def test_config_set_without_a_database_creates_none(invoke, home):
    result = invoke("config", "set", "scheduler", "fsrs")
    assert result.exit_code == 0
    assert not db(home).exists()
    assert load_config(config_file(home)).scheduler == "fsrs"


def test_stats_show_fsrs_recall_forecast_and_cards_at_risk(invoke, clock, home):
    import json

    _study_days(invoke, clock, ["\n5\n\n2\n\n4\n"])
    data = json.loads(invoke("stats", "--deck", "basics", "--json").stdout)
    assert data["predicted_recall"] == {} and data["at_risk"] == []  # SM-2: no forecast

    invoke("config", "set", "scheduler", "fsrs")
    clock.advance(days=3)
    result = invoke("stats", "--deck", "basics", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    risk = data["at_risk"]
    assert [item["recall"] for item in risk] == sorted(item["recall"] for item in risk)
    assert len(risk) == 2 and 0 < risk[0]["recall"] < risk[1]["recall"] < 1
    assert data["predicted_recall"]["basics"] == pytest.approx(
        (risk[0]["recall"] + risk[1]["recall"]) / 2, abs=1e-3
    )
    text = invoke("stats", "--deck", "basics").stdout
    assert "Predicted recall today (FSRS)" in text and risk[0]["card_id"][:16] in text


def test_quiz_reschedule_uses_the_configured_scheduler(invoke, clock, home):
    _study_days(invoke, clock, ["\n4\n"])
    config_file(home).write_text('scheduler = "fsrs"\n', encoding="utf-8")
    # FSRS grades with Anki's buttons by default: 5 does not grade, 4 (Easy) records 5.
    result = invoke(
        "quiz", "--deck", "basics", "-n", "1", "--in-order", "--reschedule", "--no-type",
        input="\n5\n4\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with Store.open(db(home)) as store:
        study, quiz = store.reviews()
        [stored] = store.states().values()
        assert store.built_with() == "fsrs(desired_retention=0.9)"
    assert quiz.mode == "quiz" and quiz.state_after == stored.state
    assert stored.state == replay(
        FSRS(),
        [
            (4, datetime.fromisoformat(study.reviewed_at)),
            (5, datetime.fromisoformat(quiz.reviewed_at)),
        ],
    )
    # Plain quizzes leave the schedule alone and are not replayed by a switch.
    invoke("quiz", "--deck", "basics", "-n", "1", "--in-order", "--no-type", input="\n1\n")
    invoke("config", "set", "scheduler", "sm2")
    with Store.open(db(home)) as store:
        [stored] = store.states().values()
        assert len(store.reviews()) == 3
    assert stored.state == replay(
        SM2(),
        [
            (4, datetime.fromisoformat(study.reviewed_at)),
            (5, datetime.fromisoformat(quiz.reviewed_at)),
        ],
    )


# -- every setting (issue 13.4) ---------------------------------------------------------------


def test_every_setting_round_trips_and_only_set_keys_are_written(tmp_path: Path):
    path = tmp_path / "config.toml"
    config = Config()
    for key, text in [("grading", "anki"), ("new_per_day", "15"), ("max_reviews_per_day", "200"),
                      ("lang", "EN"), ("decks", "gan, nlp,gan"), ("learning_delay", "30")]:  # fmt: skip
        config = with_value(config, key, text)
    save_config(path, config)
    loaded = load_config(path)
    assert loaded == config == Config(grading="anki", new_per_day=15, max_reviews_per_day=200,
                                      lang="en", decks=("gan", "nlp"), learning_delay=30)  # fmt: skip
    assert loaded.explicit == {"grading", "new_per_day", "max_reviews_per_day", "lang", "decks",
                               "learning_delay"}  # fmt: skip
    text = path.read_text(encoding="utf-8")
    assert 'decks = ["gan", "nlp"]' in text and "\nscheduler =" not in text
    assert '# scheduler = "sm2"' in text  # the defaults, as comments
    unlimited = with_value(loaded, "max_reviews_per_day", "none")
    save_config(path, unlimited)
    assert load_config(path).max_reviews_per_day is None
    forgotten = with_value(unlimited, "grading", "default")
    assert forgotten.grading is None and "grading" not in forgotten.explicit
    assert forgotten.grading_mode == "sm2"
    assert with_value(forgotten, "scheduler", "fsrs").grading_mode == "anki"


@pytest.mark.parametrize(
    ("text", "message"),
    [("new_per_day = 1.5\n", "new_per_day must be a whole number from 0 to 9999, not 1.5"),
     ("new_per_day = true\n", "new_per_day must be a whole number"),
     ("new_per_day = 99999999999999999999\n", "not 99999999999999999999"),
     ("new_per_day = " + "9" * 4000 + "\n", "not 999999"),
     ("new_per_day = " + "9" * 5000 + "\n", "not a settings file flashdl can read"),
     ("lang = '" + "x" * 5000 + "'\n", "lang must be one of zh, en, both, not 'xxx"),
     ("new_per_day = 100000000\n", "not 100000000"),
     ('new_per_day = "ten"\n', "not 'ten'"),
     ("max_reviews_per_day = [1]\n", "max_reviews_per_day must be a whole number"),
     ("max_reviews_per_day = inf\n", "not inf"),
     ("learning_delay = nan\n", "learning_delay must be a whole number"),
     ("learning_delay = 100000\n", "from 1 to 1440"),
     ("lang = 1\n", "lang must be one of zh, en, both, not 1"),
     ("grading = [\"anki\"]\n", "grading must be one of sm2, anki"),
     ("decks = 3\n", "decks must be deck names"),
     ("decks = [\"gan\", 3]\n", "decks must be deck names"),
     ('decks = ["../etc"]\n', "decks: '../etc' is not a deck name"),
     ("decks = [" + '"a",' * 500 + "]\n", "at most 200"),
     ("[decks]\nx = 1\n", "decks must be deck names"),
     ("leech = 3\n", "unknown setting 'leech'"),
     # A number written as text is text, not the number (red-team, 2026-12-04).
     ('new_per_day = "5"\n', "new_per_day must be a number, not the text '5'; write it without"
                             " quotes (new_per_day = 5)"),
     ('desired_retention = "0.9"\n', "desired_retention must be a number, not the text '0.9'"),
     ('max_reviews_per_day = "200"\n', "max_reviews_per_day must be a number, not the text"),
     ('learning_delay = " 10 "\n', "learning_delay must be a number, not the text ' 10 '"),
     ('leech_lapses = "8"\n', "leech_lapses must be a number, not the text '8'"),
     ('new_per_day = "99999"\n', "new_per_day must be a whole number from 0 to 9999")],
)  # fmt: skip
def test_hostile_values_in_the_file_name_the_file_and_key(tmp_path: Path, text, message):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}: ") and message in str(info.value)
    assert "\n" not in str(info.value) and len(str(info.value)) < 400


def test_none_is_the_one_text_a_number_setting_takes_in_the_file(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('max_reviews_per_day = "none"\n', encoding="utf-8")
    assert load_config(path).max_reviews_per_day is None
