"""Request size (ASVS V12.1/V13): a request larger than MAX_CONTENT_LENGTH (2 MB unless
LOCATOR_MAX_CONTENT_LENGTH says otherwise) is refused with 413 before anything reads it: a GOV.UK
page for a person, a JSON error for the API, and nothing saved."""

from __future__ import annotations

import io

import pytest
from helpers import ORGANISATION, csrf_token, post_form
from sqlmodel import func, select

from locator import config
from locator.models import Subscription, Supplier

TOO_BIG = 3 * 1024 * 1024


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def assert_friendly_413(response) -> None:
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "govuk-template" in page and "govuk-heading-l" in page  # the service's own page
    assert "What you sent is too large" in page
    assert "up to 2 MB" in page


def test_a_huge_form_field_is_refused_with_a_page(client, session):
    token = csrf_token(client.get("/new-arrivals/subscribe"))
    response = client.post("/new-arrivals/subscribe",
                           data={"email": "a@example.com", "csrf_token": token,
                                 "sector": "x" * TOO_BIG})
    assert_friendly_413(response)
    assert _count(session, Subscription) == 0


def test_a_huge_upload_is_refused_with_a_page(client, session):
    token = csrf_token(client.get("/new-arrivals/subscribe"))
    response = client.post(
        "/new-arrivals/subscribe",
        data={"email": "a@example.com", "csrf_token": token,
              "attachment": (io.BytesIO(b"\0" * TOO_BIG), "big.bin")},
        content_type="multipart/form-data",
    )
    assert_friendly_413(response)
    assert _count(session, Subscription) == 0


def test_a_signed_in_form_is_refused_and_the_profile_kept(client, session, supplier):
    response = post_form(client, "/profile/section/organisation",
                         {**ORGANISATION, "description": "y" * TOO_BIG})
    assert_friendly_413(response)
    session.expire_all()
    assert session.exec(select(Supplier)).one().description == ORGANISATION["description"]


def test_the_api_refuses_with_json(client):
    for method in ("GET", "POST"):
        response = client.open("/api/v1/suppliers", method=method, data=b"{" * TOO_BIG,
                               content_type="application/json")
        assert response.status_code == 413, method
        body = response.get_json()
        assert body["status"] == 413 and "2 MB" in body["error"]


def test_a_body_just_under_the_limit_is_read(client, session):
    token = csrf_token(client.get("/new-arrivals/subscribe"))
    response = client.post("/new-arrivals/subscribe",
                           data={"email": "a@example.com", "csrf_token": token,
                                 "padding": "z" * (1024 * 1024)})
    assert response.status_code == 200 and b"Check your email" in response.data


def test_the_limit_is_configurable(monkeypatch, tmp_path):
    monkeypatch.delenv("LOCATOR_MAX_CONTENT_LENGTH", raising=False)
    assert config.load(str(tmp_path))["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
    monkeypatch.setenv("LOCATOR_MAX_CONTENT_LENGTH", "5242880")
    settings = config.load(str(tmp_path))
    assert settings["MAX_CONTENT_LENGTH"] == settings["MAX_FORM_MEMORY_SIZE"] == 5 * 1024 * 1024
    monkeypatch.setenv("LOCATOR_MAX_CONTENT_LENGTH", "lots")
    with pytest.raises(config.ConfigError, match="LOCATOR_MAX_CONTENT_LENGTH"):
        config.load(str(tmp_path))
