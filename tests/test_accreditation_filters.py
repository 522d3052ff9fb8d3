"""Accreditation filters mean what buyers mean, through the real app: ticking two means suppliers
holding both, and a higher grade counts as the lower (Cyber Essentials Plus as Cyber Essentials,
Disability Confident Leader as Employer and Committed). Demo suppliers are seeded once for the
module and the first few are given known accreditations; every test only reads."""

import re
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from helpers import published_suppliers, search_api
from markupsafe import escape
from sqlmodel import Session

from locator import search_runtime
from locator.db import sql_engine
from locator.models import Accreditation
from locator.services import suppliers as supplier_service

CE, CE_PLUS, ISO = "cyber-essentials", "cyber-essentials-plus", "iso-27001"
DC1, DC2, DC3 = (f"disability-confident-{level}" for level in ("committed", "employer", "leader"))
# Written out here rather than read from accreditations.json, so the test checks the data too.
IMPLIED = {CE_PLUS: {CE}, DC2: {DC1}, DC3: {DC2, DC1}}
EXPIRED = "expired:"  # prefix marking an accreditation that lapsed yesterday

# The accreditations given to the first published suppliers (by id); the rest keep the demo's.
GIVEN = {
    "both": [CE, ISO],
    "ce_only": [CE],
    "iso_only": [ISO],
    "plus_only": [CE_PLUS],
    "plus_and_iso": [CE_PLUS, ISO],
    "leader": [DC3],
    "employer": [DC2],
    "committed": [DC1],
    "lapsed_ce_and_iso": [EXPIRED + CE, ISO],
    "none": [],
}


@pytest.fixture(scope="module")
def seeded(module_app, rows_unchanged):
    runner = module_app.test_cli_runner()
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "60"]).exit_code == 0
    today = date.today()
    names = {}
    with Session(sql_engine(module_app)) as session:
        suppliers = sorted(published_suppliers(session), key=lambda s: s.id)
        assert len(suppliers) > len(GIVEN)
        for supplier, (key, types) in zip(suppliers, GIVEN.items(), strict=False):
            supplier.accreditations = [
                Accreditation(type=t.removeprefix(EXPIRED),
                              expires_on=today - timedelta(days=1) if t.startswith(EXPIRED)
                              else today + timedelta(days=200))
                for t in types
            ]
            supplier_service.record_change(session, supplier)
            names[key] = supplier.name
        session.commit()
    search_runtime.sync(module_app)
    with rows_unchanged(module_app):
        yield names


@pytest.fixture
def app(module_app, seeded):
    return module_app


def _held(supplier) -> set[str]:
    """What the supplier counts as holding, worked out here from the database."""
    own = {a.type for a in supplier.current_accreditations(date.today()) if a.type != "other"}
    return own.union(*(IMPLIED.get(t, set()) for t in own))


def _expected(session, *wanted: str) -> set[str]:
    return {s.slug for s in published_suppliers(session) if set(wanted) <= _held(s)}


def _slugs(body) -> set[str]:
    return {r["slug"] for r in body["results"]}


def _slug_of(session, name: str) -> str:
    return next(s.slug for s in published_suppliers(session) if s.name == name)


def _page(client, **params) -> str:
    response = client.get("/search", query_string={"per_page": 100, **params})
    assert response.status_code == 200
    return response.data.decode()


def _found(page: str) -> int:
    match = re.search(r'role="status"[^>]*>([\d,]+|No) suppliers? found<', page)
    assert match, "no result count on the page"
    return 0 if match.group(1) == "No" else int(match.group(1).replace(",", ""))


def test_two_accreditations_mean_holding_both_in_the_api(client, session, seeded):
    body = search_api(client, accreditation=[CE, ISO], per_page=100)
    slugs = _slugs(body)
    for key in ("both", "plus_and_iso"):
        assert _slug_of(session, seeded[key]) in slugs, key
    for key in ("ce_only", "iso_only", "plus_only", "lapsed_ce_and_iso", "none"):
        assert _slug_of(session, seeded[key]) not in slugs, key
    assert slugs == _expected(session, CE, ISO)
    assert body["total"] == len(slugs)
    # Every supplier listed holds both; one holding either alone would have been listed by "any".
    either = search_api(client, accreditation=[CE], per_page=100)["total"] + search_api(
        client, accreditation=[ISO], per_page=100)["total"]
    assert body["total"] < either


def test_two_accreditations_mean_holding_both_on_the_search_page(client, session, seeded):
    page = _page(client, accreditation=[CE, ISO])
    assert _found(page) == len(_expected(session, CE, ISO))
    for key in ("both", "plus_and_iso"):
        assert str(escape(seeded[key])) in page, key
    for key in ("ce_only", "iso_only", "plus_only", "lapsed_ce_and_iso"):
        assert str(escape(seeded[key])) not in page, key
    for value in (CE, ISO):
        assert f'name="accreditation" type="checkbox" value="{value}" checked' in page


