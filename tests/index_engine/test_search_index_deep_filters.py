"""Filters below the counted facet levels: a full CPV code, and a search restricted to ids."""

from __future__ import annotations


def _docs(make_doc):
    return [
        make_doc(1, services="roofing", cpv_codes=["45261000"]),  # roof works
        make_doc(2, services="roof repair", cpv_codes=["45261900"]),  # below 45261000
        make_doc(3, services="roof insulation", cpv_codes=["45262000"]),  # same group, not below
        make_doc(4, services="software", cpv_codes=["72000000"]),
    ]


def test_a_full_cpv_code_filters_that_code_and_everything_below_it(build, make_doc):
    engine = build(_docs(make_doc), batches=2)
    result = engine.search("", {"cpv": ["45261000"]})
    assert sorted(h.id for h in result.hits) == ["1", "2"]
    assert result.total == 2
    # The selected code is listed with its own count, beside the counted division/group values.
    assert ("45261000", 2, True) in result.facets["cpv"]


def test_division_and_group_filters_still_use_the_counted_values(build, make_doc):
    engine = build(_docs(make_doc))
    assert sorted(h.id for h in engine.search("", {"cpv": ["452"]}).hits) == ["1", "2", "3"]
    assert sorted(h.id for h in engine.search("", {"cpv": ["45"]}).hits) == ["1", "2", "3"]


def test_a_deep_code_and_a_division_combine_as_any_of(build, make_doc):
    engine = build(_docs(make_doc))
    result = engine.search("", {"cpv": ["45261900", "72"]})
    assert sorted(h.id for h in result.hits) == ["2", "4"]


def test_a_code_nobody_holds_matches_nothing_and_stays_listed(build, make_doc):
    engine = build(_docs(make_doc))
    result = engine.search("", {"cpv": ["03111000"]})
    assert result.total == 0
    assert ("03111000", 0, True) in result.facets["cpv"]


def test_ids_restrict_the_search_and_its_facet_counts(build, make_doc):
    engine = build(_docs(make_doc), batches=2)
    result = engine.search("", ids=["2", "4"])
    assert sorted(h.id for h in result.hits) == ["2", "4"]
    assert dict((v, c) for v, c, _ in result.facets["cpv"])["72"] == 1
    assert engine.search("roof", ids=["4"]).total == 0
    assert engine.search("", ids=[]).total == 0
