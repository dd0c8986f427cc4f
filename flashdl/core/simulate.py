"""``flashdl simulate``: a simulated learner with a known forgetting model, studied by each scheduler.

The learner (the ground truth; the schedulers see only the grades and the days):

- Each card has a difficulty ``d`` drawn from Beta(2, 2) (between 0 and 1, mean 0.5).
- Memory of a card is one number, its stability ``S`` in days. ``t`` days after the card was last
  seen, the learner recalls it with probability ``R = exp(-t / S)`` (exponential forgetting).
- A new card is not known: it is graded 0, 1 or 2 (equally likely) and the learner reads the
  answer, which leaves ``S = S0 = 4 · (1 − 0.6·d)`` days (1.6 to 4 days).
- At a review the learner recalls the card with probability ``R`` (one draw). Recalled:
  ``S ← S · (1 + 12 · (1 − 0.5·d) · S^−0.2 · (e^(3·(1−R)) − 1))`` — the spacing effect: recall
  that was hard (low R) strengthens memory most, a review of a card still fresh (R near 1) hardly
  at all, and gains shrink as S grows. Forgotten: ``S ← max(S0, 0.25 · S)``, after reading the
  answer again.
- Grades: forgotten → 0, 1 or 2 (equally likely); recalled → 5 with probability ``R^(1 + 4·d)``,
  otherwise 4 (60 %) or 3 (40 %). Easy cards that are fresh in memory get more 5s.

Each simulated day the learner reviews every card due (``due <= today``), most overdue first, then
up to ``new_per_day`` new cards in deck order. Same-session repeats of cards graded below 4 are not
simulated (they change no schedule under either scheduler). Chance comes from one
``random.Random(seed)``: the same seed gives the same deck of difficulties and the same numbers.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flashdl.core.interview import BASELINE_DAYS, DEFAULT_WINDOW, Interview
from flashdl.core.scheduling import NEW_CARD, CardState, Scheduler
from flashdl.core.sm2 import SM2

START = date(2026, 1, 1)
KNOWN_RECALL = 0.9

# The learner's model (see the module docstring).
FIRST_STABILITY = 4.0
FIRST_STABILITY_DIFFICULTY = 0.6
GROWTH = 12.0
GROWTH_DIFFICULTY = 0.5
GROWTH_SATURATION = 0.2
GROWTH_RECALL = 3.0
LAPSE_KEEP = 0.25
PERFECT_EXPONENT = 4.0
HESITANT_SHARE = 0.6


@dataclass(frozen=True)
class SimulationResult:
    """What one scheduler cost and achieved over the simulated days."""

    scheduler: str
    retention: float | None
    cards: int
    days: int
    seed: int
    introduced: int
    reviews: int
    first_showings: int
    failed: int
    mean_recall: float
    known: int
    recall_at_end: float
    daily: tuple[int, ...]
    interview: InterviewOutcome | None = None

    @property
    def reviews_per_card(self) -> float:
        return self.reviews / self.introduced if self.introduced else 0.0

    @property
    def mean_daily(self) -> float:
        return self.reviews / self.days if self.days else 0.0


@dataclass(frozen=True)
class InterviewOutcome:
    """How the last days before a simulated interview went (``simulate(..., interview_in=)``)."""

    interview_in: int  # the interview is this many days after the first simulated day
    window: int  # the final days
    include_day: bool
    peak: int  # the most reviews on one of the final days
    peak_before: int  # ... on the day this many days before the interview
    final_mean: float  # mean reviews a day over the final days (no placement's peak is lower)
    baseline: float | None  # mean reviews a day over the BASELINE_DAYS before the final days
    learned: int  # cards introduced before the final days
    reviewed_in_window: int  # ... of which were reviewed in the final days
    recall: float  # mean true recall on the interview day, over the cards introduced

    @property
    def peak_ratio(self) -> float | None:
        return self.peak / self.baseline if self.baseline else None

    @property
    def window_share(self) -> float | None:
        return self.reviewed_in_window / self.learned if self.learned else None


def first_stability(difficulty: float) -> float:
    return FIRST_STABILITY * (1 - FIRST_STABILITY_DIFFICULTY * difficulty)


def recall(stability: float, elapsed_days: float) -> float:
    """The learner's true probability of recall ``elapsed_days`` after the last review."""
    return math.exp(-elapsed_days / stability)


