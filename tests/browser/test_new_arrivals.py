"""New arrivals and the weekly digest pages the journey does not pass through."""

from __future__ import annotations

import pytest
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
