"""The quiz screen: the question pinned, a multi-line editor and a live countdown, then the review
(the typed answer beside the key points, each ✓/✗ with the phrase that matched; the reference
answer below) with the grade footer. A view of ``QuizEngine``."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from flashdl.app.session import QuizEngine
from flashdl.core import grades
from flashdl.core.model import sanitize
from flashdl.core.scheduling import Grade
from flashdl.ui import render
from flashdl.ui.tui import lines
from flashdl.ui.tui.messages import AnswerSubmitted, TimeUp
from flashdl.ui.tui.report_screen import ReportScreen
from flashdl.ui.tui.study_screen import both_languages
from flashdl.ui.tui.widgets import (
    SCROLL_BINDINGS,
    AnswerEditor,
    CardPane,
    Countdown,
    FitLine,
    PaneScrolling,
)

ANSWERING, REVIEWING = "answering", "reviewing"
REVIEW_ONLY = {"grade", "accept", "quit_session", "page_down", "page_up", "scroll_down",
               "scroll_up", "scroll_home", "scroll_end"}  # fmt: skip


class QuizScreen(PaneScrolling, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space,enter", "reveal", "show answer", show=False),
        *(Binding(str(int(g)), f"grade({int(g)})", show=False) for g in Grade),
        Binding("enter", "accept", "accept the suggested grade", show=False),
        Binding("pagedown,space", "page_down", show=False),
        *SCROLL_BINDINGS,
        Binding("q", "quit_session", show=False),
    ]

    def __init__(
        self, engine: QuizEngine, *, lang: str, typing: bool, deck_titles, grading: str = "sm2"
    ) -> None:
        super().__init__()
        self.engine, self.lang, self.typing, self.deck_titles = engine, lang, typing, deck_titles
        self.grading = grading  # which digits grade (core/grades.py)
        self.phase = ANSWERING
        self.ending = False  # q was pressed: keys typed ahead of the exit do nothing

    def compose(self) -> ComposeResult:
        with Horizontal(id="quiz-header"):
            yield FitLine(id="header")
            yield Countdown(
                self.engine.clock,
                self.engine.elapsed,
                self.engine.budget,
                self.lang,
                id="countdown",
            )
        yield Static(id="question", markup=False)
        with Vertical(id="answering"):
            if self.typing:
                yield AnswerEditor(id="editor", soft_wrap=True, show_line_numbers=False)
            else:
                yield Static(id="hint", markup=False)
        with CardPane(id="review"):
            with Horizontal(id="review-top"):
                yield Static(id="typed", markup=False)
                yield Static(id="points", markup=False)
            yield Static(id="reference", markup=False)
        yield FitLine(id="footer")

    def on_mount(self) -> None:
        self._next()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the user types, only the editor's keys count: a digit or q is text."""
        if self.ending:
            return False
        if action in REVIEW_ONLY:
            return self.phase == REVIEWING
        if action == "reveal":
            return self.phase == ANSWERING and not self.typing
        return True

    # -- phases ----------------------------------------------------------------------------

    def _next(self) -> None:
        card = self.engine.show()
        if card is None:
            self.query_one(Countdown).stop()
            self.app.switch_screen(ReportScreen(self.engine.answers, self.lang))
            return
        self.phase = ANSWERING
        index, total = self.engine.index, len(self.engine.cards)
        title = sanitize(self.deck_titles.get(card.deck, card.deck))
        self.query_one("#header", FitLine).show(
            lambda w: Text.assemble((title, "bold"), f"  {index + 1}/{total}  ", (card.id, "dim"))
        )
        width = self.size.width or self.app.size.width
        question = self._by_lang(width, lambda part: Group(*render.question_body(card, part)))
        self.query_one("#question", Static).update(Panel(question, border_style="cyan"))
        self.query_one("#answering").display = True
        self.query_one("#review").display = False
        if self.typing:
            editor = self.query_one(AnswerEditor)
            editor.load_text("")
            editor.focus()
        else:
            self.query_one("#hint", Static).update(
                Text(f"Space / Enter: {lines.words(self.lang)['show']}", style="dim")
            )
        self.query_one("#footer", FitLine).show(
            lambda w: lines.quiz_answer_footer(lang=self.lang, typing=self.typing, width=w)
        )
        self.query_one(Countdown).start()

    def _review(self, typed: str | None) -> None:
        self.query_one(Countdown).stop()
        result = self.engine.answer(typed)
        suggested = self.engine.suggested
        card = self.engine.current()
        assert card is not None
        self.phase = REVIEWING
        self.set_focus(None)
        heading = {"en": "Your answer"}.get(self.lang, "你的回答")
        shown = Text(sanitize(typed)) if typed else Text("—", style="dim")
        self.query_one("#typed", Static).update(Panel(shown, title=heading, title_align="left"))
        points: list[RenderableType] = []
        if result is not None:
            points.append(render.grading_line(result, suggested, self.lang))
        lang = "zh" if self.lang == "both" else self.lang
        points.append(
            render.key_points_grid(
                card, lang, result.covered if result else None, result if typed else None
            )
        )
        if result is not None and typed and result.pitfalls:
            points += [Text(""), render.pitfalls_grid(card, lang, result)]
        label = {"en": "Key points"}.get(self.lang, "要点")
        self.query_one("#points", Static).update(
            Panel(Group(*points), title=label, title_align="left", border_style="green")
        )
        width = self.size.width or self.app.size.width
        self.query_one("#reference", Static).update(
            Panel(
                self._by_lang(width, lambda part: Group(*render.answer_body(card, part))),
                title={"en": "Reference answer"}.get(self.lang, "参考答案"),
                title_align="left",
            )
        )
        self.query_one("#answering").display = False
        self.query_one("#review").display = True
        self.query_one(CardPane).scroll_home(animate=False)
        self.query_one("#footer", FitLine).show(
            lambda width: lines.quiz_grade_footer(
                lang=self.lang,
                suggested=self._accepted_key(),
                width=width,
                buttons=grades.buttons(self.grading),
            )
        )

    def _by_lang(self, width: int, build) -> RenderableType:
        return both_languages(width, build) if self.lang == "both" else build(self.lang)

    # -- events and actions ----------------------------------------------------------------

    def on_answer_submitted(self, message: AnswerSubmitted) -> None:
        if self.phase == ANSWERING:
            self._review(message.text.strip("\n"))

    def on_time_up(self, message: TimeUp) -> None:
        self.app.bell()

    def action_reveal(self) -> None:
        self._review(None)

    def _accepted_key(self) -> str | None:
        """The key of the grading mode that stands for the suggested grade."""
        suggested = self.engine.suggested
        return None if suggested is None else grades.key_for_grade(self.grading, suggested)

    def action_grade(self, key: int) -> None:
        """A digit: grades only if it is a key of the grading mode."""
        grade = grades.grade_for_key(self.grading, str(key))
        if grade is None:
            return
        self.engine.grade(int(grade))
        self._next()

    def action_accept(self) -> None:
        key = self._accepted_key()
        if key is not None:
            self.action_grade(int(key))

    def action_quit_session(self) -> None:
        self.ending = True
        self.app.exit()
