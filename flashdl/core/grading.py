"""Which key points a typed answer states, which classic wrong claims it makes, and the grade
that suggests.

The matching itself (normalisation, scripts, formulas, sentences, negation) is in
``flashdl.core.matching``. On top of it:

- **Points.** A key point is covered when any one of its terms matches (a group term: all its
  parts in one sentence), directly or through the shared glossary (less the glossary spellings
  that occur in the card's own question), or when one sentence says it in other words: it holds
  half of the content units of the point's own zh or en wording (``paraphrase``).
- **Stated, not listed.** A match counts as *stated* unless it sits in a list: three or more short
  segments in a row (between commas, 、, bullets and sentences; three words or less each), or an
  answer that is mostly such segments (``Layout``), or clauses of the terms alone with nothing
  but separators between them (``Bare``: spaces, line breaks, "and"). Buzzword lists are *listed*.
- **Grade.** The weighted share of stated points gives the grade (``GRADE_FOR_SHARE``); points
  that are only listed can lift it to 2 at most. When a card marks a core idea (a point
  weighing more than the others), an answer that states it gets at least 3: a pass.
- **Pitfalls.** A matched pitfall caps the grade at 2 (two or more: at 1) and is shown with its
  correction. A pitfall's group is a claim: its parts lie in one clause, or in a short clause and
  the next (``claims``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import pairwise
from typing import NamedTuple

from flashdl.core.glossary import EMPTY, Glossary
from flashdl.core.matching import (
    Answer,
    CompiledTerm,
    Hit,
    Phrase,
    TermMatch,
    clause_units,
    content_units,
    is_han,
    is_negated,
    match_term,
    may_match,
    may_occur,
    phrase_hits,
    read_answer,
)
from flashdl.core.model import Card, KeyPoint, Term

# Lists of terms (see ``Layout``): a short segment, a run of them, a whole answer of them.
SHORT_SEGMENT_UNITS, LIST_RUN, LIST_SEGMENTS, LIST_SHARE = 3.0, 3, 4, 0.7

# A key point is also covered by a sentence that holds PARAPHRASE_SHARE of the content units of
# the point's own wording (at least PARAPHRASE_MIN_UNITS of them), none of them negated.
PARAPHRASE_SHARE, PARAPHRASE_MIN_UNITS = 0.5, 3

# (lowest weighted share of stated key points, suggested SM-2 grade), checked from the top.
GRADE_FOR_SHARE = ((0.75, 5), (0.5, 4), (0.25, 3), (0.1, 2), (1e-9, 1), (0.0, 0))
# A clause of the terms of BARE_POINTS or more points with only BARE_GAP between them lists them.
BARE_POINTS = 2
BARE_GAP = re.compile(
    r"(?:[\s\W_]|\b(?:and|or|it|is|are|also|plus|etc|first|second|third|finally)\b"
    r"|(?<![\w.])(?:\d{1,2}|[a-z])[.)、:](?!\w)|\(\s*(?:\d{1,2}|[a-z])\s*\)"  # 2. 2) (b)
    r"|以及|或者|还有|就是|首先|其次|最后|第[一二三四五六七八九十]|[和与及或是也等跟])*"
)
LISTED_CAP = 2  # points that are only listed lift the grade to this at most
CORE_FLOOR = 3  # the least grade of an answer that states the card's core idea
PITFALL_CAP, PITFALLS_CAP = 2, 1  # one pitfall matched; two or more


def grade_for_share(share: float) -> int:
    return next(grade for floor, grade in GRADE_FOR_SHARE if share >= floor)


# ---------------------------------------------------------------------------------------------
# Compiled cards


class CompiledCard(NamedTuple):
    points: tuple[tuple[CompiledTerm, ...], ...]
    weights: tuple[int, ...]
    pitfalls: tuple[tuple[CompiledTerm, ...], ...]
    # Per point, the words one of which an answer must contain for the point to match at all
    # (None when a formula term could match without any).
    anchors: tuple[frozenset[str] | None, ...] = ()
    # Per point, the content units of its own zh and en wording (``paraphrase``).
    wordings: tuple[tuple[frozenset[str], ...], ...] = ()


def _anchors(terms: Sequence[CompiledTerm]) -> frozenset[str] | None:
    words = set()
    for term in terms:
        for phrase in term.parts[0]:
            if phrase.formula:
                return None
            words.add(phrase.tokens[0])
    return frozenset(words)


def _wordings(point: KeyPoint) -> tuple[frozenset[str], ...]:
    """The content units of the point's zh and of its en wording (those with enough of them)."""
    found = []
    for text in (point.text.zh, point.text.en):
        units = frozenset(
            unit for sentence in read_answer(text).sentences for unit, _ in content_units(sentence)
        )
        if len(units) >= PARAPHRASE_MIN_UNITS:
            found.append(units)
    return tuple(found)


