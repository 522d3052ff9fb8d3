"""HTML-safe snippets for the hits on one page: matched words in <mark>.

Every character of the stored text is escaped; only our own <mark> tags are
markup. A word matches when its analysed form (lower-cased, Porter-stemmed, as
at index time) is one of the query's terms. Whoosh's own highlighter builds a
token object per word and cost ~1 ms a hit; this costs ~0.1 ms.
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
_TOKEN = re.compile(r"\w+(?:\.?\w+)*")  # Whoosh's default tokenizer pattern


@lru_cache(maxsize=200_000)
def _analysed(word: str) -> str | None:
    lower = word.lower()
    if len(lower) < 2 or lower in STOP_WORDS:
        return None
    return stem(fold(lower))


def _windows(text: str, terms: frozenset[str]) -> list[list[tuple[int, int]]]:
    """Runs of matches, each run short enough to show as one snippet."""
    runs: list[list[tuple[int, int]]] = []
    for m in _TOKEN.finditer(text):
        if _analysed(m.group()) in terms:
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
        text = stored.get(field) or ""
        if len(out) >= limit or not text:
            continue
        runs = sorted(_windows(text, terms), key=len, reverse=True)[: limit - len(out)]
        out.extend(_render(text, run) for run in sorted(runs))
    return out
