"""The audit log: every change to a profile, accreditation, case study or account and every admin
action is written with who, when, what, before and after; the admin page of a supplier shows it;
nothing updates or deletes a row (the ORM refuses, and on PostgreSQL a trigger)."""

import pytest
from helpers import ORGANISATION, admin_client, post_form, publish_approved
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from locator.audit import AppendOnly
from locator.db import sql_engine
from locator.models import AuditEvent, User

CASE_STUDY = {"title": "SOC for a trust", "client_name": "Northolme NHS Trust",
              "client_sector": "health-social-care", "year": "2024", "challenge": "Attacks",
              "approach": "Monitoring", "outcome": "Fewer incidents"}


def _events(session, **where) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(session.exec(query))


def test_each_kind_of_change_is_recorded_with_who_and_before_after(app, client, session,
                                                                   sign_up):
    sign_up()
    owner = session.exec(select(User)).one()
    admin = admin_client(app)
    supplier = publish_approved(client, admin, session)
    post_form(client, "/profile/section/organisation", {**ORGANISATION, "summary": "New words."})
    post_form(client, "/profile/accreditations/new", {"type": "iso-9001"})
    post_form(client, "/profile/case-studies/new", CASE_STUDY)
    item = session.exec(select(AuditEvent).where(AuditEvent.subject == "accreditation")).one()
    post_form(client, f"/profile/accreditations/{item.subject_id}/remove", {})
    post_form(admin, f"/admin/suppliers/{supplier.id}/suspend", {"reason": "Checking a complaint"})

    [summary] = [e for e in _events(session, subject="supplier", action="update")
                 if "summary" in e.changes]
    assert summary.actor_id == owner.id
    assert summary.changes["summary"] == [ORGANISATION["summary"], "New words."]
    assert summary.supplier_id == supplier.id
    created, removed = _events(session, subject="accreditation")
    assert (created.action, created.changes["type"]) == ("create", [None, "iso-9001"])
    assert (removed.action, removed.changes["type"]) == ("delete", ["iso-9001", None])
    [study] = _events(session, subject="case_study")
    assert study.changes["title"] == [None, "SOC for a trust"]
    admin_user = session.exec(select(User).where(User.role == "admin")).one()
    [approve] = _events(session, action="approve")
    assert approve.actor_id == admin_user.id
    assert approve.changes["status"] == ["submitted", "published"]
    [suspend] = _events(session, action="suspend")
    assert (suspend.note, suspend.changes["status"]) == ("Checking a complaint",
                                                         ["published", "suspended"])

    page = admin.get(f"/admin/suppliers/{supplier.id}").data.decode()
    assert "supplier suspend: Checking a complaint" in page
    assert "owner@example.com" in page and "admin@example.com" in page
    # Account actions are recorded too, without the person's e-mail address.
    post_form(admin, f"/admin/accounts/{owner.id}", {"action": "disable"})
    [disable] = _events(session, action="disable")
    assert (disable.subject, disable.subject_id) == ("user", owner.id)
    assert "email" not in disable.changes and "password_hash" not in disable.changes


def test_the_model_offers_no_update_or_delete(app, session, sign_up):
    sign_up()  # creates an account: one audit row
    event = session.exec(select(AuditEvent)).first()
    event.note = "rewritten"
    with pytest.raises(AppendOnly):
        session.commit()
    session.rollback()
    session.delete(session.exec(select(AuditEvent)).first())
    with pytest.raises(AppendOnly):
        session.commit()
    session.rollback()
    assert session.exec(select(AuditEvent)).first().note is None


def test_postgresql_refuses_updates_and_deletes(app, sign_up):
    engine = sql_engine(app)
    if engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's; SQLite relies on the ORM check above")
    sign_up()
    count = text("SELECT COUNT(*) FROM audit_events WHERE note IS NULL")
    with engine.connect() as connection:
        before = connection.execute(count).scalar()
    assert before
    for statement in ("UPDATE audit_events SET note = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(count).scalar() == before
