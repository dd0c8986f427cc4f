"""The full-screen quiz driven by Pilot: typing in the editor (digits and q are text), the live
countdown on the injected clock, the review with ✓/✗ and evidence, the grade footer, the report."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("textual")

from conftest import FakeClock
from tui_helpers import ONE, TITLES, TWO, quiz_engine, sync

from flashdl.store import Store
from flashdl.ui.tui.app import quiz_app
from flashdl.ui.tui.report_screen import ReportScreen
from flashdl.ui.tui.widgets import AnswerEditor, Countdown


def text_of(app, selector: str) -> str:
    from rich.console import Console

    console = Console(width=200, color_system=None, record=True)
    widget = app.screen.query_one(selector)
    content = widget.content
    console.print(content)
    return console.export_text()


@sync
async def test_typing_the_timer_the_review_and_the_report(tmp_path: Path):
    clock = FakeClock()
    with Store.open(tmp_path / "db") as store:
        engine = quiz_engine(store, clock=clock, budget=180)
        app = quiz_app(engine, lang="en", typing=True, deck_titles=TITLES)
        async with app.run_test(size=(80, 24)) as pilot:
            editor = app.screen.query_one(AnswerEditor)
            assert editor.has_focus
            await pilot.press(*"gradients shrink: a long product q5", "enter", *"use ReLU")
            assert editor.text == "gradients shrink: a long product q5\nuse ReLU"
            assert store.reviews() == []  # q and 5 were text, not quit and grade
            countdown = app.screen.query_one(Countdown)
            countdown.tick()
            assert "3:00 / 3:00" in text_of(app, "#countdown")
            clock.advance(seconds=200)
            countdown.tick()
            await pilot.pause()
            assert "+0:20 over" in text_of(app, "#countdown") and countdown.has_class("-overrun")
            await pilot.press("ctrl+s")
            points = text_of(app, "#points")
            assert "✓" in points and "✗" in points and "«" in points
            assert "Key points named: 2/3" in points
            assert "gradients shrink" in text_of(app, "#typed")
            assert "Enter" in text_of(app, "#footer")
            await pilot.press("enter")  # accept the suggested grade
            first = store.reviews()[0]
            assert (first.card_id, first.mode, first.grade) == (
                ONE,
                "quiz",
                engine.answers[0].grade,
            )
            assert first.typed.startswith("gradients shrink") and engine.answers[0].overrun
            await pilot.press("ctrl+s")  # empty answer: skip typing
            await pilot.press("x", "2")  # a letter does nothing; 2 grades
            assert [(r.card_id, r.grade) for r in store.reviews()][1] == (TWO, 2)
            assert isinstance(app.screen, ReportScreen)
            await pilot.press("q")
        assert len(engine.answers) == 2


@sync
async def test_without_typing_space_reveals_and_q_quits_keeping_the_grades(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        engine = quiz_engine(store, budget=None)
        app = quiz_app(engine, lang="zh", typing=False, deck_titles=TITLES)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("4")  # before the answer shows: nothing
            assert store.reviews() == []
            await pilot.press("space", "pageup", "end", "4")
            assert [r.grade for r in store.reviews()] == [4]
            await pilot.press("space", "q")
        assert [r.grade for r in store.reviews()] == [4]


@sync
async def test_lang_both_is_side_by_side_when_wide_and_stacked_when_narrow(tmp_path: Path):
    with Store.open(tmp_path / "db") as store:
        for width, side_by_side in ((140, True), (139, False)):
            engine = quiz_engine(store, budget=None)
            app = quiz_app(engine, lang="both", typing=False, deck_titles=TITLES)
            async with app.run_test(size=(width, 40)) as pilot:
                await pilot.press("space")
                lines = text_of(app, "#reference").splitlines()
                together = [
                    line for line in lines if "Gradients shrink" in line and "反向传播" in line
                ]
                assert bool(together) == side_by_side
                await pilot.press("q")
