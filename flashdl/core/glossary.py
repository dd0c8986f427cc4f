"""The field's shared glossary: groups of zh⇄en synonyms and abbreviations.

A term that is one entry of a group also matches every other entry of that group, in every deck
(梯度消失 = vanishing gradient). Entries are compared by their matching form, so "Vanishing
Gradients" finds the group of "vanishing gradient". A Chinese entry inside a longer Chinese term
is replaced by its English equivalents too, because people type Chinese with English terms in it:
不影响感受野 also matches "不影响 receptive field". The file itself is read by ``flashdl.decks.glossary``; this module only holds the groups.
"""

from __future__ import annotations

from collections.abc import Sequence

from flashdl.core.matching import HAN, Phrase, compile_phrase, phrase_key

MAX_VARIANTS = 16  # spellings of one phrase through the glossary, at most
MAX_ENTRY_TOKENS = 8  # the longest entry looked for inside a phrase (a Chinese character: one)


class Glossary:
    """Groups of equivalent phrases. Compared and hashed by identity: compiled cards are
    remembered per glossary object."""

    def __init__(
        self,
        groups: tuple[tuple[str, ...], ...] = (),
        index: tuple[tuple[tuple[str, ...], ...], dict[str, int]] | None = None,
    ):
        """``index``: what ``index()`` returned for the same groups (the merged groups and the
        matching form of every entry), so that a cached glossary need not tokenise its ~1,000
        entries at every start."""
        self.groups = groups
        self._by_key: dict[str, tuple[str, ...]] = {}
        self._first_words: set[str] = set()  # the first words of the entries
        self._spellings: dict[str, tuple[Phrase, ...]] = {}
        if index is not None:
            merged, keys = index
            self._by_key = {key: merged[number] for key, number in keys.items()}
            self._first_words.update(key.split(" ", 1)[0] for key in self._by_key)
            return
        # Groups that share an entry are one group (union-find over the groups).
        parent = list(range(len(self.groups)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        first_group: dict[str, int] = {}
        for number, group in enumerate(self.groups):
            for entry in group:
                key = phrase_key(entry)
                if key:
                    parent[root(number)] = root(first_group.setdefault(key, number))
        merged: dict[int, list[str]] = {}
        for number, group in enumerate(self.groups):
            entries = merged.setdefault(root(number), [])
            entries.extend(e for e in group if e not in entries)
        for key, number in first_group.items():
            self._by_key[key] = tuple(merged[root(number)])
        self._first_words.update(key.split(" ", 1)[0] for key in self._by_key)

    def index(self) -> tuple[tuple[tuple[str, ...], ...], dict[str, int]]:
        """The merged groups and, per matching form of an entry, the number of its group: what
        ``Glossary(groups, index=...)`` takes back."""
        numbers: dict[tuple[str, ...], int] = {}
        keys = {key: numbers.setdefault(group, len(numbers)) for key, group in self._by_key.items()}
        return tuple(numbers), keys

    def equivalents(self, phrase: str) -> tuple[str, ...]:
        """``phrase`` and every entry of its groups (``phrase`` alone when it is in none)."""
        group = self._by_key.get(phrase_key(phrase), ())
        return (phrase, *(entry for entry in group if entry != phrase))

    def spellings(self, text: str) -> tuple[Phrase, ...]:
        """``text`` compiled, with its equivalents and, for a Chinese phrase, the spellings in
        which the Chinese entries inside it are replaced by their Latin equivalents (longest
        entries first, at most ``MAX_VARIANTS``). Only that way round: people type Chinese with
        English terms in it, hardly English with Chinese words, and a reference answer's gloss
        ("accuracy is 准确率") must not read as "is accuracy"."""
        known = self._spellings.get(text)
        if known is None:
            known = self._spellings[text] = self._find_spellings(text)
        return known

    def _find_spellings(self, text: str) -> tuple[Phrase, ...]:
        base = compile_phrase(text)
        if base is None:
            return ()
        found = {(base.tokens, base.formula): base}
        for entry in self.equivalents(text)[1:]:
            other = compile_phrase(entry)
            if other is not None:
                found.setdefault((other.tokens, other.formula), other)
        tokens = base.tokens
        if (
            base.formula
            or len(tokens) < 2
            or HAN not in base.kinds
            or base.words.isdisjoint(self._first_words)
        ):
            return tuple(found.values())
        spans = []  # (first, last, replacements) of the entries inside, left to right
        position = 0
        while position < len(tokens):
            for size in range(min(MAX_ENTRY_TOKENS, len(tokens) - position), 0, -1):
                if size == len(tokens):
                    continue  # the whole phrase: its equivalents are in already
                group = self._by_key.get(" ".join(tokens[position : position + size]))
                if group and all(kind == HAN for kind in base.kinds[position : position + size]):
                    entries = [compile_phrase(e) for e in group]
                    latin = [e for e in entries if e and not e.formula and HAN not in e.kinds]
                    spans.append((position, position + size, latin))
                    position += size
                    break
            else:
                position += 1
        variants = [(tokens, base.kinds, base.negated)]
        for first, last, entries in reversed(spans):  # right to left: positions stay valid
            grown = [
                (words[:first] + e.tokens + words[last:], kinds[:first] + e.kinds + kinds[last:],
                 negated or e.negated)
                for words, kinds, negated in variants
                for e in entries
            ]  # fmt: skip
            variants = list({v[0]: v for v in [*variants, *grown]}.values())[:MAX_VARIANTS]
        for words, kinds, negated in variants[1:]:
            found.setdefault(
                (words, ""),
                Phrase(text, words, kinds, negated=negated, words=frozenset(words)),
            )
        return tuple(found.values())[:MAX_VARIANTS]

    def __repr__(self) -> str:
        return f"Glossary(groups={self.groups!r})"

    def __len__(self) -> int:
        return len(self.groups)

    @classmethod
    def of(cls, groups: Sequence[Sequence[str]]) -> Glossary:
        return cls(tuple(tuple(g) for g in groups))


EMPTY = Glossary()
