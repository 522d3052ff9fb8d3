"""Property-based fuzzing of every form and every query parameter (ASVS V5.1, V13): arbitrary
text, huge values, wrong types (several values for one field, numbers where words go, JSON,
markup), missing fields and unknown ones, signed out and signed in as a supplier. Whatever is
sent, the service never answers 5xx, and a request it refuses (4xx, a form shown again with its
errors, a redirect to sign in) leaves every row of the database as it was; a GET never changes it.

The forms and parameters are found, not listed: every POST and GET route of the URL map, each
form's fields as its page renders them (with the values its page offers, so that deep paths are
reached too), and every parameter of the OpenAPI document. Bounded (`EXAMPLES`, derandomized so
each run tries the same requests) to stay well under a minute.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

import hypothesis.strategies as st
import pytest
from bs4 import BeautifulSoup
from helpers import TEST_PASSWORD
from hypothesis import HealthCheck, given, settings
from security_helpers import (
    SUPPLIER_EMAIL,
    database_snapshot,
    form_fields,
    known_arguments,
    sign_in,
    urls,
)
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from locator import facets
from locator.db import sql_engine
from locator.models import Accreditation, CaseStudy, Subscription
from locator.services import accounts
from locator.weeks import IsoWeek

# Examples per route and person: a form the person can use, one that only sends them to sign in,
# and a page. About 700 requests in all.
EXAMPLES = {"form": 12, "out of reach": 2, "page": 6}
BYSTANDER = "bystander@example.com"

SETTINGS = settings(
    max_examples=1,  # replaced per test below
    deadline=None,
    derandomize=True,  # the same requests every run: CI is repeatable
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)

# Words people type, numbers at the edges, other types written as text, markup and paths.
AWKWARD = [
    "", " ", "0", "-1", "1.5", "1e309", "NaN", "9" * 400, "２０２６", "²", "null", "true", "[]",
    "{}", '{"a": [1, 2]}', "2026-02-30", "31 12 9999", "<script>alert(1)</script>",
    "' OR 1=1 --", "../../etc/passwd", "javascript:alert(1)", "\x00", "\r\n\t", "‮", "🏴",
    "a@b", "x" * 5000,
]
# Values at the edges of what the query parameters take, beside anything at all.
BOUNDARIES = {
    "q": ["cyber", "cleaning in Yorkshire", "72000000", "SC012345", '"exact phrase"', "secur*"],
    "page": ["0", "1", "2", "10000", "10001", "99999999999999999999"],
    "per_page": ["0", "1", "100", "101"],
    "sort": ["relevance", "name", "newest"],
    "letter": ["A", "Z", "#", "AA"],
    "week": [str(IsoWeek.current()), "9999-W52", "0001-W01", "2026-W53", "2026-W00"],
    "limit": ["1", "50", "51"],
}
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)  # no lone surrogates:
# a browser cannot send them, and the test client cannot encode them
HUGE = {  # past every field's maximum; a URL stays within what a web server would pass on
    "form": st.integers(6_000, 100_000).map(lambda n: "Z" * n),
    "query": st.integers(1_000, 8_000).map(lambda n: "Z" * n),
}


def values(offered: list[str], huge) -> st.SearchStrategy[list[str]]:
    """What one field or parameter gets: nothing, one value or several."""
    one = st.one_of(
        st.sampled_from(offered) if offered else st.nothing(),
        st.sampled_from(AWKWARD),
        TEXT,
        huge,
    )
    return st.lists(one, max_size=3)


def submission(fields: dict[str, list[str]], huge) -> st.SearchStrategy[dict]:
    """Any subset of the known fields with any values, and maybe a few unknown ones."""
    known = st.fixed_dictionaries({}, optional={n: values(v, huge) for n, v in fields.items()})
    unknown = st.dictionaries(TEXT.filter(lambda s: s not in fields), values([], huge),
                              max_size=2)
    return st.tuples(known, unknown).map(lambda pair: {**pair[1], **pair[0]})


def _openapi_parameters(client) -> dict[str, dict[str, list[str]]]:
    """Each API path's parameters, with the values its schema names."""
    document = client.get("/api/v1/openapi.json").get_json()
    server = document["servers"][0]["url"].split("://", 1)[1].split("/", 1)[1]
    found = {}
    for path, operations in document["paths"].items():
        for operation in operations.values():
            params = {}
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                enum = schema.get("enum") or schema.get("items", {}).get("enum") or []
                bounds = [str(schema[k]) for k in ("minimum", "maximum") if k in schema]
                params[parameter["name"]] = [*map(str, enum), *bounds]
            found[f"/{server}{path}"] = params
    return found


