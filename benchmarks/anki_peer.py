"""Anki's own engine (the ``anki`` package: the Rust core of Anki desktop) as the peer of flashdl.

``ensure_peer_data`` builds, once per data build, the same cards on both sides:

- ``decks-100k/``: five 20k-card decks (the synthetic deck and four copies with other ids and
  deck names), 100k cards for flashdl;
- ``bundled.anki2``, ``deck.anki2``, ``big.anki2``: Anki collections holding the same notes (the
  75 bundled cards, the 20k-card deck, the 100k cards), made by importing flashdl's own .apkg
  export into a new collection, so both engines see the same note text. ``big.anki2`` also gets
  the store's review log as Anki's ``revlog`` (1M rows with the full profile) and each card's
  interval and due day, so Anki's deck tree and graphs have the same history to go through.

The ``*_CODE`` scripts are what one Anki run does, each as a process of its own (``python -c
CODE COLLECTION ...``), timed like every flashdl command in ``run.py``.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

# Open the collection and take the first card of the root deck from the v3 scheduler's queue:
# what Anki does before it shows a card.
FIRST_CARD_CODE = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
col.decks.select(col.decks.id_for_name("flashdl"))
queued = col.sched.get_queued_cards(fetch_limit=1)
assert queued.cards, "no card to show"
print(queued.cards[0].card.id)
col.close(downgrade=False)
"""

# The deck list with its due counts, and the data of every graph of the statistics screen.
STATS_CODE = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
tree = col.sched.deck_due_tree()
graphs = col._backend.graphs(search="deck:*", days=365)
print(len(tree.children), graphs.ByteSize())
col.close(downgrade=False)
"""

# Anki's .apkg export of the notes of the root deck (no scheduling, no media).
EXPORT_CODE = """
import sys
from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions
col = Collection(sys.argv[1])
options = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=False, legacy=True)
count = col.export_anki_package(
    out_path=sys.argv[2], options=options, limit=DeckIdLimit(col.decks.id_for_name("flashdl"))
)
print(count)
col.close(downgrade=False)
"""

COPIES = 4  # besides the synthetic deck itself, in decks-100k/


@dataclass(frozen=True)
class PeerData:
    big_decks: Path  # the folder of the five 20k-card decks
    bundled: Path  # Anki collections
    deck: Path
    big: Path


def available() -> bool:
    try:
        import anki.collection  # noqa: F401
    except ImportError:
        return False
    return True


def ensure_peer_data(folder: Path, deck: Path, store: Path, log: Callable[[str], None]) -> PeerData:
    peer = folder / "anki"
    data = PeerData(
        big_decks=peer / "decks-100k",
        bundled=peer / "bundled.anki2",
        deck=peer / "deck.anki2",
        big=peer / "big.anki2",
    )
    done = peer / "built.json"
    if done.is_file():
        return data
    log(f"building the Anki peer's collections in {peer} (once) ...")
    shutil.rmtree(peer, ignore_errors=True)
    data.big_decks.mkdir(parents=True)
    _write_copies(deck, data.big_decks)
    from flashdl.decks.loader import load_collection
    from flashdl.paths import bundled_decks_dir

    bundled = load_collection([bundled_decks_dir()])
    ours = load_collection([deck])
    big = load_collection([data.big_decks])
    _collection(data.bundled, bundled)
    _collection(data.deck, ours)
    _collection(data.big, big)
    _add_history(data.big, store)
    done.write_text(json.dumps({"built": datetime.now().isoformat(timespec="seconds")}))
    return data


def _write_copies(deck: Path, folder: Path) -> None:
    """The deck itself and ``COPIES`` copies whose card ids and deck name differ."""
    import generate

    text = deck.read_text("utf-8")
    shutil.copyfile(deck, folder / deck.name)
    prefix = f"{generate.ID_PREFIX}-"
    name = f"deck: {generate.DECK_NAME}\n"
    assert text.startswith(name)
    for copy in range(1, COPIES + 1):
        other = text.replace(prefix, f"{generate.ID_PREFIX}{copy}-")
        other = other.replace(name, f"deck: {generate.DECK_NAME}-{copy}\n", 1)
        (folder / f"{generate.DECK_NAME}-{copy}.yaml").write_text(other, "utf-8")


def _collection(path: Path, decks: list) -> None:
    """A new Anki collection with flashdl's .apkg export of ``decks`` imported into it."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    from flashdl.exporters import anki_package_bytes

    with tempfile.TemporaryDirectory(prefix="flashdl-peer-") as scratch:
        apkg = Path(scratch) / "decks.apkg"
        apkg.write_bytes(anki_package_bytes(decks, lang="zh", timestamp=1_764_000_000))
        col = Collection(str(path))
        try:
            request = ImportAnkiPackageRequest(
                package_path=str(apkg), options=ImportAnkiPackageOptions()
            )
            col.import_anki_package(request)
        finally:
            col.close(downgrade=False)


def _ease(grade: int) -> int:
    """flashdl's 0-5 grade as Anki's answer button (1 again, 2 hard, 3 good, 4 easy)."""
    return 1 if grade < 3 else grade - 1


def _add_history(path: Path, store: Path) -> None:
    """The store's review log as ``revlog`` rows, and its card states as review cards.

    The store's cards are paired with the collection's in order (both hold 100k with the full
    profile); each review row becomes one revlog row of the paired card."""
    source = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    target = sqlite3.connect(str(path))
    try:
        anki_cards = [row[0] for row in target.execute("SELECT id FROM cards ORDER BY id")]
        states = source.execute(
            "SELECT card_id, interval, easiness, due FROM card_state ORDER BY card_id"
        ).fetchall()
        pair = {card_id: anki_cards[i % len(anki_cards)] for i, (card_id, *_r) in enumerate(states)}
        created = target.execute("SELECT crt FROM col").fetchone()[0]
        start = date.fromtimestamp(created)
        updates = []
        for card_id, interval, easiness, due in states:
            if due and interval:
                day = (date.fromisoformat(due[:10]) - start).days
                updates.append((interval, round(easiness * 1000), day, pair[card_id]))
        target.execute("BEGIN")
        target.executemany(
            "UPDATE cards SET type = 2, queue = 2, ivl = ?, factor = ?, due = ? WHERE id = ?",
            updates,
        )
        rows = source.execute(
            "SELECT id, card_id, reviewed_at, grade, answer_ms, state_after FROM reviews"
        )
        revlog = []
        last_ms = 0
        for _id, card_id, at, grade, answer_ms, after in rows:
            ms = int(datetime.fromisoformat(at).timestamp() * 1000)
            ms = max(ms, last_ms + 1)  # revlog ids are unique times
            last_ms = ms
            interval = json.loads(after).get("interval", 0)
            revlog.append(
                (ms, pair[card_id], -1, _ease(grade), interval, 0, 2500, answer_ms or 0, 1)
            )
        revlog.sort()
        for i in range(1, len(revlog)):  # unique after sorting as well
            if revlog[i][0] <= revlog[i - 1][0]:
                revlog[i] = (revlog[i - 1][0] + 1, *revlog[i][1:])
        target.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            revlog,
        )
        target.execute("COMMIT")
    finally:
        source.close()
        target.close()
