"""The JSON API's CORS stance (ASVS V14.5.3): the service sends no CORS headers, so scripts on
other sites cannot read its answers in a browser (servers and this site's own pages can), a
preflight grants nothing, and no origin is ever reflected or allowed with credentials. Opening the
read-only API to other sites' scripts would be `Access-Control-Allow-Origin: *` without
credentials, never an echoed Origin: a change to make on purpose, in this test and SECURITY.md."""

from __future__ import annotations

EVIL = "https://evil.example"
PATHS = ["/api/v1/suppliers", "/api/v1/suppliers?q=cyber", "/api/v1/new-arrivals",
         "/api/v1/cpv?q=software", "/api/v1/openapi.json", "/api/v1/suppliers/no-such-slug",
         "/profile", "/account/sign-in"]


def _cors_headers(response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items()
            if name.lower().startswith("access-control-")}


def test_no_origin_is_granted(client):
    for path in PATHS:
        for origin in (EVIL, "null", "http://localhost"):
            response = client.get(path, headers={"Origin": origin})
            assert response.status_code < 500
            assert _cors_headers(response) == {}, (path, origin)


def test_a_preflight_grants_nothing(client):
    for path in PATHS:
        response = client.options(path, headers={
            "Origin": EVIL, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-csrftoken"})
        assert _cors_headers(response) == {}, path


def test_signed_in_api_answers_grant_nothing(client, supplier):
    response = client.get(f"/api/v1/suppliers/{supplier.slug}", headers={"Origin": EVIL})
    assert response.status_code == 200
    assert _cors_headers(response) == {}
