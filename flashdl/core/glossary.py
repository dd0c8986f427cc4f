"""The field's shared glossary: groups of zh⇄en synonyms and abbreviations.

A term that is one entry of a group also matches every other entry of that group, in every deck
(梯度消失 = vanishing gradient). Entries are compared by their matching form, so "Vanishing
Gradients" finds the group of "vanishing gradient". An entry inside a longer term is replaced too,
because people mix the languages as they type: 不影响感受野 also matches "不影响 receptive
field". The file itself is read by ``flashdl.decks.glossary``; this module only holds the groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flashdl.core.matching import normalize, phrase_key, tokenize

MAX_VARIANTS = 16  # spellings of one phrase through the glossary, at most
MAX_ENTRY_TOKENS = 8  # the longest entry looked for inside a phrase (a Chinese character: one)


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: a cache key of compiled cards
class Glossary:
    groups: tuple[tuple[str, ...], ...] = ()
    _by_key: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
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

    def equivalents(self, phrase: str) -> tuple[str, ...]:
        """``phrase`` and every entry of its groups (``phrase`` alone when it is in none)."""
        group = self._by_key.get(phrase_key(phrase), ())
        return (phrase, *(entry for entry in group if entry != phrase))

    def variants(self, phrase: str) -> tuple[str, ...]:
        """``phrase``, its equivalents, and the spellings with entries inside it replaced by
        their equivalents (longest entries first, at most ``MAX_VARIANTS``)."""
        whole = self.equivalents(phrase)
        if not self._by_key:
            return whole
        norm = normalize(phrase)
        tokens = tokenize(norm)
        spans = []  # (start, end, replacements) of entries inside the phrase, left to right
        position = 0
        while position < len(tokens):
            for size in range(min(MAX_ENTRY_TOKENS, len(tokens) - position), 0, -1):
                if size == len(tokens):
                    continue  # the whole phrase: its equivalents are above
                key = " ".join(t.text for t in tokens[position : position + size])
                group = self._by_key.get(key)
                if group:
                    start, end = tokens[position].start, tokens[position + size - 1].end
                    spans.append((start, end, group))
                    position += size
                    break
            else:
                position += 1
        found = [norm]
        for start, end, group in reversed(spans):  # right to left: offsets stay valid
            grown = []
            for text in found:
                for entry in group:
                    grown.append(f"{text[:start]} {entry} {text[end:]}".strip())
                    if len(found) + len(grown) >= MAX_VARIANTS:
                        break
            found = list(dict.fromkeys([*found, *grown]))[:MAX_VARIANTS]
        return tuple(dict.fromkeys([*whole, *found[1:]]))

    def __len__(self) -> int:
        return len(self.groups)

    @classmethod
    def of(cls, groups: Sequence[Sequence[str]]) -> Glossary:
        return cls(tuple(tuple(g) for g in groups))


EMPTY = Glossary()
