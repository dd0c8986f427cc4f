"""The benchmark data generators (benchmarks/generate.py), run at tiny sizes so they cannot rot."""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from flashdl.core.scheduling import NEW_CARD
from flashdl.decks.loader import load_collection
from flashdl.store import Store
from flashdl.store.migrations import SCHEMA_VERSION

GENERATE = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"
END = date(2026, 11, 29)


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[spec.name]
        raise
    return module


@pytest.fixture(scope="module")
def generate():
    module = _module("flashdl_benchmarks_generate", GENERATE)
    try:
        yield module
    finally:
        del sys.modules["flashdl_benchmarks_generate"]


def test_deck_is_valid_deterministic_and_apart_from_the_bundled_ids(generate, tmp_path: Path):
    path, made = generate.write_deck(tmp_path / "decks", 50, seed=3)
    assert path.name == "synthetic.yaml"
    (deck,) = load_collection([path])
    assert [c.id for c in deck.cards] == [c.id for c in made]
    assert all(
        3 <= len(c.key_points) <= 6 and all(p.terms for p in c.key_points) for c in deck.cards
    )
    assert all(c.question.zh and c.question.en and c.answer.zh and c.answer.en for c in deck.cards)
    assert any("$" in c.answer.en for c in deck.cards) and any(c.related for c in deck.cards)
    assert not {c.id for c in made} & {c.id for c in generate.bundled_cards()}
    assert generate.deck_text(50, seed=3)[0] == path.read_text(encoding="utf-8")
    assert generate.deck_text(50, seed=4)[0] != path.read_text(encoding="utf-8")


