"""A supplier builds, publishes and maintains its profile through the real pages."""

import re
from datetime import date, timedelta

from helpers import (
    CONTACT,
    MARKETS,
    ORGANISATION,
    SERVICES,
    admin_client,
    build_publishable_profile,
    csrf_token,
    post_form,
    publish_approved,
)
from sqlmodel import select

from locator.models import Accreditation, CaseStudy, Supplier


def _supplier(session) -> Supplier:
    session.expire_all()
    return session.exec(select(Supplier)).one()


def test_new_account_starts_with_the_organisation_section(client, sign_up):
    sign_up()
    dashboard = client.get("/profile")
    assert b"Not yet started" in dashboard.data
    assert client.get("/profile/section/services").status_code == 302


def test_organisation_section_creates_a_draft_with_a_normalised_number(client, session, sign_up):
    sign_up()
    post_form(client, "/profile/section/organisation", ORGANISATION)
    supplier = _supplier(session)
    assert supplier.status == "draft"
    assert supplier.slug == "kestrel-hill-cyber-ltd"
    dashboard = client.get("/profile").data.decode()
    assert dashboard.count("Completed") == 1  # organisation only; optional ones say so
    assert "Optional" in dashboard
    assert supplier.companies_house_number == "SC012345"


def test_bad_input_is_explained_kept_and_not_saved(client, session, sign_up):
    sign_up()
    bad = {**ORGANISATION, "companies_house_number": "12AB", "summary": "x" * 281,
           "website": "javascript://example.com/%0aalert(1)"}
    response = post_form(client, "/profile/section/organisation", bad)
    assert response.status_code == 200
    page = response.data.decode()
    assert "Enter a Companies House number in the correct format" in page
    assert "Summary must be 280 characters or fewer" in page
    assert "Enter a website address in the correct format" in page
    assert 'value="12AB"' in page  # what the user typed is still there
    assert "govuk-error-summary" in page
    assert session.exec(select(Supplier)).all() == []


def test_unknown_cpv_code_is_refused_and_kept(client, session, sign_up):
    sign_up()
    post_form(client, "/profile/section/organisation", ORGANISATION)
    response = post_form(
        client, "/profile/section/services",
        {"services": "Testing", "cpv_codes": "72000000\n12345678"},
    )
    page = response.data.decode()
    assert "12345678 is not a CPV code" in page
    assert "12345678</textarea>" in page
    assert _supplier(session).cpv_codes == []


def test_cpv_finder_shows_matches_without_saving(client, session, sign_up):
    sign_up()
    post_form(client, "/profile/section/organisation", ORGANISATION)
    response = post_form(
        client, "/profile/section/services",
        {"services": "Typed but unsaved", "cpv_q": "security software", "cpv_search": "1"},
    )
    page = response.data.decode()
    assert "Typed but unsaved" in page
    # The matches are offered as unticked boxes, with their descriptions.
    matches = re.findall(
        r'data-cpv-suggestion>\s*<input class="govuk-checkboxes__input" id="cpv-\d+" '
        r'name="cpv_codes" type="checkbox" value="(\d{8})">\s*<label [^>]*>\d{8} – ([^<]+)</label>',
        page,
    )
    assert dict(matches).get("72212730") == "Security software development services"
    assert "No CPV codes match" not in page
    assert "govuk-error-summary" not in page
    assert _supplier(session).services == []

    nothing = post_form(
        client, "/profile/section/services",
        {"services": "Typed but unsaved", "cpv_q": "qqxqq", "cpv_search": "1"},
    ).data.decode()
    assert "No CPV codes match ‘qqxqq’." in nothing
    assert "data-cpv-suggestion" not in nothing


