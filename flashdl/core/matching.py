"""Typed answers as the grader reads them, and the deck terms that match in them.

An answer is normalised (NFKC, case-folded, with a map back to the typed characters), split into
sentences and clauses, and tokenised per script:

- Latin words on word boundaries, lightly stemmed (``stride``, ``strides`` and ``striding`` are
  one word; ``multipl`` is not a prefix of anything). ``3x3``, ``3×3`` and ``3 * 3`` are one token.
- Chinese as single characters: a term matches as a character sequence and tolerates one
  inserted particle between two characters (相似用户 matches 相似的用户). A segmenter such as
  jieba was measured and not chosen: loading its dictionary takes 0.6-3 s against a start-up
  budget of well under 0.1 s, and it splits field terms it does not know (感受野 became 感受/野随).
- Formulas (``QK^T``, ``O(n^2 d)``, ``1/sqrt(d_k)``) by a normalised form in which spacing,
  brackets, ``^``, ``_``, ``$``, multiplication signs and LaTeX spelling do not matter; their
  symbols are never simply deleted, so ``k-1`` does not match ``k1``.

A match lives inside one sentence. A negation in the same clause shortly before a match
("不/没有/并非/不会/无法/不能", "not/no/never/doesn't/without/cannot") flips it, unless the term
itself contains the negation (a term ``不饱和``); "but/而是/但" end a negation's reach.

Pure: no I/O. The compiled forms are plain tuples, cheap to build and to cache.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property, lru_cache
from typing import NamedTuple

# ---------------------------------------------------------------------------------------------
# Normalisation with a map back to the typed text

# The CJK blocks, tested in code: a regular expression with these ranges costs milliseconds to
# compile, which every start of `flashdl grade` would pay.


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch).casefold()
    # Dashes and minus signs are one hyphen; typographic quotes are plain ones.
    return folded.translate(_DASHES)


_DASHES = str.maketrans({"−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-", "’": "'", "‘": "'"})


def fold(text: str) -> tuple[str, Sequence[int]]:
    """``text`` normalised, and for each normalised character the index of its source character."""
    if text.isascii():
        return text.lower(), range(len(text))
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_DASHES)
    if len(folded) == len(text) and all(
        _fold_char(a) == b for a, b in zip(text, folded, strict=True) if a != b
    ):
        return folded, range(len(text))  # one character for one: the common case
    out: list[str] = []
    where: list[int] = []
    for index, ch in enumerate(text):
        if ch.isascii():
            out.append(ch.lower())
            where.append(index)
            continue
        folded = _fold_char(ch)
        out.append(folded)
        where.extend([index] * len(folded))
    return "".join(out), tuple(where)


def normalize(text: str) -> str:
    return fold(text)[0]


def has_cjk(text: str) -> bool:
    return not text.isascii() and any(is_han(ch) for ch in text)


# ---------------------------------------------------------------------------------------------
# Light stemming of Latin words

_VOWELS = frozenset("aeiouy")
# Words whose -ed or -ing is part of the word.
_UNSTEMMED = frozenset(
    ("embed", "speed", "seed", "need", "feed", "breed", "bleed", "shed", "bed", "string", "thing",
     "king", "ring", "sing", "bring", "spring", "during", "nothing", "something", "anything",
     "everything", "morning", "ceiling", "wing", "sibling", "swing",
     "chaos", "logos", "cosmos", "ethos", "kudos")  # singulars that end like -os plurals
)  # fmt: skip
_BRITISH = re.compile(r"is(e|es|ed|ing|ation|ations)$")
# British -our words (behaviour, neighbour, colour): spelled -or; not "four", "hour", "contour".
_BRITISH_OUR = re.compile(
    r"^(behavi|neighb|col|flav|hon|lab|fav|harb|hum|vap|vig|arm|od|endeav|rig)our(\w*)$"
)


def _has_vowel(word: str) -> bool:
    return any(c in _VOWELS for c in word)


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """A light English stemmer: plurals, -ed/-ing, -ise/-ize, -our/-or, -ization, a final e or y.

    Inflections of one word meet (stride, strides, striding → strid; normalise, normalized,
    normalization → normaliz); words are never cut to an arbitrary prefix."""
    if len(word) <= 3 or not word.isalpha() or not word.isascii() or word in _UNSTEMMED:
        return word
    word = _BRITISH.sub(r"iz\1", word)
    word = _BRITISH_OUR.sub(r"\1or\2", word)  # behaviour, neighbours, colour
    if word.endswith(("ization", "izations")):
        word = word[: word.rindex("ization")] + "ize"
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is", "as")):
        word = word[:-1]  # zeros, ratios, scenarios too: the -os singulars are _UNSTEMMED
    if len(word) >= 6 and word.endswith("ly") and word[-3] in "telsnrcdkhu":
        word = word[:-2]  # adverbs: alternately, efficiently, linearly, closely
    for suffix in ("ingly", "edly", "ing", "ed"):
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            if len(base) >= 2 and _has_vowel(base):
                word = base
                if len(word) >= 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                    word = word[:-1]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    if len(word) > 3 and word.endswith("y") and word[-2] not in _VOWELS:
        word = word[:-1] + "i"
    return word


# ---------------------------------------------------------------------------------------------
# Tokens

LATIN, HAN = 0, 1

_TOKEN = re.compile(
    r"(?P<dims>\d+(?:\s*[x×✕*]\s*\d+)+(?![0-9a-z]))"  # 3x3, 224×224×3
    r"|(?P<word>[0-9a-z]+)"
    r"|(?P<other>[^\x00-\x7f])"  # a Chinese character, a Greek letter, ...: one token each
)
_DIM_SIGN = re.compile(r"\s*[x×✕*]\s*")

# Particles a Chinese term tolerates between two of its characters; articles for Latin words.
HAN_FILLERS = frozenset("的地得之了")
LATIN_FILLERS = frozenset(("the", "a", "an"))
# A token's length for the reach of a negation: a Chinese character is about half a word.
_UNITS = (1.0, 0.55)


class Token(NamedTuple):
    text: str  # stemmed, for matching
    kind: int  # LATIN or HAN
    start: int  # in the normalised text
    end: int


def tokenize(norm: str, start: int = 0, end: int | None = None) -> list[Token]:
    tokens = []
    for m in _TOKEN.finditer(norm, start, len(norm) if end is None else end):
        kind = m.lastgroup
        if kind == "other":
            ch = m.group()
            if is_han(ch):
                tokens.append(Token(ch, HAN, m.start(), m.end()))
            elif ch.isalnum():
                tokens.append(Token(ch, LATIN, m.start(), m.end()))
            elif ch == "√":  # a word, not a gap: "除以√d_k" does not say "除以 d_k"
                tokens.append(Token("sqrt", LATIN, m.start(), m.end()))
        elif kind == "dims":
            tokens.append(Token(_DIM_SIGN.sub("x", m.group()), LATIN, m.start(), m.end()))
        else:
            tokens.append(Token(stem(m.group()), LATIN, m.start(), m.end()))
    return tokens


# ---------------------------------------------------------------------------------------------
# Formulas

_OPERATOR = re.compile(
    r"[\^_=/+*×·⋅√∑∏()\[\]{}\\<>≤≥|]|(?<=[0-9a-z])-(?=\d)|(?<![0-9a-z])[a-z]-[a-z](?![0-9a-z])"
)
_LATEX_SQRT = re.compile(r"\\sqrt\s*\{([^{}]*)\}")
_LATEX_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_LATEX_WORDS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
    "theta": "θ", "lambda": "λ", "mu": "μ", "sigma": "σ", "pi": "π", "tau": "τ", "phi": "φ",
    "eta": "η", "omega": "ω", "rho": "ρ", "nabla": "∇", "partial": "∂", "infty": "∞",
    "times": "*", "cdot": "*", "ast": "*", "sqrt": "sqrt", "left": "", "right": "", "mathrm": "",
    "mathbf": "", "mathcal": "", "operatorname": "", "text": "", "quad": "", "qquad": "",
    "approx": "≈", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "neq": "≠", "top": "t",
    "prime": "'", "ldots": "", "cdots": "", "dots": "",
}  # fmt: skip
_LATEX_COMMAND = re.compile(r"\\([a-z]+)|\\[,;:! ]")
_FORMULA_DROP = frozenset(" \t\n$(){}[]^_*·⋅×")


def is_formula(term: str) -> bool:
    """A term written with operators (not just words, hyphens and ``3x3``)."""
    return _OPERATOR.search(term) is not None


def _rewrite(
    text: str, where: Sequence[int], pattern: re.Pattern[str], replace
) -> tuple[str, list[int]]:
    """``pattern.sub(replace, text)``, keeping the map of every character to its source."""
    out: list[str] = []
    mapped: list[int] = []
    last = 0
    for m in pattern.finditer(text):
        out.append(text[last : m.start()])
        mapped.extend(where[last : m.start()])
        new = replace(m)
        out.append(new)
        if new:  # the first character stands for the start of the match, the rest for its end
            mapped.extend([where[m.start()]] + [where[m.end() - 1]] * (len(new) - 1))
        last = m.end()
    out.append(text[last:])
    mapped.extend(where[last:])
    return "".join(out), mapped


def formula_form(norm: str, where: Sequence[int] | None = None) -> tuple[str, list[int]]:
    """The normalised formula form of (normalised) text: LaTeX spelled as text, dimensions as
    ``3x3``, ``√`` as ``sqrt``; no spacing, brackets, ``^``, ``_``, ``$`` or multiplication
    signs. Returns the form and, per character, its index in ``norm`` (or in ``where``)."""
    index: Sequence[int] = range(len(norm)) if where is None else where
    text, mapped = norm, list(index)
    if "\\" in text:
        text, mapped = _rewrite(text, mapped, _LATEX_SQRT, lambda m: f"sqrt({m[1]})")
        for _ in range(3):  # nested fractions, innermost first
            text, mapped = _rewrite(text, mapped, _LATEX_FRAC, lambda m: f"({m[1]})/({m[2]})")
        text, mapped = _rewrite(
            text, mapped, _LATEX_COMMAND, lambda m: _LATEX_WORDS.get(m[1] or "", m[1] or "")
        )
    text, mapped = _rewrite(text, mapped, _DIMS_IN_FORMULA, lambda m: _DIM_SIGN.sub("x", m[0]))
    text = text.replace("√", "\x00")  # one character per source position: expanded below
    out: list[str] = []
    at: list[int] = []
    for ch, source in zip(text, mapped, strict=True):
        if ch in _FORMULA_DROP:
            continue
        if ch == "\x00":
            out.append("sqrt")
            at.extend([source] * 4)
            continue
        out.append(ch)
        at.append(source)
    return "".join(out), at


_DIMS_IN_FORMULA = re.compile(r"\d+(?:\s*[x×✕*]\s*\d+)+(?![0-9a-z])")


# ---------------------------------------------------------------------------------------------
# Sentences, clauses, negation

_SENTENCE_END = re.compile(
    r"[。！？；!?;…]+"
    r"|(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)(?<!\bcf)(?<!\bal)(?<!\d)\.(?=\s|$|[^\x00-\x7f])"
)
_LIST_ITEM = re.compile(r"\s*(?:[-*•·+>#]+\s|\d{1,2}\s*[.)、:]|\(\d{1,2}\)|[a-h]\)\s)")
_LINE_END_STOP = re.compile(r"[。！？；!?;:：.…]\s*$")
_CLAUSE = re.compile(r"[，、:：]|(?<!\d),|,(?!\d)|\s+-\s+")
# Segments for the buzzword rule: list separators (a colon keeps "term: explanation" together).
_SEGMENT = re.compile(r"[，、]|(?<!\d),|,(?!\d)|\s+-\s+")

NEGATION_ZH = (
    "没有",
    "并非",
    "并不",
    "不会",
    "无法",
    "不能",
    "不是",
    "无需",
    "无须",
    "而非",  # X 而非 Y: Y is the rejected alternative (a contrast, CONTRAST_ZH)
    "不同于",  # 不同于 X: not X
    "不",
    "没",
    "未",
)
CONTRAST_ZH = frozenset(("而非", "不同于"))
# 不 and 未 inside these words negate nothing.
NOT_NEGATION_ZH = (
    "不同", "不断", "不仅", "不只", "不止", "不管", "不论", "不过", "不少", "不错", "不久",
    "不得不", "不然", "不妨", "不光", "未来", "不可或缺", "不外乎", "不变",
)  # fmt: skip
NEGATION_EN = frozenset(
    (
        "not", "no", "never", "without", "cannot", "nor", "neither", "none", "nothing",
        "doesnt", "dont", "didnt", "isnt", "arent", "wasnt", "werent", "cant", "wont",
        "shouldnt", "couldnt", "wouldnt", "hasnt", "havent", "aint",
    )
)  # fmt: skip
NOT_NEGATION_EN = (("not", "only"), ("not", "just"), ("no", "matter"), ("no", "longer"))
# Words that introduce the rejected alternative: "Y rather than X", "instead of X", "unlike X".
CONTRAST_EN = {"than": "rather", "of": "instead"}
CONTRAST_WORD_EN = frozenset(("unlike",))
# Words after which an earlier negation no longer reaches.
SCOPE_END_ZH = (
    "而是", "但是", "但", "而", "却", "然而", "只是", "反而", "所以", "因此", "因为", "并且", "同时",
)  # fmt: skip
SCOPE_END_EN = frozenset(
    ("but", "however", "instead", "rather", "whereas", "so", "because", "since", "therefore",
     "thus", "hence", "which", "while", "and", "then")
)  # fmt: skip
NEGATION_REACH = 5.0  # in word units: a negation flips a match that starts this close after it
CONTRAST_REACH = 2.5  # ... and a contrast the phrase right after it ("instead of k² (6 ...")

_NEG_ZH = re.compile("|".join(sorted(NOT_NEGATION_ZH + NEGATION_ZH, key=len, reverse=True)))
_SCOPE_ZH = re.compile("|".join(SCOPE_END_ZH))


# Sentence and Answer are plain classes rather than dataclasses: defining a dataclass costs about
# half a millisecond at import, which every start of `flashdl grade` pays.


class Sentence:
    """One sentence of an answer: its tokens, clauses, list segments and negation words, with
    offsets into the normalised answer."""

    __slots__ = (
        "_formula", "_units", "clauses", "contrasts", "end", "negations", "scope_ends", "segments",
        "start", "starts", "text", "tokens", "units",
    )  # fmt: skip

    def __init__(
        self,
        start: int,
        end: int,
        tokens: tuple[Token, ...],
        clauses: tuple[int, ...],  # start offsets of the clauses after the first
        segments: tuple[int, ...],  # start offsets of the list segments after the first
        negations: tuple[int, ...],  # end offsets of negation words
        scope_ends: tuple[int, ...],  # offsets of words that end a negation's reach
        units: tuple[float, ...],  # cumulative word units before each token
        starts: tuple[int, ...],  # the start offset of each token
        text: str,  # the normalised text of the sentence
        contrasts: frozenset[int] = frozenset(),  # the negations that are contrasts ("rather than")
    ):
        self.start, self.end, self.tokens, self.clauses = start, end, tokens, clauses
        self.segments, self.negations, self.scope_ends = segments, negations, scope_ends
        self.units, self.starts, self.text = units, starts, text
        self.contrasts = contrasts
        self._formula: tuple[str, list[int]] | None = None
        self._units: dict[str, int] | None = None

    @property
    def content(self) -> dict[str, int]:
        """The sentence's content units (``content_units``), each at its first offset."""
        if self._units is None:
            found: dict[str, int] = {}
            for unit, offset in content_units(self):
                found.setdefault(unit, offset)
            self._units = found
        return self._units

    def _formula_form(self) -> tuple[str, list[int]]:
        if self._formula is None:
            self._formula = formula_form(self.text, range(self.start, self.end))
        return self._formula

    @property
    def formula(self) -> str:
        """The sentence in formula form (computed when a formula term first asks)."""
        return self._formula_form()[0]

    @property
    def formula_at(self) -> list[int]:
        """Per formula character, its offset in the normalised answer."""
        return self._formula_form()[1]

    def __repr__(self) -> str:
        return f"Sentence({self.start}, {self.end}, {self.text!r})"


