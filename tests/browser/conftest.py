"""The browser suite's fixtures: the real app served over HTTP, and Debian's Chromium driven by
Playwright.

The served app always has its own SQLite database file and search index in a temporary folder,
even when LOCATOR_DATABASE_URL names a PostgreSQL database for the rest of the suite: these tests
never touch that database, and never use the top-level `app` and `client` fixtures (which empty
the database after every test).
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright  # the `test` extra installs it
from werkzeug.serving import make_server

from locator import create_app, search_runtime
from locator.db import sql_engine
from locator.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("LOCATOR_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}


@dataclass
class LiveServer:
    url: str
    app: object


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> LiveServer:
    """The real app on 127.0.0.1 on a free port, with 30 demo suppliers and its index worker."""
    for built in ("app.js", "main.css", "govuk-frontend.min.js"):
        if not (ROOT / "static" / "dist" / built).exists():
            pytest.fail(f"static/dist/{built} is missing: run `npm ci && npm run build` first")
    folder = tmp_path_factory.mktemp("browser")
    database_url = f"sqlite:///{folder / 'browser.db'}"  # never LOCATOR_DATABASE_URL
    upgrade(database_url)
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "INDEX_DIR": str(folder / "index"),
            "LOGO_DIR": str(folder / "logos"),
            "SECRET_KEY": "browser-suite-secret",
            "INDEX_WORKER": True,  # the app's own worker applies profile changes to the index
            "INDEX_POLL_SECONDS": 0.2,
            "SMTP_HOST": None,  # e-mails are written to files the journey reads
            # Every browser test signs up from 127.0.0.1: the limits are tested in test_limits.py.
            "RATELIMIT_ENABLED": False,
            "MAIL_OUTBOX": str(folder / "mail"),
        }
    )
    seeded = app.test_cli_runner().invoke(args=["seed", "--demo", "--suppliers", "30"])
    assert seeded.exit_code == 0, seeded.output
    with app.app_context():
        # Index the demo suppliers now, so that the first search already sees them.
        search_runtime.sync(app)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
    server.shutdown()
    thread.join(timeout=5)
    sql_engine(app).dispose()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium, or set LOCATOR_CHROMIUM")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Make a fresh browser context (its own cookies: a separate person) on the live server."""
    contexts = []

    def make(**options):
        options = {"base_url": live_server.url, "viewport": DESKTOP, "locale": "en-GB", **options}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


class Accessibility:
    """Runs axe-core on pages and collects the violations, so one run reports every page."""

    def __init__(self):
        if not AXE.exists():
            pytest.fail(f"{AXE.relative_to(ROOT)} is missing: run `npm ci` first")
        self.checked: list[str] = []
        self.violations: dict[str, list[dict]] = {}

    def check(self, page, label: str) -> None:
        if not page.evaluate("typeof window.axe === 'object'"):
            page.add_script_tag(path=str(AXE))
        found = page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return result.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
                }));
            }""",
            AXE_TAGS,
        )
        self.checked.append(label)
        if found:
            self.violations[f"{label} ({page.url})"] = found

    def assert_clean(self) -> None:
        if self.violations:
            lines = []
            for where, found in self.violations.items():
                lines.append(where)
                for v in found:
                    lines.append(f"  {v['id']} [{v['impact']}] {v['help']}")
                    lines.extend(f"    {node}" for node in v["nodes"][:5])
            pytest.fail("axe-core found accessibility violations:\n" + "\n".join(lines))


@pytest.fixture
def axe():
    """Call `axe.assert_clean()` at the end of a test that audits pages."""
    return Accessibility()


class Screenshots:
    """Full-page PNGs at desktop and mobile widths, only when LOCATOR_SCREENSHOTS=DIR is set."""

    def __init__(self, folder: str | None):
        self.folder = Path(folder) if folder else None
        if self.folder:
            self.folder.mkdir(parents=True, exist_ok=True)

    def take(self, page, name: str) -> None:
        if not self.folder:
            return
        viewport = page.viewport_size
        for width, size in (("desktop", DESKTOP), ("mobile", MOBILE)):
            page.set_viewport_size(size)
            page.screenshot(path=str(self.folder / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size(viewport)


@pytest.fixture(scope="session")
def screenshots():
    return Screenshots(os.environ.get("LOCATOR_SCREENSHOTS"))


@pytest.fixture
def audit(axe, screenshots):
    """Check a page with axe-core, and screenshot it when asked: `audit(page, "search")`."""

    def run(page, label: str, screenshot: bool = False) -> None:
        axe.check(page, label)
        if screenshot:
            screenshots.take(page, label)

    return run
