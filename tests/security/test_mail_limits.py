"""E-mail bombing (ASVS V11.1): however many people ask, one address gets at most one e-mail of
each kind anyone can trigger (a subscription to confirm, an address to confirm, a password reset,
"you already have an account") every 10 minutes and three a day; the asker always sees the same
page, so it tells nothing about the address; the count is shared through Redis like the other
limits."""

from __future__ import annotations

import email
import re
import uuid
from email import policy
from pathlib import Path

import limits.storage.memory
import pytest
import redis
from helpers import TEST_PASSWORD, csrf_token
from sqlmodel import func, select

from locator import create_app
from locator.models import Subscription
from locator.services import accounts

REDIS_URL = "redis://127.0.0.1:6379/15"


class Clock:
    """Stands in for the `time` module of the limits library's in-memory storage."""

    def __init__(self):
        self.now = 1_900_000_000.0

    def time(self) -> float:
        return self.now

    def advance(self, **delta) -> None:
        self.now += delta.get("minutes", 0) * 60 + delta.get("hours", 0) * 3600


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    return fake


def _outbox(app) -> list:
    folder = Path(app.config["MAIL_OUTBOX"])
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"))] if folder.exists() else []


def _sent_to(app, address: str) -> int:
    return sum(message["To"] == address for message in _outbox(app))


def _ask(app, address: str, asker: str = "192.0.2.1", **filters):
    """One subscribe form, posted by a browser at the address `asker`."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = asker
    token = csrf_token(browser.get("/new-arrivals/subscribe"))
    return browser.post("/new-arrivals/subscribe",
                        data={"email": address, "csrf_token": token, **filters})


def _main(response) -> str:
    """What the page says (the nonce in each response's policy aside)."""
    page = response.get_data(as_text=True)
    return re.search(r"<main.*</main>", page, re.DOTALL).group(0)


@pytest.fixture
def mail_app(app, tmp_path):
    app.config.update(SMTP_HOST=None, MAIL_OUTBOX=str(tmp_path / "mail"))
    return app


def _subscriptions(session) -> int:
    return session.exec(select(func.count()).select_from(Subscription)).one()


def test_many_askers_send_one_address_one_email(mail_app, session, clock):
    # The attack that was found: 20 subscribe posts from 5 addresses at one victim.
    responses = [_ask(mail_app, "victim@example.com", asker=f"192.0.2.{n % 5 + 1}")
                 for n in range(20)]
    assert [r.status_code for r in responses] == [200] * 20
    assert _sent_to(mail_app, "victim@example.com") == 1
    # The same friendly page either way: nothing tells the asker what happened.
    assert len({_main(r) for r in responses}) == 1
    assert "Check your email" in _main(responses[-1])
    assert _subscriptions(session) == 1  # a refused request saves nothing


def test_one_every_ten_minutes_and_three_a_day(mail_app, clock):
    sent = []
    for _ in range(5):
        _ask(mail_app, "buyer@example.gov.uk")
        _ask(mail_app, "buyer@example.gov.uk")  # straight after: refused
        sent.append(_sent_to(mail_app, "buyer@example.gov.uk"))
        clock.advance(minutes=11)
    assert sent == [1, 2, 3, 3, 3]
    clock.advance(hours=24)
    _ask(mail_app, "buyer@example.gov.uk")
    assert _sent_to(mail_app, "buyer@example.gov.uk") == 4  # a new day


def test_variants_of_an_address_count_as_one_mailbox(mail_app, clock):
    for address in ("Victim@Example.com", "victim+news@example.com", " victim@example.com"):
        _ask(mail_app, address)
    _ask(mail_app, "v.ic.tim@gmail.com")
    _ask(mail_app, "victim+1@googlemail.com")
    sent = [m["To"] for m in _outbox(mail_app)]
    assert sent == ["victim@example.com", "v.ic.tim@gmail.com"]


def test_other_addresses_are_not_held_back(mail_app, clock):
    _ask(mail_app, "first@example.com")
    _ask(mail_app, "second@example.com")
    assert _sent_to(mail_app, "first@example.com") == 1
    assert _sent_to(mail_app, "second@example.com") == 1


@pytest.fixture
def shared_redis():
    connection = redis.Redis.from_url(REDIS_URL)
    connection.ping()  # the Redis the scale-out path needs is running (.ci/run starts one)
    prefix = f"test-{uuid.uuid4().hex}"
    yield prefix
    for key in connection.scan_iter(f"*{prefix}*"):
        connection.delete(key)
    connection.close()


def test_the_limit_is_shared_between_workers_through_redis(app, tmp_path, shared_redis):
    # (`app` empties the database the two workers write to when the test ends.)
    def worker(n):
        return create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
                           "SECRET_KEY": "t",
                           "INDEX_DIR": str(tmp_path / f"index-{n}"), "SMTP_HOST": None,
                           "MAIL_OUTBOX": str(tmp_path / "mail"), "REDIS_URL": REDIS_URL,
                           "RATELIMIT_KEY_PREFIX": shared_redis})

    first, second = worker(1), worker(2)
    _ask(first, "shared@example.com", asker="192.0.2.10")
    _ask(second, "shared@example.com", asker="192.0.2.20")
    assert _sent_to(first, "shared@example.com") == 1
    # Redis holds no address, only a digest of it.
    keys = [k.decode() for k in redis.Redis.from_url(REDIS_URL).scan_iter(f"*{shared_redis}*")]
    assert keys and not any("shared" in key for key in keys)


def _post(app, path: str, data: dict, asker: str = "192.0.2.1"):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = asker
    token = csrf_token(browser.get(path))
    return browser.post(path, data={**data, "csrf_token": token})


def test_password_reset_links_are_limited_per_address(mail_app, session, clock):
    accounts.register(session, "owner@example.com", "plum tractor lantern")
    responses = [_post(mail_app, "/account/forgotten-password", {"email": address},
                       asker=f"192.0.2.{n % 5 + 1}")
                 for n, address in enumerate(["owner@example.com", "OWNER@example.com",
                                              "owner+x@example.com"] * 4)]
    assert [r.status_code for r in responses] == [200] * 12
    assert _sent_to(mail_app, "owner@example.com") == 1
    # The same for an address with no account: its mailbox is told once, not twelve times.
    for n in range(6):
        _post(mail_app, "/account/forgotten-password", {"email": "nobody@example.com"},
              asker=f"192.0.2.{n + 1}")
    assert _sent_to(mail_app, "nobody@example.com") == 1
    clock.advance(minutes=11)
    _post(mail_app, "/account/forgotten-password", {"email": "owner@example.com"})
    assert _sent_to(mail_app, "owner@example.com") == 2


def test_registering_a_taken_address_again_and_again_mails_its_owner_once(mail_app, session,
                                                                           clock):
    accounts.register(session, "owner@example.com", "plum tractor lantern")
    form = {"email": "owner@example.com", "password": "quiet harbour lamp",
            "confirm": "quiet harbour lamp"}
    pages = [_post(mail_app, "/account/register", form, asker=f"192.0.2.{n + 1}")
             for n in range(5)]
    assert all(b"Check your email" in page.data for page in pages)
    assert _sent_to(mail_app, "owner@example.com") == 1


def test_a_signed_in_account_cannot_flood_another_address(mail_app, client, sign_up, clock):
    sign_up("attacker@example.com")
    for _ in range(4):
        token = csrf_token(client.get("/account/change-email"))
        client.post("/account/change-email", data={
            "email": "victim@example.com", "current_password": TEST_PASSWORD, "csrf_token": token})
    assert _sent_to(mail_app, "victim@example.com") == 1