def after_recall(stability: float, difficulty: float, recall_probability: float) -> float:
    gain = (
        GROWTH
        * (1 - GROWTH_DIFFICULTY * difficulty)
        * stability**-GROWTH_SATURATION
        * (math.exp(GROWTH_RECALL * (1 - recall_probability)) - 1)
    )
    return stability * (1 + gain)


def after_lapse(stability: float, difficulty: float) -> float:
    return max(first_stability(difficulty), LAPSE_KEEP * stability)


def learner_grade(rng: random.Random, recalled: bool, recall_probability: float, d: float) -> int:
    if not recalled:
        return rng.randrange(3)
    if rng.random() < recall_probability ** (1 + PERFECT_EXPONENT * d):
        return 5
    return 4 if rng.random() < HESITANT_SHARE else 3


def simulate(
    scheduler: Scheduler,
    *,
    cards: int = 500,
    days: int = 365,
    new_per_day: int = 10,
    seed: int = 1,
    interview_in: int | None = None,
    window: int = DEFAULT_WINDOW,
    include_day: bool = False,
) -> SimulationResult:
    """Study ``cards`` simulated cards with ``scheduler`` for ``days`` days.

    With ``interview_in``, an interview that many days after the first day caps the intervals
    (``flashdl.core.interview``, card ``i`` has the id ``card-i``); the learner studies every day
    before it (and on it, with ``include_day``), ``days`` is ignored, and the result says how the
    final days went (``InterviewOutcome``)."""
    interview = None
    if interview_in is not None:
        interview = Interview(START + timedelta(days=interview_in), window, include_day)
        days = interview_in + (1 if include_day else 0)
    caps = [None if interview is None else interview.for_card(f"card-{i}") for i in range(cards)]
    rng = random.Random(seed)
    difficulty = [rng.betavariate(2, 2) for _ in range(cards)]
    state: list[CardState] = [NEW_CARD] * cards
    stability = [0.0] * cards
    seen_on: list[date] = [START] * cards
    introduced_on: list[date | None] = [None] * cards
    load: Counter[date] = Counter()  # cards due on each day, for the interview cap
    introduced = reviews = first = failed = 0
    recall_sum = 0.0
    daily: list[int] = []
    for offset in range(days):
        today = START + timedelta(days=offset)
        due = sorted(
            (state[i].due, i)  # type: ignore[misc]
            for i in range(introduced)
            if state[i].due is not None and state[i].due <= today  # type: ignore[operator]
        )
        for _, i in due:
            r = recall(stability[i], (today - seen_on[i]).days)
            recalled = rng.random() < r
            grade = learner_grade(rng, recalled, r, difficulty[i])
            if recalled:
                stability[i] = after_recall(stability[i], difficulty[i], r)
            else:
                stability[i] = after_lapse(stability[i], difficulty[i])
                failed += 1
            recall_sum += r
            seen_on[i] = today
            cap = caps[i]
            if cap is not None:
                if state[i].due is not None:
                    load[state[i].due] -= 1  # type: ignore[index]
                cap = cap.with_load(load)
            state[i] = scheduler.review(state[i], grade, today, until=cap)
            load[state[i].due] += 1  # type: ignore[index]
        shown = min(new_per_day, cards - introduced)
        for i in range(introduced, introduced + shown):
            stability[i] = first_stability(difficulty[i])
            seen_on[i] = introduced_on[i] = today
            cap = caps[i]
            state[i] = scheduler.review(
                NEW_CARD, rng.randrange(3), today, until=cap and cap.with_load(load)
            )
            load[state[i].due] += 1  # type: ignore[index]
        introduced += shown
        first += shown
        reviews += len(due) + shown
        daily.append(len(due) + shown)
    outcome = None
    if interview is not None:
        outcome = _interview_outcome(interview, daily, introduced_on, seen_on, stability)
    last = START + timedelta(days=days - 1)
    at_end = [recall(stability[i], (last - seen_on[i]).days) for i in range(introduced)]
    known = sum(1 for r in at_end if r >= KNOWN_RECALL)
    repeat_reviews = reviews - first
    return SimulationResult(
        scheduler=scheduler.name,
        retention=getattr(scheduler, "desired_retention", None),
        cards=cards,
        days=days,
        seed=seed,
        introduced=introduced,
        reviews=reviews,
        first_showings=first,
        failed=failed,
        mean_recall=recall_sum / repeat_reviews if repeat_reviews else 0.0,
        known=known,
        recall_at_end=sum(at_end) / cards if cards else 0.0,
        daily=tuple(daily),
        interview=outcome,
    )


