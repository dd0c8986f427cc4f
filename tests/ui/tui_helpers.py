"""Building the full-screen app over a small deck, a temporary store and a fixed clock."""

from __future__ import annotations

from datetime import timedelta

from conftest import NOW, FakeClock
from decktext import VALID

from flashdl.app.session import QuizEngine, StudyEngine
from flashdl.core.sm2 import SM2
from flashdl.decks.loader import parse_deck
from flashdl.store import Store

DECK = parse_deck(VALID, "decks/demo.yaml")
CARDS = {c.id: c for c in DECK.cards}
ONE, TWO = (c.id for c in DECK.cards)
TITLES = {"demo": "Demo"}


def study_engine(store: Store, queue=(ONE, TWO), clock=None) -> StudyEngine:
    return StudyEngine(store, CARDS, list(queue), clock=clock or FakeClock(), scheduler=SM2())


def quiz_engine(store: Store, clock=None, budget: float | None = 180.0) -> QuizEngine:
    return QuizEngine(
        store,
        list(CARDS.values()),
        clock=clock or FakeClock(step=timedelta(0)),
        budget_seconds=budget,
    )


__all__ = ["NOW", "ONE", "TITLES", "TWO", "quiz_engine", "study_engine"]


def sync(flow):
    """Run an async Pilot flow as a plain test (no asyncio plugin needed)."""
    import asyncio
    import functools

    @functools.wraps(flow)
    def test(*args, **kwargs):
        return asyncio.run(flow(*args, **kwargs))

    return test
