"""The study screen: a header, the question pinned at the top, the answer pane that scrolls, and
one line of keys. A view of ``StudyEngine``: keys map to engine calls, engine state to widgets.

Only the digits of the active grading mode grade, and only once the answer shows; every other key
is bound to something that cannot grade, or ignored.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Callable, Mapping
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from flashdl.app.session import StudyEngine
from flashdl.core import grades
from flashdl.core.model import Card
from flashdl.core.scheduling import Grade
from flashdl.core.urls import url_problem
from flashdl.ui import render
from flashdl.ui.tui import lines
from flashdl.ui.tui.help_screen import HelpScreen
from flashdl.ui.tui.widgets import SCROLL_BINDINGS, CardPane, FitLine, PaneScrolling

SIDE_BY_SIDE_WIDTH = 140  # --lang both: zh and en side by side from this width, stacked below it
KEY_NAMES = {"space": "Space", "enter": "Enter", "pagedown": "PgDn", "pageup": "PgUp",
             "down": "↓", "up": "↑", "home": "Home", "end": "End", "question_mark": "?"}  # fmt: skip

EditCard = Callable[[Card], Card | None]


def both_languages(width: int, build: Callable[[str], RenderableType]) -> RenderableType:
    """``--lang both``: zh and en side by side when the screen is wide enough, else stacked."""
    if width < SIDE_BY_SIDE_WIDTH:
        return build("both")
    grid = Table.grid(expand=True, padding=(0, 1))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    grid.add_row(build("zh"), build("en"))
    return grid


class StudyScreen(PaneScrolling, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "space", "show answer / page down", show=False),
        Binding("enter", "reveal", "show answer", show=False),
        Binding("pagedown", "page_down", show=False),
        *SCROLL_BINDINGS,
        *(Binding(str(int(g)), f"grade({int(g)})", show=False) for g in Grade),
        Binding("u", "undo", show=False),
        Binding("s", "suspend", show=False),
        Binding("b", "bury", show=False),
        Binding("o", "open_link", show=False),
        Binding("e", "edit", show=False),
        Binding("question_mark", "help", show=False),
        Binding("q", "quit_session", show=False),
    ]

    def __init__(
        self,
        engine: StudyEngine,
        *,
        lang: str,
        deck_titles: Mapping[str, str],
        open_link: Callable[[str], object] = webbrowser.open,
        edit_card: EditCard | None = None,
    ) -> None:
        super().__init__()
        self.engine, self.lang, self.deck_titles = engine, lang, deck_titles
        self.open_link, self.edit_card = open_link, edit_card
        self.ending = False  # q was pressed: keys typed ahead of the exit do nothing

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not self.ending

    def compose(self) -> ComposeResult:
        yield FitLine(id="header")
        yield Static(id="question", markup=False)
        with CardPane(id="pane"):
            yield Static(id="answer", markup=False)
        yield FitLine(id="footer")

    def on_mount(self) -> None:
        self.engine.start()
        self._next()

    def on_resize(self) -> None:
        if self.engine.current() is not None:
            self._draw()
        elif self.is_mounted and self.engine.started is not None:
            self._draw_finished()

    # -- drawing ---------------------------------------------------------------------------

    def _next(self) -> None:
        """Show the card up now, or, when the queue is empty, the summary (u still undoes)."""
        if self.engine.show() is None:
            self._draw_finished()
            return
        self._draw()
        self.query_one(CardPane).scroll_home(animate=False)

    def _draw(self) -> None:
        turn = self.engine.current()
        if turn is None:
            return
        card, lang, width = turn.card, self.lang, self.size.width or self.app.size.width
        marker = "repeat" if turn.repeat else "new" if self.engine.state(card.id).is_new else "due"
        title = self.deck_titles.get(card.deck, card.deck)
        self.query_one("#header", FitLine).show(
            lambda w: lines.study_header(deck_title=title, done=turn.done, left=turn.left,
                                         marker=marker, card_id=card.id, lang=lang, width=w)
        )  # fmt: skip
        question = self._by_lang(width, lambda part: Group(*render.question_body(card, part)))
        self.query_one("#question", Static).update(Panel(question, border_style="cyan"))
        answer: RenderableType
        if self.engine.revealed:
            related = self.engine.related(card)
            answer = self._by_lang(
                width, lambda part: render.answer_view(card, lang=part, related=related)
            )
        else:
            answer = Text(f"Space / Enter: {lines.words(lang)['show']}", style="dim")
        self.query_one("#answer", Static).update(answer)
        # The pane's content changed height: repaint it whole once laid out (a partial update
        # leaves the rows below the first one blank in a real terminal).
        self.call_after_refresh(self.query_one(CardPane).refresh)
        revealed = self.engine.revealed
        previews = self.engine.previews() if revealed else None
        buttons = grades.buttons(self.engine.grading)
        self.query_one("#footer", FitLine).show(
            lambda w: lines.study_footer(lang=lang, revealed=revealed, width=w, buttons=buttons,
                                         previews=previews)
        )  # fmt: skip

    def _draw_finished(self) -> None:
        w = lines.words(self.lang)
        done = {"en": "Today's queue is done."}.get(self.lang, "今天的卡片都完成了。")
        self.query_one("#header", FitLine).show(lambda width: Text(done, style="bold"))
        self.query_one("#question", Static).update(Panel(Text(done), border_style="green"))
        self.query_one("#answer", Static).update(
            render.summary_view(self.engine.summary(), self.lang)
        )
        self.call_after_refresh(self.query_one(CardPane).refresh)
        self.query_one("#footer", FitLine).show(
            lambda width: lines.keys_line([("u", w["undo"]), ("q", w["quit"])])
        )

    def _by_lang(self, width: int, build: Callable[[str], RenderableType]) -> RenderableType:
        return both_languages(width, build) if self.lang == "both" else build(self.lang)

    def _say(self, message: str) -> None:
        self.notify(message, timeout=3)

    # -- actions ---------------------------------------------------------------------------

    def action_reveal(self) -> None:
        if self.engine.current() is not None and not self.engine.revealed:
            self.engine.reveal()
            self._draw()
            self.query_one(CardPane).scroll_home(animate=False)

    def action_space(self) -> None:
        if self.engine.revealed:
            self.query_one(CardPane).scroll_page_down(animate=False)
        else:
            self.action_reveal()

    def action_grade(self, grade: int) -> None:
        """A digit: grades only the revealed card, and only in the active grading mode."""
        chosen = self.engine.grade_for_key(str(grade))
        if not self.engine.revealed or chosen is None:
            return
        self.engine.grade(chosen)
        self._next()

    def action_undo(self) -> None:
        undone = self.engine.undo()
        if undone is None:
            self._say({"en": "Nothing to undo."}.get(self.lang, "没有可撤销的操作。"))
            return
        self._say(f"{lines.words(self.lang)['undo']}: {undone.card.id}")
        self._next()

    def action_suspend(self) -> None:
        if self.engine.current() is not None:
            card = self.engine.suspend()
            self._say(
                f"{lines.words(self.lang)['suspend']}: {card.id} (u {lines.words(self.lang)['undo']})"
            )
            self._next()

    def action_bury(self) -> None:
        if self.engine.current() is not None:
            card = self.engine.bury()
            self._say(
                f"{lines.words(self.lang)['bury']}: {card.id} (u {lines.words(self.lang)['undo']})"
            )
            self._next()

    def action_open_link(self) -> None:
        turn = self.engine.current()
        url = turn and (turn.card.current_source or turn.card.source)
        if not url:
            self._say(
                {"en": "This card has no source link."}.get(self.lang, "这张卡没有来源链接。")
            )
            return
        # A deck's links are checked when it is parsed, but a card can come from the cache, which
        # is data anyone could have planted: only a plain http(s) URL reaches the browser (never
        # a "-option", a file: or javascript: link).
        if url_problem(url) is not None:
            self._say(
                {"en": "This card's link is not an http(s) URL: not opened."}.get(
                    self.lang, "这张卡的链接不是 http(s) 网址，未打开。"
                )
            )
            return
        self.open_link(url)
        self._say(url)

    def action_edit(self) -> None:
        turn = self.engine.current()
        if turn is None:
            return
        if self.edit_card is None:
            self._say({"en": "Editing cards needs `flashdl edit` (not in this version)."}.get(
                self.lang, "编辑卡片需要 `flashdl edit`（此版本尚无）。"))  # fmt: skip
            return
        try:
            with self.app.suspend():  # the editor gets the terminal; the app comes back after
                edited = self.edit_card(turn.card)
        except SuspendNotSupported:  # no terminal to hand over (a headless test)
            edited = self.edit_card(turn.card)
        if edited is not None:
            self.engine.replace_card(edited)
        self._draw()

    def action_help(self) -> None:
        rows = lines.help_rows(
            [(", ".join(KEY_NAMES.get(k, k) for k in b.key.split(",")), b.action)
             for b in self.BINDINGS if isinstance(b, Binding)],
            self.lang,
        )  # fmt: skip
        title = {"en": "Keys"}.get(self.lang, "按键")
        self.app.push_screen(HelpScreen(rows, title))

    def action_quit_session(self) -> None:
        self.ending = True
        self.app.exit()
