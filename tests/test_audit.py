"""The audit log: every change to a profile, accreditation, case study or account and every admin
action is written with who, when, what, before and after; the admin page of a supplier shows it;
nothing updates or deletes a row (the ORM refuses, and on PostgreSQL a trigger)."""

import json

import pytest
from alembic import command
from helpers import (
    CONTACT,
    MARKETS,
    ORGANISATION,
    SERVICES,
    TEST_PASSWORD,
    admin_client,
    post_form,
    publish_approved,
)
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from locator.audit import REDACTED, AppendOnly
from locator.db import sql_engine
from locator.migrate import alembic_config
from locator.models import Accreditation, AuditEvent, Claim, Supplier, User
from locator.services import accounts

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


def _import_listing(app, tmp_path) -> None:
    """An unclaimed listing, harbour-survey-limited, as `locator import` loads one."""
    listing = tmp_path / "listing.jsonl"
    listing.write_text(json.dumps({
        "name": "Harbour Survey Limited", "legal_form": "limited-company", "summary": "Surveys.",
        "description": "Harbours.", "services": ["Surveys"], "cpv_codes": ["71355000"],
        "sectors": ["transport"], "regions": ["TLL"], "status": "published"}) + "\n")
    assert app.test_cli_runner().invoke(args=["import", str(listing)]).exit_code == 0


PERSON = {"contact_name": "Ada Owner", "contact_email": "ada@kestrel.example",
          "contact_phone": "01632 960000"}


def _written(session) -> str:
    """Everything the audit log holds, as text to search."""
    session.expire_all()
    return json.dumps([[e.changes, e.note] for e in _events(session)])


def test_deleting_an_account_leaves_no_personal_data_in_the_audit_log(app, client, session,
                                                                      sign_up, tmp_path):
    sign_up()
    owner = session.exec(select(User)).one()
    admin = admin_client(app)
    supplier = publish_approved(client, admin, session)
    post_form(client, "/profile/section/contact", PERSON)
    post_form(admin, f"/admin/suppliers/{supplier.id}/accept-edits", {})
    post_form(client, "/profile/section/contact", {**PERSON, "contact_phone": "01632 960999"})
    # A second account claims an imported listing, writing about a person in its message.
    _import_listing(app, tmp_path)
    claimant = app.test_client()
    sign_up_other = post_form(claimant, "/account/register", {
        "email": "bob@example.com", "password": TEST_PASSWORD, "confirm": TEST_PASSWORD})
    assert b"Check your email" in sign_up_other.data
    bob = session.exec(select(User).where(User.email == "bob@example.com")).one()
    bob.email_verified_at = owner.email_verified_at
    session.add(bob)
    session.commit()
    post_form(claimant, "/account/sign-in", {"email": "bob@example.com",
                                              "password": TEST_PASSWORD})
    post_form(claimant, "/suppliers/harbour-survey-limited/claim",
              {"message": "I am Bob Claimant, director; call 07700 900123."})

    # While the accounts exist the log records who changed the contact, but never the values.
    written = _written(session)
    for value in [*PERSON.values(), "01632 960999", "Bob Claimant", "owner@example.com",
                  "bob@example.com"]:
        assert value not in written
    [phone] = [e for e in _events(session, actor_id=owner.id, subject="supplier")
               if "contact_phone" in e.changes and e.changes["contact_phone"][0]]
    assert phone.changes["contact_phone"] == [REDACTED, REDACTED]
    [accepted] = _events(session, action="accept-edits")
    assert accepted.changes["contact_name"] == [None, REDACTED]

    for browser in (client, claimant):
        post_form(browser, "/account/delete", {"current_password": TEST_PASSWORD})
    written = _written(session)
    for value in [*PERSON.values(), "01632 960999", "Bob Claimant", "owner@example.com",
                  "bob@example.com"]:
        assert value not in written
    released = session.get(Supplier, supplier.id)
    assert not any(released.approved_record[name] for name in PERSON)
    claim = session.exec(select(Claim)).one()
    assert (claim.message, claim.status) == ("", "rejected")
    # Who did what and when is still there: the deletion, by the account itself.
    [deleted] = [e for e in _events(session, subject="supplier", actor_id=owner.id)
                 if e.changes.get("owner_id") == [owner.id, None]]
    assert deleted.changes["contact_email"] == [REDACTED, None]
    page = admin.get(f"/admin/suppliers/{supplier.id}").data.decode()
    assert f"a deleted account (#{owner.id})" in page and "deleted-" not in page
    assert "ada@kestrel.example" not in page and "Ada Owner" not in page


