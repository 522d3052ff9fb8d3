"""The weekly new-arrivals digest: subscriptions with double opt-in, and idempotent sending.

Tokens in e-mailed links are signed (itsdangerous) with the app's secret key: confirmation links
expire, unsubscribe links do not, and neither needs the buyer to sign in.

Sending records one `DigestDelivery` per subscriber per week. A delivery is claimed ("sending")
and committed before the message goes out and marked "sent" once the SMTP server accepted it, so
a second run for the same week sends nothing, and a run that stops half-way is finished by the next
one without duplicates. A claim left by a process that died mid-message is retried only once it is
older than `STALE_CLAIM`, so two runs at once cannot both send it.
"""

from __future__ import annotations

import json
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .. import facets
from ..identifiers import normalise_email
from ..mailer import Mailer
from ..models import DigestDelivery, Subscription, Supplier, utcnow
from ..weeks import IsoWeek
from . import arrivals, tokens
from .tokens import BadToken

CONFIRM_MAX_AGE = timedelta(days=3)
STALE_CLAIM = timedelta(minutes=15)


def make_token(secret: str, purpose: str, subscription: Subscription) -> str:
    return tokens.make(secret, f"digest-{purpose}", [subscription.id, subscription.email])


def read_token(
    session: Session, secret: str, purpose: str, token: str, max_age: timedelta | None = None
) -> Subscription:
    payload = tokens.read(secret, f"digest-{purpose}", token, max_age)
    sub_id, email = payload if len(payload) == 2 else (None, None)
    subscription = session.get(Subscription, sub_id) if isinstance(sub_id, int) else None
    if subscription is None or subscription.email != email:
        raise BadToken()
    return subscription


def subscribe(session: Session, email: str, filters: Mapping[str, list[str]]) -> Subscription:
    """A new unconfirmed subscription, or the same one again if this address already asked
    for exactly these filters (so repeating the form sends a fresh link, not a duplicate)."""
    email = normalise_email(email)
    offered = facets.names_on(facets.DIGEST)
    wanted = {k: sorted(v) for k, v in filters.items() if k in offered and v}
    for existing in session.exec(
        select(Subscription).where(
            Subscription.email == email, Subscription.unsubscribed_at.is_(None)
        )
    ):
        if existing.filters == wanted:
            return existing
    subscription = Subscription(email=email, filters=wanted)
    session.add(subscription)
    session.commit()
    return subscription


def confirm(session: Session, subscription: Subscription) -> None:
    if subscription.confirmed_at is None:
        subscription.confirmed_at = utcnow()
    subscription.unsubscribed_at = None
    session.add(subscription)
    session.commit()


def unsubscribe(session: Session, subscription: Subscription) -> None:
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = utcnow()
        session.add(subscription)
        session.commit()


def forget(session: Session, email: str) -> None:
    """End every subscription to `email` and erase the address from them: its owner deleted
    their account, which promises that the address is deleted. The caller commits. Old links
    in sent e-mails then name no subscription."""
    for subscription in session.exec(
        select(Subscription).where(Subscription.email == normalise_email(email))
    ):
        subscription.unsubscribed_at = subscription.unsubscribed_at or utcnow()
        subscription.email = f"deleted-{subscription.id}"  # not an address: never sent to
        session.add(subscription)


@dataclass
class SendReport:
    week: IsoWeek
    sent: int = 0
    no_matches: int = 0
    already_done: int = 0
    in_flight: int = 0  # claimed by a run that may still be sending
    would_send: list[tuple[str, int]] = field(default_factory=list)  # --dry-run
    error: str | None = None


Compose = Callable[[Subscription, list[Supplier], IsoWeek], EmailMessage]


def _claim(
    session: Session, subscription: Subscription, week: IsoWeek, status: str, count: int
) -> DigestDelivery | None:
    """Record this subscriber's delivery for the week, or None if another run already has."""
    delivery = DigestDelivery(
        subscription_id=subscription.id, week=str(week), status=status, arrivals=count
    )
    session.add(delivery)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return delivery


def _active():
    return select(Subscription).where(
        Subscription.confirmed_at.is_not(None), Subscription.unsubscribed_at.is_(None)
    )


def active_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(_active().subquery())).one()


def send_week(
    session: Session,
    mailer: Mailer,
    week: IsoWeek,
    compose: Compose,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> SendReport:
    report = SendReport(week)
    subscriptions = list(session.exec(_active().order_by(Subscription.id)))
    done = {
        d.subscription_id: d
        for d in session.exec(select(DigestDelivery).where(DigestDelivery.week == str(week)))
    }
    matches_by_filters: dict[str, list[Supplier]] = {}
    stale = utcnow() - STALE_CLAIM
    for subscription in subscriptions:
        if progress:
            progress(1)
        previous = done.get(subscription.id)
        if previous is not None and previous.status != "sending":
            report.already_done += 1
            continue
        if previous is not None and previous.updated_at > stale:
            report.in_flight += 1
            continue
        key = json.dumps(subscription.filters, sort_keys=True)
        if key not in matches_by_filters:
            matches_by_filters[key] = arrivals.for_week(session, week, subscription.filters)
        matches = matches_by_filters[key]
        if dry_run:
            report.would_send.append((subscription.email, len(matches)))
            continue
        if not matches:
            report.no_matches += _claim(session, subscription, week, "no-matches", 0) is not None
            continue
        delivery = previous or _claim(session, subscription, week, "sending", len(matches))
        if delivery is None:
            report.in_flight += 1
            continue
        try:
            mailer.send(compose(subscription, matches, week))
        except (smtplib.SMTPException, OSError) as error:
            # Not accepted: release the claim so the next run sends it, and stop, as the mail
            # server is likely unwell.
            session.delete(delivery)
            session.commit()
            report.error = f"{subscription.email}: {error}"
            break
        delivery.status = "sent"
        delivery.updated_at = utcnow()
        session.add(delivery)
        session.commit()
        report.sent += 1
    mailer.close()
    return report
