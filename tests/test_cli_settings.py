"""Issue 13.3, 13.4 and 13.8: grading modes with interval previews, remembered settings and limits,
and session text in the language of ``--lang``, through the command line."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from flashdl.core.grades import format_interval
from flashdl.store import Store

CNN = ["cnn-conv-vs-fully-connected", "cnn-receptive-field", "cnn-1x1-convolution",
       "cnn-depthwise-separable"]  # fmt: skip


# The order cnn's new cards are introduced in: a card related to one introduced today
# (conv-vs-fully-connected <-> receptive-field) waits while an unrelated one is left.
CNN_NEW = [CNN[0], CNN[2], CNN[1], CNN[3]]


def db(home: Path) -> Path:
    return home / "flashdl.db"


def graded(home: Path) -> list[tuple[str, int, str]]:
    with Store.open(db(home)) as store:
        return [(r.card_id, r.grade, r.mode) for r in store.reviews()]


def study(invoke, *args: str, input: str = ""):
    result = invoke("study", *args, input=input)
    assert result.exit_code == 0, result.output
    return result


def flat(text: str) -> str:
    return " ".join(text.split())


# -- grading modes ----------------------------------------------------------------------------


def test_anki_good_on_a_new_card_under_sm2_records_quality_4(invoke, home):
    assert invoke("config", "set", "grading", "anki").exit_code == 0
    result = study(invoke, "--deck", "cnn", "--new", "1", "--lang", "en", input="\n5\n0\n3\n")
    assert graded(home) == [(CNN[0], 4, "study")]  # 5 and 0 are not Anki keys: ignored
    assert result.stdout.count("Press 1–4 to grade; s suspend, b bury, u undo, q quit.") == 2
    assert "1  Again 10m ·  2  Hard 1d ·  3  Good 1d ·  4  Easy 1d" in result.stdout
    with Store.open(db(home)) as store:
        state = store.states()[CNN[0]].state
    assert state.easiness == 2.5 and state.interval == 1  # quality 4 keeps SM-2's easiness


def test_sm2_keys_by_default(invoke, home):
    result = study(invoke, "--deck", "cnn", "--new", "1", "--lang", "en", input="\n3\n\n4\n")
    # 3 is SM-2's "right, with serious difficulty": it lowers the easiness and repeats the card.
    assert graded(home) == [(CNN[0], 3, "study"), (CNN[0], 4, "repeat")]
    assert "3  right, with serious difficulty 10m" in result.stdout


def test_anki_hard_passes_and_only_again_comes_back_after_a_restart(invoke, clock, home):
    invoke("config", "set", "grading", "anki")
    study(invoke, "--deck", "cnn", "--new", "2", "--lang", "en", input="\n2\n\n1\nq\n")
    # the second new card is the first one not related to the first (related cards wait)
    [hard, again] = graded(home)
    assert hard == (CNN[0], 3, "study") and again[1:] == (1, "study")
    decks = invoke("decks").stdout
    [row] = [line for line in decks.splitlines() if line.startswith("│ cnn ")]
    cells = [cell.strip() for cell in row.strip("│").split("│")]
    assert cells[2:] == ["4", "2", "1", "2"]  # 2 new, 1 due (the Again card), 2 learned
    clock.advance(minutes=11)
    study(invoke, "--deck", "cnn", "--new", "2", "--lang", "en", input="\n3\n")
    assert graded(home)[-1] == (again[0], 4, "repeat")  # the Again card, not the Hard one
    result = study(invoke, "--deck", "cnn", "--new", "2", "--lang", "en")
    assert "Nothing due today, and 2 of 2 new cards" in flat(result.stdout)


def test_fsrs_defaults_to_anki_buttons_and_sm2_grades_can_be_chosen(invoke, home):
    invoke("config", "set", "scheduler", "fsrs")
    assert "grading = anki" in invoke("config", "show").stdout
    study(invoke, "--deck", "cnn", "--new", "1", input="\n5\n4\n")
    assert graded(home) == [(CNN[0], 5, "study")]  # Easy
    invoke("config", "set", "grading", "sm2")
    study(invoke, "--deck", "cnn", "--new", "2", input="\n0\n")
    assert graded(home)[-1] == (CNN_NEW[1], 0, "study")


@pytest.mark.parametrize("scheduler", ["sm2", "fsrs"])
@pytest.mark.parametrize(("key", "label"), [("2", "Hard"), ("3", "Good"), ("4", "Easy")])
def test_previews_equal_the_intervals_stored(invoke, clock, home, scheduler, key, label):
    invoke("config", "set", "scheduler", scheduler)
    invoke("config", "set", "grading", "anki")
    study(invoke, "--deck", "cnn", "--new", "1", "--lang", "en", input="\n3\n")
    for _ in range(2):  # two more reviews on the days they fall due
        with Store.open(db(home)) as store:
            due = store.states()[CNN[0]].state.due
        clock.advance(days=(due - clock.now.date()).days)
        result = study(invoke, "--deck", "cnn", "--new", "0", "--lang", "en", input=f"\n{key}\n")
        shown = re.search(rf"{key}  {label} (\S+)", result.stdout)[1]
        with Store.open(db(home)) as store:
            state = store.states()[CNN[0]].state
        assert shown == format_interval(state.interval)
        assert state.due == clock.now.date() + timedelta(days=state.interval)


def test_the_grade_legend_fits_80_columns(invoke, home):
    from rich.cells import cell_len

    for mode in ("anki", "sm2"):
        invoke("config", "set", "grading", mode)
        for lang in ("en", "zh"):
            result = invoke("study", "--deck", "cnn", "--new", "1", "--lang", lang, input="\n")
            legend = [line for line in result.stdout.splitlines() if " q " in line]
            assert legend and all(cell_len(line.rstrip()) <= 80 for line in legend)


# -- settings ---------------------------------------------------------------------------------


def test_new_per_day_is_the_default_of_new_and_the_flag_wins(invoke, home):
    invoke("config", "set", "new_per_day", "3")
    study(invoke, "--deck", "cnn", input="\n5\n" * 4)
    assert len(graded(home)) == 3
    study(invoke, "--deck", "cnn", "--new", "4", input="\n5\n" * 4)
    assert len(graded(home)) == 4


def test_default_new_per_day_is_ten(invoke, home):
    study(invoke, "--deck", "basics", input="\n5\n" * 18)
    assert len(graded(home)) == 10


def test_max_reviews_per_day_takes_the_most_overdue_and_exempts_learning(invoke, clock, home):
    study(invoke, "--deck", "cnn", "--new", "1", input="\n5\n")
    clock.advance(days=1)  # the first card is reviewed again (due in 6 days), two more are new
    study(invoke, "--deck", "cnn", "--new", "2", input="\n5\n\n5\n\n5\n")
    first, again, *pair = [c for c, _, _ in graded(home)]
    assert first == again and len({first, *pair}) == 3
    clock.advance(days=7)  # the pair is 6 days overdue, the first card 1 day
    invoke("config", "set", "max_reviews_per_day", "2")
    # The two most overdue; the first is failed, and its repeat is over the limit but shown. No
    # new card comes while a due card waits (it would add to the backlog, as in Anki).
    study(invoke, "--deck", "cnn", "--lang", "en", input="\n1\n\n4\n\n4\n\n4\n\n4\n")
    shown = graded(home)[4:]
    assert [c for c, _, _ in shown] == [shown[0][0], shown[1][0], shown[0][0]]
    assert {shown[0][0], shown[1][0]} == set(pair)
    assert [(g, m) for _, g, m in shown] == [(1, "study"), (4, "study"), (4, "repeat")]
    decks = invoke("decks")  # its due counts are what is due; it says what study will show
    assert decks.exit_code == 0, decks.output
    assert (
        "max_reviews_per_day is 2: study shows 0 of these 1 due cards today; the rest wait"
    ) in flat(decks.stdout)
    invoke("config", "set", "group", "all")  # every deck: the same due card, the same line
    assert "study shows 0 of these 1 due cards today" in flat(invoke("decks").stdout)
    invoke("config", "set", "group", "default")
    result = study(invoke, "--deck", "cnn", "--new", "5", "--lang", "en")
    assert (
        "Today's review limit of 2 is reached; 1 more due cards wait until tomorrow, and no new"
        " cards come until they are caught up"
    ) in flat(result.stdout)
    clock.advance(days=1)
    study(invoke, "--deck", "cnn", "--new", "1", input="\n4\n\n4\n")
    waited, new = graded(home)[-2:]
    assert waited == (first, 4, "study") and new[0] not in (first, *pair)  # then a new card
    invoke("config", "set", "max_reviews_per_day", "none")
    assert "max_reviews_per_day = none" in invoke("config", "show").stdout


def test_stats_says_how_many_due_cards_study_shows_under_the_review_limit(invoke, clock, home):
    """`stats` counts what is due (4) as `decks` does, and says, as `decks` does, how many of
    them study shows today (2); --json adds the limit and that count. A card of today's learning
    queue is never held back: after one failed and one recalled, study shows 1 of 3, not 0."""
    import json

    study(invoke, "--deck", "cnn", "--new", "4", input="\n5\n" * 4)
    clock.advance(days=1)
    invoke("config", "set", "max_reviews_per_day", "2")
    line = "max_reviews_per_day is 2: study shows 2 of these 4 due cards today; the rest wait"
    assert line in flat(invoke("stats", "--deck", "cnn").stdout)
    assert line in flat(invoke("decks").stdout)
    data = json.loads(invoke("stats", "--deck", "cnn", "--json").stdout)
    assert (data["total"]["due_today"], data["due_shown_today"]) == (4, 2)
    assert data["max_reviews_per_day"] == 2
    study(invoke, "--deck", "cnn", "--lang", "en", input="\n1\n\n5\n")  # then end of input
    data = json.loads(invoke("stats", "--deck", "cnn", "--json").stdout)
    assert (data["total"]["due_today"], data["due_shown_today"]) == (3, 1)
    line = "study shows 1 of these 3 due cards today"
    assert line in flat(invoke("stats", "--deck", "cnn").stdout)
    assert line in flat(invoke("decks").stdout)
    before = len(graded(home))
    study(invoke, "--deck", "cnn", "--lang", "en", input="\n4\n\n4\n")
    assert [m for _, _, m in graded(home)[before:]] == ["repeat"]  # the one card study shows
    invoke("config", "set", "max_reviews_per_day", "none")
    data = json.loads(invoke("stats", "--deck", "cnn", "--json").stdout)
    assert data["max_reviews_per_day"] is None
    assert data["due_shown_today"] == data["total"]["due_today"] == 2
    assert "max_reviews_per_day is" not in flat(invoke("stats", "--deck", "cnn").stdout)


def test_a_card_buried_today_is_not_held_back_by_the_review_limit(invoke, clock, home):
    """A buried card is not due today (the due counts leave it out), so the limit holds back
    none of it: of the 3 due, study shows 2."""
    import json

    study(invoke, "--deck", "cnn", "--new", "4", input="\n5\n" * 4)
    clock.advance(days=1)
    invoke("config", "set", "max_reviews_per_day", "2")
    today = clock.now.date()
    with Store.open(db(home)) as store:
        store.bury(CNN[0], today + timedelta(days=1), today)
    data = json.loads(invoke("stats", "--deck", "cnn", "--json").stdout)
    assert (data["total"]["due_today"], data["due_shown_today"]) == (3, 2)
    assert "study shows 2 of these 3 due cards today" in flat(invoke("decks").stdout)


def test_the_summary_after_midnight_says_tomorrow_for_the_next_study_day(invoke, clock, home):
    """At 01:00 the study day is still yesterday's: a card due in a day is due on the calendar
    date of today, which the summary named as if it were due now; it is tomorrow's study day."""
    clock.now = clock.now.replace(day=30, hour=1, minute=0)  # study day 2026-11-29
    result = study(invoke, "--deck", "cnn", "--new", "1", "--lang", "en", input="\n5\n")
    assert "Next due tomorrow" in flat(result.stdout) and "2026-11-30" not in result.stdout
    result = study(invoke, "--deck", "cnn", "--new", "2", "--lang", "zh", input="\n5\n")
    assert "下次复习 明天" in flat(result.stdout)
    clock.advance(hours=3)  # 04:00: the next study day, the card is due now
    result = study(invoke, "--deck", "cnn", "--new", "0", "--lang", "en", input="\n4\n\n4\n")
    assert "Next due tomorrow" not in flat(result.stdout)  # next due in 6 days: a date
    assert "Next due 2026-12-06" in flat(result.stdout)


