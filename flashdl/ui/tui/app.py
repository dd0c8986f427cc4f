"""The full-screen app: one ``App`` that pushes the study or the quiz screen and exits when the
session ends; the caller prints the summary or report to the terminal afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen


class FlashdlApp(App[None]):
    TITLE = "flashdl"
    CSS_PATH = "flashdl.tcss"
    ENABLE_COMMAND_PALETTE = False  # no palette: no way to run an action but the bound keys
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+c", "quit", "quit", show=False)]

    def __init__(self, first: Callable[[], Screen]) -> None:
        super().__init__()
        self._first = first

    def on_mount(self) -> None:
        self.push_screen(self._first())


def study_app(engine, *, lang: str, deck_titles, open_link=None, edit_card=None) -> FlashdlApp:
    """The app over a study engine (``open_link`` defaults to the web browser)."""
    from flashdl.ui.tui.study_screen import StudyScreen

    extra = {"open_link": open_link} if open_link is not None else {}
    return FlashdlApp(
        lambda: StudyScreen(
            engine, lang=lang, deck_titles=deck_titles, edit_card=edit_card, **extra
        )
    )


def quiz_app(engine, *, lang: str, typing: bool, deck_titles, grading: str = "sm2") -> FlashdlApp:
    from flashdl.ui.tui.quiz_screen import QuizScreen

    return FlashdlApp(
        lambda: QuizScreen(
            engine, lang=lang, typing=typing, deck_titles=deck_titles, grading=grading
        )
    )
