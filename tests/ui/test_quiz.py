"""The quiz loop: typed answers, key-point coverage, suggested grades, logging, rescheduling."""

from __future__ import annotations

import io
import random
from datetime import timedelta
from pathlib import Path

from conftest import NOW, FakeClock
from decktext import VALID
from rich.console import Console

from flashdl.core.planning import pick_cards
from flashdl.core.scheduling import NEW_CARD
from flashdl.core.sm2 import review
from flashdl.decks.loader import parse_deck
from flashdl.store import Store
from flashdl.ui.keys import LineKeys
from flashdl.ui.quiz import QuizSession
from flashdl.ui.render import quiz_report_view
from flashdl.ui.study import SessionContext

DECK = parse_deck(VALID, "decks/demo.yaml")
ONE, TWO = DECK.cards


def run_quiz(store: Store, keys: str, **options) -> tuple[list, str]:
    out = io.StringIO()
    context = SessionContext(
        store=store,
        console=Console(file=out, width=100, color_system=None),
        keys=LineKeys(io.StringIO(keys)),
        clock=options.pop("clock", None) or FakeClock(step=timedelta(seconds=30)),
        cards_by_id={c.id: c for c in DECK.cards},
        states=options.pop("states", {}),
        lang="en",
    )
    session = QuizSession(context, options.pop("cards", [ONE, TWO]), **options)
    answers = session.run()
    Console(file=out, width=100, color_system=None).print(quiz_report_view(answers, "en"))
    return answers, out.getvalue()


def test_typed_answer_is_matched_logged_and_does_not_move_the_schedule(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        # Card one: two lines naming 2 of 3 key points, empty line, Enter accepts the suggestion.
        # Card two: skip typing (empty first line), then grade 1.
        answers, text = run_quiz(store, "gradients shrink: a long product\nuse ReLU\n\n\n\n1\n")
        first, second = answers
        assert first.coverage.covered == (True, False, True)
        assert first.suggested == 4 and first.grade == 4
        assert second.typed == "" and second.suggested is None and second.grade == 1
        logged = store.reviews()
        assert [(r.card_id, r.mode, r.grade) for r in logged] == [
            ("demo-one", "quiz", 4),
            ("demo-two", "quiz", 1),
        ]
        assert logged[0].typed == "gradients shrink: a long product\nuse ReLU"
        assert logged[0].coverage == 2 / 3 and logged[0].missed == (1,)
        assert all(r.state_after == r.state_before == NEW_CARD for r in logged)
        assert store.states() == {}  # nothing scheduled
        assert "Key points named: 2/3 — suggested grade 4" in text
        assert "✓" in text and "✗" in text
        assert "«a long product use ReLU»" in text  # the clause that matched
        assert "Quiz report" in text and "Weakest key points this round" in text
        assert "early layers stop learning" in text  # the missed point is listed


def test_reschedule_applies_sm2(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        run_quiz(store, "x\n\n5\n", cards=[ONE], reschedule=True)
        assert store.states()["demo-one"].state == review(NEW_CARD, 5, NOW + timedelta(seconds=60))


def test_no_type_round_and_quit(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        answers, _ = run_quiz(store, "\n4\nq\n", typing=False)
        assert [a.grade for a in answers] == [4]
        assert store.reviews()[0].typed is None and store.reviews()[0].coverage is None


def test_end_of_input_while_typing_ends_the_round(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        answers, text = run_quiz(store, "half an answer\n")
        assert answers == [] and store.reviews() == []
        assert "Quiz report" in text


def test_time_budget_marks_overruns(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        clock = FakeClock(step=timedelta(seconds=50))
        answers, text = run_quiz(
            store, "a\nb\nc\n\n2\n", cards=[ONE], budget_seconds=120, clock=clock
        )
        assert answers[0].overrun and answers[0].seconds > 120
        assert "over" in text and "/ 2:00" in text


def test_pick_cards_filters_and_is_reproducible():
    pairs = [(c.id, c.tags) for c in DECK.cards] * 3
    assert pick_cards(pairs, count=10, tags=["training"], shuffle=False) == ["demo-one"] * 3
    first = pick_cards(pairs, count=4, rng=random.Random(7))
    assert first == pick_cards(pairs, count=4, rng=random.Random(7))
    assert pick_cards(pairs, count=10, shuffle=False, exclude={"demo-one"}) == ["demo-two"] * 3


PITFALL_DECK = parse_deck(
    VALID.replace(
        "    source: https://example.com/vanishing\n",
        "    pitfalls:\n"
        "      - zh: 梯度消失不是过拟合\n"
        "        en: A vanishing gradient is not overfitting\n"
        "        terms: [overfitting, 过拟合]\n"
        "    source: https://example.com/vanishing\n",
    ),
    "decks/demo.yaml",
)


def test_a_wrong_claim_is_shown_with_its_correction_and_caps_the_suggestion(tmp_path: Path):
    card = PITFALL_DECK.cards[0]
    typed = "Gradients shrink as a long product of small factors, which is overfitting\n"
    with Store.open(tmp_path / "db") as store:
        answers, text = run_quiz(store, typed + "\n\n", cards=[card])
    assert answers[0].suggested == 2 and answers[0].coverage.pitfalls
    assert "Wrong claims" in text and "A vanishing gradient is not overfitting" in text
    assert "(a wrong claim)" in text


def test_a_list_of_terms_is_marked_as_only_listed(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        answers, text = run_quiz(store, "- product\n- early layers\n- ReLU\n\n\n", cards=[ONE])
    assert answers[0].coverage.covered == (True, True, True)
    assert answers[0].suggested == 2
    assert "only listed, not stated in a sentence" in text
    assert "points listed, not explained" in text
