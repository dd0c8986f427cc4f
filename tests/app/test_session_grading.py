"""The study engine in Anki's grading mode: keys, the learning queue, and previews (issue 13.3)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from conftest import FakeClock
from decktext import VALID

from flashdl.app.session import StudyEngine
from flashdl.core.fsrs import FSRS
from flashdl.core.scheduling import Grade
from flashdl.decks.loader import parse_deck
from flashdl.store import Store

DECK = parse_deck(VALID, "decks/demo.yaml")
CARDS = {c.id: c for c in DECK.cards}
ONE, TWO = (c.id for c in DECK.cards)


def test_anki_keys_previews_and_repeats(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        e = StudyEngine(store, CARDS, [ONE, TWO], clock=FakeClock(step=timedelta(seconds=2)),
                        scheduler=FSRS(), grading="anki",
                        learning_delay=timedelta(minutes=5))  # fmt: skip
        e.start()
        e.show()
        e.reveal()
        assert [e.grade_for_key(k) for k in "012345"] == [
            None, Grade.WRONG, Grade.HARD, Grade.HESITANT, Grade.PERFECT, None,
        ]  # fmt: skip
        shown = {p.button.label["en"]: p for p in e.previews()}
        assert shown["Again"].text == "5m"
        hard = e.grade(e.grade_for_key("2"))
        assert not hard.requeued  # Hard passes the card, as in Anki
        assert store.states()[ONE].state.interval == shown["Hard"].days
        e.show()
        e.reveal()
        again = e.grade(e.grade_for_key("1"))
        assert again.requeued and e.current().card.id == TWO
        with_repeat_below = store.learning_cards(e.clock().date(), repeat_below=3)
        assert list(with_repeat_below) == [TWO]  # the Hard card is not in the learning queue
