"""Claiming a profile: a business asks to manage a listing it did not create (one imported from
public records, or one holding its Companies House number); an admin checks and decides. On
approval the account owns the profile.

E-mail verification of accounts is built on another branch (#10): when it lands, `submit` must
also refuse an account whose address is not verified ("a claim by a verified account").
"""

from __future__ import annotations

from sqlmodel import Session, select

from .. import audit
from ..models import Claim, Supplier, User, utcnow
from . import suppliers


class CannotClaim(ValueError):
    """Why this account cannot claim this profile, in words for the person asking."""


def pending_for(session: Session, user: User, profile: Supplier) -> Claim | None:
    return session.exec(
        select(Claim).where(Claim.user_id == user.id, Claim.supplier_id == profile.id,
                            Claim.status == "pending")
    ).first()


def check(session: Session, user: User, profile: Supplier) -> None:
    """Raise `CannotClaim` if this account may not ask for this profile."""
    if profile.owner_id == user.id:
        raise CannotClaim("You already manage this profile.")
    if not user.email_verified:
        raise CannotClaim(f"Confirm your email address before you claim a profile: open the "
                          f"link we sent to {user.email}.")
    own = suppliers.for_owner(session, user)
    if own is not None:
        raise CannotClaim(
            f"Your account already manages ‘{own.name}’, and an account manages one profile. "
            "Sign in with another account to claim this one."
        )
    if pending_for(session, user, profile) is not None:
        raise CannotClaim("You have already claimed this profile. We will email you when we "
                          "have checked your claim.")


def submit(session: Session, user: User, profile: Supplier, message: str) -> Claim:
    check(session, user, profile)
    claim = Claim(supplier_id=profile.id, user_id=user.id, message=message)
    session.add(claim)
    session.commit()
    return claim


def approve(session: Session, claim: Claim) -> None:
    """The claimant now manages the profile. A listing that lacks what a managed profile needs
    to be published goes back to draft until its new owner completes it."""
    if claim.status != "pending":
        raise CannotClaim("This claim has already been decided.")
    profile, user = claim.supplier, claim.user
    if suppliers.for_owner(session, user) is not None:
        raise CannotClaim("The claimant has started managing another profile since: reject this "
                          "claim, or ask them to remove that profile.")
    with audit.labelled(session, "approve-claim"):
        claim.status, claim.decided_at = "approved", utcnow()
        profile.owner_id = user.id
        if profile.status == "published" and suppliers.missing_for_publication(profile):
            profile.status = "draft"
        suppliers.record_change(session, profile)
        for other in session.exec(select(Claim).where(Claim.supplier_id == profile.id,
                                                      Claim.status == "pending",
                                                      Claim.id != claim.id)):
            other.status, other.decided_at = "rejected", utcnow()
            other.reason = "Another claim for this profile was approved."
    session.commit()


def reject(session: Session, claim: Claim, reason: str) -> None:
    if claim.status != "pending":
        raise CannotClaim("This claim has already been decided.")
    with audit.labelled(session, "reject-claim", note=reason):
        claim.status, claim.decided_at, claim.reason = "rejected", utcnow(), reason
        session.add(claim)
    session.commit()


def forget(session: Session, user: User) -> None:
    """The account is being deleted: what it wrote in its claims goes, and a claim still
    waiting is withdrawn. The caller commits."""
    for claim in session.exec(select(Claim).where(Claim.user_id == user.id)):
        claim.message = ""
        if claim.status == "pending":
            claim.status, claim.decided_at = "rejected", utcnow()
            claim.reason = "The account that made this claim was deleted."
        session.add(claim)


def get(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise suppliers.NotFound(claim_id)
    return claim
