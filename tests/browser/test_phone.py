"""The search page on a 390 px phone, with and without JavaScript: results come first, the
filters open from "Filter (n selected)", and Back shows the form as the URL says."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from conftest import MOBILE
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from locator.db import sql_engine
from locator.forms.records import FormChecker
from locator.models import Supplier
from locator.services import transfer


@pytest.fixture
def phone(new_context):
    def make(javascript: bool = True) -> Page:
        return new_context(viewport=MOBILE, java_script_enabled=javascript).new_page()

    return make


def test_results_come_first_and_the_filter_button_opens_the_filters(phone, audit, axe):
    page = phone()
    page.goto("/search")
    count = page.locator("#result-count")
    assert count.bounding_box()["y"] + count.bounding_box()["height"] < MOBILE["height"]
    expect(page.locator(".app-results__item").first).to_be_in_viewport()
    expect(page.locator("#filters")).to_be_hidden()
    toggle = page.get_by_role("button", name="Filter", exact=True)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    audit(page, "search-phone", screenshot=True)

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#filters")).to_be_visible()
    everyone = count.text_content()
    page.locator("input[name=size]").first.check()
    expect(page).to_have_url(re.compile(r"size="))
    expect(count).not_to_have_text(everyone)
    expect(page.get_by_role("button", name="Filter (1 selected)")).to_be_visible()
    expect(page.locator("#filters")).to_be_visible()  # still open: the user may tick more
    audit(page, "search-phone-filters-open")

    page.get_by_role("button", name="Filter (1 selected)").click()
    expect(page.locator("#filters")).to_be_hidden()
    axe.assert_clean()


def test_without_javascript_the_filter_link_opens_them_and_apply_is_at_the_top(phone):
    page = phone(javascript=False)
    page.goto("/search")
    expect(page.locator("#filters")).to_be_hidden()
    page.get_by_role("link", name="Filter", exact=True).click()
    expect(page.locator("#filters")).to_be_visible()
    apply = page.get_by_role("button", name="Apply filters")
    expect(apply).to_have_count(2)
    first_group = page.locator("#filters fieldset").first
    assert apply.first.bounding_box()["y"] < first_group.bounding_box()["y"]

    size = page.locator("input[name=size]").first
    size.check()
    apply.first.click()
    expect(page).to_have_url(re.compile(r"size="))
    expect(page.get_by_role("link", name="Filter (1 selected)")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_back_after_applying_filters_shows_the_form_as_the_url_says(phone, javascript):
    page = phone(javascript)
    page.goto("/search")
    page.locator("#filter-toggle").click()
    box = page.locator("input[name=size]").first
    box.check()
    if not javascript:
        page.get_by_role("button", name="Apply filters").first.click()
    expect(page).to_have_url(re.compile(r"size="))
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"size="))
    expect(page.locator("input[name=size]").first).not_to_be_checked()


LONG = "Longwordington Procurement Services Ltd"


@pytest.fixture(scope="module")
def long_values(live_server):
    """A published supplier whose e-mail and web addresses are single words wider than a phone."""
    record = {
        "name": LONG,
        "legal_form": "limited-company",
        "town": "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
        "summary": "Procurement support for councils.",
        "description": "We help councils buy well.",
        "services": ["Procurement advice"],
        "cpv_codes": ["79400000"],
        "sectors": ["local-government"],
        "regions": ["TLD"],
        "contact_email": "procurement.enquiries." + "x" * 40 + "@longwordington.example.com",
        "website": "https://www.longwordington-procurement-services.example.com/" + "p" * 60,
        "status": "published",
        "first_published_at": datetime.now(UTC).isoformat(),
    }
    with live_server.app.app_context(), Session(sql_engine(live_server.app)) as session:
        report = transfer.import_lines(session, [json.dumps(record)], FormChecker())
        assert report.created == 1, report.errors
        slug = session.exec(select(Supplier.slug).where(Supplier.name == LONG)).one()
    return slug


@pytest.mark.parametrize("where", ["search", "profile", "new-arrivals"])
def test_nothing_scrolls_sideways_at_320_px(new_context, long_values, audit, axe, where):
    page = new_context(viewport={"width": 320, "height": 700}).new_page()
    path = {"search": "/search?q=longwordington", "profile": f"/suppliers/{long_values}",
            "new-arrivals": "/new-arrivals"}[where]
    page.goto(path)
    if where == "search":  # the index worker adds the supplier within a moment
        for _ in range(40):
            if page.get_by_role("link", name=LONG).count():
                break
            page.wait_for_timeout(250)
            page.reload()
    expect(page.get_by_text(LONG).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    audit(page, f"{where}-320")
    axe.assert_clean()
