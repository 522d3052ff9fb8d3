"""What administrators do: review new profiles, suspend and reinstate, accept or revert edits
to published profiles, verify accreditations, release Companies House numbers, and manage
accounts. Each change goes through `suppliers.record_change` (so search, listings, feeds and the
digest follow at once) and is written to the audit log under the action's name with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from .. import audit
from ..identifiers import normalise_email
from ..models import Accreditation, AuditEvent, CaseStudy, Claim, Supplier, User, utcnow
from . import records, suppliers
from .paging import Page, paginate

HIDDEN = "account-disabled"  # a published profile while its owner's account is disabled


class NotAllowed(ValueError):
    """The action does not apply to this profile or account as it is now (say why)."""


# Lists.


def review_queue(session: Session, page: int) -> Page[Supplier]:
    """New profiles sent for review, oldest first."""
    query = select(Supplier).where(Supplier.status == "submitted").order_by(
        Supplier.updated_at, Supplier.id)
    return paginate(session, query, page)


def edited_queue(session: Session, page: int) -> Page[Supplier]:
    """Approved profiles changed since an admin last accepted them, longest waiting first."""
    query = select(Supplier).where(Supplier.edited_since.is_not(None)).order_by(
        Supplier.edited_since, Supplier.id)
    return paginate(session, query, page)


def unverified_accreditations(session: Session, page: int) -> Page[Accreditation]:
    """Current accreditations of published profiles that nobody has checked yet."""
    query = (
        select(Accreditation)
        .join(Supplier)
        .where(Supplier.status == "published", Accreditation.verification_status != "verified",
               or_(Accreditation.expires_on.is_(None), Accreditation.expires_on >= date.today()))
        .options(selectinload(Accreditation.supplier))
        .order_by(Accreditation.created_at, Accreditation.id)
    )
    return paginate(session, query, page)


def find_suppliers(session: Session, text: str, status: str | None, page: int) -> Page[Supplier]:
    """Every profile, whatever its status, by name, slug or Companies House number."""
    query = select(Supplier)
    if text:
        like = f"%{text.lower()}%"
        query = query.where(or_(func.lower(Supplier.name).like(like), Supplier.slug.like(like),
                                Supplier.companies_house_number == text.upper()))
    if status:
        query = query.where(Supplier.status == status)
    return paginate(session, query.order_by(func.lower(Supplier.name), Supplier.id), page)


def supplier(session: Session, supplier_id: int) -> Supplier:
    found = session.exec(
        select(Supplier).where(Supplier.id == supplier_id).options(
            selectinload(Supplier.accreditations), selectinload(Supplier.case_studies),
            selectinload(Supplier.owner))
    ).first()
    if found is None:
        raise suppliers.NotFound(supplier_id)
    return found


@dataclass(frozen=True)
class HistoryEntry:
    event: AuditEvent
    actor: str  # the account's e-mail address, "a deleted account" or "the system"


def history(session: Session, supplier_id: int, page: int) -> Page[HistoryEntry]:
    """The audit log of one profile, its accreditations, case studies and claims, newest first."""
    query = select(AuditEvent).where(AuditEvent.supplier_id == supplier_id).order_by(
        AuditEvent.id.desc())
    found = paginate(session, query, page)
    ids = {e.actor_id for e in found.items if e.actor_id is not None}
    emails = {}
    if ids:
        emails = {row[0]: row[1] for row in session.exec(
            select(User.id, User.email).where(User.id.in_(ids), User.deleted_at.is_(None)))}

    def who(actor_id: int | None) -> str:
        if actor_id is None:
            return "the system or a command"
        return emails.get(actor_id, f"a deleted account (#{actor_id})")

    return Page([HistoryEntry(e, who(e.actor_id)) for e in found.items], found.page,
                found.pages, found.total)


# Review of new profiles.


def _require(condition: bool, why: str) -> None:
    if not condition:
        raise NotAllowed(why)


def approve(session: Session, profile: Supplier) -> None:
    """Publish a profile sent for review; it is what an admin has now accepted."""
    _require(profile.status == "submitted", "Only a profile waiting for review can be approved.")
    _require(profile.owner is None or profile.owner.is_active,
             "Its owner's account is disabled: enable the account first.")
    missing = suppliers.missing_for_publication(profile)
    _require(not missing, "It cannot be published without: " + ", ".join(missing) + ".")
    with audit.labelled(session, "approve"):
        suppliers.mark_published(profile)
        profile.approved_at = utcnow()
        profile.approved_record = records.reviewable_record(profile)
        suppliers.record_change(session, profile)
    session.commit()


def _turn_away(session: Session, profile: Supplier, action: str, status: str,
               reason: str) -> None:
    """Reject or suspend: the owner sees the reason on their dashboard."""
    with audit.labelled(session, action, note=reason):
        profile.status = status
        profile.status_reason = reason
        suppliers.record_change(session, profile)
    session.commit()


def reject(session: Session, profile: Supplier, reason: str) -> None:
    _require(profile.status == "submitted", "Only a profile waiting for review can be rejected.")
    _turn_away(session, profile, "reject", "rejected", reason)


def suspend(session: Session, profile: Supplier, reason: str) -> None:
    """Take a published profile off search, listings, feeds and the digest at once."""
    _require(profile.status == "published", "Only a published profile can be suspended.")
    _turn_away(session, profile, "suspend", "suspended", reason)


def reinstate(session: Session, profile: Supplier) -> None:
    _require(profile.status == "suspended", "Only a suspended profile can be reinstated.")
    with audit.labelled(session, "reinstate"):
        suppliers.mark_published(profile)
        suppliers.record_change(session, profile)
    session.commit()


# Edits to published profiles: live at once, then accepted or reverted.


@dataclass(frozen=True)
class Change:
    field: str
    before: object
    after: object


def edits(profile: Supplier) -> list[Change]:
    """What differs between the profile an admin last accepted and the live one."""
    accepted = profile.approved_record or {}
    live = records.reviewable_record(profile)
    return [Change(name, accepted.get(name), live[name])
            for name in live if accepted.get(name) != live[name]]


def accept_edits(session: Session, profile: Supplier) -> None:
    _require(profile.edited_since is not None, "There are no changes waiting for review.")
    audit.record(session, profile, "accept-edits",
                 changes={c.field: [c.before, c.after] for c in edits(profile)})
    profile.approved_record = records.reviewable_record(profile)
    suppliers.record_change(session, profile, stamp=False)
    session.commit()


def revert_edits(session: Session, profile: Supplier, reason: str) -> None:
    """Put back the profile as an admin last accepted it: its fields, accreditations and case
    studies (the audit log keeps what is replaced)."""
    _require(profile.edited_since is not None, "There are no changes waiting for review.")
    accepted = profile.approved_record
    number = accepted["companies_house_number"]
    with suppliers.number_guard(session, profile, number), audit.labelled(
        session, "revert-edits", note=reason
    ):
        fields = {k: v for k, v in accepted.items() if k not in ("accreditations",
                                                                 "case_studies")}
        suppliers.apply_changes(profile, fields)
        profile.accreditations = [_restored(Accreditation, a) for a in accepted["accreditations"]]
        profile.case_studies = [_restored(CaseStudy, c) for c in accepted["case_studies"]]
        suppliers.record_change(session, profile)


def _restored(model, record: dict):
    values = dict(record)
    for name in ("issued_on", "expires_on", "verified_on"):
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    return model(**values)


# Accreditations and Companies House numbers.


def accreditation(session: Session, item_id: int) -> Accreditation:
    found = session.exec(select(Accreditation).where(Accreditation.id == item_id).options(
        selectinload(Accreditation.supplier))).first()
    if found is None:
        raise suppliers.NotFound(item_id)
    return found


def verify(session: Session, item: Accreditation, note: str | None = None) -> None:
    """An admin has checked the certificate number, certifying body and evidence link."""
    _require(item.certificate_number and item.certifying_body and item.evidence_url,
             "Ask the supplier for the certificate number, certifying body and a link to the "
             "evidence first: all three are needed to verify an accreditation.")
    _require(not item.is_verified, "This accreditation is already verified.")
    with audit.labelled(session, "verify", note=note):
        item.verification_status = "verified"
        item.verified_on = date.today()
        suppliers.record_change(session, item.supplier)
    session.commit()


def release_number(session: Session, profile: Supplier, reason: str) -> None:
    """Take a Companies House number off a profile that should not have it, so that the
    business it belongs to can use it (#13: squatted numbers)."""
    _require(bool(profile.companies_house_number), "This profile has no Companies House number.")
    with audit.labelled(session, "release-number", note=reason):
        profile.companies_house_number = None
        suppliers.record_change(session, profile)
    session.commit()


# Accounts.


def find_accounts(session: Session, text: str, page: int) -> Page[User]:
    query = select(User)
    if text:
        query = query.where(User.email.like(f"%{normalise_email(text)}%"))
    return paginate(session, query.order_by(User.email, User.id), page)


def account(session: Session, user_id: int) -> User:
    found = session.get(User, user_id)
    if found is None:
        raise suppliers.NotFound(user_id)
    return found


def set_role(session: Session, admin: User, user: User, role: str) -> None:
    _require(user.id != admin.id, "You cannot change your own role.")
    _require(user.role != role, f"This account is already a {role}.")
    with audit.labelled(session, "set-role"):
        user.role = role
        session.add(user)
    session.commit()


def set_disabled(session: Session, admin: User, user: User, disabled: bool) -> None:
    """A disabled account cannot sign in, and its sessions end at their next request. Its
    published profile leaves search, listings, feeds and the digest at once (through the index
    queue, as a suspension does) and comes back when the account is enabled."""
    _require(user.id != admin.id, "You cannot disable your own account.")
    _require((user.disabled_at is None) == disabled,
             "This account is already " + ("disabled." if disabled else "enabled."))
    profile = suppliers.for_owner(session, user)
    with audit.labelled(session, "disable" if disabled else "enable"):
        user.disabled_at = utcnow() if disabled else None
        session.add(user)
        if profile is not None and profile.status == ("published" if disabled else HIDDEN):
            if disabled:
                profile.status = HIDDEN
            else:
                suppliers.mark_published(profile)
            suppliers.record_change(session, profile)
    session.commit()


def account_history(session: Session, user: User, page: int) -> Page[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.subject == "user",
                                     AuditEvent.subject_id == user.id).order_by(
        AuditEvent.id.desc())
    return paginate(session, query, page)


def pending_claims(session: Session, page: int) -> Page[Claim]:
    query = (
        select(Claim)
        .where(Claim.status == "pending")
        .options(selectinload(Claim.supplier), selectinload(Claim.user))
        .order_by(Claim.created_at, Claim.id)
    )
    return paginate(session, query, page)


def counts(session: Session) -> dict[str, int]:
    """How much is waiting in each queue, for the admin home page."""

    def count(query) -> int:
        return session.exec(select(func.count()).select_from(query.subquery())).one()

    return {
        "reviews": count(select(Supplier.id).where(Supplier.status == "submitted")),
        "edits": count(select(Supplier.id).where(Supplier.edited_since.is_not(None))),
        "claims": count(select(Claim.id).where(Claim.status == "pending")),
    }
