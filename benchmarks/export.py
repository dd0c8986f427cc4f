"""Time the exports and the progress round trip; print one line per measurement.

    python benchmarks/export.py                          # the bundled decks only
    python benchmarks/export.py --data benchmarks/out    # plus generate.py's deck and store

With Anki's library installed (the test extras), the .apkg is also imported into a fresh
collection, twice (the second import finds only duplicates). Nothing is written outside a
temporary folder.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flashdl import exporters as export
from flashdl.app.progress import dumps, import_progress, parse_progress, progress_document
from flashdl.decks.loader import load_collection
from flashdl.paths import bundled_decks_dir
from flashdl.store import Store

NOW = datetime(2026, 11, 29, 9, 30, tzinfo=timezone(timedelta(hours=8)))


def timed(label: str, fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"{label:<44} {time.perf_counter() - start:8.3f} s")
    return result


def placeholder_deck(size: int = 300_000):
    """One card, about ``size`` characters: the exporter's old placeholder word followed by long
    runs of 'x', and formulas (issue 11, item 10: the old exporter was quadratic on it)."""
    import yaml

    from flashdl.decks.loader import parse_deck

    run = "fdlmath" + "x" * (size * 4 // 10)
    card = {
        "id": "placeholder-one",
        "question": {"en": "fdlmath" + "x" * 5000 + " $q_1$?"},
        "answer": {"en": run + " $a^2$ and $$b$$ " + "fdlmathx0z $c$ " * 2000 + run},
        "key_points": [
            {"en": "fdlmath" + "x" * 5000 + f" ${i}+{i}$", "terms": [f"t{i}"]} for i in range(3)
        ],
        "source": "https://example.com/placeholder",
    }
    text = yaml.safe_dump({"deck": "placeholder", "title": {"en": "P"}, "cards": [card]})
    return parse_deck(text, "placeholder.yaml")


def anki_import(apkg: Path, folder: Path) -> None:
    try:
        from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
    except ImportError:
        print("anki import                                  (anki not installed)")
        return
    col = Collection(str(folder / "collection.anki2"))
    request = ImportAnkiPackageRequest(package_path=str(apkg), options=ImportAnkiPackageOptions())
    try:
        log = timed("anki: import .apkg into a new collection", col.import_anki_package, request)
        print(f"{'  notes added':<44} {len(log.log.new):8d}")
        log = timed("anki: import the same .apkg again", col.import_anki_package, request)
        print(f"{'  notes added / unchanged':<44} {len(log.log.new):8d} / {len(log.log.duplicate)}")
    finally:
        col.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="generate.py's output folder (decks/, store.db)")
    args = parser.parse_args()
    sources = [bundled_decks_dir()]
    if args.data and (args.data / "decks").is_dir():
        sources.append(args.data / "decks")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        decks = timed("load decks", load_collection, sources)
        cards = sum(len(d.cards) for d in decks)
        print(f"{'  cards':<44} {cards:8d}")
        data = timed(
            "export anki (.apkg bytes)",
            export.anki_package_bytes,
            decks,
            lang="both",
            timestamp=NOW.timestamp(),
        )
        print(f"{'  .apkg size (KiB, --lang both)':<44} {len(data) / 1024:8.1f}")
        zh = export.anki_package_bytes(decks, lang="zh", timestamp=NOW.timestamp())
        print(f"{'  .apkg size (KiB, --lang zh)':<44} {len(zh) / 1024:8.1f}")
        apkg = work / "flashdl.apkg"
        apkg.write_bytes(data)
        timed("export csv", export.anki_csv, decks, "both")
        timed("export markdown", export.markdown_sheet, decks, "both")
        placeholder = placeholder_deck()
        for name, make in (
            ("anki", lambda: export.anki_package_bytes([placeholder], lang="en", timestamp=0)),
            ("csv", lambda: export.anki_csv([placeholder], "en")),
            ("markdown", lambda: export.markdown_sheet([placeholder], "en")),
        ):
            timed(f"export {name}, 300 KB of 'fdlmathxxx…'", make)
        (work / "anki").mkdir()
        anki_import(apkg, work / "anki")

        store_path = args.data / "store.db" if args.data else None
        if store_path and store_path.exists():
            copy = work / "store.db"
            shutil.copy(store_path, copy)
            with Store.open(copy) as store:
                timed("backup (SQLite online backup)", store.backup, work / "backup.db")
                document = timed("export progress (read rows)", progress_document, store, NOW)
            text = timed("export progress (JSON text)", dumps, document)
            print(f"{'  progress file (MiB)':<44} {len(text.encode()) / 2**20:8.1f}")
            progress = timed("import progress: parse and check", parse_progress, text, "p.json")
            with Store.open(work / "fresh.db") as store:
                timed("import progress into an empty database", import_progress, store, progress)
                counts = timed("import the same file again", import_progress, store, progress)
                assert not counts.changed


if __name__ == "__main__":
    main()
