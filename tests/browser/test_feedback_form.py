"""The feedback form in a browser: its errors, its character counts and the thank-you page."""

from __future__ import annotations

from playwright.sync_api import Page, expect


def test_feedback_form_errors_and_thanks_are_accessible(page: Page, live_server, audit, axe):
    page.goto("/suppliers")
    page.get_by_role("link", name="give your feedback").click()
    expect(page.get_by_role("heading", name="Give feedback")).to_be_visible()
    audit(page, "feedback", screenshot=True)
    doing = page.get_by_label("What were you trying to do? (optional)")
    doing.fill("Find a roofer")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Tell us what went wrong")
    expect(doing).to_have_value("Find a roofer")
    audit(page, "feedback-errors", screenshot=True)
    page.get_by_label("What went wrong, or what would help?").fill("The A to Z is long on a phone")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("heading", name="Thank you for your feedback")).to_be_visible()
    audit(page, "feedback-sent")
    axe.assert_clean()
