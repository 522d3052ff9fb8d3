"""Hostile input that used to give 500s (ASVS V5.1): each now gets an answer a person can act on,
and changes nothing. The accreditation form posted without all three date boxes; ISO weeks at the
edge of the calendar; and `locator import` lines that are not UTF-8, nested without end, or hold
a lone surrogate escape, each reported on its own while the good lines load."""

from __future__ import annotations

import itertools
import json

import pytest
from helpers import post_form
from security_helpers import urls
from sqlmodel import func, select

from locator import search_runtime
from locator.models import Accreditation, Supplier

EDGE_WEEKS = ["9999-W52", "9999-W01", "0001-W01", "0000-W01", "3000-W01", "1899-W52"]


def _accreditations(session) -> int:
    return session.exec(select(func.count()).select_from(Accreditation)).one()


BOXES = {"none": [], "day only": ["1"], "day and month": ["1", "2"], "month only": ["", "2"],
         "four boxes": ["1", "2", "2026", "9"]}


def test_accreditation_dates_without_three_boxes(client, session, supplier):
    before = _accreditations(session)
    for chosen in ("", "iso-9001"):
        for label, boxes in BOXES.items():
            if chosen and not boxes:
                continue  # a valid accreditation: the dates are optional
            data = {"type": chosen, "issued_on": boxes, "expires_on": boxes}
            response = post_form(client, "/profile/accreditations/new", data)
            where = f"type {chosen!r}, {label}"
            assert response.status_code == 200, where
            page = response.get_data(as_text=True)
            assert "govuk-error-summary" in page, where
            if boxes:
                assert "Date issued must include a day, month and year" in page, where
                assert "Expiry date must include a day, month and year" in page, where
    assert _accreditations(session) == before


def test_editing_an_accreditation_with_missing_boxes(client, session, supplier):
    item = supplier.accreditations[0]
    response = post_form(client, f"/profile/accreditations/{item.id}/edit",
                         {"type": "iso-27001", "issued_on": ["3"], "expires_on": ["4", "5"]})
    assert response.status_code == 200
    assert "Date issued must include a day, month and year" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Accreditation, item.id).issued_on == item.issued_on


def test_any_method_on_any_route_is_answered_without_a_crash(app, client, supplier):
    """OPTIONS passes Flask-Login's login_required signed out: a role check after it failed
    with a 500 on every supplier and admin page. Other methods get a 405, never a 5xx."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 answer, as in production
    with app.app_context():
        search_runtime.sync(app)  # caught up: /healthz answers 200 as it would in service
    routes = {url for method in ("GET", "POST") for _, url in urls(app, method, {})}
    people = {"signed out": app.test_client(), "supplier": client}
    for (who, browser), url in itertools.product(people.items(), sorted(routes)):
        for method in ("OPTIONS", "HEAD", "PUT", "DELETE", "PATCH", "PROPFIND"):
            response = browser.open(url, method=method)
            assert response.status_code < 500, f"{who} {method} {url}"


@pytest.mark.parametrize("week", EDGE_WEEKS)
def test_weeks_at_the_edge_of_the_calendar(client, week):
    page = client.get(f"/new-arrivals/{week}")
    assert page.status_code == 404
    assert "new-arrivals" in page.get_data(as_text=True)  # the page offers a way back
    api = client.get(f"/api/v1/new-arrivals?week={week}")
    assert api.status_code == 400 and api.get_json()["status"] == 400


def test_the_digest_command_refuses_an_edge_week(runner):
    result = runner.invoke(args=["digest", "send", "--week", "9999-W52", "--dry-run"])
    assert result.exit_code == 2  # a usage error, not a traceback
    assert "--week" in result.output


GOOD = {
    "name": "Harbour Lights CIC", "legal_form": "cic", "summary": "Community transport.",
    "description": "Minibuses for day centres.", "services": ["Community transport"],
    "sectors": ["transport"], "regions": ["TLK"], "cpv_codes": ["60000000"],
    "status": "published",
}


def _line(record: dict) -> bytes:
    return json.dumps(record).encode()


def test_import_reports_hostile_lines_and_loads_the_rest(runner, session, tmp_path):
    deep = b'{"name": "Deep Ltd", "services": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    lines = [
        _line(GOOD),
        b'{"name": "Latin-1 Caf\xe9 Ltd", "status": "draft"}',  # not UTF-8
        deep,
        b'{"name": "Half \\ud800 Ltd", "status": "draft"}',  # a lone surrogate escape
        b'{"name": "Key Ltd", "status": "draft", "\\udfff": 1}',
        b'{"name": "Long Number Ltd", "status": "draft", "case_studies": [{"year": '
        + b"9" * 5000 + b"}]}",
        _line({**GOOD, "name": "Year One Ltd", "first_published_at": "0001-01-01T00:00:00"}),
        b'{"name": "Nested Ltd", "status": "draft", "services": [[[[[[[[[[["x"]]]]]]]]]]]}',
        _line({**GOOD, "name": "Second Good CIC"}),
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(lines) + b"\n")  # with a byte-order mark
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Loaded 2 suppliers (2 new, 0 updated)" in output
    assert "Line 2: not valid UTF-8 (byte 0xe9" in output
    assert "Line 3: " in output and "nested more than 10 levels deep" in output
    assert "Line 4: name: \\ud800 on its own is not a character" in output
    assert "Line 5: \\udfff: \\udfff on its own is not a character" in output
    assert "Line 6: not valid JSON (a number is too long)" in output
    assert "Line 7: first_published_at: “0001-01-01T00:00:00” must be between" in output
    assert "Line 8: services: nested more than 10 levels deep" in output
    assert "7 lines not loaded." in output
    names = set(session.exec(select(Supplier.name)))
    assert names == {"Harbour Lights CIC", "Second Good CIC"}