def test_the_migration_redacts_rows_written_before(tmp_path):
    """Migration 0010 rewrites personal fields in rows an older release wrote in clear."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0009")
    engine = create_engine(url)
    old = {"contact_email": [None, "ada@kestrel.example"], "summary": [None, "Surveys."]}
    with engine.begin() as connection:
        for subject, changes in (("supplier", old), ("claim", {"message": [None, "I am Ada"]}),
                                 ("case_study", {"client_name": [None, "Northolme"]})):
            connection.execute(
                text("INSERT INTO audit_events (at, subject, action, changes) "
                     "VALUES ('2026-01-01 00:00:00', :subject, 'create', :changes)"),
                {"subject": subject, "changes": json.dumps(changes)})
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = [json.loads(r[0]) for r in connection.execute(
            text("SELECT changes FROM audit_events ORDER BY id"))]
    assert rows == [{"contact_email": [None, REDACTED], "summary": [None, "Surveys."]},
                    {"message": [None, REDACTED]}, {"client_name": [None, "Northolme"]}]


def _signed_in_browser(app, session, email: str):
    """A confirmed account signed in on a new test client (as the e-mail link would confirm)."""
    user = accounts.register(session, email, TEST_PASSWORD)
    accounts.confirm_email(session, user, user.email)
    browser = app.test_client()
    post_form(browser, "/account/sign-in", {"email": email, "password": TEST_PASSWORD})
    return browser, user


def test_every_admin_action_is_recorded_with_the_admin_and_the_reason(app, client, session,
                                                                      sign_up, tmp_path):
    sign_up()
    owner = session.exec(select(User)).one()
    admin = admin_client(app)
    admin_id = session.exec(select(User).where(User.role == "admin")).one().id
    supplier = publish_approved(client, admin, session)
    base = f"/admin/suppliers/{supplier.id}"
    post_form(client, "/profile/accreditations/new", {
        "type": "cyber-essentials", "certificate_number": "CE-1", "certifying_body": "IASME",
        "evidence_url": "https://iasme.example/CE-1", "issued_on": ["", "", ""],
        "expires_on": ["", "", ""]})
    post_form(admin, f"{base}/accept-edits", {})
    item = session.exec(select(Accreditation)).one()
    post_form(admin, f"/admin/accreditations/{item.id}/verify", {})
    post_form(client, "/profile/section/organisation", {**ORGANISATION, "summary": "Spam."})
    post_form(admin, f"{base}/revert-edits", {"reason": "Spam summary"})
    post_form(admin, f"{base}/suspend", {"reason": "Complaint"})
    post_form(admin, f"{base}/reinstate", {})
    post_form(admin, f"{base}/release-number", {"reason": "Not theirs"})
    for action in ("make-admin", "make-supplier", "disable", "enable"):
        post_form(admin, f"/admin/accounts/{owner.id}", {"action": action})
    # A second profile is rejected; an imported listing is claimed twice, once rejected.
    other, _ = _signed_in_browser(app, session, "other@example.com")
    for section, data in (("organisation", {**ORGANISATION, "name": "Other Ltd",
                                            "companies_house_number": ""}),
                          ("services", SERVICES), ("markets", MARKETS), ("contact", CONTACT)):
        post_form(other, f"/profile/section/{section}", data)
    post_form(other, "/profile/publish", {}, form_page="/profile")
    rejected = session.exec(select(Supplier).where(Supplier.name == "Other Ltd")).one()
    post_form(admin, f"/admin/suppliers/{rejected.id}/reject", {"reason": "Copied text"})
    _import_listing(app, tmp_path)
    for email, decision, data in (("first@example.com", "reject", {"reason": "No proof"}),
                                  ("second@example.com", "approve", {})):
        claimant, _ = _signed_in_browser(app, session, email)
        post_form(claimant, "/suppliers/harbour-survey-limited/claim", {"message": "Director"})
        claim = session.exec(select(Claim).where(Claim.status == "pending")).one()
        post_form(admin, f"/admin/claims/{claim.id}/{decision}", data)
        session.expire_all()

    expected = {"approve": None, "accept-edits": None, "verify": None,
                "revert-edits": "Spam summary", "suspend": "Complaint", "reinstate": None,
                "release-number": "Not theirs", "set-role": None, "disable": None,
                "enable": None, "reject": "Copied text", "reject-claim": "No proof",
                "approve-claim": None}
    events = _events(session, actor_id=admin_id)
    for action, note in expected.items():
        found = [e for e in events if e.action == action]
        assert found, f"no audit row for {action}"
        assert all(e.note == note for e in found), action
        assert all(e.changes for e in found), action  # what changed, before and after
    assert {e.action for e in events} == set(expected)  # an admin changes nothing unlabelled
    [verified] = [e for e in events if e.action == "verify"]
    assert verified.changes["verification_status"] == ["unverified", "verified"]
    assert {e.changes["role"][1] for e in events if e.action == "set-role"} == {"admin",
                                                                               "supplier"}
    page = admin.get(base).data.decode()
    for action in ("approve", "accept-edits", "verify", "revert-edits", "suspend", "reinstate",
                   "release-number", "disable", "enable"):
        assert f" {action}" in page, action  # the supplier's history shows each
