"""Backups and moving progress between machines: consistent copies, idempotent merges."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import NOW

from flashdl.app.progress import FORMAT, SCHEMA_VERSION, parse_progress, progress_document
from flashdl.core.scheduling import NEW_CARD
from flashdl.core.sm2 import review
from flashdl.store import Store


def grade(store: Store, card_id: str, q: int, at, deck: str = "cnn", mode: str = "study") -> int:
    before = store.states().get(card_id)
    state = before.state if before else NEW_CARD
    after = review(state, q, at) if mode == "study" else state
    return store.record_review(
        card_id=card_id, deck=deck, grade=q, mode=mode, reviewed_at=at, before=state, after=after
    ).id


def snapshot(path: Path) -> tuple[list, list, list]:
    """Everything that matters in a database, without local review ids."""
    with Store.open(path) as store:
        cards, reviews, settings = store.progress_rows()
    return cards, reviews, sorted(settings.items())


@pytest.fixture
def machine_a(tmp_path: Path) -> Path:
    path = tmp_path / "a.db"
    with Store.open(path) as store:
        grade(store, "cnn-one", 5, NOW)
        grade(store, "cnn-one", 2, NOW + timedelta(minutes=1), mode="repeat")
        grade(store, "cnn-two", 4, NOW + timedelta(minutes=2))
        undone = grade(store, "cnn-three", 1, NOW + timedelta(minutes=3))
        store.undo_review(undone, NOW + timedelta(minutes=4))
        store.set_setting("interview_date", "2026-12-20")
    return path


# -- backup -------------------------------------------------------------------------------------


def test_backup_is_a_consistent_single_file_copy_while_a_write_is_open(machine_a, tmp_path):
    other = sqlite3.connect(machine_a, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another flashdl in the middle of a grade
    other.execute("UPDATE settings SET value = 'uncommitted' WHERE key = 'interview_date'")
    target = tmp_path / "copy.db"
    with Store.open(machine_a) as store:
        store.backup(target)
    other.execute("ROLLBACK")
    other.close()
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    copy.close()
    assert snapshot(target) == snapshot(machine_a)
    assert dict(snapshot(target)[2])["interview_date"] == "2026-12-20"
    assert not list(tmp_path.glob(".*.tmp"))


def test_backup_command(invoke, home, clock):
    invoke("study", "--deck", "cnn", "--new", "1", input="\n5\n")
    result = invoke("backup")
    assert result.exit_code == 0, result.output
    target = home / "backups" / "flashdl-20261129-093000.db"
    assert result.stdout.strip() == f"Backed up {home / 'flashdl.db'} to {target}"
    assert snapshot(target) == snapshot(home / "flashdl.db")
    result = invoke("backup")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"flashdl: {target} already exists; use --force to overwrite it"
    assert invoke("backup", "--force").exit_code == 0
    result = invoke("backup", "-o", str(home / "flashdl.db"), "--force")
    assert result.exit_code == 1 and "is the database itself" in result.stderr


def test_backup_and_export_need_a_database(invoke, home, tmp_path):
    for args in (["backup"], ["export", "progress", "-o", str(tmp_path / "p.json")]):
        result = invoke(*args)
        assert result.exit_code == 1
        assert result.stderr.startswith(f"flashdl: there is no database at {home / 'flashdl.db'}")
    assert not (home / "flashdl.db").exists()


# -- export -------------------------------------------------------------------------------------


def test_progress_file_holds_states_and_the_full_log(invoke, machine_a, tmp_path):
    out = tmp_path / "progress.json"
    result = invoke("export", "progress", "--db", str(machine_a), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Wrote {out}: 3 cards, 4 reviews."
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["format"] == FORMAT and document["schema_version"] == SCHEMA_VERSION
    assert document["exported_at"] == "2026-11-29T09:30:00.000+08:00"
    assert [r["mode"] for r in document["reviews"]] == ["study", "repeat", "study", "study"]
    assert document["reviews"][3]["undone_at"] == "2026-11-29T09:34:00.000+08:00"
    assert "id" not in document["reviews"][0]
    assert {c["card_id"] for c in document["cards"]} == {"cnn-one", "cnn-two", "cnn-three"}
    assert document["settings"] == {"interview_date": "2026-12-20"}
    result = invoke("export", "progress", "--db", str(machine_a), "-o", str(out))
    assert result.exit_code == 1 and "--force" in result.stderr


def test_progress_to_standard_output_writes_no_file(invoke, machine_a, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("export", "progress", "--db", str(machine_a), "-o", "-")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "-").exists()
    document = json.loads(result.stdout)
    assert len(document["reviews"]) == 4


# -- import -------------------------------------------------------------------------------------


def exported(machine: Path, tmp_path: Path, name: str = "p.json") -> Path:
    out = tmp_path / name
    with Store.open(machine) as store:
        out.write_text(json.dumps(progress_document(store, NOW)), encoding="utf-8")
    return out


def test_import_into_a_new_machine_then_again_changes_nothing(invoke, machine_a, tmp_path):
    file = exported(machine_a, tmp_path)
    fresh = tmp_path / "b.db"
    result = invoke("import", "progress", str(file), "--db", str(fresh))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"Imported {file}: 4 new reviews, 0 undone, 3 new and 0 updated cards, 1 settings."
    )
    assert snapshot(fresh) == snapshot(machine_a)
    with Store.open(fresh) as store:
        [undone] = [r for r in store.reviews(include_undone=True) if r.undone_at]
        assert undone.card_id == "cnn-three" and store.states()["cnn-three"].state.is_new
    result = invoke("import", "progress", str(file), "--db", str(fresh))
    assert result.stdout.strip() == f"Nothing new in {file}; your progress is unchanged."
    assert snapshot(fresh) == snapshot(machine_a)


def test_two_machines_merge_both_ways_to_the_same_progress(machine_a, tmp_path):
    from flashdl.app.progress import import_progress

    machine_b = tmp_path / "b.db"
    with Store.open(machine_b) as store:
        import_progress(store, parse_progress(exported(machine_a, tmp_path).read_text(), "a"))
        later = NOW + timedelta(days=1)
        grade(store, "cnn-one", 4, later)  # B studies cnn-one again the next day
        grade(store, "gan-one", 5, later, deck="gan")  # and a card A never saw
        store.set_setting("interview_date", "2027-01-10")  # B's own setting wins on B
    with Store.open(machine_a) as store:
        grade(store, "cnn-two", 1, NOW + timedelta(days=2))  # A reviews cnn-two even later
        store.undo_review(
            next(r.id for r in store.reviews() if r.card_id == "cnn-one"), NOW + timedelta(hours=1)
        )  # and undoes its first cnn-one grade

    b_file = exported(machine_b, tmp_path, "b.json")
    a_file = exported(machine_a, tmp_path, "a.json")
    with Store.open(machine_a) as store:
        counts = import_progress(store, parse_progress(b_file.read_text(), "b"))
        assert (counts.reviews_added, counts.cards_added, counts.cards_updated) == (2, 1, 1)
        a_states = store.states()
    with Store.open(machine_b) as store:
        counts = import_progress(store, parse_progress(a_file.read_text(), "a"))
        assert (counts.reviews_added, counts.reviews_undone, counts.cards_updated) == (1, 1, 1)
        b_states = store.states()

    assert a_states == b_states  # the later review of each card decided its state
    assert a_states["cnn-one"].state.repetitions == 2  # B's day-two review
    assert a_states["cnn-two"].state.lapses == 1  # A's day-three lapse
    a_cards, a_reviews, a_settings = snapshot(machine_a)
    b_cards, b_reviews, b_settings = snapshot(machine_b)
    key = lambda r: (r["reviewed_at"], r["card_id"], r["grade"], r["mode"])  # noqa: E731
    assert sorted(a_reviews, key=key) == sorted(b_reviews, key=key)
    assert len(a_reviews) == 7 and a_cards == b_cards
    assert dict(a_settings)["interview_date"] == "2026-12-20"
    assert dict(b_settings)["interview_date"] == "2027-01-10"


def test_states_from_another_scheduler_are_rebuilt(machine_a, tmp_path):
    from flashdl.app.progress import import_progress

    document = json.loads(exported(machine_a, tmp_path).read_text())
    document["settings"]["scheduler"] = "fsrs(desired_retention=0.9)"
    with Store.open(tmp_path / "b.db") as store:
        counts = import_progress(store, parse_progress(json.dumps(document), "a"))
        assert counts.needs_rebuild
        assert store.setting("scheduler") == "mixed"  # use_scheduler rebuilds on next use


def test_import_command_rebuilds_states_from_another_scheduler(invoke, machine_a, tmp_path):
    document = json.loads(exported(machine_a, tmp_path).read_text())
    document["settings"]["scheduler"] = "fsrs(desired_retention=0.9)"
    for card in document["cards"]:
        card["interval"] = 99  # what another scheduler might have said
    file = tmp_path / "fsrs.json"
    file.write_text(json.dumps(document), encoding="utf-8")
    target = tmp_path / "b.db"
    assert invoke("import", "progress", str(file), "--db", str(target)).exit_code == 0
    with Store.open(target) as store:
        assert store.setting("scheduler") == "sm2"  # rebuilt with this machine's scheduler
        assert store.states()["cnn-one"].state.interval == 1
        assert store.states()["cnn-two"].state.interval == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema_version=SCHEMA_VERSION + 1), "was written by a newer flashdl"),
        (lambda d: d.update(format="other"), 'is not a flashdl progress file (no "format"'),
        (lambda d: d.update(reviews={}), "'reviews' must be a list"),
        (lambda d: d["reviews"][1].update(grade=7), "reviews[1].grade must be a grade from 0 to 5"),
        (lambda d: d["reviews"][0].pop("reviewed_at"), "reviews[0] is missing 'reviewed_at'"),
        (lambda d: d["reviews"][0].update(reviewed_at="2026-11-29T09:30"), "needs a UTC offset"),
        (lambda d: d["reviews"][0].update(state_after="{}"), "reviews[0].state_after must have"),
        (lambda d: d["cards"][0].update(due="tomorrow"), "cards[0].due must be an ISO date"),
        (lambda d: d["cards"][0].update(extra=[1]), "cards[0].extra must be a plain value"),
        (lambda d: d.update(settings={"a": 1}), "settings.a is not a flashdl setting"),
        (lambda d: d.update(settings=[]), "settings must map names to text"),
        # Issue 11.5: a hostile file must be refused whole, before anything is written.
        (
            lambda d: d["reviews"][0].update(reviewed_at="9999-12-31T00:00:00.000+00:00"),
            "reviews[0].reviewed_at 9999-12-31T00:00:00.000+00:00 is before 1970 or in the future",
        ),
        (lambda d: d["reviews"][0].update(day="9999-12-31"), "reviews[0].day 9999-12-31 is"),
        (
            lambda d: d["reviews"][0].update(reviewed_at="2026-11-29T09:30:00.000+23:59"),
            "reviews[0].reviewed_at 2026-11-29T09:30:00.000+23:59 has a UTC offset no time zone",
        ),
        # Shapes ``fromisoformat`` takes but flashdl never writes: stored, they compare wrongly.
        (lambda d: d["reviews"][0].update(day="2026-W49-1"), "reviews[0].day must be an ISO date"),
        (
            lambda d: d["reviews"][0].update(reviewed_at="20261022T080506+0800"),
            "reviews[0].reviewed_at must be an ISO time",
        ),
        (
            lambda d: d["reviews"][0].update(reviewed_at="2026-11-25 13:19+08"),
            "reviews[0].reviewed_at must be an ISO time",
        ),
        (lambda d: d["cards"][0].update(due="2026-W49-1"), "cards[0].due must be an ISO date"),
        (lambda d: d["cards"][0].update(due="9999-12-31"), "cards[0].due 9999-12-31 is not a due"),
        (lambda d: d["cards"][0].update(easiness=float("nan")), "NaN is not a number flashdl"),
        (lambda d: d["cards"][0].update(easiness=1e308), "cards[0].easiness must be a number"),
        (lambda d: d["cards"][0].update(interval=10**12), "cards[0].interval must be a whole"),
        (lambda d: d["cards"][0].update(difficulty=11), "cards[0].difficulty must be a number"),
        (lambda d: d["cards"][0].update(card_id="[bold]x"), "cards[0].card_id must be a card id"),
        # ``$`` matches before a final newline: the patterns must end at the text's end.
        (lambda d: d["cards"][0].update(card_id="x\n"), "cards[0].card_id must be a card id"),
        (lambda d: d["reviews"][0].update(mode="\x1b]0;x\x07"), "reviews[0].mode must be one of"),
        (lambda d: d["reviews"][0].update(typed="x" * 100_001), "reviews[0].typed must be text"),
        (lambda d: d["reviews"][0].update(coverage=2), "reviews[0].coverage must be a number"),
        (lambda d: d["reviews"][0].update(missed="[99]"), "reviews[0].missed must be a JSON list"),
        (
            lambda d: d["reviews"][0].update(
                state_after=json.dumps(
                    {**json.loads(d["reviews"][0]["state_after"]), "interval": 99999999}
                )
            ),
            "reviews[0].state_after interval must be a whole number",
        ),
        # Each field fine alone, but no review flashdl writes, and doctor calls them corrupt.
        (
            lambda d: d["reviews"][0].update(undone_at="2026-11-29T09:29:59.999+08:00"),
            "reviews[0].undone_at (card 'cnn-one') 2026-11-29T09:29:59.999+08:00 is before its"
            " reviewed_at 2026-11-29T09:30:00.000+08:00",
        ),
        (
            lambda d: d["reviews"][0].update(day="2026-11-20"),
            "reviews[0].day (card 'cnn-one') 2026-11-20 is not the day of its reviewed_at"
            " 2026-11-29T09:30:00.000+08:00 (2026-11-29: a day ends at 4 AM)",
        ),
        (
            lambda d: d["reviews"][0].update(
                reviewed_at="2026-11-29T02:00:00.000+08:00", day="2026-11-27"
            ),
            "reviews[0].day (card 'cnn-one') 2026-11-27 is not the day",
        ),
        (
            lambda d: d["cards"][0].update(lapses=2_000_000),
            "cards[0].lapses must be a whole number",
        ),
        (
            lambda d: d["cards"].clear(),  # merged, its lapses would be a leech mark of no card
            "reviews[0].card_id 'cnn-one' has a study review but no entry in 'cards'",
        ),
        (lambda d: d["settings"].update(interview_date="soon"), "settings.interview_date must be"),
        (lambda d: d["settings"].update(scheduler="evil"), "settings.scheduler must name"),
        (
            lambda d: d["settings"].update(interview_window="0"),
            "settings.interview_window must be a whole number from 1 to 90",
        ),
        (
            lambda d: d["settings"].update(interview_include_day="yes"),
            "settings.interview_include_day must be '0' or '1'",
        ),
    ],
)
def test_bad_files_are_refused_with_one_line_and_change_nothing(
    invoke, machine_a, tmp_path, change, message
):
    document = json.loads(exported(machine_a, tmp_path).read_text())
    change(document)
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(document), encoding="utf-8")
    target = tmp_path / "b.db"
    with Store.open(target) as store:
        grade(store, "cnn-one", 3, NOW)
    before = snapshot(target)
    result = invoke("import", "progress", str(file), "--db", str(target))
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(f"flashdl: {file}")
    assert snapshot(target) == before


@pytest.mark.parametrize("digits", [21, 5000, 100_000])
def test_a_number_longer_than_flashdl_writes_is_refused_in_one_line(
    invoke, machine_a, tmp_path, digits
):
    """Past 4,300 digits Python's own refusal told the user to call sys.set_int_max_str_digits."""
    text = exported(machine_a, tmp_path).read_text()
    file = tmp_path / "long.json"
    file.write_text(text.replace('"interval": 1', '"interval": -' + "9" * digits, 1))
    assert file.read_text() != text
    result = invoke("import", "progress", str(file), "--db", str(tmp_path / "b.db"))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"flashdl: {file} is not a flashdl progress file (a number of {digits} digits; flashdl"
        " writes none longer than 20)"
    )


