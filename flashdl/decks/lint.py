"""The deck lint: the rules that keep a deck's terms useful to the quiz grader.

``flashdl check`` runs it after validation: problems are errors for the bundled decks (from deck
format 2 on) and warnings for everyone else's. The rules:

1. a term that normalises to fewer than 3 Latin characters, or is a pure number, matches by
   accident;
2. a term that occurs in the card's own question is scored by an answer that repeats the question;
3. the card's own zh or en reference answer must cover every key point and get a suggested grade
   of 5 (a reference answer that fails the grader means the terms do not fit how the point is
   said);
4. the card's own reference answer must not make one of its pitfalls' claims;
5. another card's reference answer must not cover 40 % or more (by weight) of the card's key
   points: its terms are then too generic to tell the two questions apart.

Rules 3-5 run the grader over every reference answer (rule 5 over every pair of cards), so they
are skipped, with a note, when more than ``MAX_GRADED_CARDS`` cards are checked at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flashdl.core.glossary import EMPTY, Glossary
from flashdl.core.grading import compile_term, covered_share, grade_answer
from flashdl.core.matching import Answer, has_cjk, match_term, normalize, read_answer
from flashdl.core.model import Card, Deck, Term

MIN_LATIN = 3
OVERLAP_SHARE = 0.4
MAX_GRADED_CARDS = 2000
_NUMBER = re.compile(r"[\d\s.,%+\-]+")
_LATIN = re.compile(r"[a-z0-9]")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    card_id: str
    message: str

    def formatted(self, severity: str = "") -> str:
        label = f"{severity}: " if severity else ""
        return f"{self.path}:{self.line}: {label}card '{self.card_id}': {self.message}"


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def term_problem(part: str) -> str | None:
    """Why one phrase of a term is unsafe to match, or None."""
    norm = normalize(part).strip()
    if _NUMBER.fullmatch(norm):
        return f"term '{part}' is a pure number"
    if not has_cjk(norm) and len(_LATIN.findall(norm)) < MIN_LATIN:
        return (
            f"term '{part}' has fewer than {MIN_LATIN} Latin characters and matches by accident;"
            " write it out (the glossary knows the common abbreviations)"
        )
    return None


def _alternatives(card: Card) -> Iterable[tuple[str, int, Term]]:
    """(what, line, term) for every term of the card's key points and pitfalls."""
    for number, point in enumerate(card.key_points, 1):
        for term in point.terms:
            yield f"key point #{number}", point.line or card.line, term
    for number, pitfall in enumerate(card.pitfalls, 1):
        for term in pitfall.terms:
            yield f"pitfall #{number}", pitfall.line or card.line, term


def lint_terms(card: Card, path: str, glossary: Glossary = EMPTY) -> list[Finding]:
    """Rules 1 and 2."""
    findings = []
    questions = [card.question.zh, card.question.en]
    if card.original_question is not None:
        questions += [card.original_question.zh, card.original_question.en]
    read = [read_answer(q) for q in dict.fromkeys(questions) if q]
    for what, line, term in _alternatives(card):
        for part in term.parts:
            problem = term_problem(part)
            if problem:
                findings.append(Finding(path, line, card.id, f"{what}: {problem}"))
        compiled = compile_term(term, glossary)
        if compiled is not None and any(match_term(compiled, q) for q in read):
            findings.append(
                Finding(
                    path,
                    line,
                    card.id,
                    f"{what}: term '{term}' occurs in the card's own question, so repeating the"
                    " question would score it",
                )
            )
    return findings


def _read(text: str, known: dict[str, Answer] | None) -> Answer:
    if known is None:
        return read_answer(text)
    if text not in known:
        known[text] = read_answer(text)
    return known[text]


def lint_reference_answers(
    card: Card, path: str, glossary: Glossary = EMPTY, known: dict[str, Answer] | None = None
) -> list[Finding]:
    """Rules 3 and 4 (``known``: answers already read, by text)."""
    findings = []
    for lang, text in (("zh", card.answer.zh), ("en", card.answer.en)):
        if not text:
            continue
        result = grade_answer(card, _read(text, known), glossary)
        for point in result.points:
            key_point = card.key_points[point.index]
            if not point.covered:
                findings.append(
                    Finding(
                        path,
                        key_point.line or card.line,
                        card.id,
                        f"the {lang} reference answer misses key point #{point.index + 1}"
                        f" ({_short(key_point.text.get(lang))}); give a term it uses",
                    )
                )
        for found in result.pitfalls:
            pitfall = card.pitfalls[found.index]
            findings.append(
                Finding(
                    path,
                    pitfall.line or card.line,
                    card.id,
                    f"the {lang} reference answer makes the claim of pitfall #{found.index + 1}"
                    f" («{_short(found.evidence)}»); make its terms say the wrong claim only",
                )
            )
        if result.suggested < 5 and all(p.covered for p in result.points) and not result.pitfalls:
            listed = [str(p.index + 1) for p in result.points if not p.stated]
            why = f"; key points {', '.join(listed)} are only listed" if listed else ""
            findings.append(
                Finding(
                    path,
                    card.line,
                    card.id,
                    f"the {lang} reference answer would get a suggested grade of"
                    f" {result.suggested}, not 5{why}",
                )
            )
    return findings


def lint_overlap(
    cards: Sequence[tuple[Card, str]],
    others: Sequence[Card],
    glossary: Glossary = EMPTY,
    known: dict[str, Answer] | None = None,
) -> list[Finding]:
    """Rule 5: ``cards`` (with their paths) against the reference answers of ``others``."""
    answers: list[tuple[Card, Answer]] = [
        (other, _read(text, known))
        for other in others
        for text in dict.fromkeys((other.answer.zh, other.answer.en))
        if text
    ]
    findings = []
    for card, path in cards:
        worst: tuple[float, Card] | None = None
        for other, answer in answers:
            if other.id == card.id:
                continue
            share = covered_share(card, answer, glossary, floor=OVERLAP_SHARE)
            if share >= OVERLAP_SHARE and (worst is None or share > worst[0]):
                worst = (share, other)
        if worst is not None:
            findings.append(
                Finding(
                    path,
                    card.line,
                    card.id,
                    f"{worst[0]:.0%} of its key points (by weight) are covered by the reference"
                    f" answer of card '{worst[1].id}'; make its terms specific to this question",
                )
            )
    return findings


@dataclass(frozen=True)
class LintReport:
    findings: list[Finding]
    skipped: str = ""  # why rules 3-5 did not run, if they did not


def lint_decks(
    decks: Sequence[Deck],
    glossary: Glossary = EMPTY,
    *,
    compare_with: Sequence[Deck] = (),
    max_graded_cards: int = MAX_GRADED_CARDS,
) -> LintReport:
    """Lint every card of ``decks``; rule 5 compares them with ``decks`` and ``compare_with``."""
    cards = [(card, deck.path) for deck in decks for card in deck.cards]
    findings = []
    for card, path in cards:
        findings += lint_terms(card, path, glossary)
    everyone = {id(d): d for d in (*decks, *compare_with)}.values()
    others = [card for deck in everyone for card in deck.cards]
    skipped = ""
    if len(others) > max_graded_cards:
        skipped = (
            f"the reference-answer rules of the lint were skipped: {len(others)} cards are more"
            f" than the {max_graded_cards} it grades at once; check fewer decks to run them"
        )
    else:
        known: dict[str, Answer] = {}
        for card, path in cards:
            findings += lint_reference_answers(card, path, glossary, known)
        findings += lint_overlap(cards, others, glossary, known)
    findings.sort(key=lambda f: (f.path, f.line))
    return LintReport(findings, skipped)