def _facet_values() -> dict[str, list[str]]:
    return {facet.name: list(facet.choices() if facet.choices else [])[:5]
            for facet in facets.MANIFEST}


@dataclass
class World:
    """The app, the supplier signed in on its own client, and what to put back between examples
    so that every example finds the same things to attack."""

    app: object
    supplier_client: object
    supplier: object
    children: dict = field(default_factory=dict)
    visitor: object = None
    tokens: dict = field(default_factory=dict)  # a CSRF token for each session's secret
    pages: dict = field(default_factory=dict)  # the HTML of the pages forms are read from

    def snapshot(self) -> dict[str, list[str]]:
        return database_snapshot(self.app)

    def restore(self) -> None:
        """Put back an accreditation or case study an example removed (same id: the URLs under
        attack name it), and sign the supplier in again after an example signed it out."""
        with Session(sql_engine(self.app)) as own:  # its own: nothing cached from before
            for model, (item_id, values_) in self.children.items():
                if own.get(model, item_id) is None:
                    own.add(model(id=item_id, supplier_id=self.supplier.id, **values_))
                    own.commit()
        if not _signed_in(self.supplier_client):
            sign_in(self.supplier_client, SUPPLIER_EMAIL)
            assert _signed_in(self.supplier_client), "an example locked the supplier out"
        if self.visitor is None or _signed_in(self.visitor):  # an example signed in
            self.visitor = self.app.test_client()

    def person(self, who: str):
        return self.supplier_client if who == "supplier" else self.visitor

    def token(self, browser) -> str:
        """A CSRF token for the browser's current session (a new one when an example ended the
        session, as signing out or in does)."""
        with browser.session_transaction() as flask_session:
            secret = flask_session.get("csrf_token")
        if secret is None or secret not in self.tokens:
            page = "/account/sign-out" if _signed_in(browser) else "/account/sign-in"
            html = browser.get(page).get_data(as_text=True)
            field_ = BeautifulSoup(html, "html.parser").find("input", {"name": "csrf_token"})
            with browser.session_transaction() as flask_session:
                secret = flask_session["csrf_token"]
            self.tokens[secret] = field_["value"]
        return self.tokens[secret]

    def fields(self, url: str, action: str | None, method: str) -> dict[str, list[str]]:
        """The fields of the forms on `url` as the supplier sees them, or as a visitor does
        where a signed-in person is sent elsewhere (the sign-in and registration pages)."""
        if url not in self.pages:
            response = self.supplier_client.get(url)
            if response.status_code != 200:
                response = self.app.test_client().get(url)
            html = response.mimetype == "text/html"  # (not the feed, JSON or a script)
            self.pages[url] = response.get_data(as_text=True) if html else ""
        return form_fields(self.pages[url], action, method)


@pytest.fixture
def world(app, client, supplier, session, tmp_path) -> World:
    app.config.update(
        PROPAGATE_EXCEPTIONS=False,  # a crash is a 500 answer, as in production
        RATELIMIT_ENABLED=False,  # the limits would answer 429 to most of the examples
        SMTP_HOST=None,
        MAIL_OUTBOX=str(tmp_path / "mail"),
    )
    session.add(Subscription(email="buyer@example.gov.uk", filters={"sector": ["education"]}))
    session.commit()
    accounts.register(session, BYSTANDER, TEST_PASSWORD)
    accreditation, case_study = supplier.accreditations[0], supplier.case_studies[0]
    children = {
        Accreditation: (accreditation.id, {"type": accreditation.type,
                                           "issued_on": date.today()}),
        CaseStudy: (case_study.id, {k: getattr(case_study, k) for k in (
            "title", "client_name", "client_sector", "year", "challenge", "approach", "outcome")}),
    }
    return World(app, client, supplier, children)


def _refused(response) -> bool:
    if response.status_code >= 400:
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        return "/account/sign-in" in response.headers.get("Location", "")
    return b"govuk-error-summary" in response.get_data()


def _signed_in(browser) -> bool:
    with browser.session_transaction() as flask_session:
        return "_user_id" in flask_session


def _run(examples: int, strategy, check) -> None:
    """`check(*example)` for `examples` examples drawn from `strategy`."""

    @settings(SETTINGS, max_examples=examples)
    @given(strategy)
    def run(example):
        check(*example)

    run()


