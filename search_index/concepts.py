"""Concept search: a buyer's words matched to CPV codes, so suppliers classified under what the
buyer means rank well even when their text says it differently.

Entries are (text, CPV codes, weight): the CPV vocabulary's own descriptions and a buyer
lexicon of everyday terms, supplied by the caller (this package reads no app data). Words are
compared after the index's own analysis, so trade nouns, spellings and stems fold alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .facets import tree_prefix
from .query import analyse, load_generic_words

MIN_STRENGTH = 0.5


@dataclass(frozen=True)
class Concept:
    prefix: str  # see tree_prefix
    strength: float  # how well the entry fits the query, 0..1
    covers_query: bool  # the entry accounts for every meaningful word of the query


class ConceptIndex:
    def __init__(self, entries: Iterable[tuple[str, Iterable[str], float]]):
        self._entries: list[tuple[frozenset[str], tuple[str, ...], float]] = []
        self._by_token: dict[str, list[int]] = defaultdict(list)
        generic = self._generic = {t for w in load_generic_words() for t in analyse(w)}
        for text, codes, weight in entries:
            tokens = frozenset(analyse(text)) - generic
            if not tokens:
                continue
            for token in tokens:
                self._by_token[token].append(len(self._entries))
            self._entries.append((tokens, tuple(tree_prefix(c) for c in codes), weight))

    def match(self, text: str, limit: int = 8) -> list[Concept]:
        """The best-fitting codes for ``text``, strongest first. An entry fits when all its
        words are in the query (strength = the share of the query it explains) or the query's
        words are all in a short entry (strength = the share of the entry they fill)."""
        query = frozenset(analyse(text)) - self._generic
        if not query:
            return []
        best: dict[str, Concept] = {}
        for i in {i for token in query for i in self._by_token.get(token, ())}:
            tokens, prefixes, weight = self._entries[i]
            shared = len(tokens & query)
            if shared == len(tokens):
                strength, covers = shared / len(query), shared == len(query)
            elif shared == len(query):
                strength, covers = shared / len(tokens), True
            else:
                continue
            strength *= weight
            if strength < MIN_STRENGTH:
                continue
            for prefix in prefixes:
                found = best.get(prefix)
                if found is None or strength > found.strength:
                    best[prefix] = Concept(prefix, strength, covers)
        ranked = sorted(best.values(), key=lambda c: (-c.strength, -len(c.prefix), c.prefix))
        return ranked[:limit]
