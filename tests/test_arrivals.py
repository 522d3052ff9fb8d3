"""New arrivals: the weekly listing, filters, the archive, the Atom feed and the API."""

import re
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from helpers import SelectsSent
from sqlmodel import select

from locator.models import Supplier
from locator.services import suppliers as supplier_service
from locator.weeks import IsoWeek

WEEK = IsoWeek.parse("2026-W27")  # 29 June to 5 July 2026, British Summer Time


def _supplier(session, name, arrived, **fields) -> Supplier:
    supplier = Supplier(
        name=name, slug=name.lower().replace(" ", "-"), summary=f"{name} summary",
        description="d", services=["s"], legal_form="limited-company",
        sectors=fields.pop("sectors", ["education"]), regions=fields.pop("regions", ["TLD"]),
        cpv_codes=fields.pop("cpv_codes", ["72000000"]), status=fields.pop("status", "published"),
        first_published_at=arrived, **fields,
    )
    session.add(supplier)
    session.commit()
    return supplier


@pytest.fixture
def week_of_arrivals(session):
    monday_0030_bst = datetime(2026, 6, 28, 23, 30, tzinfo=UTC)
    return {
        "early": _supplier(session, "Early Bird", monday_0030_bst),
        "wide": _supplier(session, "Wide Reach", monday_0030_bst + timedelta(days=2),
                          regions=["UK"], sectors=["health-social-care"]),
        "late": _supplier(session, "Late Sunday", WEEK.ends - timedelta(minutes=1),
                          cpv_codes=["45000000"]),
        "before": _supplier(session, "Sunday Before", monday_0030_bst - timedelta(hours=1)),
        "next": _supplier(session, "Next Week", WEEK.ends),
        "suspended": _supplier(session, "Suspended One", monday_0030_bst, status="suspended"),
    }


def test_week_lists_its_arrivals_newest_first(client, week_of_arrivals):
    page = client.get(f"/new-arrivals/{WEEK}").data.decode()
    positions = [page.find(name) for name in ("Late Sunday", "Wide Reach", "Early Bird")]
    assert -1 not in positions and positions == sorted(positions)
    for absent in ("Sunday Before", "Next Week", "Suspended One"):
        assert absent not in page
    assert "3 new suppliers that week" in page
    assert f"/new-arrivals/{WEEK.previous()}" in page and f"/new-arrivals/{WEEK.next()}" in page
    assert positions[-1] < page.find('aria-label="Weeks"')  # on a phone: arrivals, then weeks


def test_filters_follow_search_rules(client, week_of_arrivals):
    body = client.get(f"/api/v1/new-arrivals?week={WEEK}&region=TLK").get_json()
    assert [r["name"] for r in body["results"]] == ["Wide Reach"]  # UK-wide matches every region
    body = client.get(f"/api/v1/new-arrivals?week={WEEK}&cpv=45&sector=education").get_json()
    assert [r["name"] for r in body["results"]] == ["Late Sunday"]
    bogus = client.get(f"/api/v1/new-arrivals?week={WEEK}&sector=bogus")
    assert bogus.status_code == 400 and "bogus" in bogus.get_json()["error"]  # said, not dropped


def test_api_shape(client, week_of_arrivals):
    body = client.get(f"/api/v1/new-arrivals?week={WEEK}").get_json()
    assert body["week"] == "2026-W27"
    assert body["starts"] == "2026-06-28T23:00:00+00:00"
    assert body["ends"] == "2026-07-05T23:00:00+00:00"
    assert (body["previous_week"], body["next_week"]) == ("2026-W26", "2026-W28")
    assert body["total"] == 3 and body["results"][0]["url"].endswith("/suppliers/late-sunday")
    assert client.get("/api/v1/new-arrivals?week=2026-W54").status_code == 400


