"""Host-header poisoning (ASVS V5.1/V14): in production every absolute URL the service hands out
(e-mails, the Atom feed, the API's `url` fields, the OpenAPI `servers`) starts with
LOCATOR_BASE_URL whatever Host a request carried, and requests for any host the site is not
served at are refused."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy
from pathlib import Path

import feedparser
import pytest
from helpers import csrf_token
from security_helpers import ALIAS, BASE_URL, production_client
from sqlmodel import select

from locator import config
from locator.models import Subscription, Supplier, utcnow
from locator.services import accounts
from locator.weeks import IsoWeek

ROOT = Path(__file__).resolve().parents[2]
URL = re.compile(r"https?://[^\s\"'<>]+")


def _mail(app) -> list[email.message.EmailMessage]:
    outbox = Path(app.config["MAIL_OUTBOX"])
    return [email.message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(outbox.glob("*.eml"))] if outbox.exists() else []


def _links(message) -> list[str]:
    found = []
    for part in ("plain", "html"):
        found += URL.findall(message.get_body((part,)).get_content())
    found += URL.findall(message.get("List-Unsubscribe", ""))
    return found


def _subscribe(browser, address: str, headers: dict | None = None):
    token = csrf_token(browser.get("/new-arrivals/subscribe", headers=headers))
    return browser.post("/new-arrivals/subscribe", headers=headers,
                        data={"email": address, "csrf_token": token})


def _arrival(session, name: str, when=None) -> Supplier:
    supplier = Supplier(
        name=name, slug=name.lower().replace(" ", "-"), summary=f"{name} summary",
        description="d", services=["s"], legal_form="limited-company", sectors=["education"],
        regions=["TLD"], cpv_codes=["72000000"], status="published",
        first_published_at=when or utcnow() - timedelta(minutes=5),
    )
    session.add(supplier)
    session.commit()
    return supplier


def test_requests_for_an_unknown_host_are_refused(production_app, session):
    assert production_client(production_app).get("/").status_code == 200
    assert production_client(production_app, ALIAS).get("/").status_code == 200
    evil = production_client(production_app, "evil.example")
    for path in ("/", "/new-arrivals/subscribe", "/new-arrivals.atom", "/api/v1/openapi.json",
                 "/no-such-page"):
        response = evil.get(path)
        assert response.status_code == 400, path
        assert b"evil.example" not in response.data
    refused = evil.post("/new-arrivals/subscribe", data={"email": "victim@example.com"})
    assert refused.status_code == 400
    assert _mail(production_app) == []
    assert session.exec(select(Subscription)).all() == []


def test_confirmation_email_links_use_the_base_url(production_app, session):
    # The site also answers at ALIAS, and a proxy might pass on a forwarded host: neither may
    # reach the links in an e-mail.
    browser = production_client(production_app, ALIAS)
    response = _subscribe(browser, "buyer@council.example",
                          headers={"X-Forwarded-Host": "evil.example"})
    assert b"Check your email" in response.data
    [message] = _mail(production_app)
    links = _links(message)
    assert links and all(link.startswith(f"{BASE_URL}/") for link in links), links
    [confirm] = {link for link in links if "/subscribe/confirm/" in link}  # text and HTML
    page = production_client(production_app).get(confirm.removeprefix(BASE_URL))
    assert page.status_code == 200 and b"Confirm" in page.data


def test_account_email_links_use_the_base_url(production_app, session):
    """A password-reset link that followed the Host header would hand the reset token to whoever
    sent the request: the classic account takeover."""
    accounts.register(session, "owner@example.com", "plum tractor lantern")
    browser = production_client(production_app, ALIAS)
    headers = {"X-Forwarded-Host": "evil.example"}
    for path, data in (
        ("/account/forgotten-password", {"email": "owner@example.com"}),
        ("/account/forgotten-password", {"email": "nobody@example.com"}),
        ("/account/register", {"email": "new@example.com", "password": "quiet harbour lamp",
                               "confirm": "quiet harbour lamp"}),
        ("/account/register", {"email": "owner@example.com", "password": "quiet harbour lamp",
                               "confirm": "quiet harbour lamp"}),
    ):
        token = csrf_token(browser.get(path, headers=headers))
        response = browser.post(path, data={**data, "csrf_token": token}, headers=headers)
        assert b"Check your email" in response.data, path
    messages = _mail(production_app)
    assert len(messages) == 4
    for message in messages:
        links = _links(message)
        assert links and all(link.startswith(f"{BASE_URL}/") for link in links), links


def test_weekly_digest_links_use_the_base_url(production_app, session):
    week = IsoWeek.current().previous()
    session.add(Subscription(email="weekly@example.com", filters={"sector": ["education"]},
                             confirmed_at=utcnow()))
    _arrival(session, "Last Week Ltd", when=week.starts + timedelta(hours=2))
    result = production_app.test_cli_runner().invoke(args=["digest", "send", "--week", str(week)])
    assert "sent 1" in result.output, result.output
    [message] = _mail(production_app)
    links = _links(message)
    assert len(links) >= 3, links  # the profile, the week, unsubscribe
    assert all(link.startswith(f"{BASE_URL}/") for link in links), links


def test_feed_links_use_the_base_url(production_app, session):
    _arrival(session, "Fresh Arrival Ltd")
    response = production_client(production_app, ALIAS).get(
        "/new-arrivals.atom?sector=education&junk=%3Cscript%3E",
        headers={"X-Forwarded-Host": "evil.example"},
    )
    assert response.status_code == 200
    feed = feedparser.parse(response.data)
    [entry] = feed.entries
    links = [feed.feed.id, *(link.href for link in feed.feed.links), entry.id, entry.link]
    assert all(link.startswith(f"{BASE_URL}/") for link in links), links
    assert "junk" not in feed.feed.id and "evil" not in response.get_data(as_text=True)


def test_api_urls_and_openapi_servers_use_the_base_url(production_app, session):
    supplier = _arrival(session, "Api Listed Ltd")
    assert production_app.test_cli_runner().invoke(args=["reindex"]).exit_code == 0
    api = production_client(production_app, ALIAS)
    found = api.get("/api/v1/suppliers?q=listed").get_json()
    profile = api.get(f"/api/v1/suppliers/{supplier.slug}").get_json()
    arrivals = api.get("/api/v1/new-arrivals").get_json()
    servers = api.get("/api/v1/openapi.json").get_json()["servers"]
    expected = f"{BASE_URL}/suppliers/{supplier.slug}"
    assert [r["url"] for r in found["results"]] == [expected]
    assert profile["url"] == expected
    assert [r["url"] for r in arrivals["results"]] == [expected]
    assert servers == [{"url": f"{BASE_URL}/api/v1"}]


def test_trusted_hosts_come_from_the_base_url_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("LOCATOR_ENV", "production")
    monkeypatch.setenv("LOCATOR_SECRET_KEY", "k" * 64)
    monkeypatch.delenv("LOCATOR_TRUSTED_HOSTS", raising=False)
    monkeypatch.delenv("LOCATOR_BASE_URL", raising=False)
    with pytest.raises(config.ConfigError, match="LOCATOR_BASE_URL must be set"):
        config.load(str(tmp_path))
    monkeypatch.setenv("LOCATOR_BASE_URL", "https://Suppliers.Example.gov.uk/")
    settings = config.load(str(tmp_path))
    assert settings["BASE_URL"] == "https://Suppliers.Example.gov.uk"
    assert settings["TRUSTED_HOSTS"] == ["suppliers.example.gov.uk"]
    monkeypatch.setenv("LOCATOR_TRUSTED_HOSTS", " www.example.gov.uk , .example.org ")
    assert config.load(str(tmp_path))["TRUSTED_HOSTS"] == [
        "suppliers.example.gov.uk", "www.example.gov.uk", ".example.org"]
    monkeypatch.setenv("LOCATOR_BASE_URL", "javascript:alert(1)")
    with pytest.raises(config.ConfigError, match="http"):
        config.load(str(tmp_path))


def test_development_accepts_any_host_unless_told(monkeypatch, tmp_path):
    monkeypatch.delenv("LOCATOR_ENV", raising=False)
    monkeypatch.delenv("LOCATOR_TRUSTED_HOSTS", raising=False)
    monkeypatch.delenv("LOCATOR_BASE_URL", raising=False)
    settings = config.load(str(tmp_path))
    assert settings["TRUSTED_HOSTS"] is None
    assert settings["BASE_URL"] == "http://127.0.0.1:5000"
    monkeypatch.setenv("LOCATOR_TRUSTED_HOSTS", "localhost")
    assert config.load(str(tmp_path))["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]


def test_absolute_urls_are_built_in_one_place():
    """`urls.external_url` is the only builder of absolute URLs: `url_for(..., _external=True)`
    or the request's own address anywhere else would follow the Host header again."""
    offenders = []
    for path in sorted((ROOT / "locator").rglob("*")):
        if path.suffix not in (".py", ".html", ".txt") or path.name == "urls.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            # (request.host alone may be compared with, as to check a Referer is our own)
            if re.search(r"_external\s*=|request\.(url|host_url|url_root|base_url)\b", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
