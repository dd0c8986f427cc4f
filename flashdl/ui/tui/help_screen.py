"""``?``: every key of the screen beneath, and what it does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,escape,q,enter,space", "dismiss", "close", show=False),
    ]

    def __init__(self, rows: Sequence[tuple[str, str]], title: str) -> None:
        super().__init__()
        self.rows, self.title_text = rows, title

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, what in self.rows:
            table.add_row(keys, what)
        with VerticalScroll(id="help"):
            yield Static(Text(self.title_text, style="bold"), markup=False)
            yield Static(table, markup=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