def test_publish_needs_required_sections_and_sets_arrival_once(app, client, session, sign_up):
    sign_up()
    post_form(client, "/profile/section/organisation", ORGANISATION)
    refused = post_form(client, "/profile/publish", {}, form_page="/profile")
    assert b"Complete these sections before you publish" in refused.data
    assert _supplier(session).status == "draft"

    supplier = publish_approved(client, admin_client(app), session)
    assert supplier.status == "published"
    arrival = supplier.first_published_at
    assert arrival is not None

    post_form(client, "/profile/unpublish", {}, form_page="/profile")
    assert _supplier(session).status == "draft"
    post_form(client, "/profile/section/markets", {**MARKETS, "regions": ["UK"]})
    # Approved once: publishing again needs no second review.
    published = post_form(client, "/profile/publish", {}, form_page="/profile")
    assert b"Your profile is published" in published.data
    supplier = _supplier(session)
    assert supplier.status == "published"
    assert supplier.first_published_at == arrival
    assert supplier.regions == ["UK"]


def test_publish_needs_a_contact_email(client, session, sign_up):
    """The task list's "Contact details" and the publish rule are one rule."""
    sign_up()
    for slug, data in (("organisation", ORGANISATION), ("services", SERVICES),
                       ("markets", MARKETS)):
        post_form(client, f"/profile/section/{slug}", data)
    dashboard = client.get("/profile").data.decode()
    assert "Before you can publish, complete: Contact details." in dashboard
    refused = post_form(client, "/profile/publish", {}, form_page="/profile")
    assert b"Complete these sections before you publish: Contact details." in refused.data
    assert _supplier(session).status == "draft"
    post_form(client, "/profile/section/contact", CONTACT)
    sent = post_form(client, "/profile/publish", {}, form_page="/profile")
    assert b"sent for review" in sent.data
    assert _supplier(session).status == "submitted"
    assert "Waiting for review" in client.get("/profile").data.decode()


def test_size_bands_derive_size_and_sme(client, session, sign_up):
    sign_up()
    post_form(client, "/profile/section/organisation", ORGANISATION)
    post_form(client, "/profile/section/size",
              {"staff_band": "11-50", "turnover_band": "1m-15m", "supplier_types": ["vcse"]})
    supplier = _supplier(session)
    assert supplier.size == "small"
    assert supplier.supplier_types == ["sme", "vcse"]
    refused = post_form(client, "/profile/section/size",
                        {"staff_band": "250+", "turnover_band": "54m+", "supplier_types": ["sme"]})
    assert b"above the SME limits" in refused.data


def test_accreditation_add_change_remove(client, session, sign_up):
    sign_up()
    post_form(client, "/profile/section/organisation", ORGANISATION)
    added = post_form(client, "/profile/accreditations/new", {
        "type": "cyber-essentials-plus", "certificate_number": "CE-123",
        "issued_on": ["1", "4", "2026"], "expires_on": ["31", "3", "2027"],
    })
    assert b"The accreditation has been saved" in added.data
    item = session.exec(select(Accreditation)).one()
    assert item.expires_on == date(2027, 3, 31)
    assert item.verification_status == "unverified"

    post_form(client, f"/profile/accreditations/{item.id}/edit", {
        "type": "iso-27001", "issued_on": ["", "", ""], "expires_on": ["", "", ""],
    })
    session.expire_all()
    item = session.exec(select(Accreditation)).one()
    assert (item.type, item.expires_on) == ("iso-27001", None)

    post_form(client, f"/profile/accreditations/{item.id}/remove", {})
    assert session.exec(select(Accreditation)).all() == []


def test_accreditation_date_errors(client, session, sign_up):
    sign_up()
    post_form(client, "/profile/section/organisation", ORGANISATION)
    response = post_form(client, "/profile/accreditations/new", {
        "type": "iso-9001", "issued_on": ["1", "4", "2026"], "expires_on": ["31", "3", "2026"],
    })
    assert b"Expiry date must be on or after the date issued" in response.data
    impossible = post_form(client, "/profile/accreditations/new", {
        "type": "other", "issued_on": ["31", "2", "2026"], "expires_on": ["", "4", ""],
    })
    page = impossible.data.decode()
    assert "Date issued must be a real date" in page
    assert "must include a day, month and year" in page
    assert "Enter the name of the accreditation" in page
    assert session.exec(select(Accreditation)).all() == []