def test_the_summary_says_what_the_review_limit_holds_back(invoke, clock, home):
    """The empty session says the limit is reached and how many due cards wait; the summary of
    the session that reached it says the same (one message, both languages), and those cards
    are next due tomorrow."""
    study(invoke, "--deck", "cnn", "--new", "4", input="\n5\n" * 4)
    clock.advance(days=1)
    invoke("config", "set", "max_reviews_per_day", "2")

    def shown(result) -> str:  # the summary's lines without the panel's borders
        return flat(result.stdout.replace("│", " "))

    said = (
        "Today's review limit of 2 is reached; 2 more due cards wait until tomorrow, and no new"
        " cards come until they are caught up"
    )
    result = study(invoke, "--deck", "cnn", "--lang", "en", input="\n5\n")  # quits with one left
    assert "Still due today 1" in shown(result) and said not in shown(result)
    result = study(invoke, "--deck", "cnn", "--lang", "en", input="\n5\n")
    assert said in shown(result) and "Next due tomorrow" in shown(result)
    assert said in shown(study(invoke, "--deck", "cnn", "--lang", "en"))  # the empty one
    zh = "今天的复习上限2张已用完；另有2张到期卡片明天再复习"  # (spaces dropped: the wrap moves them)
    assert zh in shown(study(invoke, "--deck", "cnn", "--lang", "zh")).replace(" ", "")
    invoke("config", "set", "max_reviews_per_day", "3")
    result = study(invoke, "--deck", "cnn", "--lang", "zh", input="\n5\n")
    assert "今天的复习上限3张已用完；另有1张" in shown(result).replace(" ", "")