def compile_term(
    term: Term, glossary: Glossary = EMPTY, questions: Sequence[Answer] = ()
) -> CompiledTerm | None:
    """``term`` with the glossary's spellings of each part, less the glossary spellings that
    occur in ``questions`` (the card's own question): "What do PV and UV mean?" must not be
    answered by repeating PV, which the glossary equates with "page view"."""
    parts = []
    for part in term.parts:
        compiled = glossary.spellings(part)
        if not compiled:
            return None
        if questions and len(compiled) > 1:
            compiled = (compiled[0], *(p for p in compiled[1:] if not _in_any(p, questions)))
        parts.append(compiled)
    return CompiledTerm.of(tuple(parts), label=str(term))


def _in_any(phrase: Phrase, questions: Sequence[Answer]) -> bool:
    return any(may_occur(phrase, q) and phrase_hits(phrase, q) for q in questions)


def compile_terms(
    terms: Sequence[Term], glossary: Glossary = EMPTY, questions: Sequence[Answer] = ()
) -> tuple[CompiledTerm, ...]:
    compiled = (compile_term(t, glossary, questions) for t in terms)
    return tuple(c for c in compiled if c is not None)


def read_questions(card: Card) -> tuple[Answer, ...]:
    """The card's question (both languages, and the original wording) read as answers are."""
    texts = [card.question.zh, card.question.en]
    if card.original_question is not None:
        texts += [card.original_question.zh, card.original_question.en]
    return tuple(read_answer(t) for t in dict.fromkeys(texts) if t)


_COMPILED: dict[tuple[int, int], tuple[Card, Glossary, CompiledCard]] = {}
MAX_COMPILED = 4096


def compile_card(card: Card, glossary: Glossary = EMPTY) -> CompiledCard:
    """The card's terms compiled with the glossary; remembered for the same card object (a
    memo by identity: hashing a whole card at every answer would cost more than the grading)."""
    key = (id(card), id(glossary))
    known = _COMPILED.get(key)
    if known is not None and known[0] is card and known[1] is glossary:
        return known[2]
    questions = read_questions(card) if glossary.groups else ()
    points = tuple(compile_terms(p.terms, glossary, questions) for p in card.key_points)
    compiled = CompiledCard(
        points=points,
        weights=tuple(p.weight for p in card.key_points),
        pitfalls=tuple(compile_terms(p.terms, glossary) for p in card.pitfalls),
        anchors=tuple(_anchors(terms) for terms in points),
        wordings=tuple(_wordings(p) for p in card.key_points),
    )
    if len(_COMPILED) >= MAX_COMPILED:
        _COMPILED.clear()
    _COMPILED[key] = (card, glossary, compiled)
    return compiled


# ---------------------------------------------------------------------------------------------
# Results


class PointResult(NamedTuple):
    index: int
    covered: bool  # some term matched
    stated: bool  # ... in a sentence that says something, not in a list of terms
    evidence: str | None  # the clause of the answer that matched
    weight: int = 1


