"""The Content-Security-Policy in a real browser: the pages' own scripts run (the GOV.UK template's
nonced inline line, app.js and GOV.UK Frontend from /static/), nothing on them is blocked, and
an injected inline script is. `tests/security/test_headers.py` checks the header on every route;
this checks that a browser obeying it still gets a working service."""

from __future__ import annotations

from playwright.sync_api import Page

PAGES = ["/", "/search?q=cyber", "/new-arrivals", "/suppliers", "/new-arrivals/subscribe",
         "/account/sign-in", "/no-such-page"]


def _watch(page: Page) -> list[str]:
    """Everything the browser reports the policy blocked, from now on."""
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.add_init_script(
        """document.addEventListener("securitypolicyviolation", (event) => {
            (window.__blocked = window.__blocked || []).push(
                event.violatedDirective + " " + event.blockedURI);
        });"""
    )
    return blocked


def test_pages_run_their_own_scripts_and_nothing_is_blocked(page: Page):
    blocked = _watch(page)
    for path in PAGES:
        page.goto(path)
        body_classes = page.evaluate("document.body.className")
        assert "govuk-frontend-supported" in body_classes, path  # the nonced inline script ran
        assert page.evaluate("window.__blocked || []") == [], path
    assert blocked == []


def test_an_injected_inline_script_is_refused(page: Page):
    _watch(page)
    page.goto("/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__injected = true";
            document.body.appendChild(script);
        }"""
    )
    page.wait_for_function("(window.__blocked || []).length > 0")
    assert page.evaluate("window.__injected") is None
    assert page.evaluate("window.__blocked")[0].startswith("script-src")