def _interview_outcome(
    interview: Interview,
    daily: Sequence[int],
    introduced_on: Sequence[date | None],
    seen_on: Sequence[date],
    stability: Sequence[float],
) -> InterviewOutcome:
    first = (interview.first_day - START).days
    end = (interview.day - START).days  # the final days are daily[first:end]
    final = list(daily[max(0, first) : end + (1 if interview.include_day else 0)])
    before = daily[max(0, first - BASELINE_DAYS) : max(0, first)]
    peak = max(final, default=0)
    peak_offset = final.index(peak) + max(0, first) if final else end
    learned = [
        i for i, day in enumerate(introduced_on) if day is not None and day < interview.first_day
    ]
    return InterviewOutcome(
        interview_in=end,
        window=interview.window,
        include_day=interview.include_day,
        peak=peak,
        peak_before=end - peak_offset,
        final_mean=sum(final) / len(final) if final else 0.0,
        baseline=sum(before) / len(before) if before else None,
        learned=len(learned),
        reviewed_in_window=sum(1 for i in learned if seen_on[i] >= interview.first_day),
        recall=(
            sum(
                recall(stability[i], (interview.day - seen_on[i]).days)
                for i, day in enumerate(introduced_on)
                if day is not None
            )
            / max(1, sum(1 for day in introduced_on if day is not None))
        ),
    )


def compare(
    *,
    cards: int = 500,
    days: int = 365,
    new_per_day: int = 10,
    seed: int = 1,
    retention: float = 0.9,
    interview_in: int | None = None,
    window: int = DEFAULT_WINDOW,
    include_day: bool = False,
) -> list[SimulationResult]:
    """The same simulated learner and deck studied by SM-2 and by FSRS."""
    from flashdl.core.fsrs import FSRS

    schedulers: Sequence[Scheduler] = (SM2(), FSRS(desired_retention=retention))
    return [
        simulate(s, cards=cards, days=days, new_per_day=new_per_day, seed=seed,
                 interview_in=interview_in, window=window, include_day=include_day)
        for s in schedulers
    ]  # fmt: skip


def workload_periods(daily: Sequence[int], period: int) -> list[tuple[int, int, float, int]]:
    """``(first day, last day, mean reviews a day, most in a day)`` for each run of ``period`` days."""
    out = []
    for start in range(0, len(daily), period):
        chunk = daily[start : start + period]
        out.append((start + 1, start + len(chunk), sum(chunk) / len(chunk), max(chunk)))
    return out


def chart_period(days: int) -> int:
    """Days per chart row: about a month for long runs, a week or a day for short ones."""
    if days >= 120:
        return 30
    if days >= 21:
        return 7
    return 1
