"""A large deck file with no cache entry is read early for a session (``cache._read_early``): its
cards are planned from the file's outline (``pieces.cut_and_outline``), each card is parsed from its
piece when shown, and the whole file is parsed and cached by a background process."""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from test_pieces import edited_decks, outcome
from test_split_parse import big_deck

from flashdl import parallel
from flashdl.core.errors import DeckError
from flashdl.core.model import LazyCards
from flashdl.decks import cache, pieces
from flashdl.decks.cache import EarlyCards, background_done, entry_path, load_deck_cached
from flashdl.decks.loader import load_deck, parse_deck

forking = pytest.mark.skipif(
    not parallel.parallel(parallel.MIN_PARALLEL), reason="needs two cores, fork and one thread"
)


def as_parsed(text: str) -> tuple | None:
    """(ids, tags, related) of a full parse, each list as the outline joins it; None on problems."""
    try:
        cards = parse_deck(text.encode(), "demo.yaml").cards
    except DeckError:
        return None
    return (
        tuple(c.id for c in cards),
        tuple(" ".join(c.tags) for c in cards),
        tuple(" ".join(c.related) for c in cards),
    )


def outlined(text: str) -> tuple | None:
    cut, found = pieces.cut_and_outline(text.encode())
    assert found is None or cut is not None
    return None if found is None else (found.ids, found.tags, found.related)


def test_the_outline_of_a_big_deck_is_what_a_parse_gives():
    text = big_deck(50)
    assert outlined(text) == as_parsed(text)
    assert outlined(text)[1][:3] == ("t0", "t1", "t2") and outlined(text)[2][1] == "card-0"


@settings(max_examples=300, deadline=None)
@given(edited_decks())
def test_an_outline_agrees_with_the_parse_wherever_the_cut_is_right(versions):
    """Quoted texts over several lines (which the outline cannot see through) make the cut
    wrong; everywhere else an outline is either refused or exactly what the parse gives."""
    for text in versions:
        parsed, found = as_parsed(text), outlined(text)
        if parsed is None or found is None:
            continue
        deck = parse_deck(text.encode(), "demo.yaml")
        if pieces.cut(text.encode()).aligned([c.line for c in deck.cards]):
            assert found == parsed


CARD = "  - id: one\n    question: {zh: 问, en: Q}\n    answer: {zh: 答, en: A}\n"
REST = "    key_points:\n      - {zh: 点, en: point, terms: [t]}\n"


@pytest.mark.parametrize(
    "card",
    [
        CARD + '    "tags": [a]\n' + REST,  # a quoted key
        CARD + "    ? tags\n    : [a]\n" + REST,  # an explicit key
        CARD + "    tags:\n      - a\n" + REST,  # a block list
        CARD + "    tags:\n    - a\n" + REST,  # a block list at the key's indentation
        CARD + "    tags: a\n" + REST,  # not a list
        CARD + "    tags: [null]\n" + REST,  # YAML reads no value
        CARD + "    tags: [a, b\n      , c]\n" + REST,  # a flow list over lines
        CARD + "    tags: [a]\n    tags: [b]\n" + REST,  # twice
        CARD.replace("id: one", "id: null") + REST,
        CARD.replace("id: one", "id: one # the first") + REST,
        CARD.replace("id: one", "id: One") + REST,
        CARD + "    id: two\n" + REST,  # two ids
        CARD.replace("  - id: one\n", "  -\n    question: x\n") + REST,  # no id
        CARD + "    related: [one two]\n" + REST,
        CARD + "    !!str tags: [a]\n" + REST,  # a tagged key (the loader takes it as the key)
        CARD.replace("  - id: one", "  - !!str id: one") + REST,
        CARD + "    &k tags: [a]\n" + REST,  # an anchored key
        CARD + "    tags : [a]\n" + REST,  # a key spaced from its colon
        CARD + "    {tags: [a]}: x\n" + REST,
        "  - {id: one, question: {zh: 问, en: Q}, answer: {zh: 答, en: A},\n"  # a flow card
        "     key_points: [{zh: 点, en: point, terms: [t]}]}\n",
        CARD + "    \ttags: [a]\n" + REST,  # a tab
    ],
)
def test_keys_written_any_other_way_refuse_an_outline(card):
    text = (
        "deck: demo\ntitle: {zh: 演示, en: Demo}\ncards:\n" + card + CARD.replace("one", "x") + REST
    )
    assert outlined(text) is None


