"""Fixtures the security tests share: a supplier with a full profile signed in, and the same
database served by an app configured as in production (LOCATOR_ENV=production, LOCATOR_BASE_URL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from helpers import build_publishable_profile, post_form
from security_helpers import ALIAS, BASE_URL, SUPPLIER_EMAIL
from sqlmodel import select

from locator import create_app
from locator.db import sql_engine
from locator.models import Accreditation, CaseStudy, Supplier
from locator.services import admin


@pytest.fixture
def supplier(client, sign_up, session):
    """A published supplier, with an accreditation and a case study, whose owner is signed in on
    `client`."""
    sign_up(SUPPLIER_EMAIL)
    build_publishable_profile(client)
    assert b"sent for review" in post_form(client, "/profile/publish", {},
                                           form_page="/profile").data
    found = session.exec(select(Supplier)).one()
    admin.approve(session, found)  # as an administrator would (tests/test_admin.py)
    today = date.today()
    session.add(Accreditation(supplier_id=found.id, type="iso-27001", issued_on=today,
                              expires_on=today + timedelta(days=300)))
    session.add(CaseStudy(supplier_id=found.id, title="Testing a council", client_name="A council",
                          client_sector="local-government", year=2025, challenge="An old system.",
                          approach="We tested it.", outcome="It was safer."))
    session.commit()
    session.refresh(found)
    return found


@pytest.fixture
def production_env(monkeypatch):
    """The environment of a production deployment at BASE_URL, also answering to ALIAS."""
    monkeypatch.setenv("LOCATOR_ENV", "production")
    monkeypatch.setenv("LOCATOR_SECRET_KEY", "p" * 64)
    monkeypatch.setenv("LOCATOR_BASE_URL", BASE_URL)
    monkeypatch.setenv("LOCATOR_TRUSTED_HOSTS", f"suppliers.example.gov.uk,{ALIAS}")


@pytest.fixture
def production_app(app, production_env, tmp_path):
    """The test database (emptied afterwards by `app`) served as in production."""
    served = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
                         "INDEX_DIR": str(tmp_path / "production-index"),
                         "MAIL_OUTBOX": str(tmp_path / "production-mail")})
    assert served.config["LOCATOR_ENV"] == "production"
    yield served
    sql_engine(served).dispose()
