"""The CPV lookup behind the services page's search-as-you-type finder: GET /api/v1/cpv."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from locator import taxonomies


def _lookup(client, **params) -> list[dict]:
    response = client.get("/api/v1/cpv", query_string=params)
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/json"
    return response.get_json()["results"]


def test_words_must_all_be_in_the_description(client):
    results = _lookup(client, q="software package")
    assert results
    for result in results:
        assert set(result) == {"code", "label"}
        assert result["label"] == taxonomies.cpv_codes()[result["code"]]
        assert "software" in result["label"].lower() and "package" in result["label"].lower()
    # Word order and case do not matter: each word is looked for on its own.
    assert _lookup(client, q="PACKAGE Software") == results


def test_a_code_prefix_finds_codes_that_start_with_it(client):
    results = _lookup(client, q="722", limit="50")
    assert len(results) == 50
    assert all(r["code"].startswith("722") for r in results)
    assert results[0]["code"] == "72200000"
    assert _lookup(client, q="72212000")[0] == {
        "code": "72212000",
        "label": taxonomies.cpv_codes()["72212000"],
    }


def test_matches_the_no_javascript_finder(client):
    """The same terms, in the same order, as the "Search codes" button's search."""
    expected = [{"code": t.code, "label": t.label} for t in taxonomies.search_cpv("surveying", 20)]
    assert _lookup(client, q="  surveying  ") == expected
    assert any(r["code"] == "71355000" for r in expected)


@pytest.mark.parametrize("q", ["", " ", "7", "a", " s ", None])
def test_empty_or_short_queries_find_nothing(client, q):
    params = {} if q is None else {"q": q}
    assert _lookup(client, **params) == []


def test_limit_defaults_to_20_and_goes_up_to_50(client):
    assert len(_lookup(client, q="software")) == 20
    assert len(_lookup(client, q="software", limit="1")) == 1
    assert len(_lookup(client, q="software", limit="50")) == 50
    assert len(_lookup(client, q="software", limit="")) == 20


@pytest.mark.parametrize(
    "limit", ["0", "51", "-1", "1000", "abc", "2.5", "1e3", " 5", "１２", "²", "9" * 400]
)
def test_a_bad_limit_is_a_json_400(client, limit):
    response = client.get("/api/v1/cpv", query_string={"q": "software", "limit": limit})
    assert response.status_code == 400
    body = response.get_json()
    assert body["status"] == 400 and "limit" in body["error"]


@pytest.mark.parametrize(
    "q",
    [
        "x" * 10_000,
        "\x00\x1f 🙂",
        "logiciel — données",
        "²³",
        "722-",
        "72000000-5",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        '"unbalanced ( field:x *',
        "%%%%",
        "\u202e\u200b\ufeff",
    ],
)
def test_unicode_and_hostile_input_is_200(client, q):
    results = _lookup(client, q=q)
    assert isinstance(results, list)
    assert all(set(r) == {"code", "label"} for r in results)


def test_long_queries_are_cut_as_on_the_services_page(client):
    assert _lookup(client, q="software " + "x" * 200) == []  # the 100 characters kept, all words
    assert _lookup(client, q="software" + " " * 200 + "zzz") == _lookup(client, q="software")


def test_the_lookup_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/cpv"]["get"]
    limit = next(p for p in operation["parameters"] if p["name"] == "limit")
    assert limit["schema"]["default"] == 20 and limit["schema"]["maximum"] == 50
    assert "CpvResults" in spec["components"]["schemas"]
    validate(spec)
