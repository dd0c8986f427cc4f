"""The SQLite store: migrations, round trips, undo, and refusing files that are not ours."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import NOW
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flashdl.core.errors import StoreError
from flashdl.core.scheduling import NEW_CARD
from flashdl.core.sm2 import review
from flashdl.store import Store
from flashdl.store.migrations import KNOWN, SCHEMA_VERSION


def test_new_database_is_migrated_and_in_wal_mode(tmp_path: Path):
    path = tmp_path / "sub" / "flashdl.db"
    with Store.open(path) as store:
        assert store.schema_version() == SCHEMA_VERSION == len(KNOWN)
        mode = store.db.conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        tables = set(store.db.table_names())
        assert {"card_state", "reviews", "settings", "_sqlite_migrations"} <= tables
    # Opening again applies nothing new and keeps the data.
    with Store.open(path) as store:
        assert store.schema_version() == SCHEMA_VERSION


def test_review_round_trip_and_introduced_count(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        after = review(NEW_CARD, 4, NOW)
        rid = store.record_review(
            card_id="a", deck="d", grade=4, mode="study", reviewed_at=NOW,
            before=NEW_CARD, after=after, answer_ms=1234,
        ).id  # fmt: skip
        states = store.states()
        assert states["a"].state == after
        assert states["a"].introduced_on == NOW.date()
        assert store.introduced_on(NOW.date()) == 1
        [logged] = store.reviews("a")
        assert logged.id == rid and logged.grade == 4 and logged.answer_ms == 1234
        assert logged.state_before == NEW_CARD and logged.state_after == after
        assert logged.reviewed_at.startswith("2026-11-29T09:30:00.000+08:00")
        assert logged.day == "2026-11-29"
        assert store.next_due(NOW.date()) == date(2026, 11, 30)


def test_repeat_logs_without_changing_state(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        after = review(NEW_CARD, 3, NOW)
        store.record_review(
            card_id="a",
            deck="d",
            grade=3,
            mode="study",
            reviewed_at=NOW,
            before=NEW_CARD,
            after=after,
        )
        store.record_review(
            card_id="a",
            deck="d",
            grade=5,
            mode="repeat",
            reviewed_at=NOW,
            before=after,
            after=after,
        )
        assert store.states()["a"].state == after
        assert [r.mode for r in store.reviews("a")] == ["study", "repeat"]


def test_undo_restores_the_state_and_keeps_the_log(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        first = review(NEW_CARD, 5, NOW)
        store.record_review(
            card_id="a",
            deck="d",
            grade=5,
            mode="study",
            reviewed_at=NOW,
            before=NEW_CARD,
            after=first,
        )
        second = review(first, 2, NOW)
        rid = store.record_review(
            card_id="a",
            deck="d",
            grade=2,
            mode="study",
            reviewed_at=NOW,
            before=first,
            after=second,
        ).id
        store.undo_review(rid, NOW)
        assert store.states()["a"].state == first
        assert len(store.reviews("a")) == 1
        assert len(store.reviews("a", include_undone=True)) == 2
        with pytest.raises(StoreError, match="already undone"):
            store.undo_review(rid, NOW)


def test_undoing_a_first_review_frees_the_new_card_allowance(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        rid = store.record_review(
            card_id="a", deck="d", grade=5, mode="study", reviewed_at=NOW,
            before=NEW_CARD, after=review(NEW_CARD, 5, NOW),
        ).id  # fmt: skip
        store.undo_review(rid, NOW)
        assert store.introduced_on(NOW.date()) == 0
        assert store.states()["a"].state.is_new


def test_settings(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        assert store.setting("until") is None
        store.set_setting("until", "2026-12-20")
        store.set_setting("until", "2026-12-24")
        assert store.setting("until") == "2026-12-24"
        store.set_setting("until", None)
        assert store.setting("until") is None


def test_non_sqlite_file_is_refused_and_untouched(tmp_path: Path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 10)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a SQLite database"):
        Store.open(path)
    assert path.read_bytes() == before


def test_foreign_sqlite_database_is_refused_and_untouched(tmp_path: Path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a flashdl one"):
        Store.open(path)
    assert path.read_bytes() == before


def test_newer_schema_is_refused(tmp_path: Path):
    path = tmp_path / "db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) VALUES ('flashdl', '999_future', 'x')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer flashdl"):
        Store.open(path)


def test_truncated_database_gives_a_clear_error(tmp_path: Path):
    path = tmp_path / "db"
    with Store.open(path) as store:
        for i in range(200):
            store.record_review(
                card_id=f"c{i}", deck="d", grade=5, mode="study", reviewed_at=NOW,
                before=NEW_CARD, after=review(NEW_CARD, 5, NOW), typed="x" * 500,
            )  # fmt: skip
        store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    damaged = path.read_bytes()
    with pytest.raises(StoreError, match=r"damaged|malformed"), Store.open(path) as store:
        store.states()
        store.reviews()
    assert path.read_bytes() == damaged


def test_folder_as_db_path(tmp_path: Path):
    with pytest.raises(StoreError, match="is a folder"):
        Store.open(tmp_path)


def test_unwritable_data_folder_gives_clear_error(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the data folder"):
        Store.open(blocker / "sub" / "flashdl.db")


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_migrates_from_every_earlier_schema_keeping_data(tmp_path: Path, version: int):
    from flashdl.store import migrations

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.apply(conn, stop_before=KNOWN[version])
    assert migrations.applied(conn) == KNOWN[:version]
    conn.execute(
        "INSERT INTO reviews(card_id, deck, reviewed_at, day, grade, mode, state_before, state_after)"
        " VALUES ('a', 'd', '2026-01-01T09:00:00.000+08:00', '2026-01-01', 5, 'study', ?, ?)",
        ['{"repetitions":0,"interval":0,"easiness":2.5,"due":null,"lapses":0}',
         '{"repetitions":1,"interval":1,"easiness":2.6,"due":"2026-01-02","lapses":0}'],
    )  # fmt: skip
    conn.close()
    with Store.open(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        [old] = store.reviews()
        assert old.grade == 5 and old.state_after.interval == 1


def test_opening_a_current_database_does_not_import_sqlite_utils(tmp_path: Path):
    import subprocess
    import sys

    Store.open(tmp_path / "db").close()
    code = (
        "import sys; from pathlib import Path; from flashdl.store import Store;"
        f"Store.open(Path({str(tmp_path / 'db')!r})).close();"
        "print('sqlite_utils' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_two_sessions_grading_one_card_both_count(tmp_path: Path):
    """Issue 11.13: the new state is computed from the state stored now, not the one read earlier."""
    from flashdl.core.sm2 import SM2

    path = tmp_path / "db"
    with Store.open(path) as first, Store.open(path) as second:
        kwargs = dict(card_id="c", deck="d", mode="study", scheduler=SM2())
        one = first.record_review(grade=4, reviewed_at=NOW, **kwargs)
        two = second.record_review(grade=4, reviewed_at=NOW, **kwargs)
        assert two.before == one.after and two.after.repetitions == 2
        assert first.state_of("c").state == two.after


def test_a_scheduler_switch_by_another_process_is_respected(tmp_path: Path):
    """Issue 11.13: a session that started under SM-2 grades under FSRS once another process
    switched; no SM-2 state is stored under the FSRS label."""
    from flashdl.core.fsrs import FSRS
    from flashdl.core.sm2 import SM2

    path = tmp_path / "db"
    with Store.open(path) as session, Store.open(path) as other:
        session.record_review(card_id="c", deck="d", grade=4, mode="study", reviewed_at=NOW,
                              scheduler=SM2())  # fmt: skip
        other.use_scheduler(FSRS())
        recorded = session.record_review(
            card_id="c", deck="d", grade=4, mode="study", reviewed_at=NOW, scheduler=SM2()
        )
        assert recorded.after.stability is not None  # FSRS built it
        assert session.built_with() == other.built_with() == FSRS().key


def test_a_long_upgrade_is_announced_once_and_a_new_database_never(tmp_path: Path, monkeypatch):
    """Migration 6 indexes every review: seconds on a million of them, so the CLI says so first."""
    from flashdl.store import connection, migrations

    heard: list[Path] = []
    monkeypatch.setattr(connection, "SLOW_UPGRADE_REVIEWS", 2)
    Store.open(tmp_path / "new.db", upgrade_notice=heard.append).close()
    assert heard == []  # created, not upgraded
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.apply(conn, stop_before=KNOWN[-1])
    for day in range(1, 5):
        conn.execute(
            "INSERT INTO reviews(card_id, deck, reviewed_at, day, grade, mode, state_before,"
            " state_after) VALUES ('a', 'd', ?, ?, 5, 'study', '{}', '{}')",
            [f"2026-01-0{day}T09:00:00.000+08:00", f"2026-01-0{day}"],
        )
    conn.close()
    Store.open(path, upgrade_notice=heard.append).close()
    Store.open(path, upgrade_notice=heard.append).close()
    assert heard == [path]


def test_the_cli_announces_a_long_upgrade_on_stderr(tmp_path: Path, home, invoke, monkeypatch):
    from flashdl.store import connection, migrations

    monkeypatch.setattr(connection, "SLOW_UPGRADE_REVIEWS", -1)
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrations.apply(conn, stop_before=KNOWN[-1])
    conn.close()
    monkeypatch.setenv("FLASHDL_DB", str(path))
    result = invoke("stats", "--json")
    assert result.exit_code == 0
    assert f"flashdl: updating {path} for this version of flashdl" in result.stderr
    assert "updating" not in invoke("stats", "--json").stderr


_JOINED_LEARNING = (
    "SELECT r.card_id, r.reviewed_at, r.grade FROM reviews r"
    " JOIN card_state s ON s.card_id = r.card_id"
    " WHERE r.day = ? AND r.undone_at IS NULL AND r.mode IN ('study', 'repeat')"
    " AND s.suspended = 0 ORDER BY r.id"
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d"]),
            st.integers(0, 5),
            st.sampled_from(["study", "repeat", "quiz"]),
            st.booleans(),  # a day earlier
        ),
        max_size=14,
    ),
    st.sets(st.sampled_from(["a", "b", "c", "d"])),
    st.booleans(),
)
def test_learning_cards_are_the_failed_unsuspended_cards_of_the_day(
    tmp_path_factory, reviews, suspended, orphan
):
    """The learning queue: each card's last study grade of the day below the bar, the card
    not suspended and with a state (a review whose card has none, in a damaged database, is
    left out), as the query joining every review of the day to card_state gave."""
    with Store.open(tmp_path_factory.mktemp("db") / "flashdl.db") as store:
        for minute, (card_id, grade, mode, earlier) in enumerate(reviews):
            at = NOW - timedelta(days=1 if earlier else 0, minutes=60 - minute)
            store.record_review(card_id=card_id, deck="d", grade=grade, mode=mode, reviewed_at=at)
        for card_id in suspended:
            store.set_suspended(card_id, "d", True)
        if orphan:  # a review of a card whose state row is gone
            store.conn.execute("DELETE FROM card_state WHERE card_id = 'a'")
        rows = store.conn.execute(_JOINED_LEARNING, [NOW.date().isoformat()]).fetchall()
        last = {card_id: (stamp, grade) for card_id, stamp, grade in rows}
        expected = {c: datetime.fromisoformat(s) for c, (s, g) in last.items() if g < 4}
        assert store.learning_cards(NOW.date()) == expected
        assert list(store.learning_cards(NOW.date())) == list(expected)
