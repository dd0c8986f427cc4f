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
   points: its terms are then too generic to tell the two questions apart. Cards that declare
   each other ``related`` (either side is enough) are exempt from each other: an interviewer
   asks both, and near-duplicate questions share their key points on purpose; every unrelated
   card is still compared.

Rules 3-5 run the grader over every reference answer (rule 5 over every pair of cards), so they
are skipped, with a note, when more than ``MAX_GRADED_CARDS`` cards are checked at once, and the
whole lint above ``MAX_LINTED_CARDS`` (a 20k-card deck is checked in well under 2 s without it,
in minutes with it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flashdl.core.glossary import EMPTY, Glossary
from flashdl.core.grading import compile_card, compile_term, grade_answer, read_questions
from flashdl.core.matching import (
    Answer,
    CompiledTerm,
    has_cjk,
    match_term,
    normalize,
    read_answer,
)
from flashdl.core.model import Card, Deck, Term

MIN_LATIN = 3
OVERLAP_SHARE = 0.4
MAX_GRADED_CARDS = 500  # rules 3-5 grade every reference answer, rule 5 for every pair of cards
MAX_LINTED_CARDS = 2000  # rules 1-2
# ... and the characters of question and answer text they read: an answer is read into tokens
# (about 160 bytes of memory a character at worst), so a deck of a few long cards needs a cap of
# its own. The 204 bundled cards hold 554k.
MAX_LINTED_TEXT = 1_000_000
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
    read = read_questions(card)
    for what, line, term in _alternatives(card):
        for part in term.parts:
            problem = term_problem(part)
            if problem:
                findings.append(Finding(path, line, card.id, f"{what}: {problem}"))
        # As the grader compiles it: glossary spellings found in the question are left out.
        compiled = compile_term(term, glossary, read if what.startswith("key point") else ())
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
    # Which answers hold each word: a card is matched only against the answers that contain the
    # words of enough of its points (by weight) to reach the limit at all.
    postings: dict[str, set[int]] = {}
    for number, (_, answer) in enumerate(answers):
        for word in answer.words:
            postings.setdefault(word, set()).add(number)
    everyone = set(range(len(answers)))
    findings = []
    for card, path in cards:
        compiled = compile_card(card, glossary)
        total = sum(compiled.weights) or 1
        # Per point, per term, the answers where the term's words all occur (a superset of those
        # where it matches); only the answers that could reach the limit are matched.
        possible = [
            [(term, _answers_with_words(term, postings, everyone)) for term in terms]
            for terms in compiled.points
        ]
        reach: dict[int, int] = {}
        for found, weight in zip(possible, compiled.weights, strict=True):
            for number in set().union(*(where for _, where in found)):
                reach[number] = reach.get(number, 0) + weight
        worst: tuple[float, Card] | None = None
        for number, weight in reach.items():
            other, answer = answers[number]
            if (
                weight < OVERLAP_SHARE * total
                or other.id == card.id
                or declared_related(card, other)
            ):
                continue
            covered = sum(
                weight
                for found, weight in zip(possible, compiled.weights, strict=True)
                if any(number in where and match_term(term, answer) for term, where in found)
            )
            share = covered / total
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


def declared_related(card: Card, other: Card) -> bool:
    """Either card lists the other as ``related``: the deck says they are asked together, so
    their reference answers may cover each other's points (rule 5 is for unrelated cards)."""
    return other.id in card.related or card.id in other.related


def _answers_with_words(
    term: CompiledTerm, postings: dict[str, set[int]], everyone: set[int]
) -> set[int]:
    """The answers in which every part of ``term`` has a spelling whose words all occur."""
    found = everyone
    for spellings in term.parts:
        part: set[int] = set()
        for phrase in spellings:
            if phrase.formula:
                part = everyone
                break
            lists = [postings.get(word, _NONE) for word in phrase.words]
            part |= set.intersection(*lists) if lists else set()
        found = found & part
        if not found:
            break
    return found


_NONE: set[int] = set()


@dataclass(frozen=True)
class LintReport:
    findings: list[Finding]
    skipped: str = ""  # why rules 3-5 did not run, if they did not


def _text_size(cards: Iterable[Card]) -> int:
    """The characters of question and answer text of ``cards``, both languages."""
    return sum(
        len(text.zh or "") + len(text.en or "")
        for card in cards
        for text in (card.question, card.answer)
    )


def lint_decks(
    decks: Sequence[Deck],
    glossary: Glossary = EMPTY,
    *,
    compare_with: Sequence[Deck] = (),
    max_graded_cards: int = MAX_GRADED_CARDS,
    max_cards: int = MAX_LINTED_CARDS,
    max_text: int = MAX_LINTED_TEXT,
) -> LintReport:
    """Lint every card of ``decks``; rule 5 compares them with ``decks`` and ``compare_with``."""
    count = sum(len(deck.cards) for deck in decks)
    if count > max_cards:
        return LintReport(
            [],
            f"the lint was skipped: {count} cards are more than the {max_cards} it checks at"
            " once; check fewer decks to run it",
        )
    cards = [(card, deck.path) for deck in decks for card in deck.cards]
    size = _text_size(card for card, _ in cards)
    if size > max_text:
        return LintReport(
            [],
            f"the lint was skipped: the cards hold {size:,} characters of text, more than the"
            f" {max_text:,} it checks at once; check fewer decks to run it",
        )
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
    elif (size := _text_size(others)) > max_text:
        skipped = (
            f"the reference-answer rules of the lint were skipped: the cards hold {size:,}"
            f" characters of text, more than the {max_text:,} it grades at once; check fewer"
            " decks to run them"
        )
    else:
        known: dict[str, Answer] = {}
        for card, path in cards:
            findings += lint_reference_answers(card, path, glossary, known)
        findings += lint_overlap(cards, others, glossary, known)
    # One finding once: a short term repeated in several groups of a point is one problem.
    unique = sorted(dict.fromkeys(findings), key=lambda f: (f.path, f.line))
    return LintReport(unique, skipped)
