"""Profiles that tell the truth, through the real app: Companies House numbers already listed
(refused with the claim route, on the pages and on import; an admin can release one), claiming
a listing, near-duplicate names flagged to admins, accreditation verification and the buyer's
"verified only" filter, expiry rules, tags and reminder e-mails."""

import json
import re
from datetime import date, timedelta

from helpers import (
    CONTACT,
    MARKETS,
    ORGANISATION,
    SERVICES,
    admin_client,
    mail_to,
    post_form,
    publish_approved,
    search_api,
)
from sqlmodel import select

from locator import search_runtime
from locator.models import Accreditation, Claim, Supplier, User


def _signed_out(client):
    with client.session_transaction() as flask_session:
        flask_session.clear()


def _by_name(session, name) -> Supplier:
    session.expire_all()
    return session.exec(select(Supplier).where(Supplier.name == name)).one()


def _import(app, tmp_path, *records) -> object:
    path = tmp_path / "lines.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return app.test_cli_runner().invoke(args=["import", str(path)])


UNCLAIMED = {
    "name": "Harbour Survey Limited", "companies_house_number": "01234567",
    "legal_form": "limited-company", "summary": "Surveys harbours.", "description": "Harbours.",
    "services": ["Surveys"], "cpv_codes": ["71355000"], "sectors": ["transport"],
    "regions": ["TLL"], "status": "published",
}


def test_a_listed_companies_house_number_is_refused_with_the_claim_route(
    client, session, sign_up
):
    sign_up("first@example.com")
    post_form(client, "/profile/section/organisation", ORGANISATION)
    _signed_out(client)
    sign_up("second@example.com")
    response = post_form(client, "/profile/section/organisation",
                         {**ORGANISATION, "name": "Kestrel Copycat Ltd"})
    assert response.status_code == 200
    page = response.data.decode()
    assert "already listed as ‘Kestrel Hill Cyber Ltd’" in page
    assert "govuk-error-summary" in page
    assert 'href="/suppliers/kestrel-hill-cyber-ltd/claim"' in page
    assert 'value="Kestrel Copycat Ltd"' in page  # what they typed is kept
    assert len(session.exec(select(Supplier)).all()) == 1

    # The same on changing an existing profile's number.
    post_form(client, "/profile/section/organisation",
              {**ORGANISATION, "name": "Kestrel Copycat Ltd", "companies_house_number": ""})
    changed = post_form(client, "/profile/section/organisation",
                        {**ORGANISATION, "name": "Kestrel Copycat Ltd"})
    assert "already listed as ‘Kestrel Hill Cyber Ltd’" in changed.data.decode()
    assert _by_name(session, "Kestrel Copycat Ltd").companies_house_number is None


def test_an_admin_can_release_a_squatted_number(app, client, session, sign_up):
    sign_up("squatter@example.com")
    post_form(client, "/profile/section/organisation", ORGANISATION)
    squatter = _by_name(session, ORGANISATION["name"])
    admin = admin_client(app)
    post_form(admin, f"/admin/suppliers/{squatter.id}/release-number",
              {"reason": "The number belongs to another business"})
    assert _by_name(session, ORGANISATION["name"]).companies_house_number is None
    _signed_out(client)
    sign_up("owner@example.com")
    saved = post_form(client, "/profile/section/organisation",
                      {**ORGANISATION, "name": "The Real Kestrel Ltd"})
    assert b"Organisation details saved" in saved.data
    assert _by_name(session, "The Real Kestrel Ltd").companies_house_number == "SC012345"


def test_import_never_overwrites_a_managed_profile(app, client, session, sign_up, tmp_path):
    sign_up()
    post_form(client, "/profile/section/organisation", ORGANISATION)
    result = _import(app, tmp_path, {**UNCLAIMED, "companies_house_number": "SC012345"},
                     UNCLAIMED)
    assert result.exit_code == 0, result.output
    assert "Line 1: “Kestrel Hill Cyber Ltd” (SC012345) is already listed and managed" in (
        result.output)
    assert "Loaded 1 supplier" in result.output
    assert _by_name(session, ORGANISATION["name"]).summary == ORGANISATION["summary"]


