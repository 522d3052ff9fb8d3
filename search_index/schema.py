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

from whoosh import columns, fields
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter

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


def facet_field(name: str) -> str:
    return f"f_{name}"


def build_schema() -> fields.Schema:
    spec: dict[str, fields.FieldType] = {
        "id": fields.ID(stored=True, unique=True),
        "slug": fields.STORED(),
        "published": fields.COLUMN(columns.NumericColumn("q", default=0)),
        "tiebreak": fields.COLUMN(columns.NumericColumn("I", default=0)),
        "name_key": fields.COLUMN(columns.VarBytesColumn()),
        SPELL_FIELD: fields.TEXT(analyzer=SPELL_ANALYZER, phrase=False),
        CPV_TREE_FIELD: fields.KEYWORD(scorable=False),
    }
    for name in TEXT_BOOSTS:
        spec[name] = fields.TEXT(analyzer=ANALYZER, stored=name in HIGHLIGHT_FIELDS)
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