def test_the_study_day_ends_at_4_am_not_at_midnight(invoke, clock, home):
    """Cards graded at 23:40 with a one-day interval are not due again at 00:10, and the new cards
    of both sessions share one day's limit; from 4 AM it is the next day (Anki's default)."""
    clock.now = clock.now.replace(hour=23, minute=40)
    study(invoke, "--deck", "cnn", "--new", "2", input="\n5\n" * 2)
    clock.advance(minutes=30)  # 00:10, the same study day
    result = study(invoke, "--deck", "cnn", "--new", "2", "--lang", "en", input="\n5\n" * 2)
    assert "Nothing due today, and 2 of 2 new cards are introduced already" in flat(result.stdout)
    assert len(graded(home)) == 2
    with Store.open(db(home)) as store:
        assert {r.day for r in store.reviews()} == {
            (clock.now.date() - timedelta(days=1)).isoformat()
        }
    clock.advance(hours=4)  # 04:10: the next day; yesterday's two cards are due
    study(invoke, "--deck", "cnn", "--new", "0", input="\n5\n" * 2)
    assert [g[2] for g in graded(home)] == ["study"] * 4
    assert [g[0] for g in graded(home)[2:]] == [g[0] for g in graded(home)[:2]]


def test_decks_setting_is_the_default_selection(invoke, home):
    invoke("config", "set", "decks", "cnn, gan")
    study(invoke, "--new", "5", input="\n5\n" * 9)
    with Store.open(db(home)) as store:
        decks = {r.deck for r in store.reviews()}
    assert decks == {"cnn", "gan"}  # 5 new cards, taken from cnn and gan in turn
    shown = [c for c, _, _ in graded(home)]
    assert len(shown) == 5 and shown[0] == CNN[0] and shown[1].startswith("gan-")
    result = invoke("export", "markdown", "-o", "-")
    assert result.exit_code == 0, result.output
    assert "cnn-receptive-field" in result.stdout or "感受野" in result.stdout
    assert "为什么归一化能够提高求解最优解的速度" not in result.stdout
    study(invoke, "--deck", "basics", "--new", "6", input="\n5\n")  # --deck wins
    assert graded(home)[-1][0].startswith("basics-")