def test_case_study_add_and_remove(client, session, sign_up):
    sign_up()
    post_form(client, "/profile/section/organisation", ORGANISATION)
    data = {"title": "SOC for a trust", "client_name": "Northolme NHS Trust",
            "client_sector": "health-social-care", "year": "2024", "challenge": "Attacks",
            "approach": "Monitoring", "outcome": "Fewer incidents"}
    assert b"The case study has been saved" in post_form(
        client, "/profile/case-studies/new", data).data
    study = session.exec(select(CaseStudy)).one()
    bad = post_form(client, f"/profile/case-studies/{study.id}/edit", {**data, "year": "1066"})
    assert b"Enter a year between 1950 and next year" in bad.data
    post_form(client, f"/profile/case-studies/{study.id}/remove", {})
    assert session.exec(select(CaseStudy)).all() == []


def test_another_users_items_are_not_found(client, session, sign_up):
    sign_up("first@example.com")
    post_form(client, "/profile/section/organisation", ORGANISATION)
    post_form(client, "/profile/accreditations/new", {"type": "iso-9001"})
    theirs = session.exec(select(Accreditation)).one()
    slug = _supplier(session).slug
    with client.session_transaction() as flask_session:
        flask_session.clear()

    sign_up("second@example.com")
    post_form(client, "/profile/section/organisation", {**ORGANISATION, "name": "Other Ltd",
                                                        "companies_house_number": ""})
    assert client.get(f"/profile/accreditations/{theirs.id}/edit").status_code == 404
    # With a valid CSRF token, so that it is the ownership check that refuses the removal.
    token = csrf_token(client.get("/profile/accreditations/new"))
    remove = client.post(f"/profile/accreditations/{theirs.id}/remove",
                         data={"csrf_token": token})
    assert remove.status_code == 404
    assert client.get(f"/profile/nonsense/{theirs.id}/edit").status_code == 404
    assert client.get(f"/suppliers/{slug}").status_code == 404  # someone else's draft
    assert session.exec(select(Accreditation)).one().id == theirs.id


def test_draft_is_visible_to_its_owner_only(client, session, sign_up):
    sign_up()
    post_form(client, "/profile/section/organisation", ORGANISATION)
    slug = _supplier(session).slug
    preview = client.get(f"/suppliers/{slug}")
    assert preview.status_code == 200
    assert b"This is a preview" in preview.data
    with client.session_transaction() as flask_session:
        flask_session.clear()
    assert client.get(f"/suppliers/{slug}").status_code == 404


def test_control_characters_are_dropped_not_a_database_error(client, session, sign_up):
    """PostgreSQL refuses NUL in text; a pasted control character must not become a 500."""
    sign_up()
    response = post_form(client, "/profile/section/organisation", {
        **ORGANISATION, "description": "Line one\r\nwith a NUL\x00 and a bell\x07.",
    })
    assert response.status_code == 200
    post_form(client, "/profile/section/services",
              {"services": "Testing\x00\r\nAudits", "cpv_codes": "72000000"})
    supplier = _supplier(session)
    assert supplier.description == "Line one\nwith a NUL and a bell."
    assert supplier.services == ["Testing", "Audits"]


def test_profile_page_hides_expired_accreditations(client, session, runner):
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "60"]).exit_code == 0
    supplier = session.exec(select(Supplier).where(Supplier.status == "published")).first()
    today = date.today()
    supplier.accreditations = [
        Accreditation(type="iso-27001", expires_on=today + timedelta(days=10)),
        Accreditation(type="pci-dss", expires_on=today - timedelta(days=1)),
    ]
    session.add(supplier)
    session.commit()
    page = client.get(f"/suppliers/{supplier.slug}").data.decode()
    assert supplier.name in page
    assert "ISO 27001" in page
    assert "PCI DSS" not in page