class PitfallResult(NamedTuple):
    index: int
    evidence: str


class Grading(NamedTuple):
    """What the grader found in one answer. ``covered``, ``count``, ``share`` and ``missed``
    describe the key points as the quiz log stores them. (The grader's records are named tuples:
    a dataclass costs about half a millisecond to define, at every start of `flashdl grade`.)"""

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
    def count(self) -> int:  # type: ignore[override]  # how many points are covered
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


class Layout(NamedTuple):
    """Where an answer lists terms instead of stating them.

    The answer is cut into list segments (between commas, 、, list breaks and sentences, in
    order). A segment of ``SHORT_SEGMENT_UNITS`` words or less is short (a Chinese character is
    about half a word); ``LIST_RUN`` or more short segments in a row are a list, and the whole
    answer is a list when ``LIST_SHARE`` of its segments (at least ``LIST_SEGMENTS``) are short."""

    listed: frozenset[tuple[int, int]]  # (sentence, segment start) of the segments in a list
    whole: bool

    @classmethod
    def of(cls, answer: Answer) -> Layout:
        segments = []  # (sentence, start, size)
        for number, sentence in enumerate(answer.sentences):
            cuts = [sentence.start, *sentence.segments, sentence.end]
            for lo, hi in pairwise(cuts):
                first, last = bisect_left(sentence.starts, lo), bisect_left(sentence.starts, hi)
                size = sentence.units[last] - sentence.units[first]
                if size:
                    segments.append((number, lo, size))
        short = [size <= SHORT_SEGMENT_UNITS for _, _, size in segments]
        listed = set()
        run: list[int] = []
        for index, is_short in enumerate([*short, False]):
            if is_short:
                run.append(index)
                continue
            if len(run) >= LIST_RUN:
                listed.update(segments[i][:2] for i in run)
            run = []
        whole = len(segments) >= LIST_SEGMENTS and sum(short) / len(segments) >= LIST_SHARE
        return cls(frozenset(listed), whole)

    def states(self, answer: Answer, match: TermMatch) -> bool:
        """The match is in no list: it is stated in a sentence."""
        if self.whole:
            return False
        sentence = answer.sentences[match.sentence]
        for hit in match.hits:
            position = bisect_right(sentence.segments, hit.start)
            lo = sentence.segments[position - 1] if position else sentence.start
            if (match.sentence, lo) in self.listed:
                return False
        return True


def paraphrase(answer: Answer, wordings: Sequence[frozenset[str]]) -> TermMatch | None:
    """The first sentence that says the key point in other words: it holds ``PARAPHRASE_SHARE``
    of the content units of the point's zh or en wording, and no negation flips any of them
    ("G 把很多不同的 z 映射到同几个样本上" for "不同的 z 映射到相同或相似的输出")."""
    for number, sentence in enumerate(answer.sentences):
        content = sentence.content
        for units in wordings:
            found = [content[u] for u in units if u in content]
            if len(found) < PARAPHRASE_MIN_UNITS or len(found) < PARAPHRASE_SHARE * len(units):
                continue
            if any(is_negated(sentence, offset) for offset in found):
                continue
            return TermMatch(number, tuple(Hit(number, o, o + 1, False) for o in sorted(found)))
    return None


