"""Security events are logged (ASVS V7.1, V7.2, V7.3): failed and throttled sign-ins, wrong
current passwords, client rate limits, refused forms and hosts, and the account changes and admin
decisions an investigation needs, each with the client's address and the account's id, on the
`locator.security` logger. Never a password, a token, the session cookie, or the address typed
into a form; and nothing a client sends can forge a line or a field."""

from __future__ import annotations

import logging

import pytest
from helpers import TEST_PASSWORD, csrf_token, mail_link, mail_to, post_form
from security_helpers import production_client, sign_in

from locator.services import accounts

OWNER = "owner@example.com"
STRANGER = "stranger@example.com"
WRONG = "Hunter2-not-the-password"


@pytest.fixture
def events(caplog):
    """The security events logged so far, as (event, fields)."""
    caplog.set_level(logging.INFO, logger="locator.security")

    def logged():
        return [(r.security["event"], r.security) for r in caplog.records
                if r.name == "locator.security"]

    return logged


def _secrets_absent(caplog, *secrets: str) -> None:
    text = "\n".join(record.getMessage() for record in caplog.records)
    for secret in secrets:
        assert secret not in text, secret


def _sign_in(client, email, password, n=1):
    token = csrf_token(client.get("/account/sign-in"))
    return client.post("/account/sign-in", data={"email": email, "password": password,
                                                 "csrf_token": token},
                       environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})


def test_sign_ins_failed_throttled_and_succeeded(app, session, events, caplog):
    owner = accounts.register(session, OWNER, TEST_PASSWORD)
    client = app.test_client()
    _sign_in(client, STRANGER, WRONG)
    for n in range(6):
        _sign_in(client, OWNER, WRONG, n)
    logged = events()
    assert logged[0] == ("sign-in.failed",
                         {"event": "sign-in.failed", "client": "198.51.100.1", "account": None})
    assert [e for e, _ in logged[1:]] == ["sign-in.failed"] * 5 + ["sign-in.throttled"]
    assert all(fields["account"] == owner.id for _, fields in logged[1:])
    assert 0 < logged[-1][1]["wait"] <= 60
    assert all(r.levelno == logging.WARNING for r in caplog.records if r.name == "locator.security")

    other = app.test_client()
    token = csrf_token(other.get("/account/sign-in"))
    accounts.register(session, "second@example.com", TEST_PASSWORD)
    other.post("/account/sign-in", data={"email": "second@example.com",
                                         "password": TEST_PASSWORD, "csrf_token": token})
    assert events()[-1][0] == "sign-in"
    _secrets_absent(caplog, WRONG, TEST_PASSWORD, OWNER, STRANGER, "second@example.com", token,
                    other.get_cookie("session").value)


def test_rate_limits_and_refused_forms(app, client, events):
    token = csrf_token(client.get("/account/register"))
    for _ in range(6):
        client.post("/account/register", data={"csrf_token": token})
    assert [e for e, _ in events()] == ["rate-limited"]
    assert events()[0][1]["endpoint"] == "auth.register"
    client.post("/new-arrivals/subscribe", data={"email": "a@example.com"})  # no token
    event, fields = events()[-1]
    assert event == "csrf.refused" and fields["endpoint"] == "digest.subscribe"


def test_account_changes_are_logged(app, client, session, events, caplog):
    user = accounts.register(session, OWNER, TEST_PASSWORD)
    sign_in(client, OWNER)
    post_form(client, "/account/change-password",
              {"current_password": WRONG, "password": "plum tractor lantern",
               "confirm": "plum tractor lantern"})
    post_form(client, "/account/change-password",
              {"current_password": TEST_PASSWORD, "password": "plum tractor lantern",
               "confirm": "plum tractor lantern"})
    post_form(client, "/account/sign-out", {})
    post_form(client, "/account/forgotten-password", {"email": OWNER})
    link = mail_link(mail_to(app, OWNER)[-1], "/account/reset-password/")
    post_form(client, link, {"password": "a new long password", "confirm": "a new long password"})
    sign_in(client, OWNER, "a new long password")
    post_form(client, "/account/delete", {"current_password": "a new long password"})
    assert [e for e, _ in events()] == [
        "sign-in", "password-check.failed", "password.changed", "sign-out", "password.reset",
        "sign-in", "account.deleted"]
    assert {fields["account"] for _, fields in events()} == {user.id}
    _secrets_absent(caplog, WRONG, TEST_PASSWORD, "plum tractor lantern", "a new long password",
                    link.rsplit("/", 1)[-1], OWNER)


def test_admin_decisions_are_logged(app, supplier, session, events):
    admin_user, _ = accounts.make_admin(session, "admin@example.com", TEST_PASSWORD)
    admin = app.test_client()
    sign_in(admin, "admin@example.com")
    post_form(admin, f"/admin/suppliers/{supplier.id}/suspend", {"reason": "Fake business"})
    event, fields = events()[-1]
    assert event == "admin.action"
    assert fields["admin"] == admin_user.id
    assert fields["path"] == f"/admin/suppliers/{supplier.id}/suspend"


def test_what_a_client_sends_cannot_forge_a_log_field(production_app, events, caplog):
    forged = 'evil.example event=sign-in account=1\nevent=forged'
    production_client(production_app).get("/", environ_overrides={"HTTP_HOST": forged})
    [record] = [r for r in caplog.records if r.name == "locator.security"]
    message = record.getMessage()
    assert record.security["event"] == "host.refused"
    assert "\n" not in message and message.count("event=") == 1 + forged.count("event=")
    assert message.startswith("event=host.refused client=") and '"evil.example ' in message
