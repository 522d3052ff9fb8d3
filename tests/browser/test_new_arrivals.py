"""New arrivals and the weekly digest pages the journey does not pass through."""

from __future__ import annotations

import re

import pytest
from conftest import MOBILE
from playwright.sync_api import Page, expect

PAGES = [
    ("new-arrivals-archive", "/new-arrivals/archive"),
    ("new-arrivals-filtered", "/new-arrivals?region=TLD&sector=education"),
    ("new-arrivals-bad-week", "/new-arrivals/2026-W54"),
]


@pytest.mark.parametrize(("label", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_page_is_accessible(page: Page, live_server, audit, axe, label, path):
    response = page.goto(path)
    assert response.status == (404 if "bad-week" in label else 200)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit(page, label, screenshot=True)
    axe.assert_clean()


def test_digest_form_errors_are_accessible(page: Page, live_server, audit, axe):
    page.goto("/new-arrivals/subscribe")
    page.get_by_role("button", name="Subscribe").click()  # nothing entered: nothing is sent
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    audit(page, "digest-subscribe-errors")
    axe.assert_clean()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_on_a_phone_the_week_comes_first_and_filters_open_from_the_toggle(
    new_context, audit, axe, javascript
):
    """The search page's filter layout (macros/filters.html filter_panel): results first,
    "Filter (n selected)" as a button with JavaScript and a link to #filters without."""
    page = new_context(viewport=MOBILE, java_script_enabled=javascript).new_page()
    page.goto("/new-arrivals/archive")
    page.locator("table a[href*='/new-arrivals/20']").first.click()  # a week with arrivals
    status = page.get_by_role("status")
    assert status.bounding_box()["y"] + status.bounding_box()["height"] < MOBILE["height"]
    expect(page.locator(".app-results__item").first).to_be_visible()
    expect(page.locator("#filters")).to_be_hidden()
    role = "button" if javascript else "link"
    toggle = page.get_by_role(role, name="Filter", exact=True)
    if javascript:
        expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(page.locator("#filters")).to_be_visible()
    apply = page.get_by_role("button", name="Apply filters")
    expect(apply).to_have_count(2)
    first_group = page.locator("#filters fieldset").first
    assert apply.first.bounding_box()["y"] < first_group.bounding_box()["y"]
    page.locator("#filters input[name=size]").first.check()
    apply.first.click()
    expect(page).to_have_url(re.compile(r"size="))
    expect(page.get_by_role(role, name="Filter (1 selected)")).to_be_visible()
    expect(page.locator("#filters")).to_be_hidden()  # a new page: results first again
    if javascript:
        audit(page, "new-arrivals-phone-filtered")
        axe.assert_clean()
