"""Turn a buyer's free text into a structured query, never via Whoosh's parser.

The small grammar: words are ANDed, "quoted phrases" are matched exactly,
a trailing ``*`` makes a prefix. Everything else (AND/OR/NOT, ``field:``,
parentheses, ``^``, ``~``, control characters, emoji) is just punctuation or a
stop word and falls away. Each resulting clause is an OR of alternatives so
that synonym groups from ``synonyms.txt`` widen a word or phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .analysis import ACRONYM_PATTERN, read_word_list
from .schema import ANALYZER

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 16
MIN_PREFIX = 2
# "wi-fi" and "M&E" stay one word (see analysis.py)
_WORD = re.compile(rf"({ACRONYM_PATTERN}|\w+(?:[.\-]\w+)*)(\*)?")
SYNONYMS_PATH = Path(__file__).with_name("synonyms.txt")
GENERIC_WORDS_PATH = Path(__file__).parent / "data" / "generic_words.txt"


@dataclass(frozen=True)
class Alternative:
    """``kind`` is "term" (one analysed token), "phrase" (consecutive tokens), "all" (every
    token, anywhere: a several-word synonym) or "prefix" (lower-cased prefixes to expand
    against the lexicon)."""

    kind: str
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Clause:
    """One thing the buyer asked for: ``text`` as typed (for suggestions),
    matched if any alternative matches."""

    text: str
    alternatives: tuple[Alternative, ...]
    kind: str  # "word", "phrase" or "prefix", as typed
    generic: bool = False  # a filler word ("firms"): nudges the score, never required


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...]

    @property
    def is_browse(self) -> bool:
        return not self.clauses

    @property
    def required(self) -> tuple[Clause, ...]:
        """The clauses a supplier must match to match every word: all but the generic ones
        (or all of them, when the query is nothing but generic words)."""
        wanted = tuple(c for c in self.clauses if not c.generic)
        return wanted or self.clauses

    @property
    def optional(self) -> tuple[Clause, ...]:
        required = self.required
        return tuple(c for c in self.clauses if c not in required)

    def adjacent_pairs(self) -> list[tuple[str, str]]:
        """Analysed tokens of neighbouring single words as typed ("skip hire" → ("skip",
        "hire")), for rewarding suppliers whose text has them side by side."""
        words = [analyse(c.text) if c.kind == "word" else () for c in self.clauses]
        return [(a[0], b[0]) for a, b in zip(words, words[1:], strict=False)
                if len(a) == 1 and len(b) == 1]

    def display(self, replace: dict[int, str] | None = None) -> str:
        """The query as a buyer would type it, optionally with clauses replaced."""
        out = []
        for i, clause in enumerate(self.clauses):
            text = (replace or {}).get(i, clause.text)
            out.append({"phrase": f'"{text}"', "prefix": f"{text}*"}.get(clause.kind, text))
        return " ".join(out)


def analyse(text: str) -> tuple[str, ...]:
    return tuple(t.text for t in ANALYZER(text))


def _alternative(text: str, several: str = "phrase") -> Alternative | None:
    tokens = analyse(text)
    if not tokens:
        return None
    return Alternative("term" if len(tokens) == 1 else several, tokens)


def _synonym(text: str) -> Alternative | None:
    """A synonym of several words matches wherever all its words occur: as a phrase it missed
    most suppliers ("legal services" found a third of those that offer legal services)."""
    return _alternative(text, several="all")


@lru_cache(maxsize=4)
def load_synonyms(path: Path = SYNONYMS_PATH) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Map each member (as a tuple of lower-cased words) to its whole group. A line
    ``a, b => c, d`` is one-way: "a" and "b" also match "c" and "d", but "c" and "d" are taken
    as typed (an acronym finds its expansion; a common phrase is not rewritten)."""
    groups: dict[tuple[str, ...], tuple[str, ...]] = {}
    path = Path(path)
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        keys, _, targets = line.partition("=>")
        members = tuple(m.strip().lower() for m in f"{keys},{targets}".split(",") if m.strip())
        keyed = members[:len([k for k in keys.split(",") if k.strip()])] if targets else members
        for member in keyed:
            groups[tuple(w.lower() for w, _ in _WORD.findall(member))] = members
    return groups


@lru_cache(maxsize=4)
def load_generic_words(path: Path = GENERIC_WORDS_PATH) -> frozenset[str]:
    """Generic procurement words, as typed (lower case): see the data file's header."""
    return read_word_list(path)


def _words(text: str) -> list[tuple[str, bool]]:
    return [(w.lower(), bool(star)) for w, star in _WORD.findall(text)]


def parse(q: str | None, synonyms: dict | None = None) -> ParsedQuery:
    """Parse ``q``; an empty or punctuation-only query is a browse (no clauses)."""
    synonyms = load_synonyms() if synonyms is None else synonyms
    text = "".join(ch if ch.isprintable() else " " for ch in (q or "")[:MAX_QUERY_CHARS])
    parts = text.split('"')
    if len(parts) % 2 == 0:  # unbalanced quote: the last one is ignored
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    clauses: list[Clause] = []
    for i, part in enumerate(parts):
        if i % 2:
            words = [w for w, _ in _words(part)]
            alt = _alternative(" ".join(words))
            if alt:
                kind = "phrase" if len(words) > 1 else "word"
                clauses.append(Clause(" ".join(words), (alt,), kind))
        else:
            clauses.extend(_word_clauses(_words(part), synonyms))
    generic = load_generic_words()
    clauses = [
        Clause(c.text, c.alternatives, c.kind, generic=c.kind == "word" and c.text in generic)
        for c in clauses
    ]
    return ParsedQuery(tuple(clauses[:MAX_CLAUSES]))


def _word_clauses(words: list[tuple[str, bool]], synonyms: dict) -> list[Clause]:
    longest = max((len(k) for k in synonyms), default=1)
    out: list[Clause] = []
    i = 0
    while i < len(words):
        word, star = words[i]
        if star:
            prefixes = {word, *analyse(word)}
            prefixes = tuple(sorted(p for p in prefixes if len(p) >= MIN_PREFIX))
            if prefixes:
                out.append(Clause(word, (Alternative("prefix", prefixes),), "prefix"))
            i += 1
            continue
        for size in range(min(longest, len(words) - i), 0, -1):
            span = words[i:i + size]
            key = tuple(w for w, _ in span)
            if key in synonyms and not any(s for _, s in span[1:]):
                alts = tuple(dict.fromkeys(a for a in map(_synonym, synonyms[key]) if a))
                if alts:
                    out.append(Clause(" ".join(key), alts, "word"))
                i += size
                break
        else:
            alt = _alternative(word)
            if alt:
                out.append(Clause(word, (alt,), "word"))
            i += 1
    return out
