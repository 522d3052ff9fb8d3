"""HTML-safe snippets for the hits on one page: matched words in <mark>.

Every character of the stored text is escaped; only our own <mark> tags are
markup. A word matches when its analysed form (lower-cased, Porter-stemmed, as
at index time) is one of the query's terms. Whoosh's own highlighter builds a
token object per word and cost ~1 ms a hit; this costs ~0.1 ms.

Snippets were still most of a warm query's time, a Python step per word of every hit's text.
The work per hit is now bounded: at most MAX_TEXT characters of a field are read, each
distinct word is analysed once (the words are split in C), a field with no matching word
stops there, and only the matching words are then located, by one regular expression.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

from .analysis import fold
from .schema import HIGHLIGHT_FIELDS

MAX_SNIPPETS = 2
CONTEXT = 50  # characters of context either side of a run of matches
SPAN = 120  # matches closer than this share a snippet
MAX_TEXT = 10_000  # characters of a field searched for matches
# Whoosh's default tokenizer pattern, \w+(\.?\w+)*, in an equal form that backtracks less.
_TOKEN = re.compile(r"\w+(?:\.\w+)*")


@lru_cache(maxsize=200_000)
def _analysed(word: str) -> str | None:
    lower = word.lower()
    if len(lower) < 2 or lower in STOP_WORDS:
        return None
    return stem(fold(lower))


@lru_cache(maxsize=4096)
def _words_pattern(words: frozenset[str]) -> re.Pattern:
    """Whole tokens (as _TOKEN splits the text) that are one of ``words``: not inside a
    longer token such as "security.team" or "cybersecurity"."""
    alternatives = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    return re.compile(rf"(?<!\w)(?<!\w\.)(?:{alternatives})(?!\.?\w)")


def _windows(text: str, terms: frozenset[str]) -> list[list[tuple[int, int]]]:
    """Runs of matches, each run short enough to show as one snippet."""
    runs: list[list[tuple[int, int]]] = []
    words = frozenset(w for w in set(_TOKEN.findall(text)) if _analysed(w) in terms)
    if not words:
        return runs
    for m in _words_pattern(words).finditer(text):
        if runs and m.end() - runs[-1][0][0] <= SPAN:
            runs[-1].append(m.span())
        else:
            runs.append([m.span()])
    return runs


def _render(text: str, run: list[tuple[int, int]]) -> str:
    start = max(0, run[0][0] - CONTEXT)
    end = min(len(text), run[-1][1] + CONTEXT)
    if start > 0:
        start = text.find(" ", start, run[0][0]) + 1 or start
    if end < len(text):
        cut = text.rfind(" ", run[-1][1], end)
        end = cut if cut > 0 else end
    out = ["…" if start > 0 else ""]
    pos = start
    for s, e in run:
        out += [escape(text[pos:s]), "<mark>", escape(text[s:e]), "</mark>"]
        pos = e
    out += [escape(text[pos:end]), "…" if end < len(text) else ""]
    return "".join(out).strip()


def snippets(stored: dict, terms: frozenset[str], limit: int = MAX_SNIPPETS) -> list[str]:
    """Up to ``limit`` snippets, richest first, from the description and then
    the case studies."""
    out: list[str] = []
    if not terms:
        return out
    for field in HIGHLIGHT_FIELDS:
        text = (stored.get(field) or "")[:MAX_TEXT]
        if len(out) >= limit or not text:
            continue
        runs = sorted(_windows(text, terms), key=len, reverse=True)[: limit - len(out)]
        out.extend(_render(text, run) for run in sorted(runs))
    return out
