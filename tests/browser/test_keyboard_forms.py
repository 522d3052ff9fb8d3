"""Forms from the keyboard alone: the error summary takes focus, its links lead to the fields,
and a person can register without a mouse."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect
from test_search_page import active, tab_until


def test_register_with_the_keyboard_only(page: Page):
    page.goto("/account/register")
    tab_until(page, lambda f: f["id"] == "email", "the email field")

    # Submitting the empty form: the error summary takes focus, its first link reaches the field.
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    tab_until(page, lambda f: f["tag"] == "a" and "email" in f["text"].lower(), "the first error")
    page.keyboard.press("Enter")
    assert active(page)["id"] == "email"

    email = f"keys-{uuid.uuid4().hex[:8]}@example.com"
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert active(page)["id"] == "password"
    page.keyboard.type("correct horse battery")
    tab_until(page, lambda f: f["id"] == "confirm", "the confirm field")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
