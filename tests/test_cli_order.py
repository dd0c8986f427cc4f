"""Study order and leeches as a user meets them: interleaved decks, --tag, a card failed day after
day until it is a leech (told, suspended, listed in stats), and undoing that grade."""

from __future__ import annotations

import json
from pathlib import Path

from flashdl.app.study import related_cards
from flashdl.core.model import card_ids
from flashdl.core.planning import adjacent_related
from flashdl.decks.loader import load_deck
from flashdl.paths import bundled_decks_dir
from flashdl.store import Store

FAIL_THEN_RECALL = "\n0\n\n5\n"  # fail the due card, recall it in the session's repeat


def db_path(home: Path) -> Path:
    return home / "flashdl.db"


def deck_ids(name: str) -> list[str]:
    return list(card_ids(load_deck(bundled_decks_dir() / f"{name}.yaml")))


def shown_on(home: Path, day: str) -> list[str]:
    with Store.open(db_path(home)) as store:
        return [r.card_id for r in store.reviews() if r.day == day]


def test_new_cards_are_interleaved_across_the_selected_decks(invoke, home):
    result = invoke(
        "study", "--lang", "en", "--deck", "gan", "--deck", "cv", "--new", "4", input="\n5\n" * 4
    )
    assert result.exit_code == 0, result.output
    shown = shown_on(home, "2026-11-29")
    gan, cv = set(deck_ids("gan")), set(deck_ids("cv"))
    assert [("gan" if c in gan else "cv" if c in cv else "?") for c in shown] == [
        "gan", "cv", "gan", "cv",
    ]  # fmt: skip
    # in the order the decks are named in
    other = home / "other.db"
    result = invoke("study", "--lang", "en", "--deck", "cv", "--deck", "gan", "--new", "2", "--db", str(other),
                    input="\n5\n" * 2)  # fmt: skip
    assert result.exit_code == 0, result.output
    with Store.open(other) as store:
        assert [r.card_id in cv for r in store.reviews()] == [True, False]


def test_related_new_cards_are_not_introduced_on_the_same_day(invoke, home, clock):
    ids = deck_ids("cnn")  # conv-vs-fc ~ receptive-field, 1x1 ~ depthwise
    result = invoke("study", "--lang", "en", "--deck", "cnn", "--new", "2", input="\n5\n" * 2)
    assert result.exit_code == 0, result.output
    assert shown_on(home, "2026-11-29") == [ids[0], ids[2]]
    # later that day, one more new card: the only ones left are related to today's
    result = invoke("study", "--lang", "en", "--deck", "cnn", "--new", "3", input="\n5\n")
    assert result.exit_code == 0, result.output
    assert shown_on(home, "2026-11-29")[2] in (ids[1], ids[3])


def test_related_cards_are_never_shown_back_to_back(invoke, home, clock):
    decks = [load_deck(bundled_decks_dir() / f"{name}.yaml") for name in ("basics", "cnn")]
    related = related_cards(decks)
    for _ in range(3):  # three days of new cards, all recalled: they come due together
        result = invoke(
            "study", "--lang", "en", "--deck", "basics", "--new", "8", input="\n5\n" * 40
        )
        assert result.exit_code == 0, result.output
        clock.advance(days=1)
    clock.advance(days=10)
    result = invoke("study", "--lang", "en", "--deck", "basics", "--new", "0", input="\n4\n" * 60)
    assert result.exit_code == 0, result.output
    shown = shown_on(home, clock.now.date().isoformat())
    assert len(shown) >= 8
    assert adjacent_related(shown, related) == 0


def test_study_tag_takes_only_cards_with_that_tag(invoke, home):
    deck = load_deck(bundled_decks_dir() / "gan.yaml")
    tag = deck.cards[-1].tags[0]
    tagged = [c.id for c in deck.cards if tag in c.tags]
    result = invoke(
        "study", "--lang", "en", "--deck", "gan", "--tag", tag, "--new", "20", input="\n5\n" * 30
    )
    assert result.exit_code == 0, result.output
    assert sorted(shown_on(home, "2026-11-29")) == sorted(tagged)
    result = invoke("study", "--lang", "en", "--deck", "gan", "--tag", "no-such-tag")
    assert result.exit_code == 1
    assert "no cards in the selected decks have the tag(s) no-such-tag" in result.output
    assert "Traceback" not in result.output


def _fail_until_leech(invoke, clock, lapses: int, *, last_day_input: str = FAIL_THEN_RECALL):
    """Day 0: introduce one gan card and recall it; then fail it (and recall it in the repeat)
    once a day, ``lapses`` times; returns the last day's output."""
    result = invoke("study", "--lang", "en", "--deck", "gan", "--new", "1", input="\n5\n")
    assert result.exit_code == 0, result.output
    for day in range(1, lapses + 1):
        clock.advance(days=1)
        text = FAIL_THEN_RECALL if day < lapses else last_day_input
        new = "0" if day < lapses else "1"
        result = invoke("study", "--lang", "en", "--deck", "gan", "--new", new, input=text)
        assert result.exit_code == 0, result.output
        if day < lapses:
            assert "Leech" not in result.output
    return result


