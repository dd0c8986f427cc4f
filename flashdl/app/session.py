"""The study and quiz sessions as engines: which card is up, what a grade, an undo, a suspension
or a burial does to the queue and the store, and the summary at the end.

It does no I/O of its own apart from the store writes it is asked for, reads time only through an
injected clock, and is driven by calls, so the plain line-protocol loop and the full-screen app are
both thin views over it (STYLE.md, habit 13).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from flashdl.core import grades
from flashdl.core.days import study_day
from flashdl.core.planning import LEARNING_DELAY, requeue_index
from flashdl.core.scheduling import NEW_CARD, CardState, Grade

if TYPE_CHECKING:
    from flashdl.core.glossary import Glossary
    from flashdl.core.grades import Preview
    from flashdl.core.grading import Grading, QuizAnswer
    from flashdl.core.leeches import LeechRule
    from flashdl.core.model import Card
    from flashdl.core.scheduling import Scheduler
    from flashdl.store import LeechMark, Store

Clock = Callable[[], datetime]
GRADE_KEYS = {str(int(g)): g for g in Grade}  # SM-2's keys (the ``sm2`` grading mode)


@dataclass
class SessionSummary:
    reviewed: int = 0
    grades: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    next_due: date | None = None
    left_today: int = 0
    today: date | None = None  # the study day it ends on (4 AM ends one), so "tomorrow" is right
    review_limit: int | None = None  # max_reviews_per_day
    held_back: int = 0  # due cards that limit, reached, holds back until tomorrow


@dataclass(frozen=True)
class Turn:
    """The card up now and where the session stands, as a view draws it."""

    card: Card
    done: int  # cards answered well enough for today
    left: int  # distinct cards still in the queue, this one included
    repeat: bool  # a card failed earlier today, back from the learning queue


@dataclass(frozen=True)
class Graded:
    """What ``undo`` needs to take one grade back."""

    review_id: int
    card: Card
    grade: Grade
    before: CardState
    scheduled: bool
    requeued: bool
    leech: LeechMark | None = None  # this grade made the card a leech
    was_repeat: bool = True  # the card was back from the learning queue before this grade


@dataclass(frozen=True)
class Suspended:
    """What ``undo`` needs to take one suspension back: where the card stood in the queue."""

    card: Card
    positions: tuple[int, ...]


@dataclass(frozen=True)
class Buried:
    """What ``undo`` needs to take one burial back."""

    card: Card
    positions: tuple[int, ...]


Action = Graded | Suspended | Buried


class StudyEngine:
    """One run of ``flashdl study`` over a planned queue of card ids.

    A view calls ``show()`` when it draws the current card's question (that starts its answer
    time), ``reveal()`` when it shows the answer, then ``grade``, ``undo``, ``suspend`` or
    ``bury``; ``summary()`` at the end. Every grade is
    committed to the store before the call returns.
    """

    def __init__(
        self,
        store: Store,
        cards_by_id: Mapping[str, Card],
        queue: Sequence[str],
        *,
        clock: Clock,
        scheduler: Scheduler,
        until: date | None = None,
        states: Mapping[str, CardState] | None = None,
        changed: MutableMapping[str, CardState] | None = None,
        repeats: Iterable[str] = (),
        grading: str = "sm2",
        learning_delay: timedelta = LEARNING_DELAY,
        related_ids: Mapping[str, Collection[str]] | None = None,
        leech_rule: LeechRule | None = None,
        review_limit: int | None = None,
        held_back: Callable[[date], int] | None = None,
    ):
        self.store = store
        # max_reviews_per_day, and how many due cards of the session's selection it holds back
        # on a study day (``flashdl.app.study.waiting_reviews``): the summary says so
        self.review_limit = review_limit
        self.held_back = held_back
        self.grading = grading  # which keys grade, and which grades repeat: core/grades.py
        self.learning_delay = learning_delay
        self.related_ids: Mapping[str, Collection[str]] = (
            {} if related_ids is None else related_ids
        )  # kept apart
        self.leech_rule = leech_rule  # None: leeches are not looked for
        self.cards_by_id = cards_by_id
        self.clock = clock
        self.scheduler = scheduler
        self.until = until
        self.states: Mapping[str, CardState] = states if states is not None else {}
        self.changed: MutableMapping[str, CardState] = changed if changed is not None else {}
        self.queue: deque[str] = deque(queue)  # card ids; a card is loaded when it is shown
        self.actions: list[Action] = []  # what undo can take back, newest last
        self.done: set[str] = set()
        self.repeats: set[str] = set(repeats)  # cards that come back today (learning queue)
        self.started: datetime | None = None
        self.shown_at: datetime | None = None
        self.revealed = False  # the current card's answer is shown: only then may it be graded
        self.edited: dict[str, Card] = {}  # cards edited during the session, as reloaded

    # -- reading ---------------------------------------------------------------------------

    def start(self) -> None:
        """The session begins now (its time in the summary counts from here)."""
        self.started = self.clock()

    @property
    def finished(self) -> bool:
        return not self.queue

    def current(self) -> Turn | None:
        """The card up now, or None when the queue is empty."""
        if not self.queue:
            return None
        card = self.card(self.queue[0])
        return Turn(card, len(self.done), len(set(self.queue)), card.id in self.repeats)

    def card(self, card_id: str) -> Card:
        return self.edited.get(card_id) or self.cards_by_id[card_id]

    def replace_card(self, card: Card) -> None:
        """The card as edited (``e``): shown from now on in place of the one loaded."""
        self.edited[card.id] = card

    def show(self) -> Turn | None:
        """The current card, its question drawn now: its answer time starts here."""
        turn = self.current()
        if turn is not None:
            self.shown_at = self.clock()
            self.revealed = False
        return turn

    def reveal(self) -> Turn | None:
        """The current card's answer is shown; it may now be graded."""
        turn = self.current()
        self.revealed = turn is not None
        return turn

    def state(self, card_id: str) -> CardState:
        if card_id in self.changed:
            return self.changed[card_id]
        return self.states.get(card_id, NEW_CARD)

    def related(self, card: Card) -> list[Card]:
        return [self.card(r) for r in card.related if r in self.cards_by_id]

    @property
    def grade_keys(self) -> dict[str, Grade]:
        """The keys that grade in the active grading mode (only digits), and their grades."""
        return {button.key: button.grade for button in grades.buttons(self.grading)}

    def grade_for_key(self, key: str) -> Grade | None:
        """The grade ``key`` gives in this session's grading mode; None if it does not grade."""
        return grades.grade_for_key(self.grading, key)

    def previews(self) -> list[Preview]:
        """Each grading key of the current card with the interval it would give, asked of the
        scheduler (so it is the interval stored when the key is pressed)."""
        turn = self.current()
        if turn is None:
            return []
        return grades.previews(
            self.grading,
            self.scheduler,
            self.state(turn.card.id),
            self.shown_at or self.clock(),
            until=self.until,
            learning_delay=self.learning_delay,
        )

    @property
    def graded(self) -> list[Graded]:
        return [a for a in self.actions if isinstance(a, Graded)]

    # -- acting ----------------------------------------------------------------------------

    def grade(self, grade: Grade | int) -> Graded:
        """Grade the current card, commit it, and move on (a low grade requeues the card; a
        lapse that makes it a leech marks it, and may suspend it: ``Graded.leech``).

        Only a revealed card can be graded: a key pressed on the question side never grades."""
        if not self.revealed or not self.queue:
            raise RuntimeError("grade() before reveal(): the answer has not been shown")
        card = self.card(self.queue[0])
        grade = Grade(int(grade))
        now = self.clock()
        shown_at = self.shown_at or now
        recorded = self.store.record_study_grade(
            card_id=card.id,
            deck=card.deck,
            grade=grade,
            reviewed_at=now,
            scheduler=self.scheduler,
            until=self.until,
            answer_ms=max(0, int((now - shown_at).total_seconds() * 1000)),
            leech=self.leech_rule,
        )
        self.changed[card.id] = recorded.after
        was_repeat = card.id in self.repeats
        self.queue.popleft()
        leech = recorded.leech
        # a leech suspended now is out of today's repeats too
        requeued = grades.repeats_today(self.grading, grade) and not (
            leech is not None and leech.suspended
        )
        if requeued:  # the learning queue: back after a few other cards, none related to it
            self.queue.insert(requeue_index(self.queue, card.id, self.related_ids), card.id)
            self.repeats.add(card.id)
        else:
            self.done.add(card.id)
        entry = Graded(
            recorded.id, card, grade, recorded.before, recorded.scheduled, requeued, leech,
            was_repeat,
        )  # fmt: skip
        self.actions.append(entry)
        self._moved_on()
        return entry

    def suspend(self) -> Card:
        """Suspend the current card (stored at once) and take it out of today's queue."""
        card = self.card(self.queue[0])
        self.store.set_suspended(card.id, card.deck, True)
        self.actions.append(Suspended(card, self._take_out(card.id)))
        return card

    def bury(self) -> Card:
        """Bury the current card until tomorrow (stored at once: it stays out of today's queue
        after a restart) and take it out of this session."""
        card = self.card(self.queue[0])
        today = study_day(self.clock())
        self.store.bury(card.id, today + timedelta(days=1), today)
        self.actions.append(Buried(card, self._take_out(card.id)))
        return card

    def _take_out(self, card_id: str) -> tuple[int, ...]:
        positions = tuple(i for i, c in enumerate(self.queue) if c == card_id)
        self.queue = deque(c for c in self.queue if c != card_id)
        self._moved_on()
        return positions

    def undo(self) -> Action | None:
        """Take back the last grade, suspension or burial (any depth); None if there is none.
        The store takes back a leech mark the grade made, and its suspension."""
        if not self.actions:
            return None
        last = self.actions.pop()
        if isinstance(last, Suspended | Buried):
            if isinstance(last, Suspended):
                self.store.set_suspended(last.card.id, last.card.deck, False)
            else:
                self.store.unbury(last.card.id, study_day(self.clock()))
            for position in last.positions:  # ascending: each insert rebuilds the old queue
                self.queue.insert(position, last.card.id)
            self._moved_on()
            return last
        self.store.undo_review(last.review_id, self.clock())
        self.changed[last.card.id] = last.before
        self.done.discard(last.card.id)
        if last.requeued:
            self.queue.remove(last.card.id)
        if not last.was_repeat:  # (its header says new or due again, not repeat)
            self.repeats.discard(last.card.id)
        self.queue.appendleft(last.card.id)
        self._moved_on()
        return last

    def _moved_on(self) -> None:
        self.shown_at = None
        self.revealed = False

    def summary(self) -> SessionSummary:
        now = self.clock()
        graded = self.graded
        grades = Counter(int(entry.grade) for entry in graded)
        today = study_day(now)
        held = 0
        limit = self.review_limit
        reached = limit is not None and self.store.reviewed_due_on(today) >= limit
        if reached and self.held_back is not None:  # (and the rest wait until tomorrow)
            held = self.held_back(today)
        next_due = self.store.next_due(today)
        if held:  # they come tomorrow, whatever is due later
            next_due = today + timedelta(days=1)
        return SessionSummary(
            reviewed=len(graded),
            grades=dict(grades),
            seconds=(now - (self.started or now)).total_seconds(),
            next_due=next_due,
            left_today=len(set(self.queue)),
            today=today,
            review_limit=limit,
            held_back=held,
        )


