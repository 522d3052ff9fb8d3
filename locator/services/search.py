"""Buyer search: from request parameters to a page of suppliers with facet counts.

The HTML page and the JSON API both call `run`. Filters are checked against the facet manifest
(`locator/facets.py`): unknown filter names and values are dropped before a query is built,
malformed paging or sorting is a `BadSearch` with a message.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import defer, selectinload
from sqlmodel import Session, select

from search_index import SearchEngine

from .. import facets as manifest
from ..identifiers import slugify
from ..models import Supplier
from . import query_reading
from .paging import PER_PAGE

MAX_PER_PAGE = 100
MAX_PAGE = 10_000
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
    rejected: list[tuple[str, str]] = field(default_factory=list)  # unknown (filter, value)s

    def without(self, name: str, *values: str) -> dict:
        """Query parameters for the same search with filter values removed (page reset)."""
        params = self.params()
        params[name] = [v for v in params.get(name, []) if v not in values]
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


def read_filters(
    args: Mapping, place: str
) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """The known values of the filters `place` offers (see `facets.py`) in `args` (a MultiDict:
    filters may repeat), and the (filter, value) pairs that are not known, so no unknown value
    reaches a query and none is dropped without the caller knowing."""
    filters, rejected = {}, []
    for facet in manifest.offered_on(place):
        values = [facet.normalise(v) for v in args.getlist(facet.name) if v.strip()]
        known = facet.vocabulary() if facet.vocabulary else None
        for value in dict.fromkeys(values):
            ok = value in known if known is not None else value == slugify(value, max_length=100)
            if ok:
                filters.setdefault(facet.name, []).append(value)
            else:
                rejected.append((facet.name, value))
    return filters, rejected


def unknown_filter(name: str, value: str) -> str:
    """The API's error for a filter value it does not know."""
    return f"{name} has no value {value!r}: the facets of a search response list the values"


def parse(args: Mapping, *, api: bool = False) -> SearchRequest:
    """Read a search from query parameters."""
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadSearch(f"sort must be one of: {', '.join(SORTS)}")
    place = manifest.API if api else manifest.SEARCH
    filters, rejected = read_filters(args, place)
    if api and rejected:
        raise BadSearch(unknown_filter(*rejected[0]))
    page, per_page = api_paging(args) if api else (_page(args), PER_PAGE)
    return SearchRequest(
        q=_clean_query(args.get("q", "")),
        filters=filters,
        rejected=rejected,
        sort=sort,
        page=page,
        per_page=per_page,
        place=place,
    )


def _page(args: Mapping) -> int:
    return _whole_number(args.get("page"), "page", 1, 1, MAX_PAGE)


def api_paging(args: Mapping) -> tuple[int, int]:
    """The API's `page` and `per_page` (its lists' paging), or `BadSearch` saying what is wrong."""
    return _page(args), _whole_number(args.get("per_page"), "per_page", PER_PAGE, 1, MAX_PER_PAGE)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Interpretation:
    """How the query was read, so the page can say what it did and offer a way back. ``typed``
    is the query as the buyer wrote it; the request the page shows has been rewritten."""

    typed: str
    regions: tuple[str, ...] = ()  # region filters added because the query named a place
    place: str = ""  # that place, as typed
    cpv: str | None = None  # a CPV code in the query, now a filter
    company_number: str | None = None  # the query was the number of a listed supplier…
    company_id: int | None = None  # …this one
    corrected_from: str | None = None  # nothing matched this spelling; a correction ran

    @property
    def changed(self) -> bool:
        """Whether the search differs from the words as typed."""
        return bool(self.regions or self.cpv or self.company_id or self.corrected_from)


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
    interpretation: Interpretation | None = None  # set when the query was read for more

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
_framework_scan = threading.Lock()
FRAMEWORK_LABELS_TTL = 300.0  # seconds; a new framework shows its slug until then

# Every published supplier's framework names, distinct, found by the database: decoding every
# supplier's list in Python took seconds at 100,000 suppliers, in every thread that asked.
_FRAMEWORK_NAMES = {
    "postgresql": "SELECT DISTINCT e ->> 'name' FROM suppliers, json_array_elements(frameworks) e"
                  " WHERE status = 'published'",
    "sqlite": "SELECT DISTINCT json_extract(e.value, '$.name') FROM suppliers,"
              " json_each(suppliers.frameworks) e WHERE status = 'published'",
}


