"""Account enumeration and password guessing (#13, item 5). Whether an address has an account
shows neither in what the site says nor in how long it takes: registering, signing in and
resetting a password answer alike (the owner is e-mailed instead). Wrong passwords are limited
per account, from however many addresses they come, with a growing wait, and the client address
behind a proxy comes from X-Forwarded-For only as far as LOCATOR_PROXY_HOPS trusts it."""

import re
import time
import uuid

import pytest
import redis
from helpers import TEST_PASSWORD, csrf_token, mail_to, post_form
from sqlmodel import select

from locator import create_app
from locator.models import User
from locator.services import accounts

OWNER = "owner@example.com"
STRANGER = "stranger@example.com"


def _page(response, address: str) -> bytes:
    """The page with the address typed in it and the (time-stamped) CSRF token blanked out, to
    compare the answers for two addresses."""
    page = response.data.replace(address.encode(), b"ADDRESS")
    return re.sub(rb'(name="csrf_token" type="hidden" value=")[^"]+', rb"\1TOKEN", page)


def test_registering_a_taken_address_answers_as_for_a_new_one_and_emails_the_owner(
    app, client, session
):
    accounts.register(session, OWNER, TEST_PASSWORD)
    data = {"password": "plum tractor lantern", "confirm": "plum tractor lantern"}
    taken = post_form(client, "/account/register", {"email": OWNER, **data})
    new = post_form(app.test_client(), "/account/register", {"email": STRANGER, **data})
    assert taken.status_code == new.status_code == 200
    assert _page(taken, OWNER) == _page(new, STRANGER)
    assert "Set-Cookie" not in taken.headers or "Set-Cookie" in new.headers
    [notice] = mail_to(app, OWNER)
    assert notice["Subject"] == "You already have an account"
    assert "/account/forgotten-password" in notice.get_body(("plain",)).get_content()
    assert [m["Subject"] for m in mail_to(app, STRANGER)] == ["Confirm your email address"]
    owner = accounts.find_by_email(session, OWNER)
    assert accounts.password_matches(owner, TEST_PASSWORD)  # untouched
    assert len(session.exec(select(User)).all()) == 2


def test_a_password_reset_answers_alike_for_any_address(app, client, session):
    accounts.register(session, OWNER, TEST_PASSWORD)
    known = post_form(client, "/account/forgotten-password", {"email": OWNER})
    unknown = post_form(client, "/account/forgotten-password", {"email": STRANGER})
    assert known.status_code == unknown.status_code == 200
    assert _page(known, OWNER) == _page(unknown, STRANGER)
    assert mail_to(app, OWNER)[-1]["Subject"] == mail_to(app, STRANGER)[-1]["Subject"]


def test_signing_in_answers_alike_and_takes_as_long_for_an_unknown_address(app, session):
    """The hash is the slow part of signing in (a third of a second here): for an address
    without an account a dummy is checked, so the answer takes as long."""
    app.config["RATELIMIT_ENABLED"] = False
    accounts.register(session, OWNER, TEST_PASSWORD)
    client = app.test_client()
    token = csrf_token(client.get("/account/sign-in"))

    def attempt(address):
        started = time.perf_counter()
        response = client.post("/account/sign-in", data={
            "email": address, "password": "wrong password", "csrf_token": token})
        return time.perf_counter() - started, response

    attempt(STRANGER)  # warm-up: the first request of a process compiles templates
    known = [attempt(OWNER) for _ in range(3)]  # fewer than the account's free tries
    unknown = [attempt(STRANGER) for _ in range(3)]
    assert _page(known[0][1], OWNER) == _page(unknown[0][1], STRANGER)
    fastest_known = min(seconds for seconds, _ in known)
    fastest_unknown = min(seconds for seconds, _ in unknown)
    assert fastest_unknown > 0.5 * fastest_known, (fastest_unknown, fastest_known)


@pytest.fixture
def clock(app):
    """The account throttle's clock, moved on by hand."""
    now = [1_900_000_000.0]
    app.extensions["locator.account_throttle"].clock = lambda: now[0]
    return now


