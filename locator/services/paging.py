"""One page of a list that grows: its items, its number, how many pages there are, the total."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import func
from sqlmodel import Session, select

PER_PAGE = 20
T = TypeVar("T")


class PastTheEnd(LookupError):
    """A page number beyond the last page (a 404)."""


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    pages: int
    total: int


def _pages(total: int, page: int, per_page: int) -> int:
    pages = max(1, -(-total // per_page))
    if page > pages:
        raise PastTheEnd(page)
    return pages


def paginate(session: Session, query, page: int, per_page: int = PER_PAGE) -> Page:
    """One page of an ordered `query`, counted and fetched in the database."""
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    pages = _pages(total, page, per_page)
    items = session.exec(query.offset((page - 1) * per_page).limit(per_page)).all()
    return Page(list(items), page, pages, total)


def page_of(items: list[T], page: int, per_page: int = PER_PAGE) -> Page[T]:
    """One page of a list already in memory (one filtered in Python)."""
    pages = _pages(len(items), page, per_page)
    return Page(items[(page - 1) * per_page:page * per_page], page, pages, len(items))
