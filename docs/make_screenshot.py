"""Regenerate docs/study-session.svg: the real full-screen app at 80x24, a card's answer shown.

Run: python docs/make_screenshot.py  (uses a temporary database; touches nothing else)
"""

from __future__ import annotations

import asyncio
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flashdl.app.session import StudyEngine
from flashdl.core.sm2 import SM2
from flashdl.decks.loader import load_collection
from flashdl.paths import bundled_decks_dir
from flashdl.store import Store
from flashdl.ui.tui.app import study_app

CARD = "basics-why-normalize"
SIZE = (80, 24)


async def shoot(target: Path) -> None:
    decks = {d.name: d for d in load_collection([bundled_decks_dir()])}
    cards = {c.id: c for d in decks.values() for c in d.cards}
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "db") as store:
        engine = StudyEngine(store, cards, [CARD, *[c for c in cards if c != CARD][:9]],
                             clock=lambda: datetime(2026, 11, 29, 9, 0, tzinfo=UTC),
                             scheduler=SM2())  # fmt: skip
        app = study_app(engine, lang="zh", deck_titles={d.name: d.title.zh for d in decks.values()})
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("space")
            await pilot.pause()
            app.save_screenshot(filename=target.name, path=str(target.parent))
            await pilot.press("q")


def main() -> None:
    target = Path(__file__).parent / "study-session.svg"
    asyncio.run(shoot(target))
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
