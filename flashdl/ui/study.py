"""The plain study loop: the line protocol over ``flashdl.app.session.StudyEngine``.

The loop talks to the user only through an injected Rich console and key source; what a key does
to the queue and the store is the engine's (which commits every grade before the next card is
shown). The full-screen app is another view over the same engine.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from rich.console import Console

from flashdl.app.session import GRADE_KEYS, Buried, Clock, Graded, StudyEngine
from flashdl.core import grades
from flashdl.core.leeches import LeechRule
from flashdl.core.messages import message
from flashdl.core.model import Card
from flashdl.core.planning import LEARNING_DELAY
from flashdl.core.scheduling import NEW_CARD, CardState, Scheduler
from flashdl.core.sm2 import SM2
from flashdl.store import Store
from flashdl.ui import render
from flashdl.ui.keys import KeySource

QUIT, UNDO, SUSPEND, BURY = "q", "u", "s", "b"
__all__ = ["GRADE_KEYS", "QUIT", "UNDO", "SessionContext", "StudySession"]


@dataclass
class SessionContext:
    """What a study or quiz loop works with: where grades go, how it talks to the user, the time,
    the cards, and how they are scheduled. The CLI builds one; tests pass their own."""

    store: Store
    console: Console
    keys: KeySource
    clock: Clock
    cards_by_id: Mapping[str, Card]
    states: Mapping[str, CardState] = field(default_factory=dict)  # read lazily
    lang: str = "zh"
    deck_titles: Mapping[str, str] = field(default_factory=dict)
    scheduler: Scheduler = field(default_factory=SM2)
    until: date | None = None
    grading: str = "sm2"  # which keys grade: ``flashdl.core.grades``
    learning_delay: timedelta = LEARNING_DELAY
    changed: dict[str, CardState] = field(default_factory=dict)  # states graded in this run
    related_ids: Mapping[str, Collection[str]] = field(default_factory=dict)  # kept apart
    leech_rule: LeechRule | None = None  # None: leeches are not looked for (tests, quiz)
    review_limit: int | None = None  # max_reviews_per_day, for the summary
    held_back: Callable[[date], int] | None = None  # due cards that limit holds back on a day

    def state(self, card_id: str) -> CardState:
        if card_id in self.changed:
            return self.changed[card_id]
        return self.states.get(card_id, NEW_CARD)

    def related(self, card: Card) -> list[Card]:
        return [self.cards_by_id[r] for r in card.related if r in self.cards_by_id]

    def engine(self, queue: Sequence[str], *, repeats: Iterable[str] = ()) -> StudyEngine:
        """A study engine over ``queue`` with this context's store, clock, cards and scheduler."""
        return StudyEngine(
            self.store,
            self.cards_by_id,
            queue,
            clock=self.clock,
            scheduler=self.scheduler,
            until=self.until,
            states=self.states,
            changed=self.changed,
            repeats=repeats,
            grading=self.grading,
            learning_delay=self.learning_delay,
            related_ids=self.related_ids,
            leech_rule=self.leech_rule,
            review_limit=self.review_limit,
            held_back=self.held_back,
        )

    def show_question(self, card: Card, *, done: int, left: int, repeat: bool = False) -> datetime:
        """A fresh screen (in a terminal) with the question; returns when it was shown."""
        shown_at = self.clock()
        self.draw_question(card, done=done, left=left, repeat=repeat)
        return shown_at

    def draw_question(self, card: Card, *, done: int, left: int, repeat: bool = False) -> None:
        """A fresh screen (in a terminal) with the question."""
        if self.console.is_terminal:
            self.console.clear()
        self.console.print(
            render.question_view(
                card,
                lang=self.lang,
                deck_title=self.deck_titles.get(card.deck, card.deck),
                done=done,
                left=left,
                repeat=repeat,
            )
        )


class StudySession:
    """One run of ``flashdl study`` over a planned queue of card ids, in the line protocol."""

    def __init__(
        self,
        ctx: SessionContext,
        queue: Sequence[str],
        *,
        mode: str = "study",
        repeats: Iterable[str] = (),
    ):
        self.ctx = ctx
        self.engine = ctx.engine(queue, repeats=repeats)
        self.mode = mode
        self.notice: render.Text | None = None

    @property
    def graded(self) -> list[Graded]:
        return self.engine.graded

    def run(self) -> render.SessionSummary:
        self.engine.start()
        while not self.engine.finished:
            if not self._show_card():
                break
        if self.notice is not None:  # told after the last card too (a leech, say)
            self.ctx.console.print(self.notice)
            self.notice = None
        return self.engine.summary()

    def _show_card(self) -> bool:
        """Show the current card, take one grade (or an undo); False when the user ends."""
        turn = self.engine.show()
        assert turn is not None
        card = turn.card
        self.ctx.draw_question(card, done=turn.done, left=turn.left, repeat=turn.repeat)
        if self.notice is not None:
            self.ctx.console.print(self.notice)
            self.notice = None
        self.ctx.console.print(render.reveal_prompt(self.ctx.lang))
        key = self.ctx.keys.read_key()
        if key is None or key == QUIT:
            return False
        if key == UNDO:
            self._undo()
            return True
        self.engine.reveal()
        self.ctx.console.print(
            render.answer_view(card, lang=self.ctx.lang, related=self.engine.related(card))
        )
        mode = self.ctx.grading
        previews = self.engine.previews()
        while True:
            self.ctx.console.print(render.grade_legend(self.ctx.lang, mode=mode, previews=previews))
            key = self.ctx.keys.read_key()
            if key is None or key == QUIT:
                return False
            if key == UNDO:
                self._undo()
                return True
            if key in (SUSPEND, BURY):  # after the answer only: on the question any key reveals
                done = self.engine.suspend() if key == SUSPEND else self.engine.bury()
                what = "suspended_now" if key == SUSPEND else "buried_now"
                self.notice = render.Text(
                    message(what, self.ctx.lang, card=done.id), style="yellow"
                )
                return True
            grade = self.engine.grade_for_key(key)
            if grade is not None:
                leech = self.engine.grade(grade).leech
                if leech is not None:
                    self.notice = render.leech_notice(
                        card.id, leech.lapses, leech.suspended, self.ctx.lang
                    )
                return True
            hint = message("press_to_grade", self.ctx.lang, keys=grades.key_range(mode))
            self.ctx.console.print(render.Text(hint, style="yellow"))

    def _undo(self) -> None:
        undone = self.engine.undo()
        lang = self.ctx.lang
        if undone is None:
            self.notice = render.Text(message("nothing_to_undo", lang), style="yellow")
        elif isinstance(undone, Graded):
            undid = message("undid", lang, card=undone.card.id)
            if undone.leech:
                undid += message("no_longer_leech", lang)
            self.notice = render.Text(undid, style="yellow")
        elif isinstance(undone, Buried):
            self.notice = render.Text(
                message("unburied", lang, card=undone.card.id), style="yellow"
            )
        else:
            unsuspended = message("unsuspended", lang, card=undone.card.id)
            self.notice = render.Text(unsuspended, style="yellow")