class Bare(NamedTuple):
    """Where an answer gives the terms alone, with nothing but separators between them.

    A clause (between commas, colons and sentence ends) whose text outside the card's terms is
    only spaces, line breaks, punctuation, list numbers and joining words (and, or, it is, 和,
    与, 以及, 就是; ``BARE_GAP``) says no relation between its terms. When it holds two or more
    points, or is one of ``LIST_RUN`` such clauses in a row, its matches are listed: "It is A and
    B and C", the terms one per line or with spaces between them, however they are separated.
    A verb or a preposition between them ("协同过滤根据用户的行为找相似的用户", "取最后一个时刻的
    输出接全连接层") makes it a statement, however much of it the terms cover."""

    clauses: frozenset[tuple[int, int]]  # (sentence, clause start)

    @classmethod
    def of(
        cls,
        answer: Answer,
        matches: Sequence[Sequence[TermMatch]],
        terms: Sequence[Sequence[CompiledTerm]],
    ) -> Bare:
        """``matches``: each point's matches; ``terms``: every term of the card, whose words in
        a gap (a term said twice, a part of a group, a term negated) are no relation either."""
        points: dict[tuple[int, int], set[int]] = {}
        grouped: set[tuple[int, int]] = set()  # a group's parts all in it: it ties them together
        for index, found in enumerate(matches):
            for match in found:
                clauses = {_clause_of(answer, match.sentence, hit.start) for hit in match.hits}
                for clause in clauses:
                    points.setdefault(clause, set()).add(index)
                if len(match.hits) > 1 and len(clauses) == 1 and _tied(answer, match):
                    grouped |= clauses
        if len(points) < LIST_RUN and all(len(named) < BARE_POINTS for named in points.values()):
            return cls(frozenset())  # (no clause of two points, and too few clauses for a run)
        spans: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for phrase in {p for group in terms for term in group for part in term.parts for p in part}:
            if may_occur(phrase, answer):
                for hit in phrase_hits(phrase, answer):
                    clause = _clause_of(answer, hit.sentence, hit.start)
                    spans.setdefault(clause, []).append((hit.start, hit.end))
        # Runs of clauses of terms alone in a sentence (a clause of separators alone, "第一，",
        # goes on a run): a run with a clause of two or more points, or with LIST_RUN clauses
        # of one point, is a list ("A 和 B 以及 C、D": D ends the list). A clause of one point
        # whose group's parts are all in it ("方向一致加速", "same direction add up") states
        # how they relate, however tersely, and ends a run; so does a sentence's end.
        bare: set[tuple[int, int]] = set()
        for number, sentence in enumerate(answer.sentences):
            run: list[tuple[int, int]] = []
            for start in (sentence.start, *sentence.clauses):
                clause = (number, start)
                statement = clause in grouped and len(points[clause]) < BARE_POINTS
                if not statement and _terms_alone(answer, clause, spans.get(clause, ())):
                    run.append(clause)
                    continue
                bare |= _listed_in(run, points)
                run = []
            bare |= _listed_in(run, points)
        return cls(frozenset(bare))

    def states(self, answer: Answer, match: TermMatch) -> bool:
        if not self.clauses:
            return True
        return all(
            _clause_of(answer, match.sentence, hit.start) not in self.clauses for hit in match.hits
        )


def _tied(answer: Answer, match: TermMatch) -> bool:
    """The parts of a group match are written as one phrase: nothing but a word of their own
    between them ("方向一致加速", "same direction, they add up" is not: a comma), or a space
    between Latin words ("same direction add up"); not a separator ("A 和 B", "A, B"), nor a
    space beside a Chinese character ("全连接 隐藏层", a list written with spaces)."""
    text = answer.norm
    hits = sorted(match.hits, key=lambda h: h.start)
    for before, after in pairwise(hits):
        gap = text[before.end : after.start]
        if not gap or after.start < before.end:
            continue
        if gap.isspace():
            if is_han(text[before.end - 1]) or is_han(text[after.start]):
                return False
            continue
        if BARE_GAP.fullmatch(gap):
            return False
    return True


def _listed_in(
    run: Sequence[tuple[int, int]], points: dict[tuple[int, int], set[int]]
) -> set[tuple[int, int]]:
    named = [clause for clause in run if clause in points]
    if len(named) >= LIST_RUN or any(len(points[clause]) >= BARE_POINTS for clause in named):
        return set(named)
    return set()


def _next_clause(answer: Answer, clause: tuple[int, int]) -> int:
    """Where the clause after ``clause`` starts (its sentence's end for the last)."""
    sentence = answer.sentences[clause[0]]
    position = bisect_right(sentence.clauses, clause[1])
    return sentence.clauses[position] if position < len(sentence.clauses) else sentence.end


