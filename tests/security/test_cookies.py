"""Cookie flags (ASVS V3.4): the one cookie the service sets, the session, is HttpOnly (no script
can read it), SameSite=Lax (another site's form posts and frames do not carry it) and, in
production, Secure (never sent over plain HTTP). There is no "remember me" cookie."""

from __future__ import annotations

from helpers import TEST_PASSWORD, csrf_token
from security_helpers import production_client

from locator.services import accounts

EMAIL = "owner@example.com"


def _set_cookies(response) -> dict[str, dict]:
    """Each cookie the response sets: its attributes, lower-cased, with flags as True."""
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        name, _, attributes = header.partition(";")
        found[name.split("=", 1)[0].strip()] = {
            key.strip().lower(): value.strip() if sep else True
            for key, sep, value in (part.partition("=") for part in attributes.split(";"))
            if key.strip()
        }
    return found


def _sign_in(browser):
    token = csrf_token(browser.get("/account/sign-in"))
    response = browser.post("/account/sign-in",
                            data={"email": EMAIL, "password": TEST_PASSWORD, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    return response


def test_production_session_cookie_is_secure_httponly_and_samesite(production_app, session):
    accounts.register(session, EMAIL, TEST_PASSWORD)
    browser = production_client(production_app)
    cookies = _set_cookies(_sign_in(browser))
    assert set(cookies) == {"session"}  # nothing else, "remember me" included
    flags = cookies["session"]
    assert flags.get("secure") is True
    assert flags.get("httponly") is True
    assert flags.get("samesite", "").lower() == "lax"
    assert flags.get("path") == "/"
    assert "domain" not in flags  # this host only, not its subdomains
    # Signing out replaces it with one that carries the same flags.
    token = csrf_token(browser.get("/account/sign-out"))
    out = _set_cookies(browser.post("/account/sign-out", data={"csrf_token": token}))
    assert out["session"].get("secure") is True and out["session"].get("httponly") is True


def test_development_session_cookie_works_over_http(app, session):
    """Development serves plain http://localhost, so the cookie cannot be Secure there; the other
    flags stay."""
    accounts.register(session, EMAIL, TEST_PASSWORD)
    flags = _set_cookies(_sign_in(app.test_client()))["session"]
    assert "secure" not in flags
    assert flags.get("httponly") is True and flags.get("samesite", "").lower() == "lax"

