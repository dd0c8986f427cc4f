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


# The keys that scroll the card pane; Page Down is each screen's own (Space also pages in one).
SCROLL_BINDINGS: list[BindingType] = [
    Binding("pageup", "page_up", show=False),
    Binding("down,j", "scroll_down", show=False),
    Binding("up,k", "scroll_up", show=False),
    Binding("home", "scroll_home", show=False),
    Binding("end", "scroll_end", show=False),
]


class PaneScrolling:
    """The scroll actions of a screen with one ``CardPane``: they move the pane, never grade."""

    def _pane(self) -> CardPane:
        return self.query_one(CardPane)  # type: ignore[attr-defined]

    def action_page_down(self) -> None:
        self._pane().scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self._pane().scroll_page_up(animate=False)

    def action_scroll_down(self) -> None:
        self._pane().scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self._pane().scroll_up(animate=False)

    def action_scroll_home(self) -> None:
        self._pane().scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self._pane().scroll_end(animate=False)
