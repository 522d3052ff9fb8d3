"""Procurement-aware analysis: how a word is folded before stemming, at index and query time.

* British and American spellings fold to the British one ("color" → "colour"), from
  ``data/uk_us_spellings.csv`` (see ``data/SOURCES.md``).
* A trade noun folds to its activity ("roofers" → "roofing", "electrician" → "electrical"):
  suffix rules, applied only where the activity word is in ``data/activity_words.txt`` (the
  words of the CPV vocabulary and the buyer lexicon, made by ``tools/build_activity_words.py``)
  and the noun is not one of ``data/trade_noun_exceptions.txt`` (things, not trades: "printer").
* A hyphenated word is indexed joined and as its parts ("wi-fi" → wifi, wi, fi) and queried
  joined, so "wi-fi", "wifi" and "Wi-Fi" find each other.
* An ampersand acronym stays one word ("M&E" → m&e), so it can be searched and have synonyms.
"""

from __future__ import annotations

import csv
from functools import cache, lru_cache
from pathlib import Path

from whoosh.analysis import Filter

DATA = Path(__file__).parent / "data"

# Trade-noun suffix → activity suffixes, tried in order; the first word that exists wins.
TRADE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ier", ("ing",)),  # glazier → glazing
    ("ician", ("ical",)),  # electrician → electrical
    ("ian", ("y",)),  # librarian → library
    ("ator", ("ating", "ation")),  # decorator → decorating, translator → translation
    ("or", ("ing", "ion")),  # surveyor → surveying
    ("er", ("ery", "ing", "ation")),  # joiner → joinery, roofer → roofing
    ("ist", ("y", "al", "ry")),  # therapist → therapy, dentist → dental
)
PLURAL_ENDINGS = ("iers", "ians", "ors", "ers", "ists")


def read_word_list(path: Path) -> frozenset[str]:
    """A data file of one lower-case word a line; ``#`` starts a comment."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines if (w := line.split("#", 1)[0].strip().lower()))


@cache
def spellings() -> dict[str, str]:
    """American (and variant) spelling → British."""
    with (DATA / "uk_us_spellings.csv").open(encoding="utf-8", newline="") as f:
        return {row["american"]: row["british"] for row in csv.DictReader(f)
                if row["american"] != row["british"]}


@cache
def activity_words() -> frozenset[str]:
    return read_word_list(DATA / "activity_words.txt")


@cache
def trade_noun_exceptions() -> frozenset[str]:
    return read_word_list(DATA / "trade_noun_exceptions.txt")


def trade_activity(word: str) -> str | None:
    """The activity a trade noun names, if the rules find one that exists."""
    if word.endswith(PLURAL_ENDINGS):
        word = word[:-1]
    if word in trade_noun_exceptions():
        return None
    for suffix, replacements in TRADE_RULES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            for replacement in replacements:
                if stem + replacement in activity_words():
                    return stem + replacement
            return None
    return None


@lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """One lower-case word in its folded form (British spelling, activity for a trade)."""
    word = spellings().get(word, word)
    activity = trade_activity(word)
    return activity if activity else word


class FoldFilter(Filter):
    """Applies ``fold`` to each lower-cased token. A hyphenated token becomes the joined word
    then its parts (index), or only the joined word (query). Positions are left to the
    StopFilter after it, which numbers the tokens it keeps one after another."""

    def __call__(self, tokens):
        for token in tokens:
            parts = [part for part in token.text.split("-") if part]
            token.text = fold("".join(parts))
            yield token
            if len(parts) > 1 and getattr(token, "mode", "") == "index":
                start = token.startchar if token.chars else 0
                for part in parts:
                    token.text = fold(part)
                    if token.chars:
                        token.startchar, token.endchar = start, start + len(part)
                        start += len(part) + 1
                    yield token


# Ampersand acronyms ("M&E", "R&D", "H&S") are one token: as separate letters they were too short
# to index and vanished. Words with inner hyphens stay whole for FoldFilter; otherwise Whoosh's
# default pattern.
ACRONYM_PATTERN = r"[A-Za-z]{1,2}(?:&[A-Za-z]{1,2})+(?![\w&])"
TOKEN_PATTERN = ACRONYM_PATTERN + r"|\w+(?:[.\-]\w+)*"
