"""Query understanding on the imported real suppliers: a place in the query becomes a region
filter with a way back, a CPV code a category filter, a Companies House number finds that
company, a misspelling that matches nobody runs as corrected, and a filter value nobody knows is
said, never silently dropped.

Expected sets come from the imported JSONL file itself, never from the search being tested.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from helpers import CONTRACTS_FINDER_JSONL

from locator import taxonomies
from search_index.facets import tree_prefix

ROWS = [json.loads(line) for line in CONTRACTS_FINDER_JSONL.read_text().splitlines()]


@pytest.fixture
def app(module_app, real_suppliers):
    return module_app


def api(client, **params) -> dict:
    response = client.get("/api/v1/suppliers", query_string={"per_page": 100, **params})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def page(client, **params) -> BeautifulSoup:
    response = client.get("/search", query_string=params)
    assert response.status_code == 200
    return BeautifulSoup(response.data, "html.parser")


def names_holding(code: str) -> set[str]:
    """Suppliers holding ``code`` or a code below it, by name (slugs are made at import)."""
    prefix = tree_prefix(code)
    return {r["name"] for r in ROWS if any(tree_prefix(c).startswith(prefix)
                                           for c in r.get("cpv_codes", []))}


def all_names(client, **params) -> list[str]:
    found, page_no = [], 1
    while True:
        body = api(client, page=page_no, **params)
        found += [r["name"] for r in body["results"]]
        if page_no * body["per_page"] >= body["total"]:
            return found
        page_no += 1


def test_a_place_in_the_query_becomes_the_region_filter(client):
    body = api(client, q="cleaning in Yorkshire")
    assert body["interpreted"]["regions"] == ["TLE"]
    assert body["interpreted"]["searched"] == "cleaning"
    assert body["interpreted"]["place"] == "Yorkshire"
    assert body["total"] > 0
    # Exactly the search for the remaining words with the region ticked.
    assert body["total"] == api(client, q="cleaning", region="TLE")["total"]
    assert all({"TLE", "UK"} & set(r["regions"]) for r in body["results"])
    assert api(client, q="cleaning")["total"] > body["total"]


def test_the_page_says_where_it_looked_and_offers_everywhere(client):
    soup = page(client, q="cleaning in Yorkshire")
    notice = soup.find(id="interpretation").get_text(" ", strip=True)
    assert "Showing suppliers in Yorkshire and The Humber" in notice
    assert "Yorkshire" in notice
    assert soup.find("input", id="q")["value"] == "cleaning"
    assert soup.find("input", {"name": "region", "value": "TLE"}).has_attr("checked")
    everywhere = soup.find("a", string="Search everywhere instead")["href"]
    params = parse_qs(urlsplit(everywhere).query)
    assert params == {"q": ["cleaning"]}
    back = page(client, **{k: v[0] for k, v in params.items()})
    assert back.find(id="interpretation") is None
    count = back.find(id="result-count").get_text()
    assert count.startswith(f"{api(client, q='cleaning')['total']:,} ")


def test_a_regional_adjective_and_a_city_name_are_places(client):
    assert api(client, q="Scottish cleaning")["interpreted"]["regions"] == ["TLM"]
    assert api(client, q="cleaning Manchester")["interpreted"]["regions"] == ["TLD"]


def test_a_quoted_phrase_is_words_not_a_place(client):
    body = api(client, q='"north east" cleaning')
    assert body["interpreted"] is None


@pytest.mark.parametrize("typed", ["71315200", "71315200-3", "CPV 71315200"])
def test_a_cpv_code_in_the_query_filters_that_code_and_below(client, typed):
    body = api(client, q=typed)
    assert body["interpreted"]["cpv"] == "71315200"
    expected = names_holding("71315200")
    assert len(expected) > 3
    assert sorted(all_names(client, q=typed)) == sorted(expected)


def test_a_full_cpv_code_works_as_a_filter_with_its_label(client):
    expected = names_holding("71315200")
    assert sorted(all_names(client, cpv="71315200")) == sorted(expected)
    assert api(client, cpv="71315200-3")["total"] == len(expected)
    soup = page(client, cpv="71315200")
    removers = [a.get_text(" ", strip=True) for a in soup.find_all("a")
                if "Remove filter" in a.get_text()]
    assert removers == [f"Remove filter : Category (CPV): {taxonomies.cpv_codes()['71315200']}"]
    ticked = soup.find("input", {"name": "cpv", "value": "71315200"})
    assert ticked.has_attr("checked")
    # Its own count, not 0: what a buyer would get by keeping it ticked.
    assert f"({len(expected)})" in ticked.find_next("label").get_text()


def test_a_companies_house_number_finds_that_company(client):
    listed = next(r for r in ROWS if r.get("companies_house_number"))
    body = api(client, q=listed["companies_house_number"])
    assert [r["name"] for r in body["results"]] == [listed["name"]]
    assert body["interpreted"]["company_number"] == listed["companies_house_number"]
    notice = page(client, q=listed["companies_house_number"]).find(id="interpretation")
    assert listed["companies_house_number"] in notice.get_text()


def test_a_number_nobody_holds_is_searched_as_words(client):
    body = api(client, q="09999999")
    assert body["total"] == 0 and body["interpreted"] is None


def test_a_misspelling_that_matches_nobody_runs_as_corrected(client):
    body = api(client, q="cleening")
    assert body["interpreted"]["corrected_from"] == "cleening"
    assert body["interpreted"]["searched"] == "cleaning"
    assert body["total"] == api(client, q="cleaning")["total"] > 0
    notice = page(client, q="cleening").find(id="interpretation").get_text(" ", strip=True)
    assert "cleening" in notice and "cleaning" in notice


def test_a_correct_query_is_not_corrected(client):
    assert api(client, q="cleaning")["interpreted"] is None


def test_an_unknown_filter_value_is_said_not_dropped(client):
    response = client.get("/api/v1/suppliers", query_string={"region": "Atlantis"})
    assert response.status_code == 400
    assert "Atlantis" in response.get_json()["error"]
    soup = page(client, region="Atlantis", q="cleaning")
    warning = soup.find(class_="govuk-warning-text").get_text(" ", strip=True)
    assert "Region" in warning and "Atlantis" in warning
    assert soup.find("input", id="q")["value"] == "cleaning"  # the rest of the search stands
    arrivals = client.get("/new-arrivals", query_string={"cpv": "99999999"})
    assert arrivals.status_code == 200 and "99999999" in arrivals.get_data(as_text=True)
    assert client.get("/api/v1/new-arrivals?cpv=99999999").status_code == 400
