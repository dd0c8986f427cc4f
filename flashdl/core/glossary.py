"""The field's shared glossary: groups of zh⇄en synonyms and abbreviations.

A term that is one entry of a group also matches every other entry of that group, in every deck
(梯度消失 = vanishing gradient). Entries are compared by their matching form, so "Vanishing
Gradients" finds the group of "vanishing gradient". The file itself is read by
``flashdl.decks.glossary``; this module only holds the groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flashdl.core.matching import phrase_key


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

    def __len__(self) -> int:
        return len(self.groups)

    @classmethod
    def of(cls, groups: Sequence[Sequence[str]]) -> Glossary:
        return cls(tuple(tuple(g) for g in groups))


EMPTY = Glossary()
