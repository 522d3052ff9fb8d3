"""The facet manifest: every filter a buyer can use, declared once.

Each entry sits on top of one of the index's facets (`search_index.FACETS`, which says how values
are derived and matched) and adds what people see and where: the title, the vocabulary of values
and their labels, which values are listed as checkboxes, and which pages and APIs offer it. The
search service, new arrivals, the digest form, the OpenAPI document and the filter presenter all
read this list, so adding a facet means an entry here and its values in the search document
(`services/indexing.supplier_document`), nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache

from search_index import FACETS_BY_NAME, Facet
from search_index.facets import tree_prefix

from . import sizes, taxonomies

# Where a facet can be offered.
SEARCH, API, ARRIVALS, DIGEST = "search", "api", "arrivals", "digest"

Vocabulary = Callable[[], Mapping[str, str]]


@dataclass(frozen=True)
class FilterFacet:
    """``vocabulary`` gives every accepted value with its label; None means free text (any slug
    is accepted and labels come from the suppliers). ``listed`` narrows what is shown as
    checkboxes (a selected value is always shown). ``plural`` labels the digest's form fields.
    ``normalise`` turns a value as written in a URL into the vocabulary's form."""

    name: str
    title: str
    plural: str
    vocabulary: Vocabulary | None
    offered: frozenset[str]
    listed: Vocabulary | None = None
    normalise: Callable[[str], str] = str.strip

    @property
    def index(self) -> Facet:
        return FACETS_BY_NAME[self.name]

    @property
    def match(self) -> str:
        """ "any" or "all": what selecting several values means (the index decides)."""
        return self.index.match

    @property
    def hint(self) -> str:
        """What ticking several values means, shown under the filter's title."""
        return f"Suppliers with {self.match} of those you select"

    def choices(self) -> Mapping[str, str]:
        """The values offered as checkboxes where there are no counts to list them by."""
        return (self.listed or self.vocabulary or dict)()


def _accreditations() -> dict[str, str]:
    return {k: v["name"] for k, v in taxonomies.accreditation_types().items() if k != "other"}


@cache
def _cpv_levels() -> dict[str, str]:
    """Divisions ("45") and groups ("452"), the levels the index counts, and every full code
    ("45261000": that code and everything below it)."""
    return {**taxonomies.cpv_divisions(), **taxonomies.cpv_groups(), **taxonomies.cpv_codes()}


def _cpv_value(raw: str) -> str:
    """ "45261000-3" → "45261000" (the check digit is optional); a division's or group's full
    code ("45000000", "45200000") → its short form, so it ticks that checkbox."""
    code = raw.strip().split("-")[0]
    short = tree_prefix(code) if len(code) == 8 and code.isdigit() else ""
    counted = short in taxonomies.cpv_divisions() or short in taxonomies.cpv_groups()
    return short if counted else code


_EVERYWHERE = frozenset({SEARCH, API, ARRIVALS, DIGEST})
_SEARCHES = frozenset({SEARCH, API})
_LISTINGS = frozenset({SEARCH, API, ARRIVALS})

MANIFEST: tuple[FilterFacet, ...] = (
    FilterFacet("sector", "Sector", "Sectors", lambda: taxonomies.SECTORS, _EVERYWHERE),
    FilterFacet("region", "Region", "Regions", taxonomies.regions, _EVERYWHERE),
    FilterFacet("size", "Size", "Sizes", lambda: sizes.SIZE_LABELS, _LISTINGS),
    FilterFacet(
        "legal_form", "Legal form", "Legal forms", lambda: taxonomies.LEGAL_FORMS, _SEARCHES
    ),
    FilterFacet(
        "supplier_type",
        "Supplier type",
        "Supplier types",
        lambda: taxonomies.SUPPLIER_TYPES,
        _LISTINGS,
    ),
    FilterFacet("accreditation", "Accreditation", "Accreditations", _accreditations, _EVERYWHERE),
    FilterFacet(
        "cpv",
        "Category (CPV)",
        "Categories",
        _cpv_levels,
        _EVERYWHERE,
        listed=taxonomies.cpv_divisions,
        normalise=_cpv_value,
    ),
    FilterFacet("framework", "Framework", "Frameworks", None, _SEARCHES),
    FilterFacet(
        "social_value", "Social value", "Social value", taxonomies.social_value_missions, _SEARCHES
    ),
    # Suppliers holding at least one current accreditation that Supplier Locator has checked.
    FilterFacet(
        "verified",
        "Accreditation checks",
        "Accreditation checks",
        lambda: {"yes": "Verified accreditations only"},
        _EVERYWHERE,
    ),
)
BY_NAME = {facet.name: facet for facet in MANIFEST}


def offered_on(place: str) -> tuple[FilterFacet, ...]:
    """The facets a page or API offers, in manifest order."""
    return tuple(facet for facet in MANIFEST if place in facet.offered)


def names_on(place: str) -> tuple[str, ...]:
    return tuple(facet.name for facet in offered_on(place))
