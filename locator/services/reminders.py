"""Reminders to renew accreditations: `locator reminders send`, run daily, e-mails a profile's
owner once for each accreditation expiring within `EXPIRES_SOON` (30 days).

Idempotent as the digest is: one `ExpiryReminder` per accreditation and expiry date, claimed
("sending") and committed before the message goes out and marked "sent" once the mail server
accepted it. A second run sends nothing again; a renewed certificate's new date gets its own
reminder; a claim left by a process that died is retried once older than `STALE_CLAIM`.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from .. import audit
from ..mailer import Mailer
from ..models import EXPIRES_SOON, Accreditation, ExpiryReminder, Supplier, User, utcnow
from .digest import STALE_CLAIM


@dataclass
class ReminderReport:
    sent: int = 0
    already_done: int = 0
    would_send: list[tuple[str, str]] = field(default_factory=list)  # --dry-run: (to, what)
    error: str | None = None


def due(session: Session, today: date) -> list[Accreditation]:
    """Accreditations of managed profiles expiring from today to `EXPIRES_SOON` ahead (none for
    an account an admin has disabled)."""
    return list(session.exec(
        select(Accreditation)
        .join(Supplier)
        .join(User, Supplier.owner_id == User.id)  # an unowned listing has nobody to remind
        .where(User.disabled_at.is_(None), Supplier.status != "suspended",
               Accreditation.expires_on >= today,
               Accreditation.expires_on <= today + EXPIRES_SOON)
        .options(selectinload(Accreditation.supplier).selectinload(Supplier.owner))
        .order_by(Accreditation.expires_on, Accreditation.id)
    ))


def _claim(session: Session, item: Accreditation) -> ExpiryReminder | None:
    """This reminder for this run to send, or None if it is sent or another run is sending."""
    key = (ExpiryReminder.accreditation_id == item.id,
           ExpiryReminder.expires_on == item.expires_on)
    existing = session.exec(select(ExpiryReminder).where(*key)).first()
    if existing is not None:
        if existing.status == "sent" or existing.updated_at > utcnow() - STALE_CLAIM:
            return None
        existing.updated_at = utcnow()
        session.add(existing)
        session.commit()
        return existing
    reminder = ExpiryReminder(accreditation_id=item.id, expires_on=item.expires_on)
    session.add(reminder)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return reminder


def send_due(
    session: Session,
    mailer: Mailer,
    today: date,
    compose: Callable[[Accreditation], EmailMessage],
    *,
    dry_run: bool = False,
) -> ReminderReport:
    report = ReminderReport()
    for item in due(session, today):
        if dry_run:
            report.would_send.append((item.supplier.owner.email, item.type))
            continue
        reminder = _claim(session, item)
        if reminder is None:
            report.already_done += 1
            continue
        try:
            mailer.send(compose(item))
        except (smtplib.SMTPException, OSError) as error:
            # Not accepted: release the claim so the next run sends it, and stop.
            session.delete(reminder)
            session.commit()
            report.error = f"{item.supplier.owner.email}: {error}"
            break
        reminder.status, reminder.updated_at = "sent", utcnow()
        session.add(reminder)
        audit.record(session, item, "expiry-reminder", note=f"expires {item.expires_on}")
        session.commit()
        report.sent += 1
    mailer.close()
    return report