def test_unreadable_files(invoke, tmp_path):
    result = invoke("import", "progress", str(tmp_path / "missing.json"))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"flashdl: cannot read {tmp_path / 'missing.json'}: No such file or directory"
    )
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ', encoding="utf-8")
    result = invoke("import", "progress", str(broken))
    assert result.stderr.strip().startswith(
        f"flashdl: {broken} is not a flashdl progress file (invalid JSON at line 1"
    )
    broken.write_bytes(b"\xff\xfe")
    assert "not UTF-8" in invoke("import", "progress", str(broken)).stderr


def test_newer_columns_are_ignored(machine_a, tmp_path):
    from flashdl.app.progress import import_progress

    document = json.loads(exported(machine_a, tmp_path).read_text())
    for row in document["reviews"] + document["cards"]:
        row["from_the_future"] = "x"
    with Store.open(tmp_path / "b.db") as store:
        import_progress(store, parse_progress(json.dumps(document), "a"))
    assert snapshot(tmp_path / "b.db") == snapshot(machine_a)


def test_a_failed_rebuild_leaves_the_database_byte_identical(
    invoke, machine_a, tmp_path, monkeypatch
):
    """Issue 11.5: merge and rebuild are one transaction; a failure in the rebuild undoes the merge."""
    document = json.loads(exported(machine_a, tmp_path).read_text())
    document["settings"]["scheduler"] = "fsrs(desired_retention=0.9)"
    file = tmp_path / "fsrs.json"
    file.write_text(json.dumps(document), encoding="utf-8")
    target = tmp_path / "b.db"
    with Store.open(target) as store:
        grade(store, "cnn-one", 3, NOW)
    before_rows, before_bytes = snapshot(target), target.read_bytes()

    def overflow(*args, **kwargs):
        raise OverflowError("date value out of range")

    monkeypatch.setattr("flashdl.store.cards.replay", overflow)
    result = invoke("import", "progress", str(file), "--db", str(target))
    assert result.exit_code == 1 and "cannot rebuild the card states" in result.stderr
    assert "Traceback" not in result.output and "internal error" not in result.output
    monkeypatch.undo()
    assert target.read_bytes() == before_bytes
    assert snapshot(target) == before_rows


