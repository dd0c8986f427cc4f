"""Regenerate docs/study-session.svg: a scripted study session recorded by Rich.

Run: python docs/make_screenshot.py  (uses a temporary FLASHDL_HOME; touches nothing else)
"""

from __future__ import annotations

import io
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from flashdl.decks.loader import load_collection
from flashdl.paths import bundled_decks_dir
from flashdl.store import Store
from flashdl.ui.keys import LineKeys
from flashdl.ui.study import SessionContext, StudySession


def main() -> None:
    decks = {d.name: d for d in load_collection([bundled_decks_dir()])}
    cards = {c.id: c for d in decks.values() for c in d.cards}
    card = cards["pretrain-self-attention-steps"]
    console = Console(record=True, width=100, file=io.StringIO(), force_terminal=True)
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "db") as store:
        context = SessionContext(
            store=store,
            console=console,
            keys=LineKeys(io.StringIO("\n")),
            clock=lambda: datetime(2026, 11, 29, 9, 0, tzinfo=UTC),
            cards_by_id=cards,
            lang="both",
            deck_titles={d.name: d.title.zh for d in decks.values()},
        )
        session = StudySession(context, [card.id])
        session.run()
    target = Path(__file__).parent / "study-session.svg"
    console.save_svg(str(target), title="flashdl study --lang both")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
