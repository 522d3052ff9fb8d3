"""The CPV code finder on "Services and categories" in a real browser: with JavaScript, codes are
suggested as the supplier types (static/src/app.js, GET /api/v1/cpv), without a page load; the
ticked suggestion is saved with the rest of the form."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

EMAIL = "owner@tessellate-code.example"
PASSWORD = "correct horse battery staple"
CODE = "48000000"  # "Software package and information systems", the first code for "software"


def register_with_organisation(page: Page, email: str = EMAIL) -> None:
    page.goto("/account/register")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Confirm your password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    page.goto("/account/sign-in")  # publishing would need the e-mailed link; this does not
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/profile$"))
    page.get_by_role("link", name="Organisation details").click()
    page.get_by_label("Organisation name").fill("Tessellate Code Co-operative")
    page.get_by_label("Limited company", exact=True).check()
    page.get_by_label("Summary").fill("Bespoke case-management software for councils.")
    page.get_by_label("Description").fill(
        "We build and run case-management software for housing and benefits teams."
    )
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Organisation details saved")


def test_cpv_codes_are_suggested_as_you_type(page: Page, audit, axe):
    lookups = []
    page.on("request", lambda r: lookups.append(r.url) if "/api/v1/cpv" in r.url else None)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    register_with_organisation(page)
    page.get_by_role("link", name="Services and categories").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Services and categories")
    page.evaluate("window.__sameDocument = true")  # a full page load would lose this
    posts.clear()

    finder = page.get_by_label("Find CPV codes")
    codes = page.get_by_role("group", name="CPV codes")
    status = page.locator("[data-cpv-status]")
    finder.press_sequentially("software", delay=40)  # quicker than the 250 ms pause
    suggestion = codes.get_by_label(re.compile(rf"^{CODE} – Software package"))
    expect(suggestion).to_be_visible()
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text(re.compile(r"More than 20 CPV codes match ‘software’"))
    expect(codes.locator("input[name=cpv_codes][type=checkbox]")).to_have_count(20)
    assert 1 <= len(lookups) <= 3, f"the lookup is debounced, not one per key: {lookups}"
    audit(page, "section-services-suggestions")

    # Tick one; a new search replaces the other suggestions but keeps the ticked code, once.
    suggestion.check()
    finder.fill("software package")
    page.keyboard.press("Enter")  # searches at once, and does not submit the form
    expect(status).to_have_text(re.compile(r"CPV codes? match.* ‘software package’"))
    expect(codes.locator(f"input[value='{CODE}']")).to_have_count(1)
    expect(codes.locator(f"input[value='{CODE}']")).to_be_checked()
    finder.fill("surveying")
    expect(codes.get_by_label(re.compile(r"^71355000 – "))).to_be_visible()
    expect(codes.get_by_label(re.compile(r"^48110000 – "))).to_have_count(0)  # replaced
    expect(suggestion).to_be_checked()
    finder.fill("zzqx")
    expect(status).to_have_text("No CPV codes match ‘zzqx’.")
    expect(page.locator("[data-cpv-no-match]")).to_have_text("No CPV codes match ‘zzqx’.")
    expect(codes.locator("input[name=cpv_codes][type=checkbox]")).to_have_count(1)
    audit(page, "section-services-no-match")
    assert posts == [], "nothing was posted while searching"
    assert page.evaluate("window.__sameDocument") is True, "no full page load happened"

    page.get_by_label("Services you offer").fill("Case-management software\nSupport")
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Services and categories saved."
    )
    page.get_by_role("link", name="Preview your profile").click()
    expect(page.locator("main")).to_contain_text(f"{CODE} – Software package")
    axe.assert_clean()


def test_without_javascript_the_finder_posts_the_form(new_context):
    page = new_context(java_script_enabled=False).new_page()
    register_with_organisation(page, "no-script@tessellate-code.example")
    page.get_by_role("link", name="Services and categories").click()
    page.get_by_label("Services you offer").fill("Surveys")
    page.get_by_label("Find CPV codes").fill("surveying")
    page.get_by_label("Find CPV codes").press("Enter")  # the form's first button: Search codes
    page.wait_for_load_state()
    code = page.get_by_label(re.compile(r"^71355000 – "))
    expect(code).to_be_visible()
    expect(page.get_by_label("Services you offer")).to_have_value("Surveys")
    expect(page.locator("[data-cpv-status]")).to_have_count(0)
    code.check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Services and categories saved."
    )
