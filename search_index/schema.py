"""The Whoosh schema and the mapping from a supplier dict to an indexed document.

The schema is lean on purpose: only id, slug and the two highlight sources are
stored; sort keys live in columns; facets are unscored keyword fields whose
postings are read into numpy by :mod:`search_index.segments`. Text fields keep
positions for phrases. (A field of adjacent-word pairs was tried instead: its
millions of unique terms made indexing ten times slower.)
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

from whoosh import columns, fields, formats
from whoosh.analysis import (
    CompositeAnalyzer,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)

from .analysis import TOKEN_PATTERN, FoldFilter
from .facets import CPV_TREE_FIELD, FACETS, tree_tokens

# Text fields and their BM25F boosts: name most, cpv_labels least.
TEXT_BOOSTS: dict[str, float] = {
    "name": 3.0,
    "summary": 2.0,
    "services": 2.0,
    "accreditation_names": 2.0,
    "description": 1.0,
    "case_studies": 1.0,
    "cpv_labels": 0.5,
}
HIGHLIGHT_FIELDS = ("description", "case_studies")
# Unstemmed words of the vocabulary-rich short fields, for "did you mean".
SPELL_FIELD = "spell"
SPELL_SOURCES = ("name", "summary", "services", "accreditation_names", "cpv_labels")

class AcronymFilter(Filter):
    """Upper-case acronyms that lower-case into stop words or other words: "IT" would become
    the stop word "it" and vanish, so it is indexed as "ict" (a synonym of "it" in queries)."""

    ACRONYMS = {"IT": "ict"}

    def __call__(self, tokens):
        for token in tokens:
            token.text = self.ACRONYMS.get(token.text, token.text)
            yield token


ANALYZER = (
    RegexTokenizer(TOKEN_PATTERN)
    | AcronymFilter()
    | LowercaseFilter()
    | FoldFilter()
    | StopFilter()
    | StemFilter()
)
# Same tokens as ANALYZER before stemming, so suggestions are real words.
SPELL_ANALYZER = RegexTokenizer() | AcronymFilter() | LowercaseFilter() | StopFilter()


class CachedText(fields.TEXT):
    """A TEXT field that indexes exactly as Whoosh's analysis does, with each distinct word's
    analysis done once per process: a word's terms depend only on the word (the filters are
    per token), and a document's positions only on where its words are and how many terms
    each gives (the StopFilter numbers the terms it keeps one after another from the first).
    Analysis token by token through six generators was most of a build's time; most words
    of a corpus repeat. Queries and anything but a plain string go through Whoosh's path."""

    CACHE_WORDS = 200_000  # distinct words kept; the cache starts again beyond this

    def _fast(self) -> bool:
        ana = self.analyzer
        return (isinstance(ana, CompositeAnalyzer) and type(ana.items[0]) is RegexTokenizer
                and not ana.items[0].gaps
                and type(self.format) in (formats.Positions, formats.Frequency))

    def _terms(self, word: str) -> tuple[bytes, ...]:
        """The terms the analyzer's filters make of one word, in order, encoded: one bytes
        object a term, shared by all its postings (they are held in memory until a commit)."""
        cache = self.__dict__.setdefault("_words", {})
        terms = cache.get(word)
        if terms is None:
            token = Token(positions=True, chars=False, boosts=True, removestops=True,
                          mode="index", text=word, pos=0, boost=1.0, stopped=False)
            stream = iter((token,))
            for item in self.analyzer.items[1:]:
                stream = item(stream)
            terms = tuple(t.text.encode("utf-8") for t in stream)
            if len(cache) >= self.CACHE_WORDS:
                cache.clear()
            cache[word] = terms
        return terms

    def index(self, value, **kwargs):
        if not isinstance(value, str) or set(kwargs) - {"mode"} \
                or kwargs.get("mode", "index") != "index" or not self._fast():
            return super().index(value, **kwargs)
        words = self.analyzer.items[0].expression.finditer(value)
        fmt = self.format
        if type(fmt) is formats.Frequency:
            freqs: dict[bytes, int] = {}
            for match in words:
                for term in self._terms(match.group(0)):
                    freqs[term] = freqs.get(term, 0) + 1
            return [(term, n, float(n) * fmt.field_boost, formats.pack_uint(n))
                    for term, n in freqs.items()]
        poses: dict[bytes, list[int]] = {}
        first, kept = None, 0
        for i, match in enumerate(words):
            for term in self._terms(match.group(0)):
                if first is None:
                    first = i
                poses.setdefault(term, []).append(first + kept)
                kept += 1
        return [(term, len(p), float(len(p)) * fmt.field_boost, fmt.encode(p))
                for term, p in poses.items()]

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_words", None)  # the cache is per process, not part of the schema
        return state


def facet_field(name: str) -> str:
    return f"f_{name}"


def build_schema() -> fields.Schema:
    spec: dict[str, fields.FieldType] = {
        "id": fields.ID(stored=True, unique=True),
        "slug": fields.STORED(),
        "published": fields.COLUMN(columns.NumericColumn("q", default=0)),
        "tiebreak": fields.COLUMN(columns.NumericColumn("I", default=0)),
        "name_key": fields.COLUMN(columns.VarBytesColumn()),
        SPELL_FIELD: CachedText(analyzer=SPELL_ANALYZER, phrase=False),
        CPV_TREE_FIELD: fields.KEYWORD(scorable=False),
    }
    for name in TEXT_BOOSTS:
        spec[name] = CachedText(analyzer=ANALYZER, stored=name in HIGHLIGHT_FIELDS)
    for facet in FACETS:
        spec[facet_field(facet.name)] = fields.KEYWORD(lowercase=False, scorable=False)
    return fields.Schema(**spec)


def tiebreak_hash(doc_id: str) -> int:
    """A stable, meaningless order for equal scores: no supplier gains from its
    name, id or age."""
    return zlib.crc32(str(doc_id).encode("utf-8"))


def to_epoch(value: datetime | None) -> int:
    if value is None:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def to_whoosh(doc: dict) -> dict:
    """Map a supplier dict (see the package docstring) to Whoosh field values."""
    out = {
        "id": str(doc["id"]),
        "slug": doc.get("slug") or "",
        "published": to_epoch(doc.get("first_published_at")),
        "tiebreak": tiebreak_hash(doc["id"]),
        "name_key": (doc.get("name") or "").casefold().encode("utf-8"),
        SPELL_FIELD: "\n".join(doc.get(f) or "" for f in SPELL_SOURCES),
        CPV_TREE_FIELD: " ".join(sorted(tree_tokens(doc.get("cpv_codes") or ()))),
    }
    for name in TEXT_BOOSTS:
        out[name] = doc.get(name) or ""
    for facet in FACETS:
        out[facet_field(facet.name)] = " ".join(sorted(facet.values(doc)))
    return out