def _framework_labels(session: Session, values: set[str]) -> dict[str, str]:
    """Framework names by slug. Frameworks are free text, so their names come from the
    suppliers: read at most every `FRAMEWORK_LABELS_TTL` when a slug has no name, by one
    thread at a time (the others show the names known so far, and wait only for the first)."""
    cache = _framework_cache
    if not values or not (
        values - cache["labels"].keys() and time.monotonic() - cache["at"] > FRAMEWORK_LABELS_TTL
    ):
        return cache["labels"]
    if _framework_scan.acquire(blocking=not cache["at"]):
        try:
            if time.monotonic() - cache["at"] > FRAMEWORK_LABELS_TTL:
                query = text(_FRAMEWORK_NAMES[session.get_bind().dialect.name])
                names = [name for (name,) in session.exec(query) if name]
                cache.update(at=time.monotonic(), labels={slugify(n): n for n in sorted(names)})
        finally:
            _framework_scan.release()
    return cache["labels"]


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


def interpret(session: Session, request: SearchRequest) -> tuple[SearchRequest, Interpretation]:
    """Read the query for what is not words to match (see `query_reading`): a Companies House
    number of a listed supplier finds that supplier; a CPV code and a named place become
    filters, and the words left are searched."""
    reading = query_reading.read(request.q)
    if reading.company_number:
        found = session.exec(
            select(Supplier.id).where(
                Supplier.companies_house_number == reading.company_number,
                Supplier.status == "published",
            )
        ).first()
        if found:
            return replace(request, q=""), Interpretation(
                request.q, company_number=reading.company_number, company_id=found
            )
    filters = {name: list(values) for name, values in request.filters.items()}
    if reading.cpv and reading.cpv not in filters.get("cpv", []):
        filters.setdefault("cpv", []).append(reading.cpv)
    added = tuple(r for r in reading.regions if r not in filters.get("region", []))
    if added:
        filters.setdefault("region", []).extend(added)
    rewritten = replace(request, q=reading.text, filters=filters)
    return rewritten, Interpretation(
        request.q, regions=added, place=reading.place if added else "", cpv=reading.cpv
    )


def _search(engine: SearchEngine, request: SearchRequest, company_id: int | None):
    return engine.search(
        request.q,
        request.filters,
        sort=request.sort,
        page=request.page,
        per_page=request.per_page,
        ids=None if company_id is None else [str(company_id)],
    )


# Columns a result never shows (the page and the API list name, summary, place, size, sectors and
# accreditations): left unread, a page of results decodes a few small JSON values a supplier,
# not its whole profile and the approved copy of it.
_NOT_LISTED = [
    defer(column)
    for column in (
        Supplier.description, Supplier.services, Supplier.cpv_codes, Supplier.sic_codes,
        Supplier.frameworks, Supplier.social_value, Supplier.approved_record,
    )
]


def run(
    session: Session, engine: SearchEngine, request: SearchRequest, *, accreditations: bool = False
) -> SearchPage:
    """Search as a buyer means it: the query is read for places, codes and company numbers
    (`interpret`), and a query whose spelling matches no supplier in full runs again with the
    suggested spelling. `accreditations` loads the results' accreditations (the API lists them;
    the page does not, and the extra query was ~10 % of its CPU)."""
    interpretation = Interpretation(request.q)
    if request.q:
        request, interpretation = interpret(session, request)
    result = _search(engine, request, interpretation.company_id)
    if request.q and result.matched_all == 0 and result.suggestion:
        request, typed = replace(request, q=result.suggestion), request.q
        interpretation = replace(interpretation, corrected_from=typed)
        result = _search(engine, request, interpretation.company_id)
    ids = [int(hit.id) for hit in result.hits]
    query = select(Supplier).where(Supplier.id.in_(ids), Supplier.status == "published")
    if accreditations:
        query = query.options(selectinload(Supplier.accreditations))
    rows = {s.id: s for s in session.exec(query.options(*_NOT_LISTED))}
    # The index can lag the database by a moment: never show what is no longer published.
    results = [rows[i] for i in ids if i in rows]
    return SearchPage(
        request=request,
        total=result.total,
        results=results,
        highlights={int(hit.id): hit.highlights for hit in result.hits},
        facets=_facets(session, result.facets, request.place),
        suggestion=None if interpretation.corrected_from else result.suggestion,
        matched_all=result.matched_all,
        matches={int(hit.id): hit.match for hit in result.hits},
        interpretation=interpretation if interpretation.changed else None,
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
