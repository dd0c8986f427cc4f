"""The app's widgets, composed by the screens: one-line bars that fit their width, the card pane
that scrolls (and never takes focus, so its keys are the screen's), the quiz countdown and editor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static, TextArea

from flashdl.ui.tui import lines
from flashdl.ui.tui.messages import AnswerSubmitted, TimeUp


class FitLine(Static):
    """One line drawn for the width it has, redrawn when the terminal is resized."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes, markup=False)
        self._build: Callable[[int], Text] | None = None

    def show(self, build: Callable[[int], Text]) -> None:
        self._build = build
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        if self._build is not None:
            self.update(self._build(self.size.width or self.app.size.width))


class CardPane(VerticalScroll, can_focus=False):
    """The answer, key points and related cards; scrolled by the screen's keys."""


class Countdown(Static):
    """The quiz clock: time left of the budget, then the overrun in red; reads the injected
    clock once a second."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        elapsed: Callable[[datetime], float],
        budget: float | None,
        lang: str,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__("", id=id, markup=False)
        self.clock, self.elapsed, self.budget, self.lang = clock, elapsed, budget, lang
        self.running = False
        self.over = False

    def on_mount(self) -> None:
        self.set_interval(1.0, self.tick)

    def start(self) -> None:
        self.running, self.over = True, False
        self.remove_class("-overrun")
        self.tick()

    def stop(self) -> None:
        self.running = False

    def tick(self) -> None:
        if not self.running:
            return
        seconds = self.elapsed(self.clock())
        self.update(lines.countdown(seconds, self.budget, self.lang))
        if self.budget is not None and seconds > self.budget and not self.over:
            self.over = True
            self.add_class("-overrun")
            self.post_message(TimeUp())


class AnswerEditor(TextArea):
    """The quiz's multi-line answer: arrows, line editing, paste; Ctrl+S hands it in."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "submit", "submit", show=False)]

    def action_submit(self) -> None:
        self.post_message(AnswerSubmitted(self.text))
