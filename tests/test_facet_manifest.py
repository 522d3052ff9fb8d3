"""The facet manifest (`locator/facets.py`) is the one place a filter is declared: every facet
the index knows has every part there, and every page and API that offers filters reads it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from werkzeug.datastructures import MultiDict

from locator import facets, openapi, presenters
from locator.models import Accreditation, Supplier
from locator.services import arrivals, indexing, search
from search_index import FACETS

PLACES = {facets.SEARCH, facets.API, facets.ARRIVALS, facets.DIGEST}


def _full_supplier() -> Supplier:
    supplier = Supplier(
        id=1, slug="full", name="Full Ltd", summary="s", description="d", status="published",
        services=["x"], sectors=["education"], regions=["TLD"], staff_band="10-49",
        turnover_band="under-1m", legal_form="cic", supplier_types=["vcse"],
        cpv_codes=["72000000"], frameworks=[{"name": "G-Cloud 14", "reference": None}],
        social_value=[{"mission": next(iter(facets.BY_NAME["social_value"].vocabulary())),
                       "commitment": "c"}],
        first_published_at=datetime(2026, 11, 2, tzinfo=UTC),
    )
    supplier.accreditations = [Accreditation(type="iso-9001", verification_status="verified")]
    supplier.case_studies = []
    return supplier


def test_every_index_facet_has_every_part_in_the_manifest():
    assert [f.name for f in facets.MANIFEST] == [f.name for f in FACETS]
    document = indexing.supplier_document(_full_supplier(), date(2026, 11, 25))
    for facet in facets.MANIFEST:
        assert facet.title and facet.plural, facet.name
        assert facet.offered and facet.offered <= PLACES, facet.name
        assert facet.match in ("any", "all"), facet.name
        if facet.vocabulary is not None:
            assert facet.vocabulary(), facet.name
            assert set(facet.choices()) <= set(facet.vocabulary()), facet.name
        # The document builder gives the facet values, and they are ones the filter accepts.
        values = facet.index.values(document)
        assert values, f"supplier_document gives no {facet.name}"
        if facet.vocabulary is not None:
            assert values <= set(facet.vocabulary()), facet.name


def test_parsing_keeps_only_the_filters_a_place_offers():
    args = MultiDict([("sector", "education"), ("legal_form", "cic"), ("sector", "nonsense"),
                      ("framework", "g-cloud-14"), ("unknown", "x")])
    assert search.read_filters(args, facets.SEARCH) == (
        {"sector": ["education"], "legal_form": ["cic"], "framework": ["g-cloud-14"]},
        [("sector", "nonsense")],  # an unknown value is reported; an unknown name is not a filter
    )
    # New arrivals do not offer legal form or frameworks.
    assert arrivals.read_filters(args) == ({"sector": ["education"]}, [("sector", "nonsense")])


def test_openapi_and_digest_form_offer_the_manifest_facets(app):
    with app.test_request_context():
        from locator.forms.digest import SubscribeForm

        form = SubscribeForm(meta={"csrf": False})
        document = openapi.document("http://localhost/api/v1/suppliers", app.config)
    assert tuple(SubscribeForm.FILTERS) == facets.names_on(facets.DIGEST)
    for name in SubscribeForm.FILTERS:
        assert form[name].label.text == f"{facets.BY_NAME[name].plural} (optional)"
    search_params = {p["name"] for p in document["paths"]["/suppliers"]["get"]["parameters"]}
    arrival_params = {p["name"] for p in document["paths"]["/new-arrivals"]["get"]["parameters"]}
    assert set(facets.names_on(facets.API)) <= search_params
    assert set(facets.names_on(facets.ARRIVALS)) <= arrival_params
    assert "legal_form" not in arrival_params  # offered on search only


def test_presenter_lists_counted_values_or_the_choices():
    counted = {"region": [search.FacetValue("TLD", "North West", 3, True),
                          search.FacetValue("TLC", "North East", 0, False),
                          search.FacetValue("TLI", "London", 0, True)]}
    groups = presenters.filter_groups(facets.SEARCH, {"region": ["TLD", "TLI"]}, counted)
    assert [g.name for g in groups] == ["region"]  # groups with nothing to offer are left out
    assert [(o.value, o.count, o.checked) for o in groups[0].options] == [
        ("TLD", 3, True), ("TLI", 0, True)]
    listed = presenters.filter_groups(facets.ARRIVALS, {"cpv": ["72"]})
    cpv = next(g for g in listed if g.name == "cpv")
    assert {o.value for o in cpv.options} == set(facets.BY_NAME["cpv"].choices())  # divisions
    assert [o.value for o in cpv.options if o.checked] == ["72"]
    assert all(o.count is None for o in cpv.options)
    chosen = presenters.chosen_filters({"cpv": ["72"]}, listed, lambda n, v: f"/x?{n}={v}")
    assert [(c.title, c.remove_url) for c in chosen] == [("Category (CPV)", "/x?cpv=72")]
    assert chosen[0].label.startswith("IT services")