@pytest.fixture
def early_small(monkeypatch):
    """Read every deck early (not only files over 1 MB with 2,000 cards)."""
    monkeypatch.setattr(cache, "MIN_SPLIT_BYTES", 0)
    monkeypatch.setattr(cache, "MIN_EARLY_CARDS", 1)


def read_early(path: Path, cache_dir: Path, monkeypatch, background=None):
    """``load_deck_cached(early=True)`` with the background process replaced by ``background``
    (by default: none is started, as if it were still busy)."""
    start = background or (lambda _work: None)
    monkeypatch.setattr(parallel, "detached", lambda work: start(work) or True)
    return load_deck_cached(path, cache_dir, early=True)


@settings(max_examples=200, deadline=None)
@given(edited_decks())
def test_a_deck_read_early_gives_the_parsed_cards_or_stops(versions):
    """Every card a session is given is the parsed card of that id, or the command stops with a
    problem (DeckError); a card made up by a quoted text that fools the cut is the one exception,
    and its id is none of the deck's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache, "MIN_SPLIT_BYTES", 0)
        patch.setattr(cache, "MIN_EARLY_CARDS", 1)
        for text in versions:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "demo.yaml"
                path.write_text(text, encoding="utf-8", newline="")
                try:
                    real = {c.id: c for c in load_deck(path).cards}
                except DeckError:
                    real = {}
                try:
                    deck = read_early(path, Path(folder) / "cache", patch)
                    cards = list(deck.cards)
                except DeckError:
                    continue
                for card in cards:
                    assert card.id not in real or card == real[card.id]


def test_a_big_new_deck_is_planned_from_its_outline(tmp_path, early_small, monkeypatch):
    path = tmp_path / "demo.yaml"
    path.write_text(big_deck(30), encoding="utf-8")
    parsed: list[int] = []
    original = cache._parse_pieces

    def spy(cut, at, *args):
        parsed.append(len(at))
        return original(cut, at, *args)

    monkeypatch.setattr(cache, "_parse_pieces", spy)
    deck = read_early(path, tmp_path / "cache", monkeypatch)
    assert isinstance(deck.cards, EarlyCards) and parsed == [1]  # the header and first card
    assert deck.cards.ids[:2] == ("card-0", "card-1") and deck.cards.related[2] == ("card-1",)
    assert deck.cards[17] == load_deck(path).cards[17] and parsed == [1, 1]
    assert outcome(lambda p: deck, path) == outcome(load_deck, path)


def test_a_card_unlike_its_outline_parses_the_whole_file(tmp_path, early_small, monkeypatch):
    path = tmp_path / "demo.yaml"
    path.write_text(big_deck(30), encoding="utf-8")
    original = cache._parse_pieces
    monkeypatch.setattr(  # card 3 does not parse alone
        cache, "_parse_pieces", lambda cut, at, *a: None if at == [3] else original(cut, at, *a)
    )
    deck = read_early(path, tmp_path / "cache", monkeypatch)
    assert deck.cards[3] == load_deck(path).cards[3]  # the file was parsed: the real card
    assert all(card is not None for card in deck.cards._loaded)


KP = "    key_points:\n" + "".join(
    f"      - {{zh: 点{k}, en: point {k}, terms: [t{k}]}}\n" for k in range(3)
)
# A red team's deck (valid: `flashdl check` passes): the quoted text of card a cuts out a
# piece that parses as a card 'x', while the real x hides its id behind a tag on the key and
# shows a fake `id: z` inside its own quoted text. The outline must be refused.
HIDDEN_ID = (
    '  - id: a\n    question:\n      en: "hello\n  - id: x\n    question: {en: FAKE QUESTION}\n'
    '    tags: [evil]\n    # "\n    answer: {en: shared}\n'
    + KP
    + '  - !!str id: x\n    question:\n      en: "real\n    id: z\n      "\n'
    "    answer: {en: REAL ANSWER}\n" + KP + "    !!str tags: [evil]\n"
)


def test_a_real_id_hidden_from_the_outline_refuses_it():
    text = big_deck(5) + HIDDEN_ID
    assert as_parsed(text) is not None and "x" in as_parsed(text)[0]
    assert outlined(text) is None


# Valid too: a card without tags whose quoted text holds a line that looks like its tags.
FAKE_TAGS = (
    '  - id: notag\n    question:\n      en: "hello\n    tags: [fake]\n      "\n'
    "    answer: {en: A}\n" + KP
)


def test_tags_a_shown_card_does_not_have_stop_the_command_and_mark_the_file(
    tmp_path, early_small, monkeypatch
):
    path = tmp_path / "demo.yaml"
    path.write_text(big_deck(5) + FAKE_TAGS, encoding="utf-8")
    deck = read_early(path, tmp_path / "cache", monkeypatch)
    assert deck.cards.tags[5] == ("fake",) and load_deck(path).cards[5].tags == ()
    with pytest.raises(DeckError, match="start flashdl again: it reads the whole file"):
        deck.cards[5]  # the plan (a --tag fake session, say) was made on tags it lacks
    again = load_deck_cached(path, tmp_path / "cache", early=True)
    assert not isinstance(again.cards, EarlyCards) and again.cards[5].tags == ()


def test_ids_unlike_the_outline_stop_the_command_and_mark_the_file(
    tmp_path, early_small, monkeypatch
):
    path = tmp_path / "demo.yaml"
    path.write_text(big_deck(30), encoding="utf-8")
    original = pieces.cut_and_outline

    def renamed(data):
        cut, found = original(data)
        return cut, _renamed(found)

    monkeypatch.setattr(pieces, "cut_and_outline", renamed)
    deck = read_early(path, tmp_path / "cache", monkeypatch)
    with pytest.raises(DeckError, match=r"does not match the file .* start flashdl again"):
        deck.cards[4]
    # the next start reads the file the usual way, and is right
    assert outcome(lambda p: load_deck_cached(p, tmp_path / "cache", early=True), path) == outcome(
        load_deck, path
    )


def _renamed(found):
    ids = list(found.ids)
    ids[4] = "not-card-4"
    return pieces.Outline(tuple(ids), found.tags, found.related)


@forking
def test_the_background_parse_caches_the_file(tmp_path, early_small):
    path, cache_dir = tmp_path / "demo.yaml", tmp_path / "cache"
    path.write_text(big_deck(40), encoding="utf-8")
    deck = load_deck_cached(path, cache_dir, early=True)
    assert isinstance(deck.cards, EarlyCards)
    assert background_done(cache_dir, timeout=60)
    assert cache.read_entry(entry_path(cache_dir, path), path) is not None
    again = load_deck_cached(path, cache_dir, early=True)
    assert type(again.cards) is LazyCards
    assert outcome(lambda p: again, path) == outcome(load_deck, path)


@forking
def test_a_problem_found_in_the_background_is_reported_at_the_next_start(tmp_path, early_small):
    path, cache_dir = tmp_path / "demo.yaml", tmp_path / "cache"
    broken = big_deck(40).replace(
        "answer:\n      zh: |\n        答案 30", "answr:\n      zh: |\n        答案 30"
    )
    path.write_text(broken, encoding="utf-8")
    expected = outcome(load_deck, path)
    assert expected[0] == "problems"
    assert isinstance(load_deck_cached(path, cache_dir, early=True).cards, EarlyCards)
    assert background_done(cache_dir, timeout=60)
    assert outcome(lambda p: load_deck_cached(p, cache_dir, early=True), path) == expected
    path.write_text(big_deck(40), encoding="utf-8")  # mended: read early again
    assert isinstance(load_deck_cached(path, cache_dir, early=True).cards, EarlyCards)
    assert background_done(cache_dir, timeout=60)


def test_no_background_process_beside_another_thread(tmp_path):
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert parallel.detached(lambda: None) is False
    finally:
        stop.set()
        thread.join()


@forking
def test_a_background_process_outlives_its_parent_and_writes_nothing_to_it(tmp_path, capfd):
    done = tmp_path / "done"
    assert parallel.detached(lambda: (print("noise"), done.write_text("yes")))
    for _ in range(500):
        if done.exists() and done.read_text() == "yes":  # (made, then written: wait for both)
            break
        threading.Event().wait(0.01)
    assert done.read_text() == "yes"
    assert "noise" not in capfd.readouterr().out


@forking
def test_study_of_a_big_new_deck_grades_a_card_and_the_next_start_is_cached(
    invoke, home, early_small
):
    from flashdl.store import Store

    (home / "decks").mkdir(parents=True, exist_ok=True)
    (home / "decks" / "demo.yaml").write_text(big_deck(40), encoding="utf-8")
    result = invoke("study", "--deck", "demo", "--new", "2", input="\n5\n\n4\n")
    assert result.exit_code == 0, result.output
    assert "问题 0" in result.stdout and "问题 2" in result.stdout
    with Store.open(home / "flashdl.db") as store:  # card-1 is related to card-0: it waits
        assert [r.card_id for r in store.reviews()] == ["card-0", "card-2"]
    cache_dir = home / "cache"
    assert background_done(cache_dir, timeout=60)
    assert not list(cache_dir.glob("collection-*.ok"))  # not known sound while read early
    assert cache.read_entry(entry_path(cache_dir, home / "decks" / "demo.yaml")) is not None
    result = invoke("study", "--deck", "demo", input="q\n")
    assert result.exit_code == 0, result.output
    assert list(cache_dir.glob("collection-*.ok"))  # read from its entry, and checked


# -- new small files, parsed on every core before they are loaded -------------------------------


@forking
def test_new_small_files_are_cached_by_workers_and_load_as_parsed(tmp_path, monkeypatch):
    from decktext import VALID

    from flashdl.decks.cache import load_usable_decks_cached
    from flashdl.decks.loader import load_usable_collection

    folder, cache_dir = tmp_path / "decks", tmp_path / "cache"
    folder.mkdir()
    for n in range(6):
        text = VALID.replace("demo", f"demo{n}")
        (folder / f"demo{n}.yaml").write_text(text, encoding="utf-8")
    (folder / "demo3.yaml").write_text("deck: demo3\ncards: [\n", encoding="utf-8")  # broken
    parsed_here: list[str] = []
    original = cache.parse_deck

    def spy(data, source, **kwargs):
        parsed_here.append(source)
        return original(data, source, **kwargs)

    monkeypatch.setattr(cache, "parse_deck", spy)  # only this process's calls are seen
    decks, problems = load_usable_decks_cached([folder], cache_dir)
    assert [d.name for d in decks] == [f"demo{n}" for n in (0, 1, 2, 4, 5)]
    assert problems == load_usable_collection([folder])[1] and problems
    assert [Path(s).name for s in parsed_here] == ["demo3.yaml"]  # the others: by the workers
    assert len(list(cache_dir.glob("deck-*.index"))) == 5
    fresh = load_usable_collection([folder])[0]
    assert [(d.name, list(d.cards)) for d in decks] == [(d.name, list(d.cards)) for d in fresh]


def test_fewer_new_files_are_parsed_here(tmp_path, monkeypatch):
    from decktext import VALID

    from flashdl.decks.cache import load_usable_decks_cached

    monkeypatch.setattr(parallel, "in_order", lambda *a, **k: pytest.fail("workers started"))
    folder = tmp_path / "decks"
    folder.mkdir()
    for n in range(cache.MIN_NEW_FILES - 1):
        text = VALID.replace("demo", f"demo{n}")
        (folder / f"demo{n}.yaml").write_text(text, encoding="utf-8")
    decks, problems = load_usable_decks_cached([folder], tmp_path / "cache")
    assert len(decks) == cache.MIN_NEW_FILES - 1 and not problems


@forking
def test_background_parses_wait_for_the_load_and_go_one_at_a_time(
    tmp_path, early_small, monkeypatch
):
    import time

    from flashdl.decks.cache import load_usable_decks_cached

    folder, cache_dir, log = tmp_path / "decks", tmp_path / "cache", tmp_path / "log"
    folder.mkdir()
    log.mkdir()
    for n in range(3):
        text = big_deck(40).replace("deck: demo", f"deck: demo{n}").replace("card-", f"c{n}-")
        (folder / f"demo{n}.yaml").write_text(text, encoding="utf-8")
    original = cache.load_deck_cached

    def timed(path, cache_dir, **kwargs):  # runs in each background process (forked from here)
        started = time.time()
        time.sleep(0.3)
        try:
            return original(path, cache_dir, **kwargs)
        finally:
            (log / path.stem).write_text(f"{started} {time.time()}")

    monkeypatch.setattr(cache, "_prepare_new_files", lambda *_: {})  # (outlined by the load)
    monkeypatch.setattr(cache, "load_deck_cached", timed)
    monkeypatch.setattr(cache, "load_file_cached", partial_early(original))
    decks, problems = load_usable_decks_cached([folder], cache_dir, early=True)
    loaded = time.time()
    assert not problems and all(isinstance(d.cards, EarlyCards) for d in decks)
    assert background_done(cache_dir, timeout=60)
    spans = sorted(tuple(map(float, f.read_text().split())) for f in log.iterdir())
    assert len(spans) == 3
    assert spans[0][0] >= loaded - 0.05  # none started while the decks were loading
    assert all(a[1] <= b[0] + 0.05 for a, b in itertools.pairwise(spans))  # one at a time


def partial_early(load_deck):
    """``load_file_cached`` for decks only, reading them with ``load_deck`` (the original, not
    the timed one the background processes use), and slowly: the first background process
    would start well before the last deck is loaded, were it not held back."""
    import time

    def load(path, cache_dir, **options):
        deck = load_deck(path, cache_dir, **options)
        time.sleep(0.2)
        return deck

    return load


@forking
def test_large_files_are_cut_and_outlined_by_the_workers_with_the_small_ones(
    tmp_path, early_small, monkeypatch
):
    from decktext import VALID

    from flashdl.decks.cache import load_usable_decks_cached

    monkeypatch.setattr(cache, "MIN_SPLIT_BYTES", 3000)  # the small decks stay small
    folder, cache_dir = tmp_path / "decks", tmp_path / "cache"
    folder.mkdir()
    (folder / "small.yaml").write_text(VALID.replace("demo", "small"), "utf-8")
    for n in range(2):
        text = big_deck(40 + n).replace("deck: demo", f"deck: big{n}").replace("card-", f"b{n}-")
        (folder / f"big{n}.yaml").write_text(text, encoding="utf-8")
    parent, here = os.getpid(), []
    for name in ("cut_and_outline", "cut"):
        original = getattr(pieces, name)
        spy = functools.partial(_noted, original, here, parent)
        monkeypatch.setattr(pieces, name, spy)
    decks, problems = load_usable_decks_cached([folder], cache_dir, early=True)
    big = [d for d in decks if d.name.startswith("big")]
    assert not problems and len(big) == 2 and all(isinstance(d.cards, EarlyCards) for d in big)
    assert here == []  # nothing was cut here: the workers did it
    assert entry_path(cache_dir, folder / "small.yaml").exists()  # parsed and cached by one
    for deck in big:
        path = folder / f"{deck.name}.yaml"
        assert outcome(lambda p, deck=deck: deck, path) == outcome(load_deck, path)
    assert background_done(cache_dir, timeout=60)


def _noted(original, here: list, parent: int, data):
    if os.getpid() == parent:
        here.append(len(data))
    return original(data)


def test_a_file_changed_after_it_was_prepared_is_read_and_cut_again(
    tmp_path, early_small, monkeypatch
):
    path = tmp_path / "demo.yaml"
    path.write_text(big_deck(30), encoding="utf-8")
    data = path.read_bytes()
    ready = cache.Prepared(path.stat(), data, "0" * 64, *pieces.cut_and_outline(data))
    path.write_text(big_deck(31), encoding="utf-8")
    start = lambda _work: None  # noqa: E731 - no background process
    monkeypatch.setattr(parallel, "detached", lambda work: start(work) or True)
    deck = load_deck_cached(path, tmp_path / "cache", early=True, prepared={path: ready})
    assert len(deck.cards) == 31 and deck.cards[30] == load_deck(path).cards[30]


def test_a_file_unchanged_since_it_was_prepared_is_not_read_again(
    tmp_path, early_small, monkeypatch
):
    path = tmp_path / "demo.yaml"
    path.write_text(big_deck(30), encoding="utf-8")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    ready = cache.Prepared(path.stat(), data, digest, *pieces.cut_and_outline(data))
    monkeypatch.setattr(cache, "read_deck_file", lambda p: pytest.fail(f"{p} read again"))
    monkeypatch.setattr(pieces, "cut_and_outline", lambda d: pytest.fail("cut again"))
    start = lambda _work: None  # noqa: E731 - no background process
    monkeypatch.setattr(parallel, "detached", lambda work: start(work) or True)
    deck = load_deck_cached(path, tmp_path / "cache", early=True, prepared={path: ready})
    assert isinstance(deck.cards, EarlyCards) and deck.cards[29] == load_deck(path).cards[29]


def _big_decks(folder: Path, count: int) -> None:
    folder.mkdir()
    for n in range(count):
        text = big_deck(40).replace("deck: demo", f"deck: demo{n}").replace("card-", f"c{n}-")
        (folder / f"demo{n}.yaml").write_text(text, encoding="utf-8")


@forking
def test_the_files_read_early_in_one_load_are_parsed_by_one_background_process(
    tmp_path, early_small, monkeypatch
):
    from flashdl.decks.cache import load_usable_decks_cached

    folder, cache_dir = tmp_path / "decks", tmp_path / "cache"
    _big_decks(folder, 3)
    started = []
    detached = parallel.detached
    monkeypatch.setattr(parallel, "detached", lambda work: started.append(work) or detached(work))
    decks, problems = load_usable_decks_cached([folder], cache_dir, early=True)
    assert not problems and all(isinstance(d.cards, EarlyCards) for d in decks)
    assert len(started) == 1 and background_done(cache_dir, timeout=60)
    for n in range(3):
        assert cache.read_entry(entry_path(cache_dir, folder / f"demo{n}.yaml")) is not None


def test_files_read_early_whose_background_process_cannot_start_are_read_early_again(
    tmp_path, early_small, monkeypatch
):
    from flashdl.decks.cache import load_usable_decks_cached

    folder, cache_dir = tmp_path / "decks", tmp_path / "cache"
    _big_decks(folder, 2)
    monkeypatch.setattr(parallel, "detachable", lambda: True)
    monkeypatch.setattr(parallel, "detached", lambda work: False)  # fork fails
    for _ in range(2):
        decks, problems = load_usable_decks_cached([folder], cache_dir, early=True)
        assert not problems and all(isinstance(d.cards, EarlyCards) for d in decks)
        assert [c.id for c in decks[1].cards[:2]] == ["c1-0", "c1-1"]
        assert not list(cache_dir.glob("deck-*.index"))
        assert background_done(cache_dir, timeout=1)  # no lock is left held
    assert not list(cache_dir.glob("*.broken"))


@forking
def test_beside_a_large_new_file_the_bundled_decks_are_read_early_and_yours_parsed(
    tmp_path, monkeypatch
):
    """A first run that waits for a large file anyway outlines the bundled decks beside it
    instead of parsing them first; they are parsed and cached in the background. A small deck of
    yours is still parsed at once, so its problem is reported in that same run."""
    from decktext import VALID

    from flashdl.decks.cache import load_usable_decks_cached
    from flashdl.decks.loader import load_usable_collection
    from flashdl.paths import bundled_decks_dir

    monkeypatch.setattr(cache, "MIN_SPLIT_BYTES", 400_000)  # above any bundled deck
    bundled = bundled_decks_dir()
    assert max(f.stat().st_size for f in bundled.glob("*.yaml")) < cache.MIN_SPLIT_BYTES
    folder, cache_dir = tmp_path / "decks", tmp_path / "cache"
    folder.mkdir()
    (folder / "big.yaml").write_text(big_deck(2000).replace("deck: demo", "deck: big"), "utf-8")
    (folder / "mine.yaml").write_text(VALID.replace("demo", "mine"), "utf-8")
    (folder / "broken.yaml").write_text("deck: broken\ncards: [\n", "utf-8")
    sources = [bundled, folder]
    decks, problems = load_usable_decks_cached(sources, cache_dir, early=True)
    assert problems == load_usable_collection(sources)[1] and problems  # at once, as always
    by_name = {d.name: d for d in decks}
    names = {f.stem for f in bundled.glob("*.yaml")}
    ours = [d for d in decks if d.name in names]
    assert len(ours) == len(names) and all(isinstance(d.cards, EarlyCards) for d in ours)
    assert isinstance(by_name["big"].cards, EarlyCards)
    assert not isinstance(by_name["mine"].cards, EarlyCards)
    assert entry_path(cache_dir, folder / "mine.yaml").exists()  # parsed by a worker
    for deck in ours:
        path = bundled / f"{deck.name}.yaml"
        assert outcome(lambda p, deck=deck: deck, path) == outcome(load_deck, path)
    assert background_done(cache_dir, timeout=120)
    for deck in ours:
        assert cache.read_entry(entry_path(cache_dir, bundled / f"{deck.name}.yaml")) is not None
    (folder / "big.yaml").unlink()
    shutil.rmtree(cache_dir)
    decks, _ = load_usable_decks_cached(sources, cache_dir, early=True)
    assert not any(isinstance(d.cards, EarlyCards) for d in decks)  # nothing large: parsed


def test_an_override_of_a_broken_card_read_early_leaves_its_deck_out(
    tmp_path, early_small, monkeypatch
):
    """Applying an override parses the card it names. In a deck read early that card can turn
    out broken: the deck is then left out with its problems, as a deck parsed at once is, and the
    session goes on with the others."""
    from decktext import VALID

    from flashdl.decks.cache import load_usable_decks_cached
    from flashdl.decks.loader import load_usable_collection

    monkeypatch.setattr(parallel, "detachable", lambda: True)
    monkeypatch.setattr(parallel, "detached", lambda work: True)  # no background process
    folder = tmp_path / "decks"
    folder.mkdir()
    text = big_deck(40).replace("  - id: card-5\n", "  - id: card-5\n    bogus: 1\n")
    (folder / "demo.yaml").write_text(text, encoding="utf-8")
    (folder / "mine.yaml").write_text(VALID.replace("demo", "mine"), encoding="utf-8")
    decks, problems = load_usable_decks_cached([folder], tmp_path / "cache", early=True)
    assert not problems and isinstance(decks[0].cards, EarlyCards)  # card-5 not parsed yet
    fix = "overrides:\n  - id: card-5\n    tags: [fixed]\n"
    (folder / "zfix.yaml").write_text(fix, encoding="utf-8")
    notes: list[str] = []
    decks, problems = load_usable_decks_cached([folder], tmp_path / "cache2", notes, early=True)
    fresh_notes: list[str] = []
    fresh, fresh_problems = load_usable_collection([folder], notes=fresh_notes)
    assert [d.name for d in decks] == [d.name for d in fresh] == ["mine"]
    assert problems == fresh_problems and any("bogus" in p for p in problems)
    assert notes == fresh_notes and any("no card has the id 'card-5'" in n for n in notes)


@pytest.mark.parametrize(
    "edit",
    [
        ("answer:\n      zh: |\n        答案 30", "answr:\n      zh: |\n        答案 30"),  # a key
        ("答案 30", "答案 \x07 30"),  # a control character
        ("id: card-30\n", "id: Card 30\n"),  # an id that is no id
        ("id: card-30\n", "id: card-3\n"),  # an id used twice
        ("en: Question 30?}", "en: &a Question 30?}"),  # an anchor
        ("tags: [t0]\n    related: [card-29]", "tags: [t0]\n    tags: [t1]"),  # a key twice
    ],
)
def test_an_edit_that_breaks_a_cached_deck_is_reported_in_that_run_not_read_early(
    tmp_path, early_small, monkeypatch, edit
):
    """Only a new file is read early (and its problems reported at the next start): a cached
    deck whose edited cards have a problem is left out with them at once, as a full parse says."""
    path, cache_dir = tmp_path / "demo.yaml", tmp_path / "cache"
    path.write_text(big_deck(40), encoding="utf-8")
    assert type(load_deck_cached(path, cache_dir).cards) is LazyCards  # cached
    path.write_text(big_deck(40).replace(*edit, 1), encoding="utf-8")
    expected = outcome(load_deck, path)
    assert expected[0] == "problems"
    started = []
    got = outcome(lambda p: read_early(p, cache_dir, monkeypatch, started.append), path)
    assert got == expected and not started
    # mended: the edit path takes it again
    path.write_text(big_deck(40).replace("答案 30", "答案 thirty", 1), encoding="utf-8")
    assert type(read_early(path, cache_dir, monkeypatch).cards) is LazyCards
