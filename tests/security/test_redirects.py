"""Open redirects (ASVS V5.1.5): `next=` after signing in (and after asking for a confirmation
link again) only ever goes to a path on this site. Browsers read a backslash in a URL as a slash
and drop tabs and line breaks, so those spellings of `//evil.example` are refused as well."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from helpers import TEST_PASSWORD, csrf_token

from locator.services import accounts

EMAIL = "owner@example.com"
ELSEWHERE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\\/evil.example/",
    "javascript:alert(1)",
    "evil.example",
]


def _sign_in(client, next_: str):
    token = csrf_token(client.get("/account/sign-in"))
    return client.post(f"/account/sign-in?next={quote(next_, safe='')}",
                       data={"email": EMAIL, "password": TEST_PASSWORD, "csrf_token": token})


@pytest.mark.parametrize("target", ELSEWHERE)
def test_signing_in_never_redirects_to_another_site(app, session, target):
    accounts.register(session, EMAIL, TEST_PASSWORD)
    response = _sign_in(app.test_client(), target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"


@pytest.mark.parametrize("target", ["/suppliers?letter=b", "/search?q=cyber security"])
def test_signing_in_goes_on_to_a_page_of_this_site(app, session, target):
    accounts.register(session, EMAIL, TEST_PASSWORD)
    response = _sign_in(app.test_client(), target)
    assert response.status_code == 302
    assert response.headers["Location"] == quote(target, safe="/?=")


def test_asking_for_a_confirmation_link_again_never_redirects_elsewhere(app, session):
    app.config["RATELIMIT_ENABLED"] = False  # more asks than a client may make in a minute
    accounts.register(session, EMAIL, TEST_PASSWORD)
    client = app.test_client()
    assert _sign_in(client, "/account").headers["Location"] == "/account"
    for target in ELSEWHERE:
        token = csrf_token(client.get("/account"))
        response = client.post(f"/account/send-confirmation?next={quote(target, safe='')}",
                               data={"csrf_token": token})
        assert response.status_code == 302, target
        assert response.headers["Location"] == "/account", target
