"""The one declarative list of facets.

It drives the schema's keyword fields, the filter builder and facet counting. The
web app's manifest (``locator/facets.py``) adds what people see (titles, labels,
which pages offer it) on top of this list. Values that make query-time
filters simple (UK-wide suppliers count in every region, CPV codes count in their
division and group) are derived here at index time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

UK_WIDE = "UK"
ITL1_REGIONS = (
    "TLC", "TLD", "TLE", "TLF", "TLG", "TLH", "TLI", "TLJ", "TLK", "TLL", "TLM", "TLN",
)


def _regions(values: Iterable[str]) -> set[str]:
    """A UK-wide supplier is indexed under "UK" and every ITL1 region, so any region
    filter matches it and each region's count includes it."""
    out = set(values)
    if UK_WIDE in out:
        out.update(ITL1_REGIONS)
    return out


def _cpv(codes: Iterable[str]) -> set[str]:
    """8-digit CPV codes become their division (2 digits) and, below division level, their
    group (3 digits): the levels counted as facet values."""
    return {prefix for prefix in tree_tokens(codes) if len(prefix) <= 3}


ANY, ALL = "any", "all"
# Every CPV level a supplier's codes sit at or below: deep CPV filters and concept scoring.
CPV_TREE_FIELD = "cpv_tree"


def tree_prefix(code: str) -> str:
    """A CPV code's place in the tree: its digits without the trailing zeros that mark its
    level (at least the 2-digit division). "45261000" → "45261"."""
    digits = re.sub(r"\D", "", str(code))[:8]
    return digits.rstrip("0").ljust(2, "0") if digits else ""


def tree_tokens(codes: Iterable[str]) -> set[str]:
    """Every level at or above each code, for "this code or anything below it" lookups."""
    out: set[str] = set()
    for code in codes:
        prefix = tree_prefix(code)
        out.update(prefix[:n] for n in range(2, len(prefix) + 1))
    return out


@dataclass(frozen=True)
class Facet:
    """``name`` is the public URL parameter, ``field`` the document key and the
    Whoosh keyword field, ``multi`` whether the document holds a list. ``match``
    says what selecting several values means: a document with ``any`` of them,
    or only one with ``all`` of them. ``tree_field``, for a code tree (CPV), is the
    keyword field holding every level of a document's codes (``tree_tokens``): only
    the levels ``derive`` gives are counted, and a filter on a deeper code
    ("45261000": that code and everything below it) is matched through this field."""

    name: str
    field: str
    multi: bool
    derive: Callable[[Iterable[str]], set[str]] = set
    match: str = ANY
    tree_field: str | None = None

    def values(self, doc: dict) -> set[str]:
        raw = doc.get(self.field)
        if raw is None or raw == "":
            return set()
        items = raw if self.multi else [raw]
        clean = (_as_token(v) for v in items)
        return {v for v in self.derive(v for v in clean if v)}

    def accepts(self, doc: dict, selected: Iterable[str]) -> bool:
        """Whether ``doc`` passes a filter on ``selected``, as the engine decides it."""
        if self.tree_field:  # every level of the document's codes, and each code's level
            values = tree_tokens(doc.get(self.field) or ())
            wanted = {tree_prefix(v) for v in selected}
        else:
            values, wanted = self.values(doc), set(selected)
        return wanted <= values if self.match == ALL else bool(wanted & values)


def _as_token(value: object) -> str:
    """Facet values are slugs or codes; whitespace would split the keyword."""
    return re.sub(r"\s+", "-", str(value).strip())


FACETS: tuple[Facet, ...] = (
    Facet("sector", "sectors", multi=True),
    Facet("region", "regions", multi=True, derive=_regions),
    Facet("size", "size", multi=False),
    Facet("legal_form", "legal_form", multi=False),
    Facet("supplier_type", "supplier_types", multi=True),
    Facet("accreditation", "accreditations", multi=True, match=ALL),
    Facet("cpv", "cpv_codes", multi=True, derive=_cpv, tree_field=CPV_TREE_FIELD),
    Facet("framework", "frameworks", multi=True),
    Facet("social_value", "social_value", multi=True),
    Facet("verified", "verified", multi=True),  # "yes": a current accreditation was checked
)
FACETS_BY_NAME = {f.name: f for f in FACETS}
