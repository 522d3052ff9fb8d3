""""Did you mean …?" from the index's own vocabulary.

Looks words up in the unstemmed ``spell`` field (names, summaries, services,
accreditations, CPV labels), so suggestions are real words buyers would type.
"""

from __future__ import annotations

from .query import ParsedQuery
from .schema import SPELL_FIELD
from .snapshot import Snapshot


def _best_correction(snap: Snapshot, word: str) -> str | None:
    if len(word) < 3 or not word.isalpha():
        return None
    with snap.io_lock:
        reader = snap.reader
        if reader.doc_frequency(SPELL_FIELD, word):
            return None
        maxdist = 1 if len(word) <= 4 else 2
        candidates = [
            (c.decode("utf-8") if isinstance(c, bytes) else c)
            for c in reader.terms_within(SPELL_FIELD, word, maxdist, prefix=1)
        ]
        ranked = [(_distance(word, c), -reader.doc_frequency(SPELL_FIELD, c), c)
                  for c in candidates if c != word]
    return min(ranked)[2] if ranked else None


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def suggest(parsed: ParsedQuery, snap: Snapshot) -> str | None:
    """A corrected query string, or None if no word needs correcting. The caller
    decides whether the correction finds more than the original."""
    replace = {}
    for i, clause in enumerate(parsed.clauses):
        if clause.kind != "word" or len(clause.alternatives) != 1:
            continue  # phrases, prefixes and synonym groups are taken as meant
        fixed = _best_correction(snap, clause.text)
        if fixed:
            replace[i] = fixed
    return parsed.display(replace) if replace else None