def test_an_unclaimed_listing_is_claimed_and_approved(app, client, session, sign_up, tmp_path):
    assert _import(app, tmp_path, UNCLAIMED).exit_code == 0
    listing = _by_name(session, "Harbour Survey Limited")
    assert listing.status == "published"  # a public-record listing needs no contact details
    public = app.test_client().get(f"/suppliers/{listing.slug}").data.decode()
    assert "Unclaimed listing" in public
    assert ("This listing was made from public records, such as contracts the business has "
            "won. The business has not claimed it, so it has no contact details here.") in public
    assert (f'<a class="govuk-link" href="/suppliers/{listing.slug}/claim">'
            "Is this your business? Claim this profile</a>") in public

    claim_url = f"/suppliers/{listing.slug}/claim"
    sign_up("unconfirmed@example.com", confirm=False)
    assert "Confirm your email address before you claim" in client.get(claim_url).data.decode()
    _signed_out(client)
    sign_up()
    blank = post_form(client, claim_url, {"message": ""})
    assert b"Tell us how you are connected to this business" in blank.data
    post_form(client, claim_url, {"message": "I am a director (Companies House)."})
    again = client.get(claim_url).data.decode()
    assert "You have already claimed this profile" in again
    claim = session.exec(select(Claim)).one()

    admin = admin_client(app)
    assert "I am a director" in admin.get("/admin/claims").data.decode()
    post_form(admin, f"/admin/claims/{claim.id}/approve", {})
    listing = _by_name(session, "Harbour Survey Limited")
    owner = session.exec(select(User).where(User.email == "owner@example.com")).one()
    assert listing.owner_id == owner.id
    # Managed now, it needs contact details to stay published.
    assert listing.status == "draft"
    notice = mail_to(app, "owner@example.com")[-1]
    assert notice["Subject"] == "You now manage Harbour Survey Limited"
    dashboard = client.get("/profile").data.decode()
    assert "Harbour Survey Limited" in dashboard
    post_form(client, "/profile/section/contact", CONTACT)
    published = post_form(client, "/profile/publish", {}, form_page="/profile")
    assert b"Your profile is published" in published.data  # approved by its import already
    public = app.test_client().get(f"/suppliers/{listing.slug}").data.decode()
    assert "Unclaimed listing" not in public and "Claim this profile" not in public
    assert CONTACT["contact_email"] in public


def test_similar_names_are_flagged_to_admins(app, client, session, sign_up, tmp_path):
    marine = {**UNCLAIMED, "name": "Harbour Survey Marine Limited",
              "companies_house_number": "07654321"}
    assert _import(app, tmp_path, UNCLAIMED, marine).exit_code == 0
    sign_up()
    post_form(client, "/profile/section/organisation",
              {**ORGANISATION, "name": "HARBOUR SURVEY LTD.", "companies_house_number": ""})
    mine = _by_name(session, "HARBOUR SURVEY LTD.")
    for section, data in (("services", SERVICES), ("markets", MARKETS), ("contact", CONTACT)):
        post_form(client, f"/profile/section/{section}", data)
    post_form(client, "/profile/publish", {}, form_page="/profile")
    admin = admin_client(app)
    # In the review queue, beside the name, and on the supplier's own admin page.
    queue = admin.get("/admin/reviews").data.decode()
    assert re.search(r"HARBOUR SURVEY LTD\.</a> <strong[^>]*>Possible duplicate</strong>", queue)
    page = admin.get(f"/admin/suppliers/{mine.id}").data.decode()
    assert "Possible duplicate: the name closely matches Harbour Survey Limited" in page
    # In the list of all suppliers too; a name that only shares words is not flagged.
    listed = admin.get("/admin/suppliers", query_string={"q": "harbour"}).data.decode()
    assert "3 suppliers" in listed and listed.count("Possible duplicate") == 2
    assert "Harbour Survey Marine Limited</a></td>" in listed


def _accreditation(client, **fields):
    data = {"type": "cyber-essentials", "certificate_number": "CE-1",
            "certifying_body": "IASME", "evidence_url": "https://iasme.example/CE-1",
            "issued_on": ["", "", ""], "expires_on": ["", "", ""], **fields}
    return post_form(client, "/profile/accreditations/new", data)


