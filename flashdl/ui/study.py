"""The study loop: which cards to show, in what order, and what happens on each key.

The loop talks to the user only through an injected Rich console and key source, reads time only
through an injected clock, and commits every grade to the store before the next card is shown.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from rich.console import Console

from flashdl.core.leeches import LeechRule
from flashdl.core.model import Card
from flashdl.core.planning import requeue_index
from flashdl.core.scheduling import NEW_CARD, CardState, Grade, Scheduler, needs_repeat
from flashdl.core.sm2 import SM2
from flashdl.store import Store
from flashdl.ui import render
from flashdl.ui.keys import KeySource

Clock = Callable[[], datetime]
QUIT, UNDO = "q", "u"
GRADE_KEYS = {str(int(g)): g for g in Grade}


@dataclass(frozen=True)
class _Graded:
    """What ``u`` needs to take one grade back."""

    review_id: int
    card: Card
    grade: Grade
    before: CardState
    scheduled: bool
    requeued: bool
    leech: bool = False


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
    changed: dict[str, CardState] = field(default_factory=dict)  # states graded in this run
    related_ids: Mapping[str, Collection[str]] = field(default_factory=dict)  # kept apart
    leech_rule: LeechRule | None = None  # None: leeches are not looked for (tests, quiz)

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
        if self.notice is not None:  # told after the last card too (a leech, say)
            self.ctx.console.print(self.notice)
            self.notice = None
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
        while True:
            self.ctx.console.print(render.grade_legend(self.ctx.lang))
            key = self.ctx.keys.read_key()
            if key is None or key == QUIT:
                return False
            if key == UNDO:
                self._undo()
                return True
            if key in GRADE_KEYS:
                self._grade(card, GRADE_KEYS[key], shown_at)
                return True
            self.ctx.console.print(
                render.Text("Press 0–5 to grade, u to undo, q to quit.", style="yellow")
            )

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
            leech=self.ctx.leech_rule,
        )
        self.ctx.changed[card.id] = recorded.after
        self.queue.popleft()
        leech = recorded.leech
        if leech is not None:
            self.notice = render.leech_notice(card.id, leech.lapses, leech.suspended)
        requeued = needs_repeat(grade) and not (leech is not None and leech.suspended)
        if requeued:  # the learning queue: back after a few other cards, none related to it
            self.queue.insert(requeue_index(self.queue, card.id, self.ctx.related_ids), card.id)
            self.repeats.add(card.id)
        else:
            self.done.add(card.id)
        self.graded.append(
            _Graded(
                recorded.id,
                card,
                grade,
                recorded.before,
                recorded.scheduled,
                requeued,
                leech=leech is not None,
            )
        )

    def _undo(self) -> None:
        if not self.graded:
            self.notice = render.Text("Nothing to undo.", style="yellow")
            return
        last = self.graded.pop()
        self.ctx.store.undo_review(last.review_id, self.ctx.clock())
        self.ctx.changed[last.card.id] = last.before
        self.done.discard(last.card.id)
        if last.requeued:
            self.queue.remove(last.card.id)
        self.queue.appendleft(last.card.id)
        unmarked = " It is no longer marked a leech." if last.leech else ""
        self.notice = render.Text(f"Undid the grade of {last.card.id}.{unmarked}", style="yellow")

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
