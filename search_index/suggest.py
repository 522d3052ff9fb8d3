""""Did you mean …?" from the index's own vocabulary and the procurement vocabulary.

A word is looked up in the unstemmed ``spell`` field (names, summaries, services,
accreditations, CPV labels) and, analysed, in the text fields ("guards" is meant if a supplier
writes "guard"). A word found nowhere is corrected to the nearest word, by
Damerau–Levenshtein distance (a swap of two letters, "secuirty", is one edit), of that field or
of the procurement vocabulary (every word of the CPV descriptions and the buyer lexicon,
``data/activity_words.txt``): buyers misspell the trades they look for ("electritians",
"acountants") and suppliers seldom write those nouns. A vocabulary word is offered only if the
index holds its analysed form, so a suggestion always finds something. A word that is two
words run together is split. Among equally near
words, the one more suppliers use wins.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache, lru_cache

from .analysis import activity_words
from .query import ParsedQuery, analyse
from .schema import SPELL_FIELD, TEXT_BOOSTS
from .snapshot import Snapshot

MIN_PART = 3  # letters in each half of a word split in two


@cache
def _vocabulary_by_initial() -> dict[str, tuple[str, ...]]:
    by_initial: dict[str, list[str]] = defaultdict(list)
    for word in activity_words():
        if len(word) >= 3 and word.isalpha():
            by_initial[word[0]].append(word)
    return {initial: tuple(sorted(words)) for initial, words in by_initial.items()}


@lru_cache(maxsize=4096)
def _vocabulary_near(word: str, maxdist: int) -> tuple[tuple[int, str], ...]:
    """(distance, word) for the procurement words within ``maxdist`` edits, same first letter."""
    near = ((_distance(word, c, maxdist), c) for c in _vocabulary_by_initial().get(word[0], ()))
    return tuple((d, c) for d, c in near if 0 < d <= maxdist)


def _text_frequency(reader, word: str) -> int:
    """How many supplier texts hold the word once analysed (most of its fields' counts)."""
    tokens = analyse(word)
    if len(tokens) != 1:
        return 0
    return max(reader.doc_frequency(field, tokens[0]) for field in TEXT_BOOSTS)


def _best_correction(snap: Snapshot, word: str) -> str | None:
    if len(word) < 3 or not word.isalpha():
        return None
    maxdist = 1 if len(word) <= 4 else 2
    with snap.io_lock:
        reader = snap.reader
        if reader.doc_frequency(SPELL_FIELD, word) or _text_frequency(reader, word):
            return None  # a word some supplier's text holds, maybe in another form, is meant
        ranked = []
        for c in reader.terms_within(SPELL_FIELD, word, maxdist, prefix=1):
            c = c.decode("utf-8") if isinstance(c, bytes) else c
            if c != word:
                ranked.append((_distance(word, c), -reader.doc_frequency(SPELL_FIELD, c), c))
        known = {c for *_, c in ranked}
        for distance, c in _vocabulary_near(word, maxdist):
            if c not in known and (frequency := _text_frequency(reader, c)):
                ranked.append((distance, -frequency, c))
        ranked += _splits(reader, word)
    return min(ranked)[2] if ranked else None


def _splits(reader, word: str) -> list[tuple[int, int, str]]:
    """Two words run together ("housebuilders", "signwriters"): a missing space is one edit,
    offered where both halves are in supplier texts."""
    found = []
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        left, right = word[:i], word[i:]
        frequency = min(_text_frequency(reader, left), _text_frequency(reader, right))
        if frequency:
            found.append((1, -frequency, f"{left} {right}"))
    return found


def _distance(a: str, b: str, limit: int | None = None) -> int:
    """Edits from a to b: insertions, deletions, substitutions and swaps of adjacent letters
    (optimal string alignment). With ``limit``, any answer above it may be given as limit + 1."""
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    before, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            best = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if before is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, before[j - 2] + 1)
            cur.append(best)
        if limit is not None and min(cur) > limit:
            return limit + 1
        before, prev = prev, cur
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