def test_verification_labels_and_the_verified_only_filter(app, client, session, sign_up):
    sign_up()
    admin = admin_client(app)
    supplier = publish_approved(client, admin, session)
    post_form(admin, f"/admin/suppliers/{supplier.id}/accept-edits", {})
    _accreditation(client)
    _accreditation(client, type="iso-9001", certifying_body="", evidence_url="")
    buyer = app.test_client()
    page = buyer.get(f"/suppliers/{supplier.slug}").data.decode()
    assert page.count("Self-declared.") == 2
    assert "Not yet verified" not in page
    search_runtime.sync(app)
    assert search_api(buyer, "", verified="yes")["total"] == 0

    ce, iso = _by_name(session, supplier.name).accreditations
    incomplete = post_form(admin, f"/admin/accreditations/{iso.id}/verify", {})
    assert b"all three are needed to verify" in incomplete.data
    post_form(admin, f"/admin/accreditations/{ce.id}/verify", {})
    today = date.today()
    page = buyer.get(f"/suppliers/{supplier.slug}").data.decode()
    assert f"Verified by Supplier Locator on {today.day} {today:%B %Y}." in page
    assert page.count("Self-declared.") == 1
    search_runtime.sync(app)
    assert [r["slug"] for r in search_api(buyer, "", verified="yes")["results"]] == [
        supplier.slug]
    assert "Verified accreditations only" in buyer.get("/search").data.decode()

    # A supplier's change to what was checked makes it self-declared again.
    post_form(client, f"/profile/accreditations/{ce.id}/edit",
              {"type": "cyber-essentials", "certificate_number": "CE-2",
               "certifying_body": "IASME", "evidence_url": "https://iasme.example/CE-1"})
    assert _by_name(session, supplier.name).accreditations[0].verification_status == "unverified"


def test_an_imported_verified_accreditation_says_so(app, session, tmp_path):
    line = {**UNCLAIMED, "accreditations": [
        {"type": "iso-27001", "verification_status": "verified", "verified_on": "2026-01-05"},
        {"type": "iso-9001", "verification_status": "verified"}]}
    assert _import(app, tmp_path, line).exit_code == 0
    page = app.test_client().get("/suppliers/harbour-survey-limited").data.decode()
    assert "Verified by Supplier Locator on 5 January 2026." in page
    assert "Verified by Supplier Locator." in page  # verified, date not recorded


def test_past_expiry_is_refused_for_suppliers_kept_on_import(app, client, session, sign_up,
                                                             tmp_path):
    sign_up()
    post_form(client, "/profile/section/organisation", ORGANISATION)
    past = date.today() - timedelta(days=3)
    refused = _accreditation(client, expires_on=[str(past.day), str(past.month), str(past.year)])
    assert b"Expiry date must be today or in the future" in refused.data
    assert session.exec(select(Accreditation)).all() == []

    soon = date.today() + timedelta(days=10)
    _accreditation(client, expires_on=[str(soon.day), str(soon.month), str(soon.year)])
    line = {**UNCLAIMED, "accreditations": [{"type": "iso-9001", "expires_on": past.isoformat()}]}
    assert _import(app, tmp_path, line).exit_code == 0  # a record of history: kept
    dashboard = client.get("/profile").data.decode()
    assert "Expires soon" in dashboard and "Expired" not in dashboard
    mine = _by_name(session, ORGANISATION["name"])
    mine.accreditations[0].expires_on = past  # time passes
    session.add(mine)
    session.commit()
    assert ">Expired</strong>" in client.get("/profile").data.decode()


def test_expiry_reminders_are_sent_once(app, client, session, sign_up):
    sign_up()
    for slug, data in (("organisation", ORGANISATION), ("services", SERVICES),
                       ("markets", MARKETS)):
        post_form(client, f"/profile/section/{slug}", data)
    due = date.today() + timedelta(days=30)
    later = due + timedelta(days=1)
    _accreditation(client, expires_on=[str(due.day), str(due.month), str(due.year)])
    _accreditation(client, type="iso-9001",
                   expires_on=[str(later.day), str(later.month), str(later.year)])
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reminders", "send"])
    assert "sent 1, already done 0" in first.output, first.output
    sent = len(mail_to(app, "owner@example.com"))
    reminder = mail_to(app, "owner@example.com")[-1]
    assert reminder["Subject"].startswith("Cyber Essentials expires on")
    assert "/profile/accreditations/" in reminder.get_body(("plain",)).get_content()
    assert "sent 0, already done 1" in runner.invoke(args=["reminders", "send"]).output
    assert len(mail_to(app, "owner@example.com")) == sent

    # Renewed, then due again at the new date: a new reminder for the new date.
    ce = _by_name(session, ORGANISATION["name"]).accreditations[0]
    ce.expires_on = due - timedelta(days=1)
    session.add(ce)
    session.commit()
    assert "sent 1" in runner.invoke(args=["reminders", "send"]).output
    assert len(mail_to(app, "owner@example.com")) == sent + 1

    # An account an admin has disabled gets no reminders, however soon its certificates expire.
    ce.expires_on = due - timedelta(days=2)
    session.add(ce)
    owner = session.exec(select(User).where(User.email == "owner@example.com")).one()
    owner.disabled_at = owner.created_at
    session.add(owner)
    session.commit()
    assert "sent 0" in runner.invoke(args=["reminders", "send"]).output
    assert len(mail_to(app, "owner@example.com")) == sent + 1