class QuizEngine:
    """One quiz round (``flashdl quiz``) over a fixed list of cards, driven by calls.

    A view calls ``show()`` when it draws a question (the answer time starts), ``answer(typed)``
    when the user is done (the typed text is matched against the key points), then
    ``grade(g)``, which logs the answer with mode ``quiz`` (moving the schedule only with
    ``reschedule``) and moves on.
    """

    def __init__(
        self,
        store: Store,
        cards: Sequence[Card],
        *,
        clock: Clock,
        scheduler: Scheduler | None = None,
        until: date | None = None,
        states: Mapping[str, CardState] | None = None,
        changed: MutableMapping[str, CardState] | None = None,
        reschedule: bool = False,
        budget_seconds: float | None = None,
        glossary: Glossary | None = None,
    ):
        self.store = store
        self.cards = list(cards)
        self.clock = clock
        self.scheduler = scheduler
        self.until = until
        self.states: Mapping[str, CardState] = states if states is not None else {}
        self.changed: MutableMapping[str, CardState] = changed if changed is not None else {}
        self.reschedule = reschedule
        self.budget = budget_seconds
        self.glossary = glossary
        self.index = 0
        self.answers: list[QuizAnswer] = []
        self.shown_at: datetime | None = None
        self.answered_at: datetime | None = None
        self.typed: str | None = None
        self.result: Grading | None = None

    @property
    def finished(self) -> bool:
        return self.index >= len(self.cards)

    def current(self) -> Card | None:
        return None if self.finished else self.cards[self.index]

    def show(self) -> Card | None:
        """The current card, its question drawn now: its answer time starts here."""
        card = self.current()
        if card is not None:
            self.shown_at = self.clock()
            self.answered_at = self.typed = self.result = None
        return card

    def elapsed(self, now: datetime) -> float:
        return (now - self.shown_at).total_seconds() if self.shown_at else 0.0

    def overrun(self, seconds: float) -> bool:
        return self.budget is not None and seconds > self.budget

    def state(self, card_id: str) -> CardState:
        if card_id in self.changed:
            return self.changed[card_id]
        return self.states.get(card_id, NEW_CARD)

    def answer(self, typed: str | None) -> Grading | None:
        """The user is done answering (``typed`` None: revealed without typing); match it."""
        from flashdl.core.glossary import EMPTY
        from flashdl.core.grading import grade_answer

        card = self.cards[self.index]
        self.answered_at = self.clock()
        self.typed = typed
        glossary = self.glossary if self.glossary is not None else EMPTY
        self.result = grade_answer(card, typed, glossary) if typed is not None else None
        return self.result

    @property
    def suggested(self) -> int | None:
        return self.result.suggested if self.result is not None and self.typed else None

    def grade(self, grade: int) -> QuizAnswer:
        """Log the current answer with ``grade`` and move on to the next card."""
        from flashdl.core.grading import QuizAnswer

        if self.answered_at is None or self.shown_at is None:
            raise RuntimeError("grade() before answer(): nothing was answered")
        card, result, typed = self.cards[self.index], self.result, self.typed
        seconds = (self.answered_at - self.shown_at).total_seconds()
        recorded = self.store.record_review(
            card_id=card.id,
            deck=card.deck,
            grade=grade,
            mode="quiz",
            reviewed_at=self.answered_at,
            scheduler=self.scheduler if self.reschedule else None,
            until=self.until,
            before=None if self.reschedule else self.state(card.id),
            answer_ms=int(seconds * 1000),
            typed=typed,
            coverage=result.share if result is not None else None,
            missed=result.missed if result is not None else None,
        )
        self.changed[card.id] = recorded.after
        entry = QuizAnswer(
            card=card,
            grade=grade,
            seconds=seconds,
            typed=typed,
            coverage=result,
            suggested=self.suggested,
            overrun=self.overrun(seconds),
        )
        self.answers.append(entry)
        self.index += 1
        self.shown_at = self.answered_at = self.typed = self.result = None
        return entry
