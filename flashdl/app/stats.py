"""The figures behind ``flashdl stats``: computed from store aggregates, returned as plain data.

Definitions (also in docs/commands.md):
- new: in a deck and never reviewed (suspended cards are counted apart);
- learning: reviewed, but fewer than two successful repetitions in a row (just introduced or lapsed);
- young / mature: two or more repetitions, with an interval under / of at least 21 days;
- due today: due on or before today, and today's learning queue; overdue: due before today;
- forecast: cards due on each day; today's is the due-today total (overdue and learning cards
  included, buried ones not), as in Anki's Future Due graph;
- due shown today: of the cards due today, those ``study`` shows today, when
  ``max_reviews_per_day`` holds some back (the same count ``flashdl decks`` gives);
- retention: share of reviews in the window graded 3 or more (same-session repeats excluded);
- streak: consecutive days with at least one review, ending today (or yesterday, if today has none yet);
  a day on which nothing was due (and nothing was reviewed) neither breaks it nor counts;
- readiness (with an interview date): share of cards learned (last grade passed) and not overdue;
  the reviews needed until the date, per deck and per day, and the heaviest day ahead with its
  reviews, projected by the scheduler in force through the interview cap as if every card were
  graded 4 and new cards were introduced 10 a day (``flashdl.core.readiness``).
- leeches: cards marked a leech (``flashdl.core.leeches``), with their lapses counted now, most first;
- lapses (of the hardest cards and the leeches): counted from the review log as the leech rule
  counts them, never the scheduler's tally in ``card_state.lapses``;
- predicted recall (under FSRS): per deck, the mean of FSRS's predicted probability of recalling
  each reviewed, unsuspended card today; at risk: the cards with the lowest such probability.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from flashdl.app.study import Limits, waiting_reviews
from flashdl.core.interview import Deadline, Interview, as_interview
from flashdl.core.model import CardLookup, Deck, card_ids
from flashdl.core.readiness import forecast_reviews
from flashdl.core.scheduling import NEW_CARD, CardState, Scheduler
from flashdl.core.sm2 import SM2
from flashdl.store import Store

HEATMAP_WEEKS = 26
MATURE_DAYS = 21
READY_GRADE = 4
READY_NEW_PER_DAY = 10  # study's default --new, the forecast's when no setting is given


@dataclass
class DeckStats:
    deck: str
    title: str
    cards: int = 0
    new: int = 0
    learning: int = 0
    young: int = 0
    mature: int = 0
    suspended: int = 0
    due_today: int = 0
    overdue: int = 0
    reviews_today: int = 0
    reviews_in_window: int = 0
    retention: float | None = None
    average_easiness: float | None = None


@dataclass
class Readiness:
    deck: str
    ready: int
    cards: int
    ready_share: float
    reviews_needed: int


@dataclass
class Stats:
    today: date
    days: int
    decks: list[DeckStats]
    total: DeckStats
    streak: int
    forecast: list[tuple[date, int]]
    activity: dict[date, int]
    quiz_coverage: list[tuple[date, float, int]]
    hardest: list[dict[str, object]]
    missed_key_points: list[dict[str, object]]
    interview_date: date | None = None
    days_left: int | None = None
    readiness: list[Readiness] = field(default_factory=list)
    reviews_per_day_needed: int | None = None
    final_days_from: date | None = None
    peak_day: date | None = None
    peak_reviews: int | None = None
    predicted_recall: dict[str, float] = field(default_factory=dict)
    at_risk: list[dict[str, object]] = field(default_factory=list)
    leeches: list[dict[str, object]] = field(default_factory=list)
    max_reviews_per_day: int | None = None
    due_shown_today: int = 0  # of total.due_today, what study shows today under that limit


def streak(
    days_newest_first: Iterable[date],
    today: date,
    waited_between: Callable[[date, date], bool] = lambda after, before: True,
) -> int:
    """Days with reviews in a row, counting back from today (today itself never breaks it, as
    it is not over). A day without reviews breaks the streak only when a card was due on it:
    ``waited_between(after, before)`` says whether one was, on the days strictly between two
    days. A free day neither breaks nor counts. Stops reading at the first break."""
    count = 0
    newer = today  # the days strictly between a review day and ``newer`` had no reviews
    for day in days_newest_first:
        if day >= today:
            count += day == today
            continue
        if (newer - day).days > 1 and waited_between(day, newer):
            break
        count += 1
        newer = day
    return count


def _total(rows: Sequence[DeckStats]) -> DeckStats:
    total = DeckStats(deck="total", title="")
    for name in ("cards", "new", "learning", "young", "mature", "suspended", "due_today", "overdue",
                 "reviews_today", "reviews_in_window"):  # fmt: skip
        setattr(total, name, sum(getattr(r, name) for r in rows))
    return total


def collect(
    store: Store,
    decks: Sequence[Deck],
    today: date,
    *,
    days: int = 30,
    interview_date: Deadline | None = None,
    scheduler: Scheduler | None = None,
    repeat_below: int | None = None,
    new_per_day: int = READY_NEW_PER_DAY,
    max_reviews_per_day: int | None = None,
) -> Stats:
    names = [d.name for d in decks]
    store.focus_cards((card_id, d.name) for d in decks for card_id in card_ids(d))
    counts = store.state_counts(today, repeat_below=repeat_below)
    window = store.review_counts(today - timedelta(days=days - 1), names)
    today_counts = store.reviews_on(today, names)
    rows: list[DeckStats] = []
    for d in decks:
        c = counts.get(d.name, {})
        graded, passed = window.get(d.name, (0, 0))
        rows.append(
            DeckStats(
                deck=d.name,
                title=d.title.get("zh"),
                cards=len(d.cards),
                new=int(c.get("new", len(d.cards))),
                learning=int(c.get("learning", 0)),
                young=int(c.get("young", 0)),
                mature=int(c.get("mature", 0)),
                suspended=int(c.get("suspended", 0)),
                due_today=int(c.get("due", 0)),
                overdue=int(c.get("overdue", 0)),
                reviews_today=today_counts.get(d.name, 0),
                reviews_in_window=graded,
                retention=passed / graded if graded else None,
                average_easiness=c.get("easiness"),
            )
        )
    total = _total(rows)
    graded = sum(window.get(n, (0, 0))[0] for n in names)
    passed = sum(window.get(n, (0, 0))[1] for n in names)
    total.retention = passed / graded if graded else None
    seen = [(r.average_easiness, r.cards - r.new - r.suspended) for r in rows if r.average_easiness]
    weight = sum(n for _, n in seen)
    total.average_easiness = sum(e * n for e, n in seen) / weight if weight else None

    forecast_counts = store.due_forecast(today, today + timedelta(days=days - 1))
    # Today's bar is the due column's total, as Anki's Future Due counts today's learning cards
    # today: what is due or overdue, the cards failed today that come back today (their scheduled
    # due is later, where they count too), less the cards buried today.
    forecast_counts[today] = total.due_today
    forecast = [
        (today + timedelta(days=i), forecast_counts.get(today + timedelta(days=i), 0))
        for i in range(days)
    ]
    first_heatmap_day = today - timedelta(days=today.weekday() + 7 * (HEATMAP_WEEKS - 1))
    cards_by_id = CardLookup(decks)
    hardest = [
        {"card_id": cid, "deck": deck, "easiness": ease, "lapses": lapses,
         "question": cards_by_id[cid].question.get("zh") if cid in cards_by_id else ""}
        for cid, deck, ease, lapses in store.hardest()
    ]  # fmt: skip
    missed = []
    for cid, index, count in store.missed_key_points(names):
        card = cards_by_id.get(cid)
        if card is None or index >= len(card.key_points):
            continue  # the card was removed or rewritten since
        if len(missed) == 10:
            break
        point = card.key_points[index].text
        missed.append(
            {"card_id": cid, "key_point": index, "zh": point.zh, "en": point.en, "missed": count}
        )

    stats = Stats(
        today=today,
        days=days,
        decks=rows,
        total=total,
        streak=streak(
            store.review_days(names, today),
            today,
            lambda after, before: store.waited_between(names, after, before),
        ),
        forecast=forecast,
        activity=store.reviews_per_day(first_heatmap_day, names),
        quiz_coverage=[
            (day, avg, n) for day, (avg, n) in sorted(store.quiz_coverage_per_day(names).items())
        ],
        hardest=hardest,
        missed_key_points=missed,
    )
    stats.leeches = [
        {"card_id": leech.card_id, "deck": leech.deck, "lapses": leech.lapses,
         "suspended": leech.suspended,
         "question": cards_by_id[leech.card_id].question.get("zh")
         if leech.card_id in cards_by_id else ""}
        for leech in store.leeches()
    ]  # fmt: skip
    stats.max_reviews_per_day = max_reviews_per_day
    below = {} if repeat_below is None else {"repeat_below": repeat_below}
    limits = Limits(max_reviews_per_day=max_reviews_per_day, **below)
    stats.due_shown_today = total.due_today - waiting_reviews(store, decks, today, limits)
    interview = as_interview(interview_date)
    if interview is not None and interview.day > today:
        _add_readiness(stats, store, decks, today, interview, scheduler or SM2(), new_per_day)
    _add_recall_forecast(stats, store, decks, today)
    return stats


def _add_recall_forecast(stats: Stats, store: Store, decks: Sequence[Deck], today: date) -> None:
    """FSRS's predicted recall today, per deck and for the cards most at risk (FSRS only)."""
    from flashdl.core.fsrs import at_risk, recall_by_deck

    deck_of = {card_id: d.name for d in decks for card_id in card_ids(d)}
    states = {
        card_id: entry.state
        for card_id, entry in store.focus_states(with_memory_only=True).items()
        if not entry.suspended
    }
    if not states:
        return
    stats.predicted_recall = {
        deck: round(value, 4) for deck, value in recall_by_deck(states, deck_of, today).items()
    }
    cards_by_id = CardLookup(decks)
    stats.at_risk = [
        {"card_id": card_id, "deck": deck_of[card_id], "recall": round(recall, 4),
         "question": cards_by_id[card_id].question.get("zh")}
        for card_id, recall in at_risk(states, today, limit=10)
    ]  # fmt: skip