class Answer:
    """A typed answer, read once and matched many times."""

    def __init__(
        self,
        text: str,
        norm: str,
        where: Sequence[int],  # normalised offset -> offset in ``text``
        sentences: tuple[Sentence, ...],
        index: Mapping[str, tuple[tuple[int, int], ...]],  # token -> (sentence, position)
    ):
        self.text, self.norm, self.where = text, norm, where
        self.sentences, self.index = sentences, index

    @cached_property
    def formulas(self) -> str:
        """The formula forms of all sentences, joined."""
        return "\x01".join(s.formula for s in self.sentences)

    @cached_property
    def words(self) -> frozenset[str]:
        """Every token of the answer (for a quick "can this term occur at all")."""
        return frozenset(self.index)

    def source_span(self, start: int, end: int) -> str:
        """The typed text behind ``norm[start:end]``."""
        if start >= end or not self.where:
            return ""
        begin = self.where[start]
        finish = self.where[end - 1] + 1
        return self.text[begin:finish]

    def clause_text(self, sentence: Sentence, start: int, end: int, limit: int = 80) -> str:
        """The clause around ``norm[start:end]`` as typed, cut to ``limit`` characters."""
        lo = max([sentence.start, *(c for c in sentence.clauses if c <= start)])
        hi = min([sentence.end, *(c for c in sentence.clauses if c > max(start, end - 1))])
        text = self.source_span(lo, hi).strip(" \t\n,，、:：;；.。")
        text = " ".join(text.split())
        if len(text) <= limit:
            return text
        focus = self.source_span(start, end)
        at = max(0, text.find(focus))
        begin = max(0, min(at - (limit - len(focus)) // 2, len(text) - limit))
        cut = text[begin : begin + limit]
        return ("…" if begin else "") + cut + ("…" if begin + limit < len(text) else "")


def _sentence_spans(norm: str) -> list[tuple[int, int]]:
    """Sentence ends at 。！？；.!?; and at line breaks that start a list item, follow a line that
    ends a sentence or a colon, or open a new paragraph; other line breaks are soft wraps."""
    cuts = [m.end() for m in _SENTENCE_END.finditer(norm)]
    position = 0
    lines = norm.split("\n")
    for number, line in enumerate(lines[:-1]):
        position += len(line) + 1
        following = lines[number + 1]
        if (
            not line.strip()
            or not following.strip()
            or _LINE_END_STOP.search(line)
            or _LIST_ITEM.match(following)
        ):
            cuts.append(position)
    spans = []
    start = 0
    for cut in sorted(set(cuts)):
        if cut > start:
            spans.append((start, cut))
            start = cut
    if start < len(norm):
        spans.append((start, len(norm)))
    return [(a, b) for a, b in spans if norm[a:b].strip()]


def _negations(
    norm: str, start: int, end: int, tokens: Sequence[Token]
) -> tuple[list[int], set[int]]:
    """End offsets of the negation words in ``norm[start:end]``, and which of them are
    contrasts (their rejected alternative is a short phrase: "rather than frequency")."""
    found = []
    contrasted = set()
    for m in _NEG_ZH.finditer(norm, start, end):
        if m.group() in NEGATION_ZH:
            found.append(m.end())
            if m.group() in CONTRAST_ZH:
                contrasted.add(m.end())
    for number, token in enumerate(tokens):
        if token.kind != LATIN:
            continue
        word = norm[token.start : token.end]
        following = (
            norm[tokens[number + 1].start : tokens[number + 1].end]
            if number + 1 < len(tokens)
            else ""
        )
        previous = norm[tokens[number - 1].start : tokens[number - 1].end] if number else ""
        negates = word in NEGATION_EN and (word, following) not in NOT_NEGATION_EN
        contrasts = word in CONTRAST_WORD_EN or CONTRAST_EN.get(word) == previous
        if negates or contrasts:
            found.append(token.end)
            if contrasts:
                contrasted.add(token.end)
        elif word == "t" and token.start >= 2 and norm[token.start - 1] == "'":
            found.append(token.end)  # doesn't, can't, won't
    return sorted(found), contrasted


def _scope_ends(norm: str, start: int, end: int, tokens: Sequence[Token]) -> list[int]:
    found = [m.start() for m in _SCOPE_ZH.finditer(norm, start, end)]
    found += [t.start for t in tokens if t.kind == LATIN and norm[t.start : t.end] in SCOPE_END_EN]
    return sorted(found)


def _sentence(norm: str, start: int, end: int) -> Sentence:
    tokens = tokenize(norm, start, end)
    units = [0.0]
    for token in tokens:
        units.append(units[-1] + _UNITS[token.kind])
    clauses = tuple(m.end() for m in _CLAUSE.finditer(norm, start, end))
    segments = tuple(m.end() for m in _SEGMENT.finditer(norm, start, end))
    negations, contrasts = _negations(norm, start, end, tokens)
    return Sentence(
        start=start,
        end=end,
        tokens=tuple(tokens),
        clauses=clauses,
        segments=segments,
        negations=tuple(negations),
        scope_ends=tuple(_scope_ends(norm, start, end, tokens)),
        units=tuple(units),
        starts=tuple(t.start for t in tokens),
        text=norm[start:end],
        contrasts=frozenset(contrasts),
    )


def read_answer(text: str) -> Answer:
    norm, where = fold(text)
    sentences = tuple(_sentence(norm, a, b) for a, b in _sentence_spans(norm))
    index: dict[str, list[tuple[int, int]]] = {}
    for number, sentence in enumerate(sentences):
        for position, token in enumerate(sentence.tokens):
            index.setdefault(token.text, []).append((number, position))
    return Answer(
        text=text,
        norm=norm,
        where=where,
        sentences=sentences,
        index={k: tuple(v) for k, v in index.items()},
    )


def _clause_start(sentence: Sentence, offset: int) -> int:
    position = bisect_right(sentence.clauses, offset)
    return sentence.clauses[position - 1] if position else sentence.start


def _units_at(sentence: Sentence, offset: int) -> float:
    """Word units of the tokens that start before ``offset``."""
    position = bisect_right(sentence.starts, offset - 1)
    return sentence.units[position]


def clause_units(sentence: Sentence, start: int, end: int) -> float:
    """Word units of the tokens that start in ``[start, end)`` of the sentence."""
    return _units_at(sentence, end) - _units_at(sentence, start)


def is_negated(sentence: Sentence, start: int) -> bool:
    """A negation word in the same clause, shortly before ``start``, with no "but" between."""
    if not sentence.negations:
        return False
    clause = _clause_start(sentence, start)
    for negation in sentence.negations:
        if negation > start or negation <= clause:
            continue
        if any(negation <= scope < start for scope in sentence.scope_ends):
            continue
        reach = CONTRAST_REACH if negation in sentence.contrasts else NEGATION_REACH
        if _units_at(sentence, start) - _units_at(sentence, negation) <= reach:
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Paraphrases: the content of a key point's own wording

# Words that carry no content of their own: a key point's wording is compared by the rest.
_STOP_EN = frozenset(
    ["the", "a", "an", "of", "to", "and", "or", "in", "on", "is", "are", "be", "by", "for", "with", "as", "its", "it", "that", "this", "which", "from", "at", "into", "than", "only", "one", "each", "all", "both", "can", "do", "doe", "their", "they", "them", "there", "then", "so", "such", "use", "used", "us", "via", "per", "more", "most", "less", "very", "also", "how", "what", "when", "why", "who", "not", "no"]
)  # fmt: skip
_STOP_HAN = frozenset("的地得之了是和与或在把被就也都再而及对为从到让使其这那个些一上下中")


def content_units(sentence: Sentence) -> list[tuple[str, int]]:
    """The content of a sentence as (unit, offset): Latin content words, stemmed, and pairs of
    adjacent Chinese characters (a word of two characters or a piece of a longer one) that hold
    no particle. Two wordings of one idea share most of these, in any order."""
    units = []
    tokens = sentence.tokens
    for number, token in enumerate(tokens):
        if token.kind == LATIN:
            if token.text not in _STOP_EN and (len(token.text) > 1 or token.text.isalpha()):
                units.append((token.text, token.start))
        elif token.text not in _STOP_HAN and number + 1 < len(tokens):
            following = tokens[number + 1]
            if following.kind == HAN and following.text not in _STOP_HAN:
                units.append((token.text + following.text, token.start))
    return units


# ---------------------------------------------------------------------------------------------
# Compiled terms


class Phrase(NamedTuple):
    """One spelling of one part of a term (the deck's own, or a glossary equivalent)."""

    source: str
    tokens: tuple[str, ...] = ()
    kinds: tuple[int, ...] = ()
    formula: str = ""  # set for formula terms, which match by their formula form
    negated: bool = False  # the phrase itself says "not ..."
    words: frozenset[str] = frozenset()  # the tokens, as a set


class Hit(NamedTuple):
    """Where a term part matched: a sentence and a span of the normalised answer."""

    sentence: int
    start: int
    end: int
    negated: bool


@lru_cache(maxsize=8192)
def compile_phrase(text: str) -> Phrase | None:
    norm = normalize(text).strip()
    if not norm:
        return None
    if is_formula(norm) and not has_cjk(norm):
        form, _ = formula_form(norm)
        return Phrase(source=text, formula=form) if form else None
    tokens = tokenize(norm)
    if not tokens:
        return None
    negated = _NEG_ZH.search(norm) is not None and any(
        m.group() in NEGATION_ZH for m in _NEG_ZH.finditer(norm)
    )
    negated = negated or any(
        norm[t.start : t.end] in NEGATION_EN or t.text == "t" for t in tokens if t.kind == LATIN
    )
    return Phrase(
        source=text,
        tokens=tuple(t.text for t in tokens),
        kinds=tuple(t.kind for t in tokens),
        negated=negated,
        words=frozenset(t.text for t in tokens),
    )


def phrase_key(text: str) -> str:
    """What the glossary compares: the tokens (or the formula form) of ``text``."""
    phrase = compile_phrase(text)
    if phrase is None:
        return ""
    return phrase.formula if phrase.formula else " ".join(phrase.tokens)


def _token_hits(phrase: Phrase, answer: Answer) -> Iterable[tuple[int, int, int]]:
    """(sentence, start, end) of every place the phrase's tokens occur in one clause."""
    want = phrase.tokens
    norm = answer.norm
    for number, first in answer.index.get(want[0], ()):
        sentence = answer.sentences[number]
        tokens = sentence.tokens
        position = first
        for word in range(1, len(want)):
            following = position + 1
            if (
                following < len(tokens)
                and tokens[following].text == want[word]
                and _adjacent(norm, tokens[position], tokens[following])
            ):
                position = following
                continue
            skip = following + 1
            if (
                skip < len(tokens)
                and tokens[skip].text == want[word]
                and _filler(tokens[following], phrase.kinds[word - 1], phrase.kinds[word])
                and _adjacent(norm, tokens[position], tokens[following])
                and _adjacent(norm, tokens[following], tokens[skip])
            ):
                position = skip
                continue
            break
        else:
            start, end = tokens[first].start, tokens[position].end
            if len(want) == 1 or _clause_start(sentence, start) == _clause_start(sentence, end - 1):
                yield number, start, end


def _adjacent(norm: str, left: Token, right: Token) -> bool:
    """Whether two tokens can be one phrase: Chinese characters only with nothing but spaces
    between them ("类比" is not in "分类（比如"); words across anything but a sentence end."""
    if left.kind == right.kind == HAN and right.start != left.end:
        return not norm[left.end : right.start].strip()
    return True


def _filler(token: Token, before: int, after: int) -> bool:
    if before == after == HAN:
        return token.kind == HAN and token.text in HAN_FILLERS
    if before == after == LATIN:
        return token.kind == LATIN and token.text in LATIN_FILLERS
    return False


def _formula_hits(phrase: Phrase, answer: Answer) -> Iterable[tuple[int, int, int]]:
    form, norm = phrase.formula, answer.norm
    if form not in answer.formulas:
        return
    for number, sentence in enumerate(answer.sentences):
        text, at = sentence.formula, sentence.formula_at
        position = text.find(form)
        while position >= 0:
            start, end = at[position], at[position + len(form) - 1] + 1
            before = norm[start - 1] if start > 0 else " "
            after = norm[end] if end < len(norm) else " "
            if not _glued(before, form[0]) and not _glued(form[-1], after):
                yield number, start, end
            position = text.find(form, position + 1)


def _glued(left: str, right: str) -> bool:
    """Two characters that would make one word or one number: a formula does not match inside
    ``dk-1`` or ``n23``, but ``n^2`` matches in ``n²d`` (an implied product)."""
    return (left.isascii() and right.isascii()) and (
        (left.isalpha() and right.isalpha()) or (left.isdigit() and right.isdigit())
    )


def phrase_hits(phrase: Phrase, answer: Answer) -> list[Hit]:
    found = _formula_hits(phrase, answer) if phrase.formula else _token_hits(phrase, answer)
    return [
        Hit(number, start, end, not phrase.negated and is_negated(answer.sentences[number], start))
        for number, start, end in found
    ]


class CompiledTerm(NamedTuple):
    """A term as alternatives of spellings per part: ``parts[i]`` are the spellings of part i.

    ``negated``: a part of the term says "not ...", so the negation belongs to the term and flips
    none of its parts (``{all: [not, gaussian]}`` matches "does not make it Gaussian")."""

    parts: tuple[tuple[Phrase, ...], ...]
    label: str = ""
    negated: bool = False

    @classmethod
    def of(cls, parts: tuple[tuple[Phrase, ...], ...], label: str = "") -> CompiledTerm:
        return cls(parts, label, any(spellings[0].negated for spellings in parts))


class TermMatch(NamedTuple):
    """A term found in one sentence, not negated: the hits of its parts there."""

    sentence: int
    hits: tuple[Hit, ...]

    @property
    def start(self) -> int:
        return min(h.start for h in self.hits)

    @property
    def end(self) -> int:
        return max(h.end for h in self.hits)


def may_occur(phrase: Phrase, answer: Answer) -> bool:
    """False when the phrase cannot occur: some word of it is nowhere in the answer."""
    if phrase.formula:
        return phrase.formula in answer.formulas
    return phrase.words <= answer.words


def may_match(term: CompiledTerm, answer: Answer) -> bool:
    """False when some part of ``term`` cannot occur in ``answer``."""
    words = answer.words
    for spellings in term.parts:
        for phrase in spellings:
            if phrase.formula:
                if phrase.formula in answer.formulas:
                    break
            elif phrase.words <= words:
                break
        else:
            return False
    return True


def match_term(term: CompiledTerm, answer: Answer) -> list[TermMatch]:
    """Every sentence where all parts of ``term`` occur un-negated (best hits first)."""
    per_part: list[dict[int, list[Hit]]] = []
    keep_negated = term.negated
    for spellings in term.parts:
        found: dict[int, list[Hit]] = {}
        for phrase in spellings:
            if not may_occur(phrase, answer):
                continue
            for hit in phrase_hits(phrase, answer):
                if keep_negated or not hit.negated:
                    found.setdefault(hit.sentence, []).append(hit)
        if not found:
            return []
        per_part.append(found)
    sentences = set(per_part[0])
    for found in per_part[1:]:
        sentences &= set(found)
    return [
        TermMatch(number, tuple(min(found[number], key=lambda h: h.start) for found in per_part))
        for number in sorted(sentences)
    ]
