"""The end of a quiz round: the score table and the key points it missed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from flashdl.core.grading import QuizAnswer
from flashdl.ui import render


class ReportScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q,enter,escape,space", "close", show=False)]

    def __init__(self, answers: Sequence[QuizAnswer], lang: str) -> None:
        super().__init__()
        self.answers, self.lang = answers, lang

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="report"):
            yield Static(render.quiz_report_view(self.answers, self.lang), markup=False)
        close = {"en": "q / Enter: close"}.get(self.lang, "q / Enter：关闭")
        yield Static(Text(close, style="dim"), id="footer", markup=False)

    def action_close(self) -> None:
        self.app.exit()