def test_organisation_page_counts_characters_and_takes_a_website_without_https(
    client, session, sign_up
):
    sign_up()
    page = client.get("/profile/section/organisation").data.decode()
    assert 'data-maxlength="280"' in page and 'data-maxlength="20000"' in page
    post_form(client, "/profile/section/organisation",
              {**ORGANISATION, "website": "www.kestrel.example.co.uk/about", "town": "Leeds"})
    supplier = _supplier(session)
    assert supplier.website == "https://www.kestrel.example.co.uk/about"
    assert supplier.town == "Leeds"


def test_public_profile_links_the_domain_and_phone_and_leads_back_to_the_search(
    client, session, sign_up
):
    sign_up()
    build_publishable_profile(client)
    post_form(client, "/profile/section/organisation",
              {**ORGANISATION, "website": "https://www.kestrel.example.co.uk/about",
               "town": "Leeds"})
    post_form(client, "/profile/section/contact",
              {"contact_email": "hello@kestrel.example", "contact_phone": "+44 (0)113 496 0000"})
    slug = _supplier(session).slug
    search = "/search?q=cyber&region=TLD&sort=name"
    page = client.get(f"/suppliers/{slug}",
                      headers={"Referer": f"http://localhost{search}"}).data.decode()
    assert re.search(r'href="https://www.kestrel.example.co.uk/about"[^>]*>kestrel.example.co.uk<',
                     page)
    assert 'href="tel:+441134960000"' in page
    assert ">Leeds<" in page
    back = re.search(r'<a href="([^"]+)" class="govuk-back-link">Back to search results</a>', page)
    assert back and back.group(1).replace("&amp;", "&") == search
    assert _current_nav(page) == ["Find suppliers"]

    for referrer in ("http://elsewhere.example/search?q=x", "http://localhost/profile", None):
        page = client.get(f"/suppliers/{slug}",
                          headers={"Referer": referrer} if referrer else {}).data.decode()
        assert "govuk-back-link" not in page, referrer
        assert _current_nav(page) == [], referrer


def _current_nav(page: str) -> list[str]:
    return re.findall(r'aria-current="(?:true|page)">\s*<strong[^>]*>([^<]+)<', page)


def test_a_medium_business_that_does_not_say_whether_it_is_an_sme_is_asked(
    client, session, sign_up
):
    sign_up()
    post_form(client, "/profile/section/organisation", ORGANISATION)
    medium = {"staff_band": "51-249", "turnover_band": "44m-54m"}
    page = post_form(client, "/profile/section/size", medium).data.decode()
    assert "Select SME if your organisation is one" in page
    assert _supplier(session).staff_band is None
    post_form(client, "/profile/section/size", {**medium, "supplier_types": ["sme"]})
    assert _supplier(session).is_sme
    post_form(client, "/profile/section/size", {**medium, "balance_sheet_band": "38m+"})
    supplier = _supplier(session)
    assert not supplier.is_sme and "sme" not in supplier.supplier_types


def test_code_boxes_are_tall_enough_for_the_codes_refused(client, sign_up):
    sign_up()
    post_form(client, "/profile/section/organisation", ORGANISATION)
    unknown = [f"1234567{n}" for n in range(6)]
    page = post_form(client, "/profile/section/services",
                     {"services": "Testing", "cpv_codes": "\n".join(unknown),
                      "sic_codes": "1 2 3 4 5 6"}).data.decode()
    rows = re.search(r'id="cpv_codes_typed" name="cpv_codes" rows="(\d+)"', page)
    assert int(rows.group(1)) > len(unknown)
    sic = re.search(r'<textarea[^>]*id="sic_codes"[^>]*rows="(\d+)"|<textarea[^>]*rows="(\d+)"'
                    r'[^>]*id="sic_codes"', page)
    assert int(sic.group(1) or sic.group(2)) > 6