def test_cyber_essentials_plus_counts_as_cyber_essentials(client, session, seeded):
    plus_only = _slug_of(session, seeded["plus_only"])
    body = search_api(client, accreditation=CE, per_page=100)
    assert plus_only in _slugs(body)
    assert _slugs(body) == _expected(session, CE)
    assert str(escape(seeded["plus_only"])) in _page(client, accreditation=CE)
    # Not the other way round: Cyber Essentials alone is not Plus.
    plus = _slugs(search_api(client, accreditation=CE_PLUS, per_page=100))
    assert _slug_of(session, seeded["ce_only"]) not in plus
    assert plus == _expected(session, CE_PLUS)


def test_disability_confident_leader_counts_as_employer_and_committed(client, session, seeded):
    leader = _slug_of(session, seeded["leader"])
    employer = _slug_of(session, seeded["employer"])
    committed = _slug_of(session, seeded["committed"])
    found_committed = _slugs(search_api(client, accreditation=DC1, per_page=100))
    assert {leader, employer, committed} <= found_committed
    assert found_committed == _expected(session, DC1)
    found_employer = _slugs(search_api(client, accreditation=DC2, per_page=100))
    assert {leader, employer} <= found_employer and committed not in found_employer
    found_leader = _slugs(search_api(client, accreditation=DC3, per_page=100))
    assert leader in found_leader and not {employer, committed} & found_leader
    # Ticking a level and the one above it leaves only those at the higher level (or above).
    assert _slugs(search_api(client, accreditation=[DC1, DC3], per_page=100)) == _expected(
        session, DC3)
    assert str(escape(seeded["leader"])) in _page(client, accreditation=DC1)


@pytest.mark.parametrize("selected", [[], [CE], [CE, ISO]])
def test_accreditation_counts_agree_with_what_is_listed(client, session, seeded, selected):
    body = search_api(client, accreditation=selected, per_page=100)
    counts = {v["value"]: v["count"] for v in body["facets"]["accreditation"]}
    assert counts, "no accreditation counts"
    for value, count in counts.items():
        # A value's count is what ticking it as well would list.
        wanted = sorted({*selected, value})
        listed = search_api(client, accreditation=wanted, per_page=100)
        assert count == listed["total"] == len(_expected(session, *wanted)), (selected, value)
    assert {CE, ISO} <= counts.keys()
    for value in selected:  # a ticked value counts what is listed now
        assert counts[value] == body["total"]
    # The search page shows the same count beside the checkbox.
    page = _page(client, accreditation=selected)
    label = re.search(r'for="f-accreditation-iso-27001">[^<]*<span class="app-filter-count">'
                      r"\((\d+)\)</span>", page)
    assert label and int(label.group(1)) == counts[ISO]


def _hint(page: str, prefix: str, group: str) -> str:
    """The hint of a filter group, checking its fieldset points to it as GOV.UK checkboxes do."""
    hint_id = f"{prefix}-hint-{group}"
    assert f'<fieldset class="govuk-fieldset" aria-describedby="{hint_id}">' in page, group
    match = re.search(rf'<div id="{hint_id}" class="govuk-hint">([^<]*)</div>', page)
    assert match, f"no hint for {group}"
    return match.group(1)


def test_filter_groups_say_whether_they_mean_any_or_all(client, seeded):
    page = _page(client)
    assert "all of" in _hint(page, "f", "accreditation")
    assert "any of" in _hint(page, "f", "region")
    assert "any of" in _hint(page, "f", "sector")
    arrivals = client.get("/new-arrivals")
    assert arrivals.status_code == 200
    assert "all of" in _hint(arrivals.data.decode(), "a", "accreditation")
    assert "any of" in _hint(arrivals.data.decode(), "a", "region")
    # The digest form's checkboxes mean the same, and say so.
    digest = BeautifulSoup(client.get("/new-arrivals/subscribe").data, "html.parser")
    for name, match in (("accreditation", "all of"), ("region", "any of")):
        fieldset = digest.find("input", {"name": name}).find_parent("fieldset")
        hint = digest.find(id=fieldset["aria-describedby"].split()[0])
        assert match in hint.get_text(), name


def test_openapi_says_accreditations_are_all_of(client, seeded):
    spec = client.get("/api/v1/openapi.json").get_json()
    parameters = {p["name"]: p for p in spec["paths"]["/suppliers"]["get"]["parameters"]}
    assert "matches all of them" in parameters["accreditation"]["description"]
    assert "matches any of them" in parameters["region"]["description"]
