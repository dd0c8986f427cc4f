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
        self.stopped_by: Exception | None = None  # the FlashdlError that ended the session

    def on_mount(self) -> None:
        self.push_screen(self._first())

    def _handle_exception(self, error: Exception) -> None:
        """A ``FlashdlError`` (a deck file found broken or changed while a card loads) ends the
        app as a quit does; the command then words it in one line, as it words any other, where
        Textual would print a traceback. The reviews made before it are in the store already."""
        from flashdl.core.errors import FlashdlError

        if isinstance(error, FlashdlError) and self.stopped_by is None:
            self.stopped_by = error
            self.exit()
            return
        super()._handle_exception(error)


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