def _add_readiness(
    stats: Stats,
    store: Store,
    decks: Sequence[Deck],
    today: date,
    interview: Interview,
    scheduler: Scheduler,
    new_per_day: int,
) -> None:
    """Readiness per deck and the reviews a day until the interview, as if the user studied
    every day with their own ``new_per_day`` setting."""
    states = store.focus_states()  # collect() focused the store on these decks' cards
    cards: list[tuple[str, CardState]] = []
    for d in decks:
        for card_id in card_ids(d):
            entry = states.get(card_id)
            if entry is None or not entry.suspended:
                cards.append((card_id, entry.state if entry is not None else NEW_CARD))
    forecast = forecast_reviews(
        scheduler, cards, today, interview, new_per_day=new_per_day, grade=READY_GRADE
    )
    total_needed = 0
    for d in decks:
        ready = needed = 0
        for card_id in card_ids(d):
            entry = states.get(card_id)
            if entry is not None and entry.suspended:
                continue
            state = entry.state if entry is not None and not entry.state.is_new else None
            if (
                state is not None
                and state.repetitions >= 1
                and state.due is not None
                and state.due >= today
            ):
                ready += 1
            needed += forecast.per_card.get(card_id, 0)
        stats.readiness.append(
            Readiness(d.name, ready, len(d.cards), ready / len(d.cards) if d.cards else 0.0, needed)
        )
        total_needed += needed
    stats.interview_date = interview.day
    stats.days_left = (interview.day - today).days
    stats.reviews_per_day_needed = math.ceil(total_needed / stats.days_left)
    stats.final_days_from = interview.first_day
    peak = forecast.peak
    if peak is not None:
        stats.peak_day, stats.peak_reviews = peak


def to_json(stats: Stats) -> dict[str, object]:
    """The documented ``flashdl stats --json`` shape: dates as ISO strings, shares as 0..1."""

    def iso(value: object) -> object:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Mapping):
            return {iso(k): iso(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [iso(v) for v in value]
        return value

    data = asdict(stats)
    data["forecast"] = [{"day": d.isoformat(), "due": n} for d, n in stats.forecast]
    data["activity"] = {d.isoformat(): n for d, n in sorted(stats.activity.items())}
    data["quiz_coverage"] = [
        {"day": d.isoformat(), "coverage": round(avg, 4), "answers": n}
        for d, avg, n in stats.quiz_coverage
    ]
    return iso(data)  # type: ignore[return-value]
