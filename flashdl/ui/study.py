"""The study loop: which cards to show, in what order, and what happens on each key.

The loop talks to the user only through an injected Rich console and key source, reads time only
through an injected clock, and commits every grade to the store before the next card is shown.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from rich.console import Console

from flashdl.core import grades
from flashdl.core.messages import message
from flashdl.core.model import Card
from flashdl.core.planning import LEARNING_DELAY, requeue_position
from flashdl.core.scheduling import NEW_CARD, CardState, Grade, Scheduler
from flashdl.core.sm2 import SM2
from flashdl.store import Store
from flashdl.ui import render
from flashdl.ui.keys import KeySource

Clock = Callable[[], datetime]
QUIT, UNDO = "q", "u"
GRADE_KEYS = {str(int(g)): g for g in Grade}  # SM-2's keys (the ``sm2`` grading mode)


@dataclass(frozen=True)
class _Graded:
    """What ``u`` needs to take one grade back."""

    review_id: int
    card: Card
    grade: Grade
    before: CardState
    scheduled: bool
    requeued: bool


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

    def state(self, card_id: str) -> CardState:
        if card_id in self.changed:
            return self.changed[card_id]
        return self.states.get(card_id, NEW_CARD)

    def related(self, card: Card) -> list[Card]:
        return [self.cards_by_id[r] for r in card.related if r in self.cards_by_id]

    def show_question(self, card: Card, *, done: int, left: int, repeat: bool = False) -> datetime:
        """A fresh screen (in a terminal) with the question; returns when it was shown."""
        shown_at = self.clock()
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
        return shown_at


class StudySession:
    """One run of ``flashdl study`` over a planned queue of card ids."""

    def __init__(
        self,
        ctx: SessionContext,
        queue: Sequence[str],
        *,
        mode: str = "study",
        repeats: Iterable[str] = (),
    ):
        self.ctx = ctx
        self.queue: deque[str] = deque(queue)  # card ids; a card is loaded when it is shown
        self.mode = mode
        self.graded: list[_Graded] = []
        self.done: set[str] = set()  # cards answered well enough for today
        self.repeats: set[str] = set(repeats)  # cards that come back today (learning queue)
        self.notice: render.Text | None = None

    def run(self) -> render.SessionSummary:
        started = self.ctx.clock()
        while self.queue:
            if not self._show_card(self.ctx.cards_by_id[self.queue[0]]):
                break
        return self._summary(started)

    # -- one card --------------------------------------------------------------------------

    def _show_card(self, card: Card) -> bool:
        """Show ``card``, take one grade (or an undo); False when the user ends the session."""
        shown_at = self.ctx.show_question(
            card,
            done=len(self.done),
            left=len(set(self.queue)),
            repeat=card.id in self.repeats,
        )
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
        self.ctx.console.print(
            render.answer_view(card, lang=self.ctx.lang, related=self.ctx.related(card))
        )
        mode = self.ctx.grading
        previews = grades.previews(
            mode, self.ctx.scheduler, self.ctx.state(card.id), shown_at,
            until=self.ctx.until, learning_delay=self.ctx.learning_delay,
        )  # fmt: skip
        while True:
            self.ctx.console.print(render.grade_legend(self.ctx.lang, mode=mode, previews=previews))
            key = self.ctx.keys.read_key()
            if key is None or key == QUIT:
                return False
            if key == UNDO:
                self._undo()
                return True
            grade = grades.grade_for_key(mode, key)
            if grade is not None:
                self._grade(card, grade, shown_at)
                return True
            hint = message("press_to_grade", self.ctx.lang, keys=grades.key_range(mode))
            self.ctx.console.print(render.Text(hint, style="yellow"))

    def _grade(self, card: Card, grade: Grade, shown_at: datetime) -> None:
        now = self.ctx.clock()
        recorded = self.ctx.store.record_study_grade(
            card_id=card.id,
            deck=card.deck,
            grade=grade,
            reviewed_at=now,
            scheduler=self.ctx.scheduler,
            until=self.ctx.until,
            answer_ms=max(0, int((now - shown_at).total_seconds() * 1000)),
        )
        self.ctx.changed[card.id] = recorded.after
        self.queue.popleft()
        requeued = grades.repeats_today(self.ctx.grading, grade)
        if requeued:  # the learning queue: back after a few other cards
            self.queue.insert(requeue_position(len(self.queue)), card.id)
            self.repeats.add(card.id)
        else:
            self.done.add(card.id)
        self.graded.append(
            _Graded(recorded.id, card, grade, recorded.before, recorded.scheduled, requeued)
        )

    def _undo(self) -> None:
        if not self.graded:
            self.notice = render.Text(message("nothing_to_undo", self.ctx.lang), style="yellow")
            return
        last = self.graded.pop()
        self.ctx.store.undo_review(last.review_id, self.ctx.clock())
        self.ctx.changed[last.card.id] = last.before
        self.done.discard(last.card.id)
        if last.requeued:
            self.queue.remove(last.card.id)
        self.queue.appendleft(last.card.id)
        undid = message("undid", self.ctx.lang, card=last.card.id)
        self.notice = render.Text(undid, style="yellow")

    def _summary(self, started: datetime) -> render.SessionSummary:
        now = self.ctx.clock()
        grades = Counter(int(entry.grade) for entry in self.graded)
        return render.SessionSummary(
            reviewed=len(self.graded),
            grades=dict(grades),
            seconds=(now - started).total_seconds(),
            next_due=self.ctx.store.next_due(now.date()),
            left_today=len(set(self.queue)),
        )