def _routes(world, session, method):
    subscription = session.exec(select(Subscription)).first()
    owner = accounts.find_by_email(session, SUPPLIER_EMAIL)
    # A reset link for another account: an example may well choose a new password with it.
    bystander = accounts.find_by_email(session, BYSTANDER)
    known = known_arguments(world.app, world.supplier, subscription, owner, bystander)
    return urls(world.app, method, known)


def test_no_form_post_crashes_or_changes_what_it_refuses(world, session):
    targets = _routes(world, session, "POST")
    assert len(targets) >= 15  # every form of the service
    for (rule, url), who in itertools.product(targets, ("signed out", "supplier")):
        world.restore()
        # A visitor is sent to sign in from the supplier's own forms: a few examples show that.
        out_of_reach = who == "signed out" and _refused(
            world.person(who).get(url if "GET" in rule.methods else "/profile"))
        examples = EXAMPLES["out of reach" if out_of_reach else "form"]
        # A form posted from another page (publish, unpublish) is read from that page.
        page_url = url if "GET" in rule.methods else "/profile"
        fields = world.fields(page_url, None if page_url == url else url, "post")
        fields.pop("csrf_token", None)

        def check(data, token_kind, url=url, who=who):
            world.restore()
            browser = world.person(who)
            token = {"valid": world.token(browser), "missing": None, "junk": "x" * 20}[token_kind]
            form = {**data, **({"csrf_token": token} if token else {})}
            before = world.snapshot()
            response = browser.post(url, data=form)
            where = f"{who} POST {url} {form!r:.500}"
            assert response.status_code < 500, where
            if _refused(response):
                assert world.snapshot() == before, f"refused ({response.status_code}) but " + where

        tokens = st.sampled_from(["valid"] * 6 + ["missing", "junk"])
        _run(examples, st.tuples(submission(fields, HUGE["form"]), tokens), check)


def test_no_page_or_api_parameter_crashes_or_writes(world, session):
    api = _openapi_parameters(world.supplier_client)
    shared = {**BOUNDARIES, **_facet_values()}
    targets = [(rule, url) for rule, url in _routes(world, session, "GET")
               if rule.endpoint != "static"]
    assert len(targets) >= 25
    assert set(api) <= {rule.rule.replace("<slug:slug>", "{slug}") for rule, _ in targets}
    world.restore()
    for rule, url in targets:
        params = dict(shared)
        params.update(api.get(rule.rule.replace("<slug:slug>", "{slug}"), {}))
        if not rule.rule.startswith("/api/"):
            params.update(world.fields(url, None, "get"))
        # Pages only a signed-in supplier can see are fuzzed signed in; the others both ways.
        world.restore()
        public = not _refused(world.person("signed out").get(url))
        people = st.sampled_from(["signed out", "supplier"]) if public else st.just("supplier")

        def check(query, path_text, who, url=url, rule=rule):
            target = url
            if path_text is not None and rule.rule.endswith(">"):
                # the last path argument (a slug, a week, a token), replaced with anything
                target = url.rsplit("/", 1)[0] + "/" + quote(path_text, safe="")
            before = world.snapshot()
            response = world.person(who).get(target, query_string=query)
            where = f"{who} GET {target} {query!r:.500}"
            # /healthz answers 503 by design while this process has not caught up (no worker here)
            assert response.status_code < 500 or (
                rule.endpoint == "health.ready" and response.status_code == 503
                and response.json["status"] == "not ready"), where
            assert world.snapshot() == before, f"a GET changed the database: {where}"

        path_texts = st.one_of(st.none(), TEXT, st.sampled_from(
            [*BOUNDARIES["week"], "x" * 300, "..", "%00", "A", "-", "0"]))
        _run(EXAMPLES["page"], st.tuples(submission(params, HUGE["query"]), path_texts, people),
             check)


def test_the_database_snapshot_sees_every_table(app, session):
    """The comparison above is only as good as the snapshot: it covers every table, and a change
    to any row shows."""
    world = World(app, None, None)
    session.add(Subscription(email="a@example.com", filters={}))
    session.commit()
    before = world.snapshot()
    assert set(before) == {table.name for table in SQLModel.metadata.sorted_tables}
    with sql_engine(world.app).begin() as connection:
        connection.execute(text("UPDATE subscriptions SET email = 'b@example.com'"))
    assert world.snapshot() != before