def test_arrival_date_survives_republication(client, session, week_of_arrivals):
    supplier = week_of_arrivals["early"]
    supplier_service.unpublish(session, supplier)
    assert "Early Bird" not in client.get(f"/new-arrivals/{WEEK}").data.decode()
    supplier.status = "published"
    supplier_service.update(session, supplier, {"summary": "Edited later"})
    assert supplier.first_published_at == datetime(2026, 6, 28, 23, 30, tzinfo=UTC)
    assert "Early Bird" in client.get(f"/new-arrivals/{WEEK}").data.decode()


@pytest.mark.parametrize("week", ["2026-W54", "abc", "2026-W00", "0000-W01"])
def test_bad_weeks_are_404_with_a_way_back(client, week):
    response = client.get(f"/new-arrivals/{week}")
    assert response.status_code == 404
    assert b'href="/new-arrivals"' in response.data


def test_this_week_and_archive(client, session):
    now = datetime.now(UTC)
    _supplier(session, "Just Joined", now - timedelta(minutes=5))
    assert "Just Joined" in client.get("/new-arrivals").data.decode()
    archive = client.get("/new-arrivals/archive").data.decode()
    assert f"/new-arrivals/{IsoWeek.current()}" in archive
    assert "(this week)" in archive


def test_atom_feed_parses_with_stable_ids(client, session):
    now = datetime.now(UTC)
    _supplier(session, "Feed One", now - timedelta(hours=1))
    _supplier(session, "Feed Two", now - timedelta(days=8), sectors=["housing"])
    response = client.get("/new-arrivals.atom")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    titles = [e.title for e in feed.entries]
    assert titles[:2] == ["Feed One", "Feed Two"]
    first = feed.entries[0]
    assert first.id == first.link and first.link.endswith("/suppliers/feed-one")
    assert first.updated_parsed and first.published_parsed
    again = feedparser.parse(client.get("/new-arrivals.atom").data)
    assert [e.id for e in again.entries] == [e.id for e in feed.entries]
    filtered = feedparser.parse(client.get("/new-arrivals.atom?sector=housing").data)
    assert [e.title for e in filtered.entries] == ["Feed Two"]


def test_suspended_supplier_leaves_the_feed(client, session):
    supplier = _supplier(session, "Soon Gone", datetime.now(UTC) - timedelta(hours=1))
    supplier.status = "suspended"
    session.add(supplier)
    session.commit()
    feed = feedparser.parse(client.get("/new-arrivals.atom").data)
    assert "Soon Gone" not in [e.title for e in feed.entries]
    assert session.exec(select(Supplier)).one().first_published_at is not None


def test_weeks_before_the_first_arrival_are_404_and_the_archive_skips_empty_weeks(
    client, week_of_arrivals
):
    first = WEEK.previous()  # "Sunday Before" arrived then, the earliest of all
    page = client.get(f"/new-arrivals/{first}").data.decode()
    assert f'href="/new-arrivals/{first.previous()}"' not in page  # no way back past the start
    response = client.get(f"/new-arrivals/{first.previous()}")
    assert response.status_code == 404
    assert f"New arrivals start in the week of {first.label}" in response.data.decode()

    archive = client.get("/new-arrivals/archive").data.decode()
    listed = re.findall(r'href="/new-arrivals/(\d{4}-W\d{2})"', archive)
    # Suspended suppliers do not count, so each week lists only its published arrivals.
    assert listed == [str(WEEK.next()), str(WEEK), str(first)]


def test_week_page_offers_the_email_and_feed_before_the_list(client, week_of_arrivals):
    page = client.get(f"/new-arrivals/{WEEK}?region=TLD").data.decode()
    subscribe = page.find('href="/new-arrivals/subscribe?region=TLD"')
    feed = page.find('href="/new-arrivals.atom?region=TLD"')
    first_result = page.find("app-results__item")
    assert -1 < subscribe < first_result and -1 < feed < first_result


