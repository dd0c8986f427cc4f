"""Which key points a typed answer states, which classic wrong claims it makes, and the grade
that suggests.

The matching itself (normalisation, scripts, formulas, sentences, negation) is in
``flashdl.core.matching``. On top of it:

- **Points.** A key point is covered when any one of its terms matches (a group term: all its
  parts in one sentence), directly or through the shared glossary.
- **Stated, not listed.** A match counts as *stated* when the stretch of the answer it sits in
  (between commas, 、 and list breaks) says something beyond the deck's terms: at least
  ``STATED_UNITS`` words (a Chinese character is about half a word) that are not themselves
  matched terms or list words (and, 和, etc); a group term whose parts sit in one stretch needs
  only ``GROUP_STATED_UNITS``. A bullet or comma list of terms is *listed*, and so is every match
  of a sentence or an answer that is mostly such a list.
- **Grade.** The weighted share of stated points gives the grade (``GRADE_FOR_SHARE``); points
  that are only listed can lift it to 2 at most. When a card marks a core idea (a point
  weighing more than the others), an answer that does not state it gets at most 2.
- **Pitfalls.** A matched pitfall caps the grade at 2 (two or more: at 1) and is shown with its
  correction.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from flashdl.core.glossary import EMPTY, Glossary
from flashdl.core.matching import (
    LATIN,
    Answer,
    CompiledTerm,
    Sentence,
    TermMatch,
    compile_phrase,
    match_term,
    may_match,
    read_answer,
)
from flashdl.core.model import Card, KeyPoint, Term

STATED_UNITS = 1.5
GROUP_STATED_UNITS = 0.5
LONG_PHRASE_UNITS = 3.0
# An answer (or a sentence) of at least this many list segments, nearly all of them short, is a
# list of terms.
LIST_SEGMENTS, SENTENCE_LIST_SEGMENTS, LIST_SHARE, SHORT_SEGMENT_UNITS = 4, 3, 0.7, 3.0
LIST_WORDS = frozenset(("and", "or", "etc", "vs", "和", "与", "及", "或", "等"))

# (lowest weighted share of stated key points, suggested SM-2 grade), checked from the top.
GRADE_FOR_SHARE = ((0.75, 5), (0.5, 4), (0.25, 3), (0.1, 2), (1e-9, 1), (0.0, 0))
LISTED_CAP = 2  # points that are only listed lift the grade to this at most
CORE_CAP = 2  # the grade of an answer that does not state the card's core idea
CORE_FLOOR = 3  # ... and of one that does
PITFALL_CAP, PITFALLS_CAP = 2, 1  # one pitfall matched; two or more


def grade_for_share(share: float) -> int:
    return next(grade for floor, grade in GRADE_FOR_SHARE if share >= floor)


# ---------------------------------------------------------------------------------------------
# Compiled cards


@dataclass(frozen=True)
class CompiledCard:
    points: tuple[tuple[CompiledTerm, ...], ...]
    weights: tuple[int, ...]
    pitfalls: tuple[tuple[CompiledTerm, ...], ...]
    # Per point, the words one of which an answer must contain for the point to match at all
    # (None when a formula term could match without any).
    anchors: tuple[frozenset[str] | None, ...] = ()


def _anchors(terms: Sequence[CompiledTerm]) -> frozenset[str] | None:
    words = set()
    for term in terms:
        for phrase in term.parts[0]:
            if phrase.formula:
                return None
            words.add(phrase.tokens[0])
    return frozenset(words)


def compile_term(term: Term, glossary: Glossary = EMPTY) -> CompiledTerm | None:
    parts = []
    for part in term.parts:
        spellings = [compile_phrase(s) for s in glossary.equivalents(part)]
        compiled = tuple(dict.fromkeys(s for s in spellings if s is not None))
        if not compiled:
            return None
        parts.append(compiled)
    return CompiledTerm(tuple(parts), label=str(term))


def compile_terms(terms: Sequence[Term], glossary: Glossary = EMPTY) -> tuple[CompiledTerm, ...]:
    compiled = (compile_term(t, glossary) for t in terms)
    return tuple(c for c in compiled if c is not None)


_COMPILED: dict[tuple[int, int], tuple[Card, Glossary, CompiledCard]] = {}
MAX_COMPILED = 4096


def compile_card(card: Card, glossary: Glossary = EMPTY) -> CompiledCard:
    """The card's terms compiled with the glossary; remembered for the same card object (a
    memo by identity: hashing a whole card at every answer would cost more than the grading)."""
    key = (id(card), id(glossary))
    known = _COMPILED.get(key)
    if known is not None and known[0] is card and known[1] is glossary:
        return known[2]
    points = tuple(compile_terms(p.terms, glossary) for p in card.key_points)
    compiled = CompiledCard(
        points=points,
        weights=tuple(p.weight for p in card.key_points),
        pitfalls=tuple(compile_terms(p.terms, glossary) for p in card.pitfalls),
        anchors=tuple(_anchors(terms) for terms in points),
    )
    if len(_COMPILED) >= MAX_COMPILED:
        _COMPILED.clear()
    _COMPILED[key] = (card, glossary, compiled)
    return compiled


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class PointResult:
    index: int
    covered: bool  # some term matched
    stated: bool  # ... in a sentence that says something, not in a list of terms
    evidence: str | None  # the clause of the answer that matched
    weight: int = 1


@dataclass(frozen=True)
class PitfallResult:
    index: int
    evidence: str


@dataclass(frozen=True)
class Grading:
    """What the grader found in one answer. ``covered``, ``count``, ``share`` and ``missed``
    describe the key points as the quiz log stores them."""

    points: tuple[PointResult, ...]
    pitfalls: tuple[PitfallResult, ...] = ()
    coverage: float = 0.0  # weighted share of the points covered
    stated_share: float = 0.0  # weighted share of the points stated
    suggested: int = 0
    listed_answer: bool = False  # the answer as a whole is a list of terms

    @property
    def covered(self) -> tuple[bool, ...]:
        return tuple(p.covered for p in self.points)

    @property
    def count(self) -> int:
        return sum(self.covered)

    @property
    def share(self) -> float:
        return self.coverage

    @property
    def missed(self) -> tuple[int, ...]:
        return tuple(p.index for p in self.points if not p.covered)


# Kept for callers of the first grader: a ``Coverage`` is a ``Grading``.
Coverage = Grading


# ---------------------------------------------------------------------------------------------
# Grading


def _covered_tokens(answer: Answer, matches: Sequence[TermMatch]) -> frozenset[int]:
    """The start offsets of the tokens that some match spans."""
    covered = set()
    for match in matches:
        sentence = answer.sentences[match.sentence]
        for hit in match.hits:
            first = bisect_left(sentence.starts, hit.start)
            for token in sentence.tokens[first:]:
                if token.start >= hit.end:
                    break
                covered.add(token.start)
    return frozenset(covered)


def _segment_bounds(sentence: Sentence, offset: int) -> tuple[int, int]:
    lo, hi = sentence.start, sentence.end
    for cut in sentence.segments:
        if cut <= offset:
            lo = max(lo, cut)
        else:
            hi = min(hi, cut)
            break
    return lo, hi


def _extra_units(sentence: Sentence, lo: int, hi: int, matched: frozenset[int]) -> float:
    """Word units in ``norm[lo:hi]`` that no matched term and no list word accounts for."""
    units = 0.0
    for token in sentence.tokens[bisect_left(sentence.starts, lo) :]:
        if token.end > hi:
            break
        if token.text in LIST_WORDS or token.start in matched:
            continue
        units += 1.0 if token.kind == LATIN else 0.55
    return units


def _segment_sizes(sentence: Sentence) -> list[float]:
    """The word units of each list segment of the sentence (empty segments left out)."""
    cuts = [sentence.start, *sentence.segments, sentence.end]
    sizes = []
    for lo, hi in pairwise(cuts):
        first, last = bisect_left(sentence.starts, lo), bisect_left(sentence.starts, hi)
        size = sentence.units[last] - sentence.units[first]
        if size:
            sizes.append(size)
    return sizes


def _mostly_short(sizes: Sequence[float], at_least: int) -> bool:
    if len(sizes) < at_least:
        return False
    return sum(size <= SHORT_SEGMENT_UNITS for size in sizes) / len(sizes) >= LIST_SHARE


def _is_list(answer: Answer) -> bool:
    """Most of the answer is short comma/bullet items: a list of terms, not sentences."""
    sizes = [size for sentence in answer.sentences for size in _segment_sizes(sentence)]
    return _mostly_short(sizes, LIST_SEGMENTS)


def _stated(answer: Answer, match: TermMatch, matched: frozenset[int]) -> bool:
    """The match's stretch of the answer says more than terms, in a sentence that is no list."""
    sentence = answer.sentences[match.sentence]
    if _mostly_short(_segment_sizes(sentence), SENTENCE_LIST_SEGMENTS):
        return False
    bounds = sorted({_segment_bounds(sentence, hit.start) for hit in match.hits})
    extra = sum(_extra_units(sentence, lo, hi, matched) for lo, hi in bounds)
    # A group's parts side by side in one stretch already relate two ideas, and a phrase of three
    # words or more is a statement of its own: a word more will do.
    related = len(match.hits) > 1 and len(bounds) == 1
    long_phrase = any(_units(sentence, h.start, h.end) >= LONG_PHRASE_UNITS for h in match.hits)
    return extra >= (GROUP_STATED_UNITS if related or long_phrase else STATED_UNITS)


