"""``flashdl quiz``: a mock interview outside the schedule.

The user answers in their own words (typed, several lines, ended by an empty line); the reference
answer is then shown beside the card's key points, each ticked with the phrase of the answer that
stated it or crossed, and any classic wrong claim the answer made with its correction
(``flashdl.core.grading``). The user grades themselves, starting from the suggested grade. Every
answer is logged with mode ``quiz``, the typed text and its coverage; the schedule moves only with
``reschedule=True``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.text import Text

from flashdl.app.session import QuizEngine
from flashdl.core import grades
from flashdl.core.glossary import EMPTY, Glossary
from flashdl.core.grading import QuizAnswer
from flashdl.core.messages import message
from flashdl.core.model import Card
from flashdl.ui import render
from flashdl.ui.study import QUIT, SessionContext

DEFAULT_BUDGET_MINUTES = 3.0


def _clock_text(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


class QuizSession:
    """One quiz round over a fixed list of cards, in the line protocol, over a ``QuizEngine``."""

    def __init__(
        self,
        ctx: SessionContext,
        cards: Sequence[Card],
        *,
        typing: bool = True,
        budget_seconds: float | None = None,
        reschedule: bool = False,
        glossary: Glossary = EMPTY,
    ):
        self.ctx = ctx
        self.typing = typing
        self.budget = budget_seconds
        self.engine = QuizEngine(
            ctx.store,
            cards,
            clock=ctx.clock,
            scheduler=ctx.scheduler,
            until=ctx.until,
            states=ctx.states,
            changed=ctx.changed,
            reschedule=reschedule,
            budget_seconds=budget_seconds,
            glossary=glossary,
        )

    @property
    def answers(self) -> list[QuizAnswer]:
        return self.engine.answers

    def run(self) -> list[QuizAnswer]:
        while not self.engine.finished:
            if not self._ask():
                break
        return self.answers

    def _ask(self) -> bool:
        card = self.engine.show()
        assert card is not None and self.engine.shown_at is not None
        index = self.engine.index
        self.ctx.draw_question(card, done=index, left=len(self.engine.cards) - index)
        typed: str | None = None
        if self.typing:
            typed = self._read_answer(self.engine.shown_at)
            if typed is None:
                return False
        else:
            self.ctx.console.print(render.reveal_prompt(self.ctx.lang))
            key = self.ctx.keys.read_key()
            if key is None or key == QUIT:
                return False
        result = self.engine.answer(typed)
        suggested = self.engine.suggested
        self.ctx.console.print(
            render.answer_view(
                card,
                lang=self.ctx.lang,
                related=self.ctx.related(card),
                covered=result.covered if result else None,
                grading=result if typed else None,
            )
        )
        if result is not None:
            self.ctx.console.print(
                render.grading_line(result, suggested, self.ctx.lang, mode=self.ctx.grading)
            )
        grade = self._read_grade(suggested)
        if grade is None:
            return False
        self.engine.grade(grade)
        return True

    def _read_answer(self, shown_at: datetime) -> str | None:
        """Lines until an empty one; None if input ends (the round ends, this card ungraded)."""
        self.ctx.console.print(Text(message("type_answer", self.ctx.lang), style="dim"))
        if self.budget is not None:
            budget = message("time_budget", self.ctx.lang, budget=_clock_text(self.budget))
            self.ctx.console.print(Text(budget, style="bold"))
        lines: list[str] = []
        while True:
            elapsed = (self.ctx.clock() - shown_at).total_seconds()
            label = _clock_text(elapsed)
            over = self.budget is not None and elapsed > self.budget
            if self.budget is not None:
                label += f" / {_clock_text(self.budget)}"
            self.ctx.console.print(
                Text(f"[{label}] > ", style="bold red" if over else "dim"), end=""
            )
            line = self.ctx.keys.read_line()
            if line is None:
                return None
            if not line.strip():
                return "\n".join(lines)
            lines.append(line)

    def _read_grade(self, suggested: int | None) -> int | None:
        """A grade in the session's grading mode; Enter takes the suggested one (in Anki's
        buttons, the button that stands for it)."""
        mode, lang = self.ctx.grading, self.ctx.lang
        legend = render.grade_legend(lang, undo=False, mode=mode)
        accepted = None
        if suggested is not None:
            key = grades.key_for_grade(mode, suggested)
            accepted = grades.grade_for_key(mode, key)
            legend.append(message("enter_accepts", lang, key=key), style="bold")
        while True:
            self.ctx.console.print(legend)
            key = self.ctx.keys.read_key()
            if key is None or key == QUIT:
                return None
            if key == "" and accepted is not None:
                return int(accepted)
            grade = grades.grade_for_key(mode, key)
            if grade is not None:
                return int(grade)
            hint = message("press_to_grade_quiz", lang, keys=grades.key_range(mode))
            self.ctx.console.print(Text(hint, style="yellow"))