def test_store_has_the_counts_and_consistent_states(generate, tmp_path: Path):
    _, made = generate.write_deck(tmp_path / "decks", 50)
    db = tmp_path / "store.db"
    summary = generate.write_store(db, made, cards=80, reviews=500, end=END, days=200)
    assert (summary.cards, summary.reviews) == (80, 500)
    with Store.open(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        states = store.states()
        log = store.reviews(include_undone=True)  # parses every JSON state
    assert len(states) == 80 and len(log) == 500
    assert {c.id for c in made} <= set(states)
    assert {r.mode for r in log} == {"study", "repeat", "quiz"}
    first = (END - timedelta(days=200)).isoformat()
    assert all(first <= r.day <= END.isoformat() for r in log)
    assert [r.reviewed_at for r in log] == sorted(r.reviewed_at for r in log)
    last: dict[str, object] = {}
    for review in log:  # each scheduling grade starts from the state the previous one left
        if review.mode == "study":
            assert review.state_before == last.get(review.card_id, NEW_CARD)
            if review.undone_at is None:
                last[review.card_id] = review.state_after
        else:
            assert review.state_before == review.state_after
    conn = sqlite3.connect(db)
    reset = {
        row[0] for row in conn.execute("SELECT card_id FROM card_state WHERE reset_at IS NOT NULL")
    }
    journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()
    assert journal == "wal"
    for card_id, state in last.items():
        expected = NEW_CARD if card_id in reset else state
        assert states[card_id].state == expected


def test_compact_deck_is_valid_and_about_270_bytes_a_card(generate, tmp_path: Path):
    path = generate.write_compact_deck(tmp_path / "compact", 200)
    [deck] = load_collection([path])
    assert deck.name == "compact" and len(deck.cards) == 200
    assert all(len(card.key_points) == 3 and card.question.en for card in deck.cards)
    assert 200 <= path.stat().st_size / 200 <= 320


def test_times_past_midnight_stay_valid(generate):
    from datetime import datetime

    late = generate._stamp(date(2026, 1, 1), 25 * 3600, 5)
    assert datetime.fromisoformat(late).hour == 23
    assert late < generate._stamp(date(2026, 1, 2), 0, 0)


GRADING = GENERATE.with_name("grading.py")
ANSWERS = """\
version: 1
answers:
  - card_id: cnn-1x1-convolution
    lang: zh
    kind: strong
    grade: 5
    reason: test
    answer: |
      1x1卷积在每个像素位置对所有输入通道做线性组合，用来降维或升维，大幅减少参数和计算量；
      Inception 和 ResNet 的 bottleneck 都用它；后面接 ReLU 还能增加非线性。
  - card_id: cnn-1x1-convolution
    lang: en
    kind: buzzwords
    grade: 2
    reason: test
    answer: "channels, bottleneck, non-linearity, Inception, parameters"
"""


def test_the_grading_benchmark_prints_its_table(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("flashdl_benchmarks_grading", GRADING)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        answers = tmp_path / "answers.yaml"
        answers.write_text(ANSWERS, encoding="utf-8")
        assert module.main(["--answers", str(answers), "--no-startup"]) == 0
    finally:
        del sys.modules[spec.name]
    out = capsys.readouterr().out
    assert "| Spearman correlation with the expert grade |" in out
    assert "| buzzword lists given >= 3 | 0% | <= 10 % | pass |" in out
    assert "| kind | answers |" in out and "| language | answers |" in out
    assert "time per answer" in out
    assert module.spearman([1, 2, 3], [1, 2, 3]) == pytest.approx(1.0)
    assert module.ranks([3, 1, 1]) == [2.0, 0.5, 0.5]


def test_the_first_card_marker_is_what_the_timed_command_prints(tmp_path: Path):
    """The first-card figures wait for REVEAL_PROMPT after FIRST_CARD_ARGS: if the two drift apart
    (the plain `study` became the full-screen app once), every run would wait for its timeout."""
    try:
        run = _module("flashdl_benchmarks_run", GENERATE.parent / "run.py")
    finally:
        sys.modules.pop("flashdl_benchmarks_run", None)
    env = {**os.environ, "FLASHDL_HOME": str(tmp_path), "FLASHDL_DB": str(tmp_path / "db")}
    env.pop("FLASHDL_DECKS", None)
    sample = run.first_card(
        [sys.executable, "-m", "flashdl", *run.FIRST_CARD_ARGS], env, timeout=60
    )
    assert sample.returncode == 0, sample.output[-500:]


def test_the_edit_figures_change_one_card_that_the_cache_parses_alone(
    generate, tmp_path: Path, monkeypatch
):
    """``edit_one_card`` (the "one card edited" figures) leaves a valid deck that differs in one
    card, and the cache parses only that card again."""
    from flashdl.decks import cache
    from flashdl.decks.loader import load_deck

    try:
        run = _module("flashdl_benchmarks_run", GENERATE.parent / "run.py")
    finally:
        sys.modules.pop("flashdl_benchmarks_run", None)
    path, _ = generate.write_deck(tmp_path / "decks", 50, seed=3)
    before = load_deck(path)
    cache.load_deck_cached(path, tmp_path / "cache")
    parsed: list[int] = []
    real = cache.parse_deck

    def counting(*args, **kwargs):
        deck = real(*args, **kwargs)
        parsed.append(len(deck.cards))
        return deck

    monkeypatch.setattr(cache, "parse_deck", counting)
    original = path.read_bytes()
    for number in (0, 1):
        path.write_bytes(run.edit_one_card(original, number))
        os.utime(path, ns=(1, 10**18 + number))
        edited = cache.load_deck_cached(path, tmp_path / "cache")
        changed = [a.id for a, b in zip(before.cards, edited.cards, strict=True) if a != b]
        assert len(changed) == 1 and edited.cards == load_deck(path).cards
    assert parsed == [1, 1]


def test_the_check_figure_checks_each_file_beside_the_bundled_decks_alone(generate, tmp_path: Path):
    """The check figure's files share card ids (the ≈5 MB deck is the start of the 20k one), and
    ``check FILE`` judges a file beside the decks study loads with it: beside the deck folder, each
    card of the ≈5 MB deck would be a duplicate and the figure an error."""
    try:
        run = _module("flashdl_benchmarks_run", GENERATE.parent / "run.py")
    finally:
        sys.modules.pop("flashdl_benchmarks_run", None)
    deck, _ = generate.write_deck(tmp_path / "decks", 12)
    five_mb, _ = generate.write_deck(tmp_path / "deck-5mb", 6, name="synthetic-5mb")
    compact = generate.write_compact_deck(tmp_path / "deck-compact", 12)
    data = run.Data(tmp_path, deck.parent, deck, tmp_path / "store.db", five_mb, compact, {})
    data.manifest["five_mb_cards"] = 6
    bench = run.Bench(run.QUICK, data, runs=1, log=lambda _line: None)
    rows = bench.check()
    assert len(rows) == 5 and all(row.value is not None for row in rows), rows