def test_a_deck_in_the_setting_that_is_gone_is_a_warning(invoke, home):
    invoke("config", "set", "decks", "cnn,nosuchdeck")
    result = invoke("study", "--new", "1", input="\n5\n")
    assert result.exit_code == 0
    assert "decks: no deck named nosuchdeck; left out" in result.stderr
    invoke("config", "set", "decks", "nosuchdeck")
    result = invoke("study", input="")
    assert result.exit_code == 1 and "config.toml: decks: no deck named nosuchdeck" in result.stderr
    assert invoke("config", "set", "decks", "all").exit_code == 0
    assert "decks = (by group)" in invoke("config", "show").stdout


def test_lang_setting_and_flag(invoke, home):
    invoke("config", "set", "lang", "en")
    result = study(invoke, "--deck", "cnn", "--new", "1", input="\n5\n")
    assert "any key shows the answer" in result.stdout and "Session summary" in result.stdout
    result = study(invoke, "--deck", "cnn", "--new", "2", "--lang", "zh", input="\n5\n")
    assert "任意键显示答案" in result.stdout and "本次小结" in result.stdout
    result = study(invoke, "--deck", "cnn", "--new", "2", "--lang", "zh")
    assert "今天没有到期的卡片" in result.stdout


def test_learning_delay_setting(invoke, clock, home):
    invoke("config", "set", "learning_delay", "30")
    study(invoke, "--deck", "cnn", "--new", "1", "--lang", "en", input="\n1\nq\n")
    clock.advance(minutes=15)
    # Still waiting: the new card first, the failed one after it.
    result = study(invoke, "--deck", "cnn", "--new", "2", "--lang", "en", input="\n5\n\n4\n")
    assert graded(home)[1:] == [(CNN_NEW[1], 5, "study"), (CNN[0], 4, "repeat")]
    assert "0  complete blackout 30m" in result.stdout


