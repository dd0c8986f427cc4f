"""Which key points a typed answer covers, by matching each point's ``terms``.

Matching is a substring test after normalisation: Unicode NFKC (full-width ``ＲｅＬＵ`` equals
``ReLU``), case folding, and removal of punctuation, symbols and spaces (so "vanishing-gradient",
"Vanishing Gradient" and "vanishinggradient" all match the term "vanishing gradient"). Substring
matching is what works for Chinese, which has no spaces between words.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from flashdl.core.model import Card, KeyPoint


def normalize(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in "PSZC")


def covers(answer: str, point: KeyPoint) -> bool:
    """True when any of the point's terms appears in ``answer``."""
    typed = normalize(answer)
    return any((term := normalize(t)) and term in typed for t in point.terms)


@dataclass(frozen=True)
class Coverage:
    covered: tuple[bool, ...]

    @property
    def count(self) -> int:
        return sum(self.covered)

    @property
    def share(self) -> float:
        return self.count / len(self.covered) if self.covered else 0.0

    @property
    def missed(self) -> tuple[int, ...]:
        return tuple(i for i, hit in enumerate(self.covered) if not hit)


def coverage(answer: str, points: Sequence[KeyPoint]) -> Coverage:
    return Coverage(tuple(covers(answer, p) for p in points))


# (lowest share of key points covered, suggested SM-2 grade), checked from the top.
GRADE_FOR_SHARE = ((0.9, 5), (0.7, 4), (0.5, 3), (0.3, 2), (1e-9, 1), (0.0, 0))


def suggested_grade(result: Coverage) -> int:
    """A starting point for self-grading: the share of key points the answer named."""
    return next(grade for floor, grade in GRADE_FOR_SHARE if result.share >= floor)


@dataclass(frozen=True)
class QuizAnswer:
    card: Card
    grade: int
    seconds: float
    typed: str | None = None
    coverage: Coverage | None = None
    suggested: int | None = None
    overrun: bool = False
