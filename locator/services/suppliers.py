"""Supplier profiles: creating, editing, publishing, and reading them for the public pages.

Every change that can affect what buyers see goes through `record_change`, the one place that
stamps `updated_at`, notes edits an admin has not yet reviewed, and queues the profile for
re-indexing in the same transaction.

A new profile is published only once an admin approves it: the supplier's "Publish" submits it
for review (`services/admin.py` decides). After that first approval the supplier publishes and
unpublishes at will, and edits go live at once and wait in the admin's queue.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from .. import identifiers
from ..models import Accreditation, CaseStudy, IndexQueueEntry, Supplier, User, utcnow
from ..profile_sections import BY_SLUG, SECTIONS, UNCLAIMED_MAY_OMIT
from . import records
from .paging import Page, paginate

CONTACT_FIELDS = BY_SLUG["contact"].fields  # a person's details: removed with their account


class NotFound(LookupError):
    """No such thing, or not yours: the views turn both into a 404 so ids reveal nothing."""


class NumberTaken(ValueError):
    """The Companies House number is already on another profile (`holder`), which its business
    can claim; until an admin releases it, nobody else can use it (#13: no squatting)."""

    def __init__(self, holder: Supplier):
        super().__init__(holder.companies_house_number)
        self.holder = holder


class Suspended(PermissionError):
    """An admin suspended this profile: only an admin can put it back."""


class EmailNotVerified(PermissionError):
    """The owner has not confirmed their e-mail address, which publishing needs."""


def record_change(session: Session, supplier: Supplier, *, stamp: bool = True) -> None:
    """Stamp the change, note whether the live profile now differs from what an admin last
    accepted, and queue the supplier for re-indexing, in the caller's transaction."""
    if stamp:
        supplier.updated_at = utcnow()
    if supplier.approved_record is not None:
        differs = records.reviewable_record(supplier) != supplier.approved_record
        supplier.edited_since = (supplier.edited_since or utcnow()) if differs else None
    session.add(supplier)
    session.flush()
    session.add(IndexQueueEntry(supplier_id=supplier.id))


def number_holder(
    session: Session, number: str | None, supplier: Supplier | None
) -> Supplier | None:
    """The other profile that already has this Companies House number, if any."""
    if not number:
        return None
    holder = session.exec(select(Supplier).where(Supplier.companies_house_number == number)).first()
    return holder if holder is not None and holder is not supplier else None


@contextmanager
def number_guard(session: Session, supplier: Supplier, number: str | None) -> Iterator[None]:
    """Commit the changes made in the block, which give `supplier` the Companies House `number`,
    turning the unique index's refusal (another request took the number between the check and
    the write) into `NumberTaken`."""
    try:
        yield
        session.commit()
    except IntegrityError:
        session.rollback()
        holder = number_holder(session, number, supplier)
        if holder is None:
            raise
        raise NumberTaken(holder) from None


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
    """A new draft profile. The slug comes from the first name and never changes after.
    Raises `NumberTaken` (saving nothing) if another profile has its Companies House number."""
    holder = number_holder(session, changes.get("companies_house_number"), None)
    if holder is not None:
        raise NumberTaken(holder)
    supplier = Supplier(
        owner_id=owner.id if owner else None,
        name=changes["name"],
        slug=unique_slug(session, changes["name"]),
    )
    with number_guard(session, supplier, changes.get("companies_house_number")):
        apply_changes(supplier, changes)
        record_change(session, supplier)
    return supplier


def apply_changes(supplier: Supplier, changes: Mapping) -> None:
    for name, value in changes.items():
        setattr(supplier, name, value)
    supplier.name_key = identifiers.name_key(supplier.name)
    if supplier.is_sme and "sme" not in supplier.supplier_types:
        supplier.supplier_types = ["sme", *supplier.supplier_types]


def update(session: Session, supplier: Supplier, changes: Mapping) -> None:
    """Save a section; raises `NumberTaken` (saving nothing) as `create` does."""
    holder = number_holder(session, changes.get("companies_house_number"), supplier)
    if holder is not None:
        raise NumberTaken(holder)
    with number_guard(session, supplier, changes.get("companies_house_number")):
        apply_changes(supplier, changes)
        record_change(session, supplier)


def similar_names(session: Session, supplier: Supplier) -> list[Supplier]:
    """Other profiles whose names match this one's once case, punctuation and legal-form words
    ("Ltd", "Limited") are set aside: possible duplicates, for an admin to look at."""
    return list(session.exec(
        select(Supplier)
        .where(Supplier.name_key == supplier.name_key, Supplier.id != supplier.id)
        .order_by(Supplier.id)
        .limit(10)
    ))


def with_similar_names(session: Session, items: list[Supplier]) -> set[int]:
    """The ids of those of `items` that `similar_names` would find a match for (one query for
    a page of a list)."""
    keys = {item.name_key for item in items if item.name_key}
    if not keys:
        return set()
    shared = set(session.exec(
        select(Supplier.name_key).where(Supplier.name_key.in_(keys))
        .group_by(Supplier.name_key).having(func.count() > 1)
    ))
    return {item.id for item in items if item.name_key in shared}


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
    """The titles of the sections publishing needs that are not complete. A listing made from
    public records of a business that has not claimed it needs less (`UNCLAIMED_MAY_OMIT`)."""
    record = records.supplier_record(supplier)
    excused = UNCLAIMED_MAY_OMIT if supplier.owner_id is None else ()
    return [
        s.title
        for s in SECTIONS
        if s.needed_to_publish and s.slug not in excused and not s.is_complete(record)
    ]


def publish(session: Session, supplier: Supplier) -> list[str]:
    """Publish a profile an admin has approved before, or submit a new one for review, if every
    section publishing needs is complete; returns what is missing otherwise. Raises
    EmailNotVerified if the owner has not confirmed their address."""
    if supplier.status == "suspended":
        raise Suspended(supplier.slug)
    if supplier.owner is not None and not supplier.owner.email_verified:
        raise EmailNotVerified(supplier.owner.email)
    missing = missing_for_publication(supplier)
    if missing:
        return missing
    if supplier.approved_at is None:
        supplier.status = "submitted"
        supplier.status_reason = None
    else:
        mark_published(supplier)
    record_change(session, supplier)
    session.commit()
    return []


def mark_published(supplier: Supplier) -> None:
    supplier.status = "published"
    supplier.status_reason = None
    if supplier.first_published_at is None:
        supplier.first_published_at = utcnow()


def unpublish(session: Session, supplier: Supplier) -> None:
    """Take the profile off the service, or withdraw it from review."""
    if supplier.status == "suspended":
        raise Suspended(supplier.slug)
    supplier.status = "draft"
    record_change(session, supplier)
    session.commit()


def release(session: Session, supplier: Supplier) -> None:
    """Its owner's account is being deleted: the profile leaves the directory, loses its owner
    and its contact's personal details, and waits to be claimed. The caller commits."""
    supplier.status = "draft"
    supplier.owner_id = None
    contact = {name: None for name in CONTACT_FIELDS}
    for name, value in contact.items():
        setattr(supplier, name, value)
    if supplier.approved_record is not None:  # the copy an admin accepted holds them too
        supplier.approved_record = {**supplier.approved_record, **contact}
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
    """Create (item is a new Accreditation/CaseStudy) or update one of the supplier's items. A
    verified accreditation whose details change is self-declared again until an admin checks."""
    changed = any(getattr(item, name) != value for name, value in changes.items())
    if isinstance(item, Accreditation) and item.is_verified and changed:
        item.verification_status, item.verified_on = "unverified", None
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


def published_a_to_z(session: Session, letter: str | None, page: int) -> Page[Supplier]:
    """Published suppliers by name, optionally those starting with `letter` ("0-9" for digits)."""
    query = select(Supplier).where(Supplier.status == "published")
    if letter == "0-9":
        query = query.where(func.substr(Supplier.name, 1, 1).in_(list(string.digits)))
    elif letter:
        query = query.where(func.upper(func.substr(Supplier.name, 1, 1)) == letter)
    return paginate(session, query.order_by(func.lower(Supplier.name), Supplier.id), page)


def by_slug(session: Session, slug: str) -> Supplier:
    found = session.exec(select(Supplier).where(Supplier.slug == slug)).first()
    if found is None:
        raise NotFound(slug)
    return found


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
