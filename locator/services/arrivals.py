"""New arrivals: suppliers whose profile was first published in a given ISO week.

A week's listing is a date-range query on the database (an indexed column), not a search-index
query. Filters are the manifest's (`locator/facets.py`) and use the index's own facet rules
(UK-wide suppliers match every region, CPV codes count in their division and group, "all of"
facets need every value), applied to the week's few arrivals, so a filter means the same thing
here as on the search page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import func
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from search_index import SearchEngine

from .. import facets as manifest
from ..models import Supplier
from ..weeks import IsoWeek
from . import search
from .indexing import supplier_document
from .paging import PER_PAGE, Page, page_of, paginate


def read_filters(args: Mapping) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Known values of the filters new arrivals offer, and the unknown (filter, value) pairs."""
    return search.read_filters(args, manifest.ARRIVALS)


def _matches(supplier: Supplier, filters: Mapping[str, list[str]], today: date) -> bool:
    if not filters:
        return True
    document = supplier_document(supplier, today)
    for name, chosen in filters.items():
        facet = manifest.BY_NAME[name].index
        if not facet.accepts(document, chosen):
            return False
    return True


def for_week(
    session: Session, week: IsoWeek, filters: Mapping[str, list[str]] | None = None
) -> list[Supplier]:
    """Published suppliers that arrived in `week`, newest first."""
    return between(session, week.starts, week.ends, filters)


# What filtering a supplier reads beside its own columns (`indexing.supplier_document`).
_FOR_FILTERS = (Supplier.accreditations, Supplier.case_studies)


def _arrived(starts: datetime, ends: datetime, loads=_FOR_FILTERS):
    """Published suppliers that arrived in [starts, ends), newest first, with `loads`."""
    return (
        select(Supplier)
        .where(
            Supplier.status == "published",
            Supplier.first_published_at >= starts,
            Supplier.first_published_at < ends,
        )
        .order_by(Supplier.first_published_at.desc(), Supplier.id.desc())
        .options(*(selectinload(relation) for relation in loads))
    )


def between(
    session: Session,
    starts: datetime,
    ends: datetime,
    filters: Mapping[str, list[str]] | None = None,
) -> list[Supplier]:
    """Published suppliers that arrived in [starts, ends), newest first."""
    today = date.today()
    return [s for s in session.exec(_arrived(starts, ends)) if _matches(s, filters or {}, today)]


def week_page(
    session: Session, week: IsoWeek, filters: Mapping[str, list[str]], page: int,
    per_page: int = PER_PAGE, *, accreditations: bool = False,
) -> Page[Supplier]:
    """One page of a week's arrivals: counted and fetched in the database when nothing is
    filtered (a busy week has thousands), otherwise filtered here first (`paging.PastTheEnd`
    past the last page). `accreditations` loads the page's (the API lists them; the page
    does not, and the two extra queries were a third of its time)."""
    if not filters:
        loads = (Supplier.accreditations,) if accreditations else ()
        return paginate(session, _arrived(week.starts, week.ends, loads), page, per_page)
    return page_of(for_week(session, week, filters), page, per_page)


def latest_matching_week(
    session: Session, engine: SearchEngine, filters: Mapping[str, list[str]]
) -> IsoWeek | None:
    """The week in which the newest published supplier matching `filters` arrived, for a
    filtered week with none: the search index knows the newest match at once, where the
    database would be read week by week. None if nothing matches."""
    found = engine.search("", filters, sort="newest", per_page=1)
    newest = session.get(Supplier, int(found.hits[0].id)) if found.hits else None
    if newest is None or newest.status != "published" or newest.first_published_at is None:
        return None
    return IsoWeek.containing(newest.first_published_at)


def first_week(session: Session) -> IsoWeek:
    """The week the first supplier arrived, when the service started (this week before then):
    no earlier week has a page."""
    first = session.exec(select(func.min(Supplier.first_published_at))).one()
    return IsoWeek.containing(first) if first else IsoWeek.current()


def archive(session: Session, latest: IsoWeek) -> list[tuple[IsoWeek, int]]:
    """(week, count of arrivals still published) for each week up to `latest` that has any,
    newest first."""
    arrivals = session.exec(
        select(Supplier.first_published_at).where(
            Supplier.status == "published", Supplier.first_published_at < latest.ends
        )
    )
    return sorted(Counter(IsoWeek.containing(moment) for moment in arrivals).items(), reverse=True)
