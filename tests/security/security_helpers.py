"""What the security tests share: the production address they serve, signing in, a client that
talks to the production app over HTTPS at one host, and the app's routes walked from its URL map.

The routes come with real path arguments where the test data has them (a published profile, a
subscription's signed links, the profile's own sections and items), so every page is reached as
its users reach it. A route added later is still walked, with a placeholder for each path
argument (its answer may be a 404, which must be just as safe).
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from flask import Flask
from helpers import TEST_PASSWORD, post_form
from sqlmodel import SQLModel
from werkzeug.routing import Rule

from locator.db import sql_engine
from locator.forms.profile import SECTIONS_BY_SLUG
from locator.services import accounts, digest
from locator.weeks import IsoWeek

BASE_URL = "https://suppliers.example.gov.uk"
ALIAS = "www.suppliers.example.gov.uk"  # another name the site answers to (LOCATOR_TRUSTED_HOSTS)
SUPPLIER_EMAIL = "owner@example.com"


def sign_in(client, email: str = SUPPLIER_EMAIL, password: str = TEST_PASSWORD, **kwargs):
    response = post_form(client, "/account/sign-in", {"email": email, "password": password},
                         **kwargs)
    assert response.status_code == 200
    return response


class HostClient:
    """A test client that sends every request over HTTPS to one host, as a browser at that
    address would (Flask-WTF checks the Referer of an HTTPS form post, so it sends one)."""

    def __init__(self, app, host: str):
        self.client = app.test_client()
        self.origin = f"https://{host}"

    def open(self, path: str, method: str = "GET", headers: dict | None = None, **kwargs):
        headers = {"Referer": f"{self.origin}/", **(headers or {})}
        return self.client.open(path, method=method, base_url=self.origin, headers=headers,
                                **kwargs)

    def get(self, path: str, **kwargs):
        return self.open(path, "GET", **kwargs)

    def post(self, path: str, **kwargs):
        return self.open(path, "POST", **kwargs)


def production_client(app, host: str = "suppliers.example.gov.uk") -> HostClient:
    return HostClient(app, host)


PLACEHOLDERS = {"integer": 1, "slug": "no-such-slug", "path": "no-such-file"}
STATIC_FILES = ("dist/app.js", "dist/main.css", "dist/govuk-frontend.min.js")


def known_arguments(app: Flask, supplier, subscription, owner=None, reset_for=None
                    ) -> dict[str, list[dict]]:
    """Real path arguments by endpoint, for the supplier (and its first accreditation and case
    study), the subscription the tests made, the link confirming the `owner` account's address
    and a password-reset link for the `reset_for` account."""
    secret = app.config["SECRET_KEY"]
    links = {}
    if owner is not None:
        links["auth.confirm_email"] = [{"token": accounts.email_token(secret, owner)}]
    if reset_for is not None:
        links["auth.reset_password"] = [{"token": accounts.reset_token(secret, reset_for)}]
    children = [
        ("accreditations", supplier.accreditations[0].id),
        ("case-studies", supplier.case_studies[0].id),
    ]
    return {
        "static": [{"filename": name} for name in STATIC_FILES],
        "suppliers.profile": [{"slug": supplier.slug}],
        "api.supplier_profile": [{"slug": supplier.slug}],
        "arrivals.any_week": [{"week": str(IsoWeek.current())}],
        "digest.confirm": [{"token": digest.make_token(secret, "confirm", subscription)}],
        "digest.unsubscribe": [{"token": digest.make_token(secret, "unsubscribe", subscription)}],
        "profile.section": [{"slug": slug} for slug in SECTIONS_BY_SLUG],
        "profile.edit_child": [
            *({"kind": kind, "item_id": None} for kind, _ in children),
            *({"kind": kind, "item_id": item} for kind, item in children),
        ],
        "profile.remove_child": [{"kind": kind, "item_id": item} for kind, item in children],
        **links,
    }


def _placeholder_url(rule: Rule) -> str:
    values = {
        name: PLACEHOLDERS.get(type(converter).__name__.removesuffix("Converter").lower(), "x")
        for name, converter in rule._converters.items()
    }
    return rule.build(values)[1]


def urls(app: Flask, method: str, known: dict[str, list[dict]]) -> list[tuple[Rule, str]]:
    """(rule, URL) for every rule of the app that answers `method`: each with the known
    arguments for its endpoint that fit it, or else one placeholder URL."""
    adapter = app.url_map.bind("localhost")
    found: list[tuple[Rule, str]] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if method not in (rule.methods or ()):
            continue
        built = []
        for values in known.get(rule.endpoint, [{}] if not rule.arguments else []):
            url = adapter.build(rule.endpoint, values)
            if adapter.match(url, method=method, return_rule=True)[0] is rule:
                built.append(url)
        found.extend((rule, url) for url in built or [_placeholder_url(rule)])
    return found


def database_snapshot(app: Flask) -> dict[str, list[str]]:
    """Every row of every table, to compare before and after a request."""
    with sql_engine(app).connect() as connection:
        return {
            table.name: sorted(map(repr, connection.execute(table.select()).all()))
            for table in SQLModel.metadata.sorted_tables
        }


def form_fields(page: str, action: str | None, method: str) -> dict[str, list[str]]:
    """The named fields of the page's forms that `method` to `action` (any action when None),
    with every value the page offers for each."""
    found: dict[str, list[str]] = {}
    for form in BeautifulSoup(page, "html.parser").find_all("form"):
        if (form.get("method") or "get").lower() != method.lower():
            continue
        if action is not None and (form.get("action") or action) != action:
            continue
        for element in form.find_all(["input", "select", "textarea"]):
            name = element.get("name")
            if not name or element.get("type") == "submit":
                continue
            offered = found.setdefault(name, [])
            options = element.find_all("option") if element.name == "select" else [element]
            for option in options:
                value = option.get("value") if option.name != "textarea" else option.text
                if value and value not in offered:
                    offered.append(value)
    return found
