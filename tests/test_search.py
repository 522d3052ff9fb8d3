"""Buyer search through the real app: the HTML page and the JSON API over 120 demo suppliers,
seeded and indexed once for the module (every test here only reads; the index kept in step with
edits is tests/test_search_indexing.py). Counts are checked against an independent count from
the database."""

import html
import re
import threading

import pytest
from helpers import SelectsSent, published_suppliers, search_api
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from openapi_spec_validator import validate
from sqlmodel import select

from locator import search_runtime
from locator.models import Supplier
from locator.services import search


@pytest.fixture(scope="module")
def seeded(module_app, rows_unchanged):
    runner = module_app.test_cli_runner()
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "120"]).exit_code == 0
    search_runtime.sync(module_app)
    with rows_unchanged(module_app):
        yield


@pytest.fixture
def app(module_app, seeded):
    return module_app


def _counts(body, facet):
    return {v["value"]: v["count"] for v in body["facets"][facet]}


def test_browse_lists_every_published_supplier(client, session, seeded):
    body = search_api(client, per_page=100)
    assert body["total"] == len(published_suppliers(session))


def test_region_counts_include_uk_wide_and_are_disjunctive(client, session, seeded):
    suppliers = published_suppliers(session)
    body = search_api(client, region="TLD", sector="health-social-care")

    def in_region(s, code):
        return code in s.regions or "UK" in s.regions

    expected_total = sum(
        in_region(s, "TLD") and "health-social-care" in s.sectors for s in suppliers
    )
    assert body["total"] == expected_total
    # Region counts ignore the region selection but keep the sector one, and the other way round.
    regions = _counts(body, "region")
    for code in ("TLD", "TLK", "TLM"):
        expected = sum(in_region(s, code) and "health-social-care" in s.sectors
                       for s in suppliers)
        assert regions.get(code, 0) == expected, code
    sectors = _counts(body, "sector")
    expected_education = sum(in_region(s, "TLD") and "education" in s.sectors for s in suppliers)
    assert sectors.get("education", 0) == expected_education
    assert any(v["selected"] for v in body["facets"]["region"])


def test_values_within_a_facet_are_ored(client, session, seeded):
    suppliers = published_suppliers(session)
    body = search_api(client, size=["micro", "small"], per_page=100)
    assert body["total"] == sum(s.size in ("micro", "small") for s in suppliers)
    assert {r["size"] for r in body["results"]} <= {"micro", "small"}


def test_search_page_shows_filters_with_counts_and_removable_tags(client, seeded):
    page = client.get("/search?q=care&region=TLD").data.decode()
    assert 'role="status"' in page
    assert "suppliers found" in page or "supplier found" in page
    # The page finds what the API finds (and that is not nothing), and lists it.
    body = search_api(client, "care", region="TLD", per_page=10)
    assert body["total"] > 0
    found = re.search(r'role="status"[^>]*>([\d,]+) suppliers? found<', page)
    assert found and int(found.group(1).replace(",", "")) == body["total"]
    for result in body["results"]:
        assert str(escape(result["name"])) in page, result["name"]
    assert 'name="region" type="checkbox" value="TLD" checked' in page
    assert "Remove filter" in page and "North West" in page
    assert "app-filter-count" in page


def test_newest_sort_orders_by_arrival(client, seeded):
    body = search_api(client, sort="newest", per_page=50)
    arrivals = [r["first_published_at"] for r in body["results"]]
    assert arrivals == sorted(arrivals, reverse=True)


def test_profile_api_and_openapi(client, session, seeded):
    supplier = published_suppliers(session)[0]
    body = client.get(f"/api/v1/suppliers/{supplier.slug}").get_json()
    assert body["name"] == supplier.name and "case_studies" in body and "status" not in body
    draft = session.exec(select(Supplier).where(Supplier.status == "draft")).first()
    missing = client.get(f"/api/v1/suppliers/{draft.slug}")
    assert missing.status_code == 404 and "error" in missing.get_json()
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    names = {p["name"] for p in spec["paths"]["/suppliers"]["get"]["parameters"]}
    assert {"q", "sector", "region", "cpv", "per_page"} <= names
    assert "/new-arrivals" in spec["paths"]
    validate(spec)  # a valid OpenAPI 3 document, not merely JSON


