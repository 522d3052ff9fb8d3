"""Helpers the tests share: driving forms like a browser does, reading search results and
published suppliers, and where the Contracts Finder sample data is."""

import re
from pathlib import Path

from sqlalchemy.orm import selectinload
from sqlmodel import select

from locator.models import Supplier

TEST_PASSWORD = "correct horse battery"


def csrf_token(response) -> str:
    match = re.search(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', response.data)
    assert match, "no CSRF token on the page"
    return match.group(1).decode()


def post_form(client, url: str, data: dict, follow_redirects: bool = True, form_page=None):
    """GET the page with the form (`url` unless `form_page` says) for its CSRF token, then POST
    the form like a browser would."""
    token = csrf_token(client.get(form_page or url))
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=follow_redirects)


ORGANISATION = {
    "name": "Kestrel Hill Cyber Ltd",
    "legal_form": "limited-company",
    "companies_house_number": "sc12345",
    "summary": "Penetration testing and cyber security for councils and the NHS.",
    "description": "We test public-sector systems the way attackers would.",
}
SERVICES = {"services": "Penetration testing\nIncident response", "cpv_codes": "72000000-5"}
MARKETS = {"sectors": ["health-social-care", "local-government"], "regions": ["TLD"]}
CONTACT = {"contact_email": "enquiries@kestrel.example"}
ADMIN_EMAIL = "admin@example.com"


def build_publishable_profile(client) -> None:
    """Fill in the sections a profile needs before it can be published, as a supplier would."""
    for slug, data in (("organisation", ORGANISATION), ("services", SERVICES),
                       ("markets", MARKETS), ("contact", CONTACT)):
        response = post_form(client, f"/profile/section/{slug}", data)
        assert response.status_code == 200
        assert b"saved." in response.data, slug


def search_api(client, query: str = "", **params) -> dict:
    """The JSON API's search results for `query` and `params`, checking it answered 200."""
    response = client.get("/api/v1/suppliers", query_string={"q": query, **params})
    assert response.status_code == 200, response.data
    return response.get_json()


def published_suppliers(session) -> list[Supplier]:
    """Every published supplier, with its accreditations, as the database has them now."""
    session.expire_all()
    return list(session.exec(select(Supplier).where(Supplier.status == "published").options(
        selectinload(Supplier.accreditations))))


ROOT = Path(__file__).resolve().parent.parent
CONTRACTS_FINDER_CSV = ROOT / "tests" / "data" / "contractsfinder_awards_2020.csv"
CONTRACTS_FINDER_JSONL = ROOT / "tests" / "data" / "contractsfinder_suppliers.jsonl"


def admin_client(app, email: str = ADMIN_EMAIL):
    """A second browser, signed in as an administrator made with `locator create-admin`."""
    made = app.test_cli_runner().invoke(args=["create-admin", email, "--password", TEST_PASSWORD])
    assert made.exit_code == 0, made.output
    client = app.test_client()
    signed_in = post_form(client, "/account/sign-in", {"email": email, "password": TEST_PASSWORD})
    assert signed_in.status_code == 200
    return client


def publish_approved(client, admin, session) -> Supplier:
    """The supplier behind `client` builds and sends its profile; `admin` approves it."""
    build_publishable_profile(client)
    assert b"sent for review" in post_form(client, "/profile/publish", {},
                                           form_page="/profile").data
    supplier = session.exec(select(Supplier)).one()
    approved = post_form(admin, f"/admin/suppliers/{supplier.id}/approve", {})
    assert b"The profile is published" in approved.data
    session.expire_all()
    return session.exec(select(Supplier)).one()
