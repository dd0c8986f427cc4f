"""quiz, stats, search, show, reset, suspend and the interview date, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from flashdl.decks.loader import load_deck
from flashdl.paths import bundled_decks_dir
from flashdl.store import Store

GAN = load_deck(bundled_decks_dir() / "gan.yaml")


def store_of(home: Path) -> Store:
    return Store.open(home / "flashdl.db")


def test_quiz_logs_typed_answers_without_scheduling(invoke, home):
    result = invoke(
        "quiz", "--deck", "gan", "-n", "2", "--in-order", input="交替训练 判别器\n\n\n\nq\n"
    )
    assert result.exit_code == 0, result.output
    assert "Quiz report" in result.stdout and GAN.cards[0].question.zh in result.stdout
    with store_of(home) as store:
        [logged] = store.reviews()
        assert logged.card_id == GAN.cards[0].id and logged.mode == "quiz"
        assert logged.typed == "交替训练 判别器" and logged.coverage is not None
        assert store.states() == {}


def test_quiz_seed_gives_the_same_order(invoke):
    first = invoke("quiz", "-n", "3", "--seed", "42", "--no-type", input="")
    second = invoke("quiz", "-n", "3", "--seed", "42", "--no-type", input="")
    assert first.stdout == second.stdout
    other = invoke("quiz", "-n", "3", "--seed", "43", "--no-type", input="")
    assert other.stdout != first.stdout


def test_quiz_reschedule_tag_and_unknown_tag(invoke, home):
    tag = GAN.cards[0].tags[0]
    result = invoke(
        "quiz", "--deck", "gan", "--tag", tag, "-n", "1", "--reschedule", "--no-type", input="\n5\n"
    )
    assert result.exit_code == 0
    with store_of(home) as store:
        [state] = store.states().values()
        assert (
            state.state.interval == 1
            and tag in next(c for c in GAN.cards if c.id == state.card_id).tags
        )
    result = invoke("quiz", "--tag", "no-such-tag")
    assert (
        result.exit_code == 1 and "flashdl: no cards match the tag(s) no-such-tag" in result.stderr
    )


def test_timed_quiz_shows_the_budget(invoke):
    result = invoke("quiz", "-n", "1", "--minutes", "2", input="answer\n\n3\n")
    assert "/ 2:00" in result.stdout and "Time budget: 2:00" in result.stdout


def test_interview_date_is_remembered_caps_intervals_and_clears(invoke, home, clock):
    result = invoke(
        "study", "--deck", "cnn", "--new", "1", "--until", "2026-12-09", "--final-days", "3",
        input="\n5\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    clock.advance(days=1)
    # second repetition, on 11-30: 6 days (12-06) stays, before the final days 12-06 … 12-08
    invoke("study", "--deck", "cnn", "--new", "0", input="\n5\n")
    clock.advance(days=6)
    # third, on 12-06 (a final day): 17 days, past the interview (its last review is in them)
    invoke("study", "--deck", "cnn", "--new", "0", input="\n5\n")
    with store_of(home) as store:
        assert store.setting("interview_date") == "2026-12-09"
        assert store.setting("interview_window") == "3"
        [state] = store.states().values()
        assert state.state.due.isoformat() == "2026-12-23"
    stats = json.loads(invoke("stats", "--json").stdout)
    assert stats["interview_date"] == "2026-12-09" and stats["days_left"] == 3
    assert invoke("study", "--until", "off", input="").exit_code == 0
    with store_of(home) as store:
        assert store.setting("interview_date") is None


def test_an_interview_date_set_later_reschedules_cards_already_due_past_it(invoke, home, clock):
    invoke("study", "--deck", "cnn", "--new", "1", input="\n5\n")
    clock.advance(days=1)
    invoke("study", "--deck", "cnn", "--new", "0", input="\n5\n")  # due in 6 days: 12-06
    result = invoke("study", "--until", "2026-12-05", "--final-days", "2", input="q\n")
    assert result.exit_code == 0, result.output
    with store_of(home) as store:
        [state] = store.states().values()
        # rebuilt from the log under the cap: into the final days 12-03 … 12-04
        assert state.state.due.isoformat() in ("2026-12-03", "2026-12-04")


def test_bad_interview_dates(invoke):
    result = invoke("study", "--until", "next friday")
    assert result.exit_code == 1 and "--until expects a date like 2026-12-20" in result.stderr
    result = invoke("study", "--until", "2026-11-29")
    assert result.exit_code == 1 and "is not after today" in result.stderr


def test_stats_text_and_json(invoke):
    invoke("study", "--deck", "recsys", "--new", "2", input="\n5\n\n2\n\n4\n")
    result = invoke("stats")
    assert result.exit_code == 0
    for heading in (
        "Progress on 2026-11-29",
        "Due in the next 30 days",
        "Reviews, last 6 months",
        "Hardest cards",
    ):
        assert heading in result.stdout
    data = json.loads(invoke("stats", "--json", "--deck", "recsys", "--days", "7").stdout)
    [recsys] = data["decks"]
    assert (recsys["cards"], recsys["new"], recsys["learning"], recsys["reviews_today"]) == (
        4,
        2,
        2,
        3,
    )
    assert recsys["retention"] == 0.5  # 5 and 2; the repeat does not count
    assert len(data["forecast"]) == 7 and data["forecast"][1] == {"day": "2026-11-30", "due": 2}


def test_search_in_chinese_and_english(invoke):
    result = invoke("search", "模式坍塌")
    assert result.exit_code == 0 and "gan-mode-collapse" in result.stdout and "new" in result.stdout
    result = invoke("search", "MODE collapse", "--lang", "en")
    assert "gan-mode-collapse" in result.stdout
    assert "recsys" not in invoke("search", "softmax", "--deck", "nlp").stdout.split("card")[1]
    assert "No cards match" in invoke("search", "zzzz-nothing").stdout


def test_show_card_with_history_and_unknown_id(invoke):
    card = GAN.cards[0]
    invoke("study", "--deck", "gan", "--new", "1", input="\n4\n")
    result = invoke("show", card.id)
    assert result.exit_code == 0
    assert card.question.zh in result.stdout and card.question.en in result.stdout
    assert "Review history — due 2026-11-30" in result.stdout and "study" in result.stdout
    result = invoke("show", card.id[:-2])
    assert result.exit_code == 1 and "did you mean" in result.stderr


def test_reset_asks_keeps_history_and_yes_skips(invoke, home):
    invoke("study", "--deck", "cnn", "--new", "2", input="\n5\n\n5\n")
    card_id = load_deck(bundled_decks_dir() / "cnn.yaml").cards[0].id
    result = invoke("reset", card_id, input="n\n")
    assert result.exit_code == 1 and "Nothing was reset." in result.stdout
    result = invoke("reset", card_id, input="y\n")
    assert result.exit_code == 0 and "Reset 1 of 1 card" in result.stdout
    with store_of(home) as store:
        assert store.states()[card_id].state.is_new and len(store.reviews()) == 2
    assert "Reset 1 of 4 cards" in invoke("reset", "--deck", "cnn", "--yes").stdout
    assert invoke("reset").exit_code == 1


def test_suspend_takes_cards_out_of_study_and_quiz(invoke, home):
    ids = [c.id for c in load_deck(bundled_decks_dir() / "recsys.yaml").cards]
    assert invoke("suspend", *ids[:3]).exit_code == 0
    result = invoke("study", "--deck", "recsys", input="\n5\n\nq\n")
    with store_of(home) as store:
        assert [r.card_id for r in store.reviews()] == [ids[3]]
    quiz = invoke("quiz", "--deck", "recsys", "--no-type", "--in-order", input="q\n")
    assert ids[0] not in quiz.stdout
    assert invoke("unsuspend", ids[0]).exit_code == 0
    with store_of(home) as store:
        assert not store.states()[ids[0]].suspended
    del result
