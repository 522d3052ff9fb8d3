"""Supplier profiles: creating, editing, publishing, and reading them for the public pages.

Every change that can affect what buyers see goes through `record_change`, the one place that
stamps `updated_at` and queues the profile for re-indexing in the same transaction.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from .. import identifiers
from ..models import Accreditation, CaseStudy, IndexQueueEntry, Supplier, User, utcnow
from ..profile_sections import SECTIONS
from . import records

PER_PAGE = 20


class NotFound(LookupError):
    """No such thing, or not yours: the views turn both into a 404 so ids reveal nothing."""


class EmailNotVerified(PermissionError):
    """The owner has not confirmed their e-mail address, which publishing needs."""


def record_change(session: Session, supplier: Supplier, *, stamp: bool = True) -> None:
    """Stamp the change and queue the supplier for re-indexing, in the caller's transaction."""
    if stamp:
        supplier.updated_at = utcnow()
    session.add(supplier)
    session.flush()
    session.add(IndexQueueEntry(supplier_id=supplier.id))


def unique_slug(session: Session, name: str) -> str:
    base = identifiers.slugify(name)
    taken = set(
        session.exec(
            select(Supplier.slug).where(
                (Supplier.slug == base) | Supplier.slug.startswith(base + "-")
            )
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def for_owner(session: Session, user: User) -> Supplier | None:
    return session.exec(
        select(Supplier)
        .where(Supplier.owner_id == user.id)
        .options(selectinload(Supplier.accreditations), selectinload(Supplier.case_studies))
    ).first()


def create(session: Session, owner: User | None, changes: Mapping) -> Supplier:
    """A new draft profile. The slug comes from the first name and never changes after."""
    supplier = Supplier(
        owner_id=owner.id if owner else None,
        name=changes["name"],
        slug=unique_slug(session, changes["name"]),
    )
    apply_changes(supplier, changes)
    record_change(session, supplier)
    session.commit()
    return supplier


def apply_changes(supplier: Supplier, changes: Mapping) -> None:
    for name, value in changes.items():
        setattr(supplier, name, value)
    if supplier.is_sme and "sme" not in supplier.supplier_types:
        supplier.supplier_types = ["sme", *supplier.supplier_types]


def update(session: Session, supplier: Supplier, changes: Mapping) -> None:
    apply_changes(supplier, changes)
    record_change(session, supplier)
    session.commit()


@dataclass(frozen=True)
class Task:
    slug: str
    title: str
    complete: bool
    optional: bool


def tasks(supplier: Supplier | None) -> list[Task]:
    """The task list: one entry per profile section, complete when its required answers exist."""
    record = records.supplier_record(supplier) if supplier else {}
    return [
        Task(s.slug, s.title, bool(supplier) and s.is_complete(record), s.optional)
        for s in SECTIONS
    ]


def missing_for_publication(supplier: Supplier) -> list[str]:
    record = records.supplier_record(supplier)
    return [s.title for s in SECTIONS if s.needed_to_publish and not s.is_complete(record)]


def publish(session: Session, supplier: Supplier) -> list[str]:
    """Publish if every required section is complete; returns what is missing otherwise.
    Raises EmailNotVerified if the owner has not confirmed their address."""
    if supplier.owner is not None and not supplier.owner.email_verified:
        raise EmailNotVerified(supplier.owner.email)
    missing = missing_for_publication(supplier)
    if missing:
        return missing
    supplier.status = "published"
    if supplier.first_published_at is None:
        supplier.first_published_at = utcnow()
    record_change(session, supplier)
    session.commit()
    return []


def unpublish(session: Session, supplier: Supplier) -> None:
    supplier.status = "draft"
    record_change(session, supplier)
    session.commit()


def release(session: Session, supplier: Supplier) -> None:
    """Its owner's account is being deleted: the profile leaves the directory, loses its owner
    and its contact's personal details, and waits to be claimed. The caller commits."""
    supplier.status = "draft"
    supplier.owner_id = None
    supplier.contact_name = supplier.contact_email = supplier.contact_phone = None
    record_change(session, supplier)


# Accreditations and case studies: always reached through the owning supplier.


def _child(supplier: Supplier, items: list, item_id: int):
    for item in items:
        if item.id == item_id:
            return item
    raise NotFound(item_id)


def accreditation(supplier: Supplier, item_id: int) -> Accreditation:
    return _child(supplier, supplier.accreditations, item_id)


def case_study(supplier: Supplier, item_id: int) -> CaseStudy:
    return _child(supplier, supplier.case_studies, item_id)


def save_child(session: Session, supplier: Supplier, item, changes: Mapping) -> None:
    """Create (item is a new Accreditation/CaseStudy) or update one of the supplier's items."""
    for name, value in changes.items():
        setattr(item, name, value)
    if item.id is None:
        collection = (
            supplier.accreditations if isinstance(item, Accreditation) else supplier.case_studies
        )
        collection.append(item)
    record_change(session, supplier)
    session.commit()


def remove_child(session: Session, supplier: Supplier, item) -> None:
    collection = (
        supplier.accreditations if isinstance(item, Accreditation) else supplier.case_studies
    )
    collection.remove(item)
    record_change(session, supplier)
    session.commit()


# Public reading.


@dataclass(frozen=True)
class Page:
    items: list[Supplier]
    page: int
    pages: int
    total: int


def letters() -> list[str]:
    return list(string.ascii_uppercase) + ["0-9"]


def letters_in_use(session: Session) -> set[str]:
    """The letters (and "0-9") that some published supplier's name starts with."""
    firsts = session.exec(
        select(func.upper(func.substr(Supplier.name, 1, 1)))
        .where(Supplier.status == "published")
        .distinct()
    )
    return {"0-9" if first in string.digits else first for first in firsts}


def published_a_to_z(session: Session, letter: str | None, page: int) -> Page:
    """Published suppliers by name, optionally those starting with `letter` ("0-9" for digits)."""
    query = select(Supplier).where(Supplier.status == "published")
    if letter == "0-9":
        query = query.where(func.substr(Supplier.name, 1, 1).in_(list(string.digits)))
    elif letter:
        query = query.where(func.upper(func.substr(Supplier.name, 1, 1)) == letter)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    pages = max(1, -(-total // PER_PAGE))
    if page > pages:
        raise NotFound(page)
    items = session.exec(
        query.order_by(func.lower(Supplier.name), Supplier.id)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return Page(list(items), page, pages, total)


def visible_profile(session: Session, slug: str, viewer: User | None) -> Supplier:
    """A published profile, or the viewer's own draft; anything else is NotFound."""
    supplier = session.exec(
        select(Supplier)
        .where(Supplier.slug == slug)
        .options(selectinload(Supplier.accreditations), selectinload(Supplier.case_studies))
    ).first()
    if supplier is None:
        raise NotFound(slug)
    if supplier.is_published:
        return supplier
    if (
        viewer is not None
        and viewer.is_authenticated
        and (supplier.owner_id == viewer.id or viewer.is_admin)
    ):
        return supplier
    raise NotFound(slug)