def _terms_alone(answer: Answer, clause: tuple[int, int], spans: Sequence[tuple[int, int]]) -> bool:
    """The clause's text outside the term ``spans`` is separators alone (``BARE_GAP``)."""
    at, gaps = clause[1], []
    for start, end in sorted(spans):
        if start > at:
            gaps.append(answer.norm[at:start])
        at = max(at, end)
    gaps.append(answer.norm[at : _next_clause(answer, clause)])
    return all(BARE_GAP.fullmatch(gap) for gap in gaps)


def _clause_of(answer: Answer, number: int, offset: int) -> tuple[int, int]:
    sentence = answer.sentences[number]
    position = bisect_right(sentence.clauses, offset)
    return number, sentence.clauses[position - 1] if position else sentence.start


def _best(
    answer: Answer, layout: Layout, bare: Bare, matches: Sequence[TermMatch]
) -> tuple[TermMatch | None, bool]:
    """The first stated match, else the first match."""
    for match in matches:
        if layout.states(answer, match) and bare.states(answer, match):
            return match, True
    return (matches[0], False) if matches else (None, False)


SHORT_CLAUSE_UNITS = 4.0  # a leading clause this short belongs to the claim that follows it


def claims(answer: Answer, match: TermMatch) -> bool:
    """The parts of a pitfall's group make one claim: they lie in one clause, or in a short
    clause and the one after it ("batch 越大，泛化越好", "the bigger the batch, the better"), not
    spread over a sentence that attributes them to different subjects ("协同过滤找相似的用户，
    基于内容看物品属性")."""
    if len(match.hits) < 2:
        return True
    sentence = answer.sentences[match.sentence]
    cuts = [sentence.start, *sentence.clauses, sentence.end]
    first = bisect_right(cuts, match.start) - 1
    last = bisect_right(cuts, max(h.start for h in match.hits)) - 1
    if last == first:
        return True
    if last > first + 1:
        return False
    return clause_units(sentence, cuts[first], cuts[first + 1]) <= SHORT_CLAUSE_UNITS


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
        [m for term in terms for m in match_term(term, answer) if claims(answer, m)]
        for terms in compiled.pitfalls
    ]
    layout, bare = Layout.of(answer), Bare.of(answer, point_matches, compiled.points)
    points = []
    for index, (matches, weight) in enumerate(zip(point_matches, compiled.weights, strict=True)):
        best, stated = _best(answer, layout, bare, matches)
        if not stated and not layout.whole and compiled.wordings:
            said = paraphrase(answer, compiled.wordings[index])
            if said is not None and layout.states(answer, said) and bare.states(answer, said):
                best, stated = said, True
        evidence = None
        if best is not None:
            evidence = answer.clause_text(answer.sentences[best.sentence], best.start, best.end)
        points.append(
            PointResult(
                index=index,
                covered=best is not None,
                stated=stated,
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
        listed_answer=layout.whole,
    )


def suggest(
    points: Sequence[PointResult],
    pitfalls: Sequence[PitfallResult],
    coverage: float,
    stated_share: float,
) -> int:
    grade = max(grade_for_share(stated_share), min(LISTED_CAP, grade_for_share(coverage)))
    weights = [p.weight for p in points]
    marks_core = bool(weights) and max(weights) > min(weights)
    if marks_core and any(p.stated for p in points if p.weight == max(weights)):
        grade = max(grade, CORE_FLOOR)  # the core idea explained is a pass
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
    ``answer`` (terms only: no ``paraphrase``): the cheap part of ``grade_answer``, for comparing
    many cards with many answers.
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


class QuizAnswer(NamedTuple):
    card: Card
    grade: int
    seconds: float
    typed: str | None = None
    coverage: Grading | None = None
    suggested: int | None = None
    overrun: bool = False