def test_config_show_lists_every_key_with_its_source(invoke, home):
    invoke("config", "set", "new_per_day", "15")
    invoke("config", "set", "scheduler", "fsrs")
    lines = invoke("config", "show").stdout.splitlines()
    path = str(home / "config.toml")
    by_key = {line.split(" = ")[0]: line for line in lines if " = " in line}
    assert set(by_key) >= {"scheduler", "desired_retention", "grading", "new_per_day",
                           "max_reviews_per_day", "lang", "decks", "learning_delay"}  # fmt: skip
    assert "new_per_day = 15" in by_key["new_per_day"] and f"({path})" in by_key["new_per_day"]
    assert f"({path})" in by_key["scheduler"]
    assert "(default)" in by_key["lang"] and "lang = zh" in by_key["lang"]
    assert "grading = anki" in by_key["grading"] and "(default for fsrs)" in by_key["grading"]
    invoke("config", "set", "new_per_day", "default")
    assert "(default)" in invoke("config", "show").stdout.split("new_per_day")[1].splitlines()[0]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [("new_per_day", "10000", "new_per_day must be a whole number from 0 to 9999, not '10000'"),
     ("new_per_day", "1e9", "not '1e9'"),
     ("new_per_day", "-1", "new_per_day must be a whole number from 0 to 9999, not '-1'"),
     ("new_per_day", "9" * 400, "new_per_day must be a whole number"),
     ("max_reviews_per_day", "lots", "or none, not 'lots'"),
     ("learning_delay", "0", "learning_delay must be a whole number from 1 to 1440"),
     ("grading", "leitner", "grading must be one of sm2, anki, not 'leitner'"),
     ("lang", "fr", "lang must be one of zh, en, both, not 'fr'"),
     ("decks", "CNN", "decks: 'CNN' is not a deck name"),
     ("colour", "1", "unknown setting 'colour'")],
)  # fmt: skip
def test_config_set_rejects_bad_values_in_one_line(invoke, home, key, value, message):
    result = invoke("config", "set", key, value)
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("flashdl: ") and message in line
    assert not (home / "config.toml").exists()


def test_quiz_follows_the_grading_mode_and_the_language(invoke, home):
    invoke("config", "set", "grading", "anki")
    args = ("quiz", "--deck", "cnn", "-n", "1", "--in-order", "--no-type")
    result = invoke(*args, "--lang", "zh", input="\n5\n4\n")
    assert result.exit_code == 0, result.output
    assert graded(home) == [(CNN[0], 5, "quiz")]  # 5 ignored; 4 is Easy, recorded as 5
    assert "按 1–4 评分，q 退出。" in result.stdout and "测验报告" in result.stdout
    result = invoke(*args, "--lang", "en", input="\n2\n")
    assert "Quiz report" in result.stdout and graded(home)[-1] == (CNN[0], 3, "quiz")


def test_a_scheduler_switch_whose_rebuild_fails_saves_no_setting(invoke, home):
    """ "nothing was changed" must be true of the settings file as well as of the database."""
    assert invoke("study", "--deck", "cnn", "--new", "1", input="\n5\n").exit_code == 0
    settings = home / "config.toml"
    before = settings.read_bytes() if settings.exists() else None

    def overflow(*args, **kwargs):
        raise OverflowError("date value out of range")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("flashdl.store.cards.replay", overflow)
        result = invoke("config", "set", "scheduler", "fsrs")
    assert result.exit_code == 1 and "nothing was changed" in result.stderr, result.output
    assert (settings.read_bytes() if settings.exists() else None) == before
    result = invoke("config", "set", "scheduler", "fsrs")
    assert result.exit_code == 0 and "rebuilt the schedule" in result.stdout
    assert "fsrs" in settings.read_text(encoding="utf-8")
    assert invoke("study", "--deck", "cnn", "--new", "1", input="\n3\n").exit_code == 0


def test_a_settings_file_with_a_byte_order_mark_is_read(invoke, home):
    """Windows' Notepad starts a UTF-8 file with one."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_bytes("\ufeffnew_per_day = 3\n".encode())
    result = invoke("config", "show")
    assert result.exit_code == 0, result.output
    assert "new_per_day = 3" in result.stdout


def test_a_number_as_text_in_the_settings_file_is_one_line(invoke, home):
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text('new_per_day = "5"\n', encoding="utf-8")
    for args in (["config", "show"], ["study", "--deck", "cnn"]):
        result = invoke(*args, input="")
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.stderr.strip() == (
            f"flashdl: {home / 'config.toml'}: new_per_day must be a number, not the text '5';"
            " write it without quotes (new_per_day = 5)"
        )
