"""Facet filters and disjunctive counts, checked against plain Python over the docs."""

import random

import pytest

from search_index.facets import ALL, FACETS, ITL1_REGIONS

POOLS = {
    "sectors": ["health-social-care", "local-government", "education", "defence"],
    "regions": [*ITL1_REGIONS[:4], "UK"],
    "supplier_types": ["sme", "vcse", "supported-employment"],
    "accreditations": ["cyber-essentials", "iso-27001", "iso-9001"],
    "cpv_codes": ["72000000", "72200000", "79100000", "85100000"],
    "frameworks": ["g-cloud-14", "dos-6"],
    "social_value": ["climate-change", "wellbeing"],
}
WORDS = ["cloud", "care", "audit", "design", "training"]


@pytest.fixture(scope="module")
def docs():
    rng = random.Random(7)
    out = []
    for i in range(1, 241):
        doc = {k: rng.sample(pool, rng.randint(0, 2)) for k, pool in POOLS.items()}
        doc.update(size=rng.choice(["micro", "small", "medium"]),
                   legal_form=rng.choice(["limited-company", "charity"]),
                   description=" ".join(rng.sample(WORDS, 2)))
        out.append((i, doc))
    return out


@pytest.fixture
def engine(build, make_doc, docs):
    engine = build([make_doc(i, **d) for i, d in docs], batches=3)
    engine.store.delete(["5", "6"])  # deletions inside older segments must not count
    engine.refresh()
    return engine


def expected_counts(docs, q_word, selected):
    """Independent count: for each facet, docs matching the text and every other
    facet's selection, tallied by value. A facet matching "all" of its values keeps its own
    selection too: its counts say what ticking one more value would leave."""
    facets = {f.name: f for f in FACETS}
    live = [(i, d) for i, d in docs
            if i not in (5, 6) and (not q_word or q_word in d["description"])]

    def values(facet, d):
        return facets[facet].values({**d, "size": d["size"], "legal_form": d["legal_form"]})

    def matches(d, skip=None):
        return all(set(v) <= values(n, d) if facets[n].match == ALL else values(n, d) & set(v)
                   for n, v in selected.items() if n != skip)

    out = {}
    for name in facets:
        tally = {}
        for _, d in live:
            if matches(d, skip=None if facets[name].match == ALL else name):
                for v in values(name, d):
                    tally[v] = tally.get(v, 0) + 1
        for v in selected.get(name, ()):
            tally.setdefault(v, 0)
        out[name] = tally
    total = sum(1 for _, d in live if matches(d))
    return total, out


SELECTIONS = [
    {},
    {"sector": ["education"]},
    {"sector": ["education", "defence"], "region": ["TLC"]},
    {"region": ["UK"], "size": ["micro"], "cpv": ["72"]},
    {"cpv": ["721", "79"], "accreditation": ["iso-27001"], "framework": ["dos-6"],
     "supplier_type": ["vcse", "sme"], "social_value": ["wellbeing"], "legal_form": ["charity"]},
    {"sector": ["no-such-sector"], "region": ["TLD"]},
    {"accreditation": ["cyber-essentials", "iso-27001"], "sector": ["education", "defence"]},
]


@pytest.mark.parametrize("selected", SELECTIONS)
@pytest.mark.parametrize("q", ["", "cloud"])
def test_disjunctive_counts_match_plain_python(engine, docs, q, selected):
    result = engine.search(q, selected)
    total, counts = expected_counts(docs, q, selected)
    assert result.total == total
    for name, tally in counts.items():
        got = {v: c for v, c, _ in result.facets[name]}
        assert got == tally, name
        assert {v for v, _, sel in result.facets[name] if sel} == set(selected.get(name, ()))


def test_filters_are_or_within_and_across(engine, docs):
    selected = {"sector": ["education", "defence"], "size": ["micro"]}
    expected = {str(i) for i, d in docs if i not in (5, 6)
                and {"education", "defence"} & set(d["sectors"]) and d["size"] == "micro"}
    result = engine.search("", selected, per_page=100)
    assert {h.id for h in result.hits} == expected


def test_a_refresh_after_small_commits_has_the_facets_of_a_fresh_snapshot(tmp_path, make_doc):
    """A refresh copies the facet bits of the segments it kept from the snapshot before: the
    rows must equal those built from scratch, as values come (a new region) and go (the only
    supplier with it deleted and its segment merged away), and when a merge puts another
    segment where a kept one was."""
    from search_index import IndexStore, SearchEngine

    rng = random.Random(5)
    regions = ["TLC", "TLD", "TLE", "TLF"]
    store = IndexStore(tmp_path / "idx")
    store.upsert([make_doc(i, regions=rng.sample(regions, 2), description="care")
                  for i in range(1, 131)])  # 130 documents: the kept ones end mid-word
    engine = SearchEngine(store)
    steps = [
        lambda: store.upsert([make_doc(200, regions=["TLK"], description="care")]),
        lambda: store.upsert([make_doc(i, regions=["TLM"]) for i in range(201, 209)]),
        lambda: store.delete(["200"]),
        lambda: store.upsert([make_doc(5, regions=["TLN"], description="care")]),
        *[lambda i=i: store.upsert([make_doc(300 + i, regions=["TLC"])]) for i in range(9)],
        lambda: store.delete(["2", "3"]),
        store.optimize,  # one new segment where the first was, without the deleted two
    ]
    for step in steps:
        step()
        assert engine.refresh()
        fresh = SearchEngine(store)
        for name, column in fresh._snap.facets.items():
            got = engine._snap.facets[name]
            assert got.values == column.values and (got.bits == column.bits).all(), name
        assert engine.search("care") == fresh.search("care")
        fresh.close()
    engine.close()


def test_a_refresh_carries_the_sort_orders_over_as_a_full_sort_makes_them(tmp_path, make_doc):
    """After a small commit the three orders are carried over from the snapshot before and
    only the new documents placed: they must be exactly what sorting every document gives,
    ties (same name, same day) included."""
    from datetime import UTC, datetime

    import numpy as np

    from search_index import IndexStore, SearchEngine

    rng = random.Random(6)
    names = ["Acme Ltd", "Beta Care", "Zed Services"]

    def doc(i):
        return make_doc(i, name=rng.choice(names),
                        first_published_at=datetime(2024, 1, rng.randint(1, 3), tzinfo=UTC))

    store = IndexStore(tmp_path / "idx")
    store.upsert([doc(i) for i in range(1, 131)])
    engine = SearchEngine(store)
    steps = [lambda: store.upsert([doc(i) for i in range(200, 205)]),
             lambda: store.upsert([doc(7)]), lambda: store.delete(["201"]),
             *[lambda i=i: store.upsert([doc(300 + i)]) for i in range(9)]]
    for step in steps:
        engine._snap.sort_orders()
        step()
        assert engine.refresh()
        snap = engine._snap
        assert snap._carried  # carried over, not sorted again
        assert (snap.browse_order == np.argsort(snap.tiebreak, kind="stable")).all()
        assert (snap.newest_order == np.lexsort((snap.tiebreak, -snap.published))).all()
        assert (snap.name_order == np.lexsort((snap.tiebreak, snap._name_key))).all()
    engine.close()
