"""Security headers on every response (ASVS V14.4): a Content-Security-Policy that lets no inline
script run except the page's own nonced one, framing refused, no MIME sniffing, a referrer policy,
and HSTS outside development. Every GET route of the URL map is read signed out, as a supplier and
as an administrator, and the HTML itself is checked to need nothing the policy forbids."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from helpers import TEST_PASSWORD
from security_helpers import (
    SUPPLIER_EMAIL,
    known_arguments,
    production_client,
    sign_in,
    urls,
)

from locator import create_app, search_runtime
from locator.models import Subscription
from locator.services import accounts

ADMIN_EMAIL = "admin@example.com"


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request.path}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name.lower()] = values
    return directives


def assert_protected(response, *, hsts: bool = False) -> None:
    where = f"{response.request.method} {response.request.path} ({response.status_code})"
    csp = policy(response)
    scripts = csp.get("script-src")
    assert scripts, f"{where}: the policy must name where scripts may come from"
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"} & set(
        scripts
    ), f"{where}: script-src {scripts}"
    assert csp.get("frame-ancestors") == ["'none'"], where
    assert csp.get("object-src") == ["'none'"], where
    assert csp.get("base-uri") == ["'none'"], where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", where
    if hsts:
        match = re.fullmatch(r"max-age=(\d+); includeSubDomains",
                             response.headers.get("Strict-Transport-Security", ""))
        assert match and int(match.group(1)) >= 365 * 24 * 3600, where
    else:
        assert "Strict-Transport-Security" not in response.headers, where
    if response.mimetype == "text/html":
        assert_page_fits_policy(response, scripts, where)


def assert_page_fits_policy(response, scripts: list[str], where: str) -> None:
    """Nothing on the page needs what the policy forbids: each inline script carries this
    response's nonce, and no element has an event-handler attribute, a javascript: link or an
    inline style."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    for script in soup.find_all("script"):
        if not script.get("src"):
            assert f"'nonce-{script.get('nonce')}'" in scripts, f"{where}: {script}"
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            assert not name.lower().startswith("on"), f"{where}: {name} on <{element.name}>"
            assert name.lower() != "style", f"{where}: inline style on <{element.name}>"
            if name in ("href", "src", "action", "formaction"):
                assert not str(value).strip().lower().startswith("javascript:"), where


def test_every_page_has_the_headers_signed_out_and_signed_in(app, client, supplier, session):
    """Three people: signed out, the supplier (`client`) and an administrator; every GET route
    of the app, with real arguments where there are any."""
    subscription = Subscription(email="buyer@example.gov.uk", filters={})
    session.add(subscription)
    session.commit()
    accounts.make_admin(session, ADMIN_EMAIL, TEST_PASSWORD)
    admin = app.test_client()
    sign_in(admin, ADMIN_EMAIL)
    people = {"signed out": app.test_client(), "supplier": client, "admin": admin}
    owner = accounts.find_by_email(session, SUPPLIER_EMAIL)
    routes = urls(app, "GET", known_arguments(app, supplier, subscription, owner, owner))
    assert len(routes) > 30
    with app.app_context():
        search_runtime.sync(app)  # caught up, so /healthz answers 200 as it would in service
    pages: dict[str, list[str]] = {person: [] for person in people}
    for person, browser in people.items():
        for _rule, url in routes:
            response = browser.get(url)
            assert response.status_code < 500, f"{person}: {url}"
            assert_protected(response)
            if response.status_code == 200 and response.mimetype == "text/html":
                pages[person].append(url)
    # Real pages were read, not only redirects to sign in: the dashboard, each profile section,
    # each item's pages.
    signed_in = [url for url in pages["supplier"] if url.startswith("/profile")]
    assert len(signed_in) >= 10, signed_in
    assert len(pages["signed out"]) >= 15, pages["signed out"]


def test_error_responses_have_the_headers(app, client):
    assert_protected(client.get("/no-such-page"))  # 404
    assert_protected(client.post("/search"))  # 405
    assert_protected(client.post("/account/sign-in", data={"email": "x"}))  # 400: no CSRF token
    assert_protected(client.get("/api/v1/suppliers?page=0"))  # a JSON error


def test_a_crash_still_has_the_headers(migrated, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": migrated, "SECRET_KEY": "t",
                      "INDEX_DIR": str(tmp_path / "index")})
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production, with the 500 page

    @app.route("/crash")
    def crash():
        raise RuntimeError("a bug")

    response = app.test_client().get("/crash")
    assert response.status_code == 500
    assert_protected(response)


def test_each_response_has_its_own_nonce(client):
    first, second = client.get("/"), client.get("/")
    nonces = [policy(r)["script-src"][-1] for r in (first, second)]
    assert all(n.startswith("'nonce-") and len(n) > 20 for n in nonces)
    assert nonces[0] != nonces[1]
    inline = BeautifulSoup(first.data, "html.parser").find("script", src=False)
    assert f"'nonce-{inline['nonce']}'" == nonces[0]  # the GOV.UK template's js-enabled line


def test_production_adds_hsts_everywhere(production_app):
    browser = production_client(production_app)
    for url in ("/", "/search?q=cyber", "/no-such-page", "/static/dist/app.js",
                "/api/v1/suppliers", "/account/sign-in"):
        response = browser.get(url)
        assert response.status_code < 500, url
        assert_protected(response, hsts=True)