@pytest.mark.parametrize("query,status", [
    ({"page": "0"}, 400), ({"page": "-1"}, 400), ({"page": "abc"}, 400),
    ({"page": "999999"}, 400), ({"sort": "bogus"}, 400),
    ({"page": "9999"}, 200), ({"nonsense": "x"}, 200),
    ({"q": "x" * 10_000}, 200), ({"q": '"unbalanced AND OR NOT ( field:x *'}, 200),
    ({"q": "\x00\x1f 🙂"}, 200), ({"q": "!!!"}, 200),
])
def test_bad_input_is_200_or_400_never_500(client, seeded, query, status):
    api = client.get("/api/v1/suppliers", query_string=query)
    assert api.status_code == status
    if status == 400:
        assert api.get_json()["error"]
    html = client.get("/search", query_string=query)
    assert html.status_code == status
    if status == 400:
        assert b"must be" in html.data  # the page says what to fix


def test_per_page_is_bounded(client, seeded):
    assert client.get("/api/v1/suppliers?per_page=100000").status_code == 400
    assert search_api(client, per_page="100")["per_page"] == 100
    assert client.get("/search?per_page=100000").status_code == 200  # the page ignores it


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=300), extra=st.text(max_size=20))
def test_arbitrary_strings_never_break_search(client, seeded, q, extra):
    for url in ("/api/v1/suppliers", "/search"):
        response = client.get(url, query_string={"q": q, "sector": extra, "page": extra or "1"})
        assert response.status_code in (200, 400)


def test_result_snippets_have_one_ellipsis_each(client, seeded):
    page = client.get("/search?q=services").data.decode()
    snippets = re.findall(r'<p class="govuk-body-s govuk-!-margin-bottom-1">(.*?)</p>', page)
    assert snippets and any("<mark>" in s for s in snippets)
    assert not any("……" in s or "..." in s for s in snippets)


def test_a_snippet_that_repeats_the_summary_is_left_out():
    from types import SimpleNamespace

    from locator.presenters import fresh_snippets

    supplier = SimpleNamespace(id=7, summary="We protect public services from cyber attack.")
    repeats = "We protect public services from <mark>cyber</mark> attack, testing systems…"
    adds = "…run <mark>cyber</mark> exercises for council &amp; NHS teams…"
    assert fresh_snippets([supplier], {7: [repeats, adds]}) == {7: [adds]}
    assert fresh_snippets([supplier], {}) == {7: []}


@pytest.mark.parametrize(("url", "queries"), [
    ("/search?q={q}", 1),  # the page's suppliers; the page shows no accreditations
    ("/api/v1/suppliers?q={q}&per_page=20", 2),  # and their accreditations, in one query
])
def test_a_page_of_results_costs_the_same_few_queries_however_many_it_lists(
    app, client, url, queries
):
    sent = {}
    for q in ("care", "Kestrel"):  # a full page, then one or two results
        client.get(url.format(q=q))  # the banner's flag is read on some pages, not others
        with SelectsSent(app) as sent[q]:
            assert client.get(url.format(q=q)).status_code == 200
    assert len(search_api(client, "care", per_page=20)["results"]) == 20
    for q, statements in sent.items():
        assert len(statements) == queries, (q, statements)


def test_the_demo_banner_flag_is_read_once_a_minute_not_on_every_page(app, client):
    client.get("/search?q=care")
    with SelectsSent(app) as sent:
        for _ in range(3):
            assert b"invented demo data" in client.get("/search?q=care").data
    assert not [s for s in sent if "site_flags" in s]


def test_framework_filters_are_named_from_one_read_of_the_database_however_many_ask(
    app, session, monkeypatch
):
    monkeypatch.setattr(search, "_framework_cache", {"at": 0.0, "labels": {}})
    names = {f["name"] for s in published_suppliers(session) for f in s.frameworks}
    assert names
    start, pages = threading.Barrier(8), []

    def ask():
        client = app.test_client()
        start.wait()
        pages.append(client.get("/search").data.decode())

    with SelectsSent(app) as sent:
        threads = [threading.Thread(target=ask) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # Every page names every framework (the first to ask waited for the names), and the names
    # were read once, not once a thread.
    for page in pages:
        for name in names:
            assert str(escape(name)) in page, name
    assert len([s for s in sent if "json_" in s and "frameworks" in s]) == 1


def test_page_links_keep_the_search_its_filters_and_sort(client, seeded):
    first = client.get("/search?sector=health-social-care&sector=education&sort=name").data
    links = {html.unescape(href) for href in
             re.findall(r'href="(/search\?[^"]*page=\d+[^"]*)"', first.decode())}
    expected = "/search?sector=health-social-care&sector=education&sort=name&page=2"
    assert expected in links
    second = search_api(client, sector=["health-social-care", "education"], sort="name", page=2)
    body = client.get(expected).data.decode()
    assert second["results"] and all(str(escape(r["name"])) in body for r in second["results"])
