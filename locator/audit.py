"""The audit log: every change to a profile, accreditation, case study, account or claim is
written to `audit_events` by the session itself, in the same transaction, whichever code path
made it (pages, admin, `locator import`), so none can be forgotten.

Who made it comes from `session.info["actor"]` (a user id, or a callable giving one: the web
session asks Flask-Login at flush time; commands leave it unset). What kind of change it was is
"create", "update" or "delete", unless the service names the action (`labelled(session,
"approve", note=reason)`); an action that changes no row is written with `record`.

Rows are never updated or deleted: the ORM refuses (below), and on PostgreSQL a trigger
(migration 0008) refuses any other client too. So personal data never enters a row: the fields
in `PERSONAL` are written as `REDACTED` (or None when empty), which keeps that a contact's
details were added, changed or removed, by whom and when, but not what they were; deleting an
account then has nothing to erase here. A keyed hash would not do: a contact's e-mail address or
phone number is easily guessed and hashed again, so its hash is still personal data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import object_session
from sqlmodel import Session

from .models import Accreditation, AuditEvent, CaseStudy, Claim, Supplier, User, utcnow
from .profile_sections import BY_SLUG

# What is audited, under what subject name, and which columns are bookkeeping, not content.
_SUBJECTS = {Supplier: "supplier", Accreditation: "accreditation", CaseStudy: "case_study",
             User: "user", Claim: "claim"}
_SKIP = {"id", "created_at", "updated_at", "name_key", "approved_record", "edited_since",
         "password_hash", "last_login_at", "session_version", "supplier_id",
         "email"}  # an account's e-mail address is personal data: the log keeps its id
# Personal data about a person rather than the business: recorded as changed, never by value.
PERSONAL = {Supplier: set(BY_SLUG["contact"].fields), Claim: {"message"}}
REDACTED = "(personal data)"


class AppendOnly(RuntimeError):
    """Audit rows are never changed or removed."""


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse(_mapper, _connection, target) -> None:
    raise AppendOnly(f"audit event {target.id} cannot be changed or deleted")


@contextmanager
def labelled(session: Session, action: str, note: str | None = None) -> Iterator[None]:
    """Changes flushed inside the block are written as `action` (with `note`, e.g. a reason)."""
    session.info["audit_label"] = (action, note)
    try:
        yield
        session.flush()
    finally:
        session.info.pop("audit_label", None)


def actor_id(session: Session) -> int | None:
    actor = session.info.get("actor")
    return actor() if callable(actor) else actor


def record(session: Session, subject, action: str, *, note: str | None = None,
           changes: dict | None = None) -> None:
    """An event no row change tells: an admin accepting edits, a reminder sent."""
    session.add(AuditEvent(actor_id=actor_id(session), supplier_id=_supplier_id(subject),
                           subject=_SUBJECTS[type(subject)], subject_id=subject.id,
                           action=action, changes=redacted(type(subject), changes or {}),
                           note=note))


def redacted(model, changes: dict) -> dict:
    """`changes` ({field: [before, after]}) with the model's personal fields' values hidden."""
    personal = PERSONAL.get(model, ())
    return {name: [_hide(v) for v in values] if name in personal else values
            for name, values in changes.items()}


def _hide(value):
    return REDACTED if value not in (None, "") else None


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _supplier_id(item) -> int | None:
    if isinstance(item, Supplier):
        return item.id
    if isinstance(item, User):
        return None
    return item.supplier_id


def _columns(item) -> list[str]:
    return [c.key for c in inspect(item).mapper.column_attrs if c.key not in _SKIP]


def _diff(item, created: bool, deleted: bool) -> dict:
    state = inspect(item)
    changes = {}
    for name in _columns(item):
        if created or deleted:
            value = _plain(getattr(item, name))
            if value not in (None, "", []):
                changes[name] = [None, value] if created else [value, None]
            continue
        history = state.attrs[name].history
        if history.has_changes():
            before = _plain(history.deleted[0]) if history.deleted else None
            after = _plain(history.added[0]) if history.added else None
            if before != after:
                changes[name] = [before, after]
    return changes


def _write(kind: str):
    def write(_mapper, connection, item) -> None:
        session = object_session(item)
        changes = _diff(item, kind == "create", kind == "delete")
        if not changes and kind == "update":
            return
        label, note = session.info.get("audit_label") or (None, None)
        connection.execute(insert(AuditEvent.__table__).values(
            at=utcnow(), actor_id=actor_id(session), supplier_id=_supplier_id(item),
            subject=_SUBJECTS[type(item)], subject_id=item.id, action=label or kind,
            changes=redacted(type(item), changes), note=note))

    return write


# Mapper events see every row the flush writes, including children removed from a collection.
for _model in _SUBJECTS:
    event.listen(_model, "after_insert", _write("create"))
    event.listen(_model, "after_update", _write("update"))
    event.listen(_model, "after_delete", _write("delete"))
