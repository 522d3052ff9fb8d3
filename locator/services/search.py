"""Buyer search: from request parameters to a page of suppliers with facet counts.

The HTML page and the JSON API both call `run`. Filters are checked against the facet manifest
(`locator/facets.py`): unknown filter names and values are dropped before a query is built,
malformed paging or sorting is a `BadSearch` with a message.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from search_index import SearchEngine

from .. import facets as manifest
from ..identifiers import slugify
from ..models import Supplier

PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_QUERY = 500  # characters; longer input is cut, not refused
SORTS = {"relevance": "Relevance", "newest": "Newest arrivals", "name": "Name (A to Z)"}



class BadSearch(ValueError):
    """A parameter that cannot be understood; the message says how to fix it."""


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE
    place: str = manifest.SEARCH  # the page or API asking: which facets it offers

    def without(self, name: str, value: str) -> dict:
        """Query parameters for the same search with one filter value removed (page reset)."""
        params = self.params()
        params[name] = [v for v in params.get(name, []) if v != value]
        params.pop("page", None)
        return params

    def params(self) -> dict:
        params: dict = {name: list(values) for name, values in self.filters.items()}
        if self.q:
            params["q"] = self.q
        if self.sort != "relevance":
            params["sort"] = self.sort
        if self.page != 1:
            params["page"] = self.page
        return params


def _whole_number(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw in (None, ""):
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadSearch(f"{name} must be a whole number from {low} to {high:,}")
    return int(raw)


def _clean_query(raw: str) -> str:
    printable = "".join(ch if ch.isprintable() else " " for ch in raw[:MAX_QUERY])
    return " ".join(printable.split())


def parse_filters(args: Mapping, place: str) -> dict[str, list[str]]:
    """The known values of the filters `place` offers (see `facets.py`) in `args` (a MultiDict:
    filters may repeat); anything else is dropped, so no unknown name or value reaches a query."""
    filters = {}
    for facet in manifest.offered_on(place):
        values = list(dict.fromkeys(v.strip() for v in args.getlist(facet.name) if v.strip()))
        if facet.vocabulary is None:
            values = [v for v in values if v == slugify(v, max_length=100)]
        else:
            known = facet.vocabulary()
            values = [v for v in values if v in known]
        if values:
            filters[facet.name] = values
    return filters


def parse(args: Mapping, *, api: bool = False) -> SearchRequest:
    """Read a search from query parameters."""
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadSearch(f"sort must be one of: {', '.join(SORTS)}")
    place = manifest.API if api else manifest.SEARCH
    return SearchRequest(
        q=_clean_query(args.get("q", "")),
        filters=parse_filters(args, place),
        sort=sort,
        page=_whole_number(args.get("page"), "page", 1, 1, 10_000),
        per_page=_whole_number(args.get("per_page"), "per_page", PER_PAGE, 1, MAX_PER_PAGE)
        if api
        else PER_PAGE,
        place=place,
    )


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchPage:
    request: SearchRequest
    total: int
    results: list[Supplier]
    highlights: dict[int, list[str]]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None
    matched_all: int = 0  # of `total`, how many match every word; the rest match some
    matches: dict[int, str] = field(default_factory=dict)  # supplier id -> "all" or "some"

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.per_page))

    @property
    def results_all(self) -> list[Supplier]:
        return [s for s in self.results if self.matches.get(s.id, "all") == "all"]

    @property
    def results_some(self) -> list[Supplier]:
        """Suppliers matching some of the words, listed after those matching all of them."""
        return [s for s in self.results if self.matches.get(s.id) == "some"]


_framework_cache: dict = {"at": 0.0, "labels": {}}
FRAMEWORK_LABELS_TTL = 300.0  # seconds; a new framework shows its slug until then


def _framework_labels(session: Session, values: set[str]) -> dict[str, str]:
    """Framework names by slug. Frameworks are free text, so their names come from the
    suppliers; the scan is cached, as it must not run on every search."""
    if not values:
        return {}
    now = time.monotonic()
    if (
        values - _framework_cache["labels"].keys()
        and now - _framework_cache["at"] > FRAMEWORK_LABELS_TTL
    ):
        labels: dict[str, str] = {}
        query = select(Supplier.frameworks).where(Supplier.status == "published")
        for frameworks in session.exec(query):
            for item in frameworks:
                labels.setdefault(slugify(item["name"]), item["name"])
        _framework_cache.update(at=now, labels=labels)
    return _framework_cache["labels"]


def _facets(session: Session, raw: Mapping, place: str) -> dict[str, list[FacetValue]]:
    facets = {}
    for facet in manifest.offered_on(place):
        entries = raw.get(facet.name, [])
        if facet.vocabulary is None:
            labels = _framework_labels(session, {value for value, *_ in entries})
        else:
            labels = facet.vocabulary()
        listed = facet.listed() if facet.listed else labels
        values = [
            FacetValue(value, labels.get(value, value), count, selected)
            for value, count, selected in entries
            if value in listed or selected
        ]
        values.sort(key=lambda v: (-v.count, v.label.lower()))
        facets[facet.name] = values
    return facets


def run(session: Session, engine: SearchEngine, request: SearchRequest) -> SearchPage:
    result = engine.search(
        request.q,
        request.filters,
        sort=request.sort,
        page=request.page,
        per_page=request.per_page,
    )
    ids = [int(hit.id) for hit in result.hits]
    rows = {
        s.id: s
        for s in session.exec(
            select(Supplier)
            .where(Supplier.id.in_(ids), Supplier.status == "published")
            .options(selectinload(Supplier.accreditations))
        )
    }
    # The index can lag the database by a moment: never show what is no longer published.
    results = [rows[i] for i in ids if i in rows]
    return SearchPage(
        request=request,
        total=result.total,
        results=results,
        highlights={int(hit.id): hit.highlights for hit in result.hits},
        facets=_facets(session, result.facets, request.place),
        suggestion=result.suggestion,
        matched_all=result.matched_all,
        matches={int(hit.id): hit.match for hit in result.hits},
    )


def result_summary(supplier: Supplier, highlights: list[str], today: date) -> dict:
    """One supplier in the API's listing shape (search results add how they matched)."""
    return {
        "slug": supplier.slug,
        "name": supplier.name,
        "summary": supplier.summary,
        "sectors": supplier.sectors,
        "regions": supplier.regions,
        "size": supplier.size,
        "legal_form": supplier.legal_form,
        "supplier_types": supplier.supplier_types,
        "accreditations": sorted({a.type for a in supplier.current_accreditations(today)}),
        "first_published_at": supplier.first_published_at.isoformat()
        if supplier.first_published_at
        else None,
        "highlights": highlights,
    }
