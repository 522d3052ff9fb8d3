"""Sessions that end (#13, item 4). A session cookie is signed, not stored, so a copy of it
worked until it expired, after sign-out too. Now the account's session version is part of the
signed-in identity: signing out, a new password (changed or reset) and deleting the account end
every session signed in before, in every browser; and signing in starts a fresh session, with a
new CSRF token."""

import time

from helpers import TEST_PASSWORD, csrf_token, mail_link, mail_to, post_form

from locator.login import SIGNED_IN_AT
from locator.services import accounts

EMAIL = "owner@example.com"
NEW_PASSWORD = "plum tractor lantern"


def _browser(app, session, email=EMAIL):
    """A test client signed in to the account (made directly, so that these tests start the
    same way on every version of registration)."""
    if accounts.find_by_email(session, email) is None:
        accounts.register(session, email, TEST_PASSWORD)
    client = app.test_client()
    response = post_form(client, "/account/sign-in", {"email": email, "password": TEST_PASSWORD})
    assert response.request.path == "/profile", response.data
    return client


def _signed_in(client) -> bool:
    return client.get("/profile").status_code == 200


def _copy(client, app):
    """Another client holding a copy of `client`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_copied_session_cookie_stops_working_at_sign_out(app, session):
    owner = _browser(app, session)
    thief = _copy(owner, app)
    assert _signed_in(thief)
    post_form(owner, "/account/sign-out", {})
    assert not _signed_in(owner)
    assert not _signed_in(thief)


def test_signing_out_ends_the_accounts_sessions_in_every_browser(app, session):
    laptop, phone = _browser(app, session), _browser(app, session)
    other = _browser(app, session, "someone-else@example.com")
    post_form(laptop, "/account/sign-out", {})
    assert not _signed_in(phone)
    assert _signed_in(other)  # other accounts are not touched
    assert _signed_in(_browser(app, session))  # signing in again works


def test_changing_the_password_ends_every_other_session(app, session):
    laptop, phone = _browser(app, session), _browser(app, session)
    thief = _copy(laptop, app)
    changed = post_form(laptop, "/account/change-password",
                        {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD,
                         "confirm": NEW_PASSWORD})
    assert b"Your password has been changed" in changed.data
    assert _signed_in(laptop)  # the browser that changed it stays signed in, on a new session
    assert not _signed_in(phone)
    assert not _signed_in(thief)  # the laptop's old cookie is not its new one


def test_resetting_the_password_ends_every_session(app, session):
    phone = _browser(app, session)
    visitor = app.test_client()
    post_form(visitor, "/account/forgotten-password", {"email": EMAIL})
    link = mail_link(mail_to(app, EMAIL)[-1], "/account/reset-password/")
    post_form(visitor, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert not _signed_in(phone)


def test_deleting_the_account_ends_every_session(app, session):
    laptop, phone = _browser(app, session), _browser(app, session)
    post_form(laptop, "/account/delete", {"current_password": TEST_PASSWORD})
    assert not _signed_in(laptop)
    assert not _signed_in(phone)


def test_signing_in_renews_the_csrf_token(app, session):
    accounts.register(session, EMAIL, TEST_PASSWORD)
    client = app.test_client()
    before = csrf_token(client.get("/account/sign-in"))
    client.post("/account/sign-in",
                data={"email": EMAIL, "password": TEST_PASSWORD, "csrf_token": before})
    assert _signed_in(client)
    stale = client.post("/account/sign-out", data={"csrf_token": before})
    assert stale.status_code == 400 and b"Your form expired" in stale.data
    assert _signed_in(client)
    assert csrf_token(client.get("/account/sign-out")) != before


def test_signing_in_starts_a_fresh_session(app, session):
    """Nothing planted in a session before signing in (session fixation) survives it."""
    accounts.register(session, EMAIL, TEST_PASSWORD)
    client = app.test_client()
    with client.session_transaction() as planted:
        planted["planted"] = "by someone else"
    post_form(client, "/account/sign-in", {"email": EMAIL, "password": TEST_PASSWORD})
    with client.session_transaction() as fresh:
        assert "planted" not in fresh


def test_a_sign_in_lasts_session_hours_however_active(app, session):
    """ASVS 3.3.2: after SESSION_HOURS (12) the password is asked for again, even from a browser
    in use all along, so a stolen cookie or a shared computer's session does not last for ever."""
    owner = _browser(app, session)
    thief = _copy(owner, app)
    hours = app.config["SESSION_HOURS"]
    assert hours == 12

    def signed_in_hours_ago(client, ago: float) -> None:
        with client.session_transaction() as signed:
            signed[SIGNED_IN_AT] = int(time.time() - ago * 3600)

    signed_in_hours_ago(owner, hours - 0.1)
    assert _signed_in(owner)
    signed_in_hours_ago(owner, hours + 0.1)
    response = owner.get("/profile")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]
    with thief.session_transaction() as copied:  # a cookie without the time is not accepted
        copied.pop(SIGNED_IN_AT)
    assert not _signed_in(thief)
    assert _signed_in(_browser(app, session))  # signing in again starts a new period
