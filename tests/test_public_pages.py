"""What anyone can see: the A to Z list, content pages, and errors that help. Every test here
only reads, from 60 demo suppliers seeded once for the module (a public profile page as its
supplier edits it is in tests/test_profile.py)."""

import re

import pytest
from markupsafe import escape
from sqlmodel import select

from locator import search_runtime
from locator.models import Supplier


@pytest.fixture(scope="module")
def seeded(module_app, rows_unchanged):
    runner = module_app.test_cli_runner()
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "60"]).exit_code == 0
    search_runtime.sync(module_app)
    with rows_unchanged(module_app):
        yield


@pytest.fixture
def app(module_app, seeded):
    return module_app


def test_a_to_z_lists_published_suppliers_by_name_with_pagination(client, session, seeded):
    published = [  # as the page writes them (a partnership's "&" is "&amp;")
        str(escape(name)) for name in sorted(
            session.exec(select(Supplier.name).where(Supplier.status == "published")).all(),
            key=str.lower,
        )
    ]
    first = client.get("/suppliers").data.decode()
    assert f"{len(published)} published suppliers" in first
    assert published[0] in first and published[19] in first
    assert published[20] not in first
    second = client.get("/suppliers?page=2").data.decode()
    assert published[20] in second
    drafts = [
        str(escape(n))
        for n in session.exec(select(Supplier.name).where(Supplier.status == "draft")).all()
    ]
    everything = "".join(client.get(f"/suppliers?page={n}").data.decode() for n in (1, 2, 3))
    assert drafts and not any(name in everything for name in drafts)


@pytest.mark.parametrize(
    "query", ["page=0", "page=-1", "page=abc", "page=999999", "letter=%%", "page=%C2%B2"]
)
def test_bad_list_parameters_are_404_not_500(client, seeded, query):
    assert client.get(f"/suppliers?{query}").status_code == 404


def test_letter_filter(client, session, seeded):
    page = client.get("/suppliers?letter=k").data.decode()
    names = session.exec(select(Supplier.name).where(Supplier.status == "published")).all()
    for name in names:
        assert (str(escape(name)) in page) == name.upper().startswith("K")


def test_home_page_searches_and_counts_suppliers_and_sectors(client, session):
    published = session.exec(select(Supplier).where(Supplier.status == "published")).all()
    page = client.get("/").data.decode()
    assert "Find small suppliers" in page
    assert 'action="/search"' in page and 'name="q"' in page
    assert f"Search {len(published)} suppliers" in page
    links = re.findall(r'href="/search\?sector=([a-z-]+)">[^<]+<span[^>]*> \((\d+)\)', page)
    assert 3 <= len(links) <= 6
    counts = [int(count) for _, count in links]
    assert counts == sorted(counts, reverse=True)
    for sector, count in links:
        assert count == str(sum(sector in s.sectors for s in published)), sector


def test_a_to_z_links_only_letters_with_suppliers(client, session):
    names = session.exec(select(Supplier.name).where(Supplier.status == "published")).all()
    used = {name[0].upper() for name in names}
    page = client.get("/suppliers").data.decode()
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        assert (f'href="/suppliers?letter={letter}"' in page) == (letter in used), letter
    assert "Z<span class=\"govuk-visually-hidden\"> (no suppliers)" in page or "Z" in used


@pytest.mark.parametrize("url", ["/", "/cookies", "/accessibility", "/privacy", "/feedback"])
def test_content_pages(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b"GDS Transport" not in response.data
    assert b"govuk-header__logotype" not in response.data


def test_unknown_page_is_a_helpful_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data


@pytest.mark.parametrize("path", ["/suppliers/%00", "/suppliers/a%00b", "/api/v1/suppliers/%00",
                                  "/suppliers/UPPER", "/suppliers/" + "a" * 300])
def test_impossible_slugs_are_404_on_every_database(client, path):
    assert client.get(path).status_code == 404


def test_feedback_leads_to_the_configured_address(app, client, monkeypatch):
    assert "mailto:" not in client.get("/feedback").data.decode()
    monkeypatch.setitem(app.config, "FEEDBACK_EMAIL", "feedback@locator.example")
    page = client.get("/feedback").data.decode()
    subject = "subject=Feedback%20on%20Supplier%20Locator"
    assert f'href="mailto:feedback@locator.example?{subject}"' in page