def _guess(client, token, address, password, n):
    """One sign-in from its own client address (an attacker with many machines)."""
    return client.post("/account/sign-in",
                       data={"email": address, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": f"198.51.100.{n}"})


@pytest.mark.parametrize("address", [OWNER, STRANGER], ids=["account", "no-account"])
def test_guessing_one_accounts_password_from_many_addresses_is_slowed_down(
    app, client, session, clock, address
):
    accounts.register(session, OWNER, TEST_PASSWORD)
    token = csrf_token(client.get("/account/sign-in"))
    tries = [_guess(client, token, address, f"guess {n}", n) for n in range(6)]
    assert [r.status_code for r in tries] == [200] * 5 + [429]
    refused = tries[-1]
    assert refused.headers["Retry-After"] == "60"
    assert b"Wait 1 minute, then try again" in refused.data
    assert f'value="{address}"'.encode() in refused.data  # the form keeps what was typed
    # While it waits, even the right password is not tried.
    assert _guess(client, token, address, TEST_PASSWORD, 7).status_code == 429

    clock[0] += 61  # each further wrong password doubles the wait
    assert _guess(client, token, address, "guess 8", 8).status_code == 200
    again = _guess(client, token, address, "guess 9", 9)
    assert again.status_code == 429 and again.headers["Retry-After"] == "120"
    assert b"Wait 2 minutes" in again.data


def test_the_right_password_after_the_wait_signs_in_and_starts_the_count_again(
    app, client, session, clock
):
    accounts.register(session, OWNER, TEST_PASSWORD)
    token = csrf_token(client.get("/account/sign-in"))
    for n in range(5):
        _guess(client, token, OWNER, f"guess {n}", n)
    clock[0] += 60
    signed_in = _guess(client, token, OWNER, TEST_PASSWORD, 9)
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/profile"
    post_form(client, "/account/sign-out", {})
    token = csrf_token(client.get("/account/sign-in"))
    assert [_guess(client, token, OWNER, "wrong", n).status_code for n in range(5)] == [200] * 5


def test_the_account_limit_is_shared_by_all_workers_through_redis(migrated, tmp_path):
    connection = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    prefix = f"test-{uuid.uuid4().hex}"

    def worker():
        return create_app({"TESTING": True, "DATABASE_URL": migrated, "SECRET_KEY": "t",
                           "INDEX_DIR": str(tmp_path / "index"), "SMTP_HOST": None,
                           "REDIS_URL": "redis://127.0.0.1:6379/15",
                           "RATELIMIT_KEY_PREFIX": prefix}).test_client()

    try:
        first, second = worker(), worker()
        for client, tries in ((first, 3), (second, 2)):
            token = csrf_token(client.get("/account/sign-in"))
            for n in range(tries):
                assert _guess(client, token, STRANGER, "wrong", n).status_code == 200
        assert _guess(first, csrf_token(first.get("/account/sign-in")), STRANGER, "wrong",
                      9).status_code == 429
    finally:
        for key in connection.scan_iter(f"*{prefix}*"):
            connection.delete(key)


def _registrations(client, forwarded_for) -> list[int]:
    """Six empty registration forms (REGISTER allows five a minute per client address) from
    the proxy at 10.0.0.1, each claiming to be for the client `forwarded_for(n)`."""
    token = csrf_token(client.get("/account/register"))
    return [
        client.post("/account/register", data={"csrf_token": token},
                    environ_base={"REMOTE_ADDR": "10.0.0.1"},
                    headers={"X-Forwarded-For": forwarded_for(n)}).status_code
        for n in range(6)
    ]


def test_x_forwarded_for_counts_only_through_the_configured_proxy_hops(client, migrated,
                                                                        tmp_path):
    # By default the header is ignored: writing it does not get a client a new limit.
    assert _registrations(client, lambda n: f"203.0.113.{n}") == [200] * 5 + [429]
    # Behind one proxy (LOCATOR_PROXY_HOPS=1), each client has a limit of its own...
    app = create_app({"TESTING": True, "DATABASE_URL": migrated, "SECRET_KEY": "t",
                      "INDEX_DIR": str(tmp_path / "index"), "PROXY_HOPS": 1})
    assert _registrations(app.test_client(), lambda n: f"203.0.113.{n}") == [200] * 6
    # ...but what a client writes in the header itself is not trusted: only the proxy's entry.
    spoofed = _registrations(app.test_client(), lambda n: f"192.0.2.{n}, 203.0.113.50")
    assert spoofed == [200] * 5 + [429]