def test_the_interview_settings_travel_with_the_progress(invoke, home, tmp_path):
    invoke("study", "--deck", "cnn", "--new", "1", "--until", "2026-12-20", "--final-days", "5",
           "--include-day", input="\n5\n")  # fmt: skip
    out = tmp_path / "p.json"
    assert invoke("export", "progress", "-o", str(out)).exit_code == 0
    settings = json.loads(out.read_text(encoding="utf-8"))["settings"]
    assert settings == {
        "interview_date": "2026-12-20",
        "interview_window": "5",
        "interview_include_day": "1",
        "scheduler": "sm2",
    }
    other = tmp_path / "other.db"
    result = invoke("import", "progress", str(out), "--db", str(other))
    assert result.exit_code == 0, result.output
    with Store.open(other) as store:
        assert store.setting("interview_window") == "5"
        assert store.setting("interview_include_day") == "1"


def test_what_import_takes_doctor_calls_sound(invoke, machine_a, tmp_path, clock):
    """Import and doctor agree at the edges: a review written before the 4 AM rule (its day the
    calendar date), one a day ahead of this machine's clock in a far zone, and a due date a
    century ahead, imported between midnight and 4 AM."""
    from datetime import datetime

    clock.now = datetime(2026, 11, 29, 2, 0, tzinfo=NOW.tzinfo)  # study day 2026-11-28
    document = json.loads(exported(machine_a, tmp_path).read_text())
    document["reviews"][0].update(reviewed_at="2026-11-29T01:00:00.000+08:00", day="2026-11-29")
    document["reviews"][1].update(reviewed_at="2026-11-30T07:00:00.000+14:00", day="2026-11-30")
    document["cards"][0].update(due=(NOW.date() + timedelta(days=36_599)).isoformat())
    file = tmp_path / "edges.json"
    file.write_text(json.dumps(document), encoding="utf-8")
    target = tmp_path / "b.db"
    result = invoke("import", "progress", str(file), "--db", str(target))
    assert result.exit_code == 0, result.output
    report = invoke("doctor", "--db", str(target)).stdout
    database = [row for row in report.splitlines() if row[9:].startswith("database")]
    assert database and all(row.startswith("ok ") for row in database), report


def test_quiz_reviews_of_a_card_never_studied_need_no_card_entry(machine_a, tmp_path):
    """A quiz grade that does not reschedule writes no card state: such a file is flashdl's."""
    document = json.loads(exported(machine_a, tmp_path).read_text())
    review = {**document["reviews"][0], "card_id": "cnn-quizzed", "mode": "quiz"}
    review["state_after"] = review["state_before"]
    document["reviews"].append(review)
    progress = parse_progress(json.dumps(document), "file", NOW)
    assert progress.reviews[-1]["card_id"] == "cnn-quizzed"