def _units(sentence: Sentence, start: int, end: int) -> float:
    return sum(
        1.0 if t.kind == LATIN else 0.55
        for t in sentence.tokens
        if start <= t.start and t.end <= end
    )


def _best(
    answer: Answer, matches: Sequence[TermMatch], matched: frozenset[int]
) -> tuple[TermMatch | None, bool]:
    """The first stated match, else the first match."""
    for match in matches:
        if _stated(answer, match, matched):
            return match, True
    return (matches[0], False) if matches else (None, False)


def grade_answer(card: Card, typed: str | Answer, glossary: Glossary = EMPTY) -> Grading:
    """Grade ``typed`` (text, or an answer already read) against ``card``'s key points and
    pitfalls."""
    compiled = compile_card(card, glossary)
    answer = typed if isinstance(typed, Answer) else read_answer(typed)
    point_matches = [
        sorted(
            (m for term in terms for m in match_term(term, answer)),
            key=lambda m: (m.sentence, m.start),
        )
        for terms in compiled.points
    ]
    pitfall_matches = [
        [m for term in terms for m in match_term(term, answer)] for terms in compiled.pitfalls
    ]
    matched = _covered_tokens(answer, [m for ms in point_matches + pitfall_matches for m in ms])
    listed_answer = _is_list(answer)
    points = []
    for index, (matches, weight) in enumerate(zip(point_matches, compiled.weights, strict=True)):
        best, stated = _best(answer, matches, matched)
        evidence = None
        if best is not None:
            evidence = answer.clause_text(answer.sentences[best.sentence], best.start, best.end)
        points.append(
            PointResult(
                index=index,
                covered=best is not None,
                stated=stated and not listed_answer,
                evidence=evidence,
                weight=weight,
            )
        )
    pitfalls = tuple(
        PitfallResult(
            index, answer.clause_text(answer.sentences[ms[0].sentence], ms[0].start, ms[0].end)
        )
        for index, ms in enumerate(pitfall_matches)
        if ms
    )
    total = sum(compiled.weights) or 1
    coverage = sum(p.weight for p in points if p.covered) / total
    stated_share = sum(p.weight for p in points if p.stated) / total
    return Grading(
        points=tuple(points),
        pitfalls=pitfalls,
        coverage=coverage,
        stated_share=stated_share,
        suggested=suggest(points, pitfalls, coverage, stated_share),
        listed_answer=listed_answer,
    )