def test_a_card_failed_eight_times_is_a_leech_suspended_and_listed(invoke, home, clock):
    card = deck_ids("gan")[0]
    result = _fail_until_leech(invoke, clock, 8, last_day_input="\n0\n")
    assert f"Leech: {card} has lapsed 8 times; suspended" in result.output
    with Store.open(db_path(home)) as store:
        assert store.state_of(card).suspended
        assert store.leech_ids() == {card}
        assert card not in store.learning_cards(clock.now.date())  # no repeat of a suspended card
    data = json.loads(invoke("stats", "--deck", "gan", "--json").stdout)
    assert [(x["card_id"], x["lapses"], x["suspended"]) for x in data["leeches"]] == [
        (card, 8, True)
    ]
    text = invoke("stats", "--deck", "gan").stdout
    assert "Leeches" in text and card[:12] in text
    # the next day it is not studied, and unsuspending brings it back, still a leech
    clock.advance(days=1)
    result = invoke("study", "--lang", "en", "--deck", "gan", "--new", "0")
    assert "Nothing due today" in result.output and "1 is suspended" not in result.output
    assert invoke("unsuspend", card).exit_code == 0
    data = json.loads(invoke("stats", "--deck", "gan", "--json").stdout)
    assert [(x["card_id"], x["suspended"]) for x in data["leeches"]] == [(card, False)]


def test_lapses_count_only_failures_of_a_card_in_review(invoke, home, clock):
    """Failing a card again without recalling it in between is one lapse, as in Anki."""
    card = deck_ids("gan")[0]
    invoke("study", "--lang", "en", "--deck", "gan", "--new", "1", input="\n5\n")
    for _ in range(10):  # failed every day, never recalled (the session ends at once)
        clock.advance(days=1)
        assert (
            invoke("study", "--lang", "en", "--deck", "gan", "--new", "0", input="\n0\n").exit_code
            == 0
        )
    with Store.open(db_path(home)) as store:
        assert not store.state_of(card).suspended and store.leech_ids() == set()


def test_undoing_the_grade_that_made_a_leech_takes_it_back(invoke, home, clock):
    card = deck_ids("gan")[0]
    # the leech grade, then `u` on the next card's question
    result = _fail_until_leech(invoke, clock, 8, last_day_input="\n0\nu\n")
    assert "Leech:" in result.output
    assert f"Undid the grade of {card}. It is no longer marked a leech." in result.output
    with Store.open(db_path(home)) as store:
        assert not store.state_of(card).suspended
        assert store.leech_ids() == set()
        assert store.reviews(card)[-1].grade == 5  # the undone 0 is out of the log


def test_leech_action_keep_marks_but_does_not_suspend(invoke, home, clock):
    assert invoke("config", "set", "leech_action", "keep").exit_code == 0
    assert invoke("config", "set", "leech_lapses", "3").exit_code == 0
    card = deck_ids("gan")[0]
    result = _fail_until_leech(invoke, clock, 3)
    assert f"Leech: {card} has lapsed 3 times; kept in the schedule" in result.output
    with Store.open(db_path(home)) as store:
        assert not store.state_of(card).suspended and store.leech_ids() == {card}


def test_bad_leech_settings_are_one_line_errors(invoke):
    for key, value in (("leech_lapses", "0"), ("leech_lapses", "x"), ("leech_action", "delete")):
        result = invoke("config", "set", key, value)
        assert result.exit_code == 1
        assert f"{key} must be" in result.output and "Traceback" not in result.output


def test_leeches_survive_export_and_import(invoke, home, clock, tmp_path):
    card = deck_ids("gan")[0]
    _fail_until_leech(invoke, clock, 8, last_day_input="\n0\n")
    out = tmp_path / "progress.json"
    assert invoke("export", "progress", "-o", str(out)).exit_code == 0
    other = tmp_path / "other.db"
    result = invoke("import", "progress", str(out), "--db", str(other))
    assert result.exit_code == 0, result.output
    assert "1 leech marks found in the log" in result.output
    with Store.open(other) as store:
        assert store.leech_ids() == {card} and store.state_of(card).suspended
    again = invoke("import", "progress", str(out), "--db", str(other))
    assert "Nothing new" in again.output


def test_a_buried_card_is_not_due_today_in_decks_and_stats(invoke, home, clock):
    from datetime import timedelta

    card = deck_ids("gan")[0]
    assert invoke("study", "--deck", "gan", "--new", "1", input="\n5\n").exit_code == 0
    clock.advance(days=1)  # due again today

    def due_in_gan() -> int:
        result = invoke("stats", "--json")
        assert result.exit_code == 0, result.output
        [gan] = [d for d in json.loads(result.stdout)["decks"] if d["deck"] == "gan"]
        return gan["due_today"]

    assert due_in_gan() == 1
    today = clock.now.date()
    with Store.open(db_path(home)) as store:
        store.bury(card, today + timedelta(days=1), today)
    assert due_in_gan() == 0
    clock.advance(days=1)
    assert due_in_gan() == 1  # back the next day