@pytest.mark.parametrize("query", ["", "&region=TLD"])
def test_a_busy_week_is_paginated_newest_first(client, session, query):
    """A week with thousands of arrivals must not be one page: 20 a page, filtered or not."""
    monday = datetime(2026, 6, 29, 9, 0, tzinfo=UTC)
    for n in range(25):
        _supplier(session, f"Arrival {n:02d}", monday + timedelta(minutes=n))
    first = client.get(f"/new-arrivals/{WEEK}?page=1{query}").data.decode()
    assert "25 new suppliers that week" in first
    assert "Arrival 24" in first and "Arrival 05" in first and "Arrival 04" not in first
    second_link = re.search(r'href="([^"]*page=2[^"]*)"', first).group(1).replace("&amp;", "&")
    assert ("region=TLD" in second_link) == bool(query)  # the filters stay on the next page
    second = client.get(second_link).data.decode()
    assert "25 new suppliers that week" in second
    assert [f"Arrival {n:02d}" in second for n in (4, 0, 5)] == [True, True, False]
    assert client.get(f"/new-arrivals/{WEEK}?page=3{query}").status_code == 404
    assert client.get(f"/new-arrivals/{WEEK}?page=0{query}").status_code == 404


def test_the_api_pages_a_busy_week_as_the_listing_does(client, session):
    monday = datetime(2026, 6, 29, 9, 0, tzinfo=UTC)
    for n in range(25):
        _supplier(session, f"Arrival {n:02d}", monday + timedelta(minutes=n))
    api = f"/api/v1/new-arrivals?week={WEEK}"
    first = client.get(api).get_json()
    assert (first["total"], first["page"], first["pages"], first["per_page"]) == (25, 1, 2, 20)
    assert [r["name"] for r in first["results"]] == [f"Arrival {n:02d}" for n in range(24, 4, -1)]
    second = client.get(f"{api}&page=2&region=TLD").get_json()
    assert [r["name"] for r in second["results"]] == [f"Arrival {n:02d}" for n in range(4, -1, -1)]
    assert len(client.get(f"{api}&per_page=100").get_json()["results"]) == 25
    assert client.get(f"{api}&page=3").status_code == 404
    bad = client.get(f"{api}&per_page=abc")
    assert bad.status_code == 400 and "per_page" in bad.get_json()["error"]


def test_a_filtered_week_with_no_match_links_to_the_latest_week_with_one(
    client, runner, week_of_arrivals
):
    assert runner.invoke(args=["reindex"]).exit_code == 0
    later = WEEK.next().next()
    page = client.get(f"/new-arrivals/{later}?sector=health-social-care").data.decode()
    assert "0 new suppliers that week matching your filters" in page
    assert f'href="/new-arrivals/{WEEK}?sector=health-social-care"' in page  # "Wide Reach"
    assert "latest suppliers matching" not in client.get(
        f"/new-arrivals/{later}?sector=central-government").data.decode()  # none ever matched
    assert "latest suppliers matching" not in client.get(
        f"/new-arrivals/{WEEK}?sector=health-social-care").data.decode()  # this week has it


@pytest.mark.parametrize(("url", "selects"), [
    (f"/new-arrivals/{WEEK}", 3),  # the first week, the week's count and page: no details
    (f"/api/v1/new-arrivals?week={WEEK}", 3),  # the count, the page and its accreditations
])
def test_a_week_costs_the_same_few_queries_however_many_arrived(
    app, client, session, week_of_arrivals, url, selects
):
    sent = []
    for more in (0, 20):  # three arrivals, then twenty-three (a full page)
        for n in range(more):
            _supplier(session, f"Extra {n}", WEEK.starts + timedelta(hours=n + 1))
        client.get(url)  # the banner's flag is read on some pages, not others
        with SelectsSent(app) as sent_now:
            assert client.get(url).status_code == 200
        sent.append(sent_now)
    assert [len(s) for s in sent] == [selects, selects], sent
