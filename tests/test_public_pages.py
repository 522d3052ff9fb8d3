"""What anyone can see: the A to Z list, profiles, content pages, and errors that help."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from locator.models import Accreditation, Supplier


@pytest.fixture
def seeded(runner):
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "60"]).exit_code == 0


def test_a_to_z_lists_published_suppliers_by_name_with_pagination(client, session, seeded):
    published = sorted(
        session.exec(select(Supplier.name).where(Supplier.status == "published")).all(),
        key=str.lower,
    )
    first = client.get("/suppliers").data.decode()
    assert f"{len(published)} published suppliers" in first
    assert published[0] in first and published[19] in first
    assert published[20] not in first
    second = client.get("/suppliers?page=2").data.decode()
    assert published[20] in second
    drafts = session.exec(select(Supplier.name).where(Supplier.status == "draft")).all()
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
        assert (name in page) == name.upper().startswith("K")


def test_profile_page_hides_expired_accreditations(client, session, seeded):
    supplier = session.exec(select(Supplier).where(Supplier.status == "published")).first()
    today = date.today()
    supplier.accreditations = [
        Accreditation(type="iso-27001", expires_on=today + timedelta(days=10)),
        Accreditation(type="pci-dss", expires_on=today - timedelta(days=1)),
    ]
    session.add(supplier)
    session.commit()
    page = client.get(f"/suppliers/{supplier.slug}").data.decode()
    assert supplier.name in page
    assert "ISO 27001" in page
    assert "PCI DSS" not in page


def test_home_page_says_what_the_service_is_for(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Find small suppliers" in response.data


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