def suggest(
    points: Sequence[PointResult],
    pitfalls: Sequence[PitfallResult],
    coverage: float,
    stated_share: float,
) -> int:
    grade = max(grade_for_share(stated_share), min(LISTED_CAP, grade_for_share(coverage)))
    weights = [p.weight for p in points]
    if weights and max(weights) > min(weights):
        core_stated = any(p.stated for p in points if p.weight == max(weights))
        # The core idea explained is a pass; without it, an answer fails.
        grade = max(grade, CORE_FLOOR) if core_stated else min(grade, CORE_CAP)
    if pitfalls:
        grade = min(grade, PITFALL_CAP if len(pitfalls) == 1 else PITFALLS_CAP)
    return grade


# ---------------------------------------------------------------------------------------------
# The first grader's API, on top of the new one


def coverage(answer: str, points: Sequence[KeyPoint], glossary: Glossary = EMPTY) -> Grading:
    """Grade ``answer`` against bare key points (no pitfalls)."""
    from flashdl.core.model import Text

    card = Card(id="", deck="", question=Text(), answer=Text(), key_points=tuple(points))
    return grade_answer(card, answer, glossary)


def covers(answer: str, point: KeyPoint, glossary: Glossary = EMPTY) -> bool:
    """True when some term of ``point`` matches ``answer``."""
    return coverage(answer, (point,), glossary).points[0].covered


def suggested_grade(result: Grading) -> int:
    return result.suggested


def covered_share(
    card: Card, answer: Answer, glossary: Glossary = EMPTY, floor: float = 0.0
) -> float:
    """The weighted share of ``card``'s key points that some term of theirs matches in
    ``answer``: the cheap part of ``grade_answer``, for comparing many cards with many answers.
    0 when the share cannot reach ``floor`` (found out without matching)."""
    compiled = compile_card(card, glossary)
    words = answer.words
    total = sum(compiled.weights) or 1
    possible = [anchors is None or not anchors.isdisjoint(words) for anchors in compiled.anchors]
    if sum(w for w, p in zip(compiled.weights, possible, strict=True) if p) / total < floor:
        return 0.0
    found = 0
    for terms, weight, may in zip(compiled.points, compiled.weights, possible, strict=True):
        if not may:
            continue
        for term in terms:
            if may_match(term, answer) and match_term(term, answer):
                found += weight
                break
    return found / total


def as_json(card: Card, grading: Grading, lang: str) -> dict[str, object]:
    """What ``flashdl grade`` prints: the points, the pitfalls with their corrections (in
    ``lang``), the weighted coverage and the suggested grade."""
    return {
        "card_id": card.id,
        "points": [
            {
                "index": p.index,
                "covered": p.covered,
                "stated": p.stated,
                "weight": p.weight,
                "evidence": p.evidence,
            }
            for p in grading.points
        ],
        "pitfalls": [
            {
                "index": p.index,
                "evidence": p.evidence,
                "correction": card.pitfalls[p.index].text.get(lang),
            }
            for p in grading.pitfalls
        ],
        "coverage": round(grading.coverage, 4),
        "suggested_grade": grading.suggested,
    }


@dataclass(frozen=True)
class QuizAnswer:
    card: Card
    grade: int
    seconds: float
    typed: str | None = None
    coverage: Grading | None = None
    suggested: int | None = None
    overrun: bool = False
