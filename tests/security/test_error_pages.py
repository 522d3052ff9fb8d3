"""Error pages never leak (ASVS V7.4.1, V14.3): in production a crash answers with the service's
own page (or a JSON error under /api/) that names no exception, message, file or line, and debug
mode is off; the traceback goes to the server's log only."""

from __future__ import annotations

import logging

import pytest
from security_helpers import production_client

from locator import create_app
from locator.db import sql_engine

SECRET_DETAIL = "postgresql://locator:s3cret-pw@db.internal/locator"
LEAKS = ["Traceback", "RuntimeError", "s3cret-pw", "db.internal", 'File "', ".py", "werkzeug"]


@pytest.fixture
def crashing_app(app, production_env, tmp_path):
    """The production configuration as `locator run` or gunicorn loads it (not TESTING), with
    a page and an API route that fail."""
    served = create_app({"DATABASE_URL": app.config["DATABASE_URL"],
                         "INDEX_WORKER": False,  # no thread left writing to the test database
                         "INDEX_DIR": str(tmp_path / "index"),
                         "MAIL_OUTBOX": str(tmp_path / "mail")})

    @served.route("/crash")
    def crash():
        raise RuntimeError(f"could not reach {SECRET_DETAIL}")

    @served.route("/api/v1/crash")
    def api_crash():
        raise RuntimeError(f"could not reach {SECRET_DETAIL}")

    yield served
    sql_engine(served).dispose()


def test_production_is_not_in_debug_mode(crashing_app):
    assert crashing_app.debug is False
    assert crashing_app.testing is False
    assert not crashing_app.config["PROPAGATE_EXCEPTIONS"]


def test_a_crash_shows_the_services_page_and_nothing_of_the_error(crashing_app, caplog):
    browser = production_client(crashing_app)
    page = browser.get("/crash")
    assert page.status_code == 500
    text = page.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in text
    assert "govuk-template" in text
    for leak in LEAKS:
        assert leak not in text, leak
    # The detail is in the server's log, for the people who run it.
    assert any(record.exc_info and SECRET_DETAIL in str(record.exc_info[1])
               for record in caplog.records if record.levelno >= logging.ERROR)


def test_an_api_crash_is_a_plain_json_error(crashing_app):
    response = production_client(crashing_app).get("/api/v1/crash")
    assert response.status_code == 500
    assert response.get_json() == {"error": "Sorry, there is a problem with the service",
                                   "status": 500}


@pytest.mark.parametrize("path", ["/no-such-page", "/suppliers/no-such-slug",
                                  "/api/v1/suppliers/no-such-slug", "/api/v1/suppliers?page=0"])
def test_client_errors_name_nothing_of_the_server(crashing_app, path):
    response = production_client(crashing_app).get(path)
    assert 400 <= response.status_code < 500
    text = response.get_data(as_text=True)
    for leak in LEAKS:
        assert leak not in text, (path, leak)
