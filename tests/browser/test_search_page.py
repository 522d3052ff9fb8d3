"""The search page in a real browser: filters and sort update the results in place with
JavaScript (static/src/app.js), the back button restores them, everything works from the keyboard,
and without JavaScript the "Apply filters" button does the same job."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

MAX_TABS = 80


def active(page: Page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name"),
                    text: el.textContent.trim(), type: el.getAttribute("type")};
        }"""
    )


def tab_until(page: Page, matches, what: str) -> dict:
    """Press Tab until the focused element matches; fail after MAX_TABS presses."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = active(page)
        if matches(focused):
            return focused
    raise AssertionError(f"Tab never reached {what}")


def region_filter(page: Page):
    """A region checkbox that narrows the results (fewer suppliers than the whole list)."""
    group = page.locator("details", has=page.locator("input[name=region]"))
    group.locator("summary").click()
    box = group.locator("input[name=region]").last  # ordered by count: the last is the rarest
    return box.get_attribute("id"), box.get_attribute("value")


def test_filters_and_sort_update_results_without_a_page_load(page: Page, audit, axe):
    fetches = []
    page.on("request", lambda r: fetches.append(r.url) if r.resource_type == "fetch" else None)
    page.goto("/search")
    page.evaluate("window.__sameDocument = true")  # a full page load would lose this
    count = page.locator("#result-count")
    everyone = count.text_content()
    status = count.element_handle()
    box_id, value = region_filter(page)

    page.locator(f"#{box_id}").check()
    expect(page).to_have_url(re.compile(rf"/search\?.*region={value}"))
    expect(page.get_by_role("link", name=re.compile(r"Remove filter.*Region"))).to_be_visible()
    expect(count).not_to_have_text(everyone)
    expect(page.locator(f"#{box_id}")).to_be_checked()
    assert active(page)["id"] == box_id, "focus stays on the checkbox the user ticked"
    assert page.evaluate("(el) => el.isConnected", status), "the role=status element is kept"
    expect(page.locator("[role=status]")).to_have_count(1)
    assert any("region=" in url for url in fetches)
    audit(page, "search-filtered-by-script")

    filtered = count.text_content()
    page.get_by_label("Sort by").select_option("name")
    expect(page).to_have_url(re.compile(r"sort=name"))
    assert active(page)["id"] == "sort"
    names = page.locator(".app-results h2 a").all_text_contents()
    assert names == sorted(names, key=str.casefold)

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"sort=name"))
    expect(page.get_by_label("Sort by")).to_have_value("relevance")
    expect(count).to_have_text(filtered)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/search$"))
    expect(page.locator(f"#{box_id}")).not_to_be_checked()
    expect(count).to_have_text(everyone)
    page.go_forward()
    expect(page.locator(f"#{box_id}")).to_be_checked()

    # Unticking the last region: its <details> has no selection now, but stays open and focused.
    page.locator(f"#{box_id}").uncheck()
    expect(page).not_to_have_url(re.compile(r"region="))
    expect(page.locator(f"#{box_id}")).to_be_visible()
    assert active(page)["id"] == box_id
    assert page.evaluate("window.__sameDocument") is True, "no full page load happened"
    axe.assert_clean()


def test_without_javascript_apply_filters_submits_the_form(new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/search")
    box_id, value = region_filter(page)
    page.locator(f"#{box_id}").check()
    expect(page).to_have_url(re.compile(r"/search$"))  # nothing happens until the button
    page.get_by_role("button", name="Apply filters").last.click()
    expect(page).to_have_url(re.compile(rf"region={value}"))
    expect(page.locator(f"#{box_id}")).to_be_checked()
    page.get_by_label("Sort by").select_option("name")
    page.get_by_role("button", name="Sort").click()
    expect(page).to_have_url(re.compile(rf"region={value}.*sort=name|sort=name.*region={value}"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_filters_work_from_the_keyboard(new_context, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto("/search")
    if javascript:
        page.evaluate("window.__sameDocument = true")

    tab_until(page, lambda f: f["tag"] == "summary" and "Region" in f["text"], "Region")
    page.keyboard.press("Enter")  # open the Region details
    focused = tab_until(page, lambda f: f["name"] == "region", "a region checkbox")
    box = page.locator(f"#{focused['id']}")
    value = box.get_attribute("value")
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    if javascript:  # the results follow at once, and focus stays put
        expect(page).to_have_url(re.compile(rf"region={value}"))
        assert active(page)["id"] == focused["id"]
        assert page.evaluate("window.__sameDocument") is True
    else:
        expect(page).to_have_url(re.compile(r"/search$"))

    tab_until(
        page, lambda f: f["tag"] == "button" and f["text"] == "Apply filters", "Apply filters"
    )
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"region={value}"))
    expect(page.locator(f"#{focused['id']}")).to_be_checked()
    expect(page.get_by_role("link", name=re.compile(r"Remove filter.*Region"))).to_be_visible()


def test_how_the_query_was_read_is_said_and_accessible(page: Page, audit, axe):
    """A place in the query becomes a region filter with a way back; a filter value nobody
    knows is a warning, not a silent no-op. Both pages pass axe."""
    page.goto("/search?q=consulting+in+Scotland")
    notice = page.locator("#interpretation")
    expect(notice).to_contain_text("Showing suppliers in Scotland")
    expect(page.get_by_label("Search by service, skill or name")).to_have_value("consulting")
    audit(page, "search-place-in-query")
    page.get_by_role("link", name="Search everywhere instead").click()
    expect(page).to_have_url(re.compile(r"/search\?q=consulting$"))
    expect(page.locator("#interpretation")).to_have_count(0)

    page.goto("/search?region=Atlantis")
    expect(page.locator(".govuk-warning-text")).to_contain_text("“Atlantis” is not a value we know")
    audit(page, "search-unknown-filter")
    axe.assert_clean()
