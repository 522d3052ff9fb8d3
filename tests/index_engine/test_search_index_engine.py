import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def all_words(result) -> list[str]:
    """The hits matching every word (those matching some follow them)."""
    return [h.id for h in result.hits if h.match == "all"]


def corpus(make_doc) -> list[dict]:
    return [
        make_doc(1, name="Acme Cyber Ltd", description="We provide penetration testing and "
                 "cyber security consultancy for councils.", services="Penetration testing",
                 regions=["TLD"], sectors=["local-government"], size="micro"),
        make_doc(2, name="Cloudy Hosting", description="Cloud hosting and managed services. "
                 "Testing of backups and penetration of new markets.", regions=["TLI"],
                 sectors=["health-social-care"], size="medium"),
        make_doc(3, name="Watchful Eyes", description="Closed circuit television installation "
                 "and maintenance.", regions=["UK"], sectors=["local-government", "education"]),
        make_doc(4, name="People First", description="Human resources consultancy and payroll.",
                 regions=["TLM"], sectors=["education"], size="micro"),
        make_doc(5, name="CyberSecure Partners", summary="Cybersecurity specialists.",
                 description="Security operations for the NHS.", regions=["TLD", "TLE"],
                 sectors=["health-social-care"]),
        make_doc(6, name="zeta grounds", description="Grounds maintenance and landscaping.",
                 regions=["TLK"], sectors=["local-government"]),
    ]


@pytest.fixture
def engine(build, make_doc):
    return build(corpus(make_doc), batches=2)


def test_words_are_anded(engine):
    assert ids(engine.search("cyber councils")) == ["1"]
    assert sorted(ids(engine.search("penetration"))) == ["1", "2"]


def test_phrase_needs_adjacent_words(engine):
    assert ids(engine.search('"penetration testing"')) == ["1"]
    assert ids(engine.search('"testing penetration"')) == []


def test_prefix(engine):
    assert sorted(ids(engine.search("cyber*"))) == ["1", "5"]
    assert ids(engine.search("landscap*")) == ["6"]


@pytest.mark.parametrize(("q", "expected"), [
    ("cctv", ["3"]),
    ("hr", ["4"]),
    # A several-word synonym matches its words anywhere, so 2 ("Testing of backups and
    # penetration of new markets") matches "penetration testing" too, but ranks below 1.
    ("pen test", ["1", "2"]),
    ("nhs", ["5"]),
])
def test_synonyms(engine, q, expected):
    assert ids(engine.search(q)) == expected


def test_stemming(engine):
    assert ids(engine.search("installations")) == ["3"]


def test_suggestion_for_misspelling(engine):
    result = engine.search("penetraton")
    assert result.total == 0
    assert result.suggestion == "penetration"
    assert engine.search("penetration").suggestion is None
    assert engine.search("xqzvw").suggestion is None


def test_suggestion_from_the_procurement_vocabulary(build, make_doc):
    """A trade noun no supplier writes is corrected to the vocabulary's word when its analysed
    form finds suppliers; a swap of two letters is one edit; a word whose analysed form some
    supplier holds is never "corrected"."""
    from search_index.suggest import _best_correction, _distance

    engine = build([
        make_doc(1, name="Sparks", description="Electrical installation and rewiring."),
        make_doc(2, name="Hop", summary="Skip hire", services="Security guard patrols."),
    ])
    assert engine.search("electritians").suggestion == "electricians"  # no supplier's word
    assert ids(engine.search("electricians")) == ["1"]
    assert engine.search("sikp").suggestion == "skip"  # 4 letters: one edit allowed
    assert _distance("secuirty", "security") == 1
    assert _best_correction(engine._snap, "guards") is None  # the index holds "guard"


def test_two_words_run_together_are_split(build, make_doc):
    engine = build([
        make_doc(1, services="House building and extensions."),
        make_doc(2, services="Sign writing for shopfronts and vans."),
    ])
    assert engine.search("housebuilders").total == 0
    assert engine.search("housebuilders").suggestion == "house builders"
    assert ids(engine.search("house builders")) == ["1"]
    assert engine.search("signwriting").suggestion == "sign writing"
    assert engine.search("vans").suggestion is None  # a word the index holds is never split


def test_name_boost_ranks_name_match_first(engine):
    assert ids(engine.search("cyber"))[0] == "1"


def test_filters_or_within_and_across(engine):
    r = engine.search("", {"sector": ["education", "health-social-care"]})
    assert sorted(ids(r)) == ["2", "3", "4", "5"]
    r = engine.search("", {"sector": ["education", "health-social-care"], "size": ["micro"]})
    assert ids(r) == ["4"]


def test_uk_wide_matches_every_region(engine):
    assert sorted(ids(engine.search("", {"region": ["TLD"]}))) == ["1", "3", "5"]
    assert ids(engine.search("", {"region": ["UK"]})) == ["3"]
    counts = {v: c for v, c, _ in engine.search("").facets["region"]}
    assert counts["TLD"] == 3 and counts["UK"] == 1 and counts["TLN"] == 1


def test_unknown_facets_and_values_do_not_crash(engine):
    r = engine.search("", {"nonsense": ["x"], "sector": ["no-such-sector"]})
    assert r.total == 0
    assert ("no-such-sector", 0, True) in r.facets["sector"]


def test_selected_value_kept_with_zero_count(engine):
    r = engine.search("grounds", {"size": ["micro"]})
    assert r.total == 0
    assert ("micro", 2, True) not in r.facets["size"]  # disjunctive: own selection ignored
    assert dict((v, c) for v, c, _ in r.facets["size"]) == {"micro": 0, "small": 1}


def test_paging_past_the_end(engine):
    r = engine.search("", page=99, per_page=2)
    assert r.hits == [] and r.total == 6 and r.page == 99


def test_paging_covers_everything_once(engine):
    pages = [ids(engine.search("", sort="name", page=p, per_page=4)) for p in (1, 2)]
    assert sorted(pages[0] + pages[1]) == ["1", "2", "3", "4", "5", "6"]


def test_sort_newest_and_name(engine, make_doc):
    assert ids(engine.search("", sort="newest")) == ["6", "5", "4", "3", "2", "1"]
    names = ["Acme Cyber Ltd", "Cloudy Hosting", "CyberSecure Partners", "People First",
             "Watchful Eyes", "zeta grounds"]
    by_id = {d["id"]: d["name"] for d in corpus(make_doc)}
    assert [by_id[i] for i in ids(engine.search("", sort="name"))] == names


def test_ties_broken_by_id_hash_not_insertion_order(build, make_doc):
    docs = [make_doc(i, name="Same", description="identical text") for i in range(1, 30)]
    forward = ids(build(docs, batches=3, name="a").search("identical", per_page=50))
    backward = ids(build(docs[::-1], batches=1, name="b").search("identical", per_page=50))
    expected = sorted((d["id"] for d in docs), key=lambda i: zlib.crc32(i.encode()))
    assert forward == backward == expected


def test_highlights_escape_html(build, make_doc):
    engine = build([make_doc(1, description='<script>alert("x")</script> Secure hosting & more')])
    (hit,) = engine.search("hosting").hits
    assert hit.highlights == [
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Secure <mark>hosting</mark> &amp; more"
    ]
    assert "<script>" not in "".join(hit.highlights)


def test_highlights_mark_whole_words_only(build, make_doc):
    text = "Security.team cybersecurity, securing e.g.security (security) secure"
    engine = build([make_doc(1, description=text)])
    (hit,) = engine.search("security").hits
    assert hit.highlights == ["Security.team cybersecurity, <mark>securing</mark> "
                              "e.g.security (<mark>security</mark>) <mark>secure</mark>"]


def test_update_and_delete_visible_after_refresh(engine, make_doc):
    store = engine.store
    store.upsert([make_doc(6, name="zeta grounds", description="Tree surgery only.")])
    store.delete(["1"])
    assert ids(engine.search("landscaping")) == ["6"]  # old snapshot until refresh
    assert engine.refresh()
    assert ids(engine.search("landscaping")) == []
    assert ids(engine.search("tree surgery")) == ["6"]
    assert "1" not in ids(engine.search(""))
    assert engine.search("").total == 5
    assert engine.doc_count() == 5
    assert not engine.refresh()


def test_a_hit_shows_its_own_snippets_after_other_queries_edits_and_merges(build, make_doc):
    """A hit's id, slug and snippets are kept by document and query terms: never another
    query's snippets, an edited document's old text, or another document at the same number."""
    engine = build([make_doc(1, description="Shared roofing and alpha guttering."),
                    make_doc(2, description="Shared roofing and beta cladding.")])
    store = engine.store
    roofing = {h.id: h.highlights for h in engine.search("roofing").hits}
    assert roofing == {"1": ["Shared <mark>roofing</mark> and alpha guttering."],
                       "2": ["Shared <mark>roofing</mark> and beta cladding."]}
    assert [h.highlights for h in engine.search("guttering").hits] == [
        ["Shared roofing and alpha <mark>guttering</mark>."]]
    store.upsert([make_doc(2, description="Shared roofing, now gamma slating.")])
    engine.refresh()
    assert {h.id: h.highlights for h in engine.search("roofing").hits}["2"] == [
        "Shared <mark>roofing</mark>, now gamma slating."]
    store.delete(["1"])
    store.optimize()  # one segment again: document 2 is now number 0, where 1 was
    engine.refresh()
    (hit,) = engine.search("roofing").hits
    assert (hit.id, hit.slug, hit.highlights) == (
        "2", "supplier-2", ["Shared <mark>roofing</mark>, now gamma slating."])


def test_repeated_words_find_the_same_and_kinds_of_match_stay_apart(build, make_doc):
    """A common word's matches are kept for the snapshot: a word, a prefix and a phrase of the
    same letters are different matches, and a repeat finds exactly what the first time did."""
    engine = build([make_doc(1, description="Care homes."), make_doc(2, summary="Careers advice."),
                    make_doc(3, description="Home care and more care.")])
    first = {q: [(h.id, h.score) for h in engine.search(q).hits]
             for q in ("care", "care*", '"care homes"', "homes care")}
    assert [i for i, _ in first["care"]] == ["3", "1"]
    assert sorted(i for i, _ in first["care*"]) == ["1", "2", "3"]
    assert [i for i, _ in first['"care homes"']] == ["1"]
    again = {q: [(h.id, h.score) for h in engine.search(q).hits] for q in first}
    assert again == first


HOSTILE = [
    "AND", "OR NOT", "title:", "name:foo", "(((", ")", "^2", "~", "*", "**", '"', '"""',
    "\x00\x01\x1b[31m", "😀🔥", "a" * 10_000, "cyber " * 2_000, "-", "?*", "foo^bar~2",
    "[a TO z]", "{x}", "\\", "'", "NOT cyber", "cyber*security*", "\u200b\ufeff",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries(engine, q):
    engine.search(q, {"sector": [q], q[:20]: [q]}, sort=q[:10], page=1)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(), sort=st.sampled_from(["relevance", "newest", "name", "x"]),
       page=st.integers(min_value=-5, max_value=10**9))
def test_arbitrary_queries_never_raise(engine, q, sort, page):
    r = engine.search(q, sort=sort, page=page)
    assert r.total >= len(r.hits)


def test_it_the_acronym_is_found_but_not_the_pronoun(build, make_doc):
    engine = build([
        make_doc(1, name="Schools Tech", description="IT support and managed services."),
        make_doc(2, name="Plain Words", description="We support it when it matters."),
        make_doc(3, name="Infotech", description="Information technology support for councils."),
    ])
    assert sorted(all_words(engine.search("it support"))) == ["1", "3"]
    assert sorted(all_words(engine.search("IT support"))) == ["1", "3"]
    assert sorted(all_words(engine.search("information technology support"))) == ["1", "3"]
    # The pronoun's supplier only matches "support": offered after them, as "some".
    assert ids(engine.search("it support"))[2:] == ["2"]


def test_a_several_word_synonym_matches_its_words_anywhere(build, make_doc):
    engine = build([
        make_doc(1, name="Firm A", description="Legal advice and conveyancing services."),
        make_doc(2, name="Firm B", description="Solicitors for councils."),
        make_doc(3, name="Firm C", description="Cleaning services."),
    ])
    assert sorted(ids(engine.search("legal services"))) == ["1", "2"]
    assert ids(engine.search('"legal services"')) == []  # a quoted phrase stays a phrase


def test_some_words_follow_every_word_when_few_match_everything(build, make_doc):
    engine = build([
        make_doc(1, name="Roof Co", description="Roofing and guttering for schools."),
        make_doc(2, name="Gutter Ltd", description="Guttering repairs."),
        make_doc(3, name="Roofs", description="Roofing repairs, guttering and lead work."),
        make_doc(4, name="Other", description="Catering."),
    ])
    result = engine.search("roofing guttering repairs")
    assert [h.id for h in result.hits][:1] == ["3"]  # every word first
    assert [h.match for h in result.hits] == ["all", "some", "some"]
    assert sorted(h.id for h in result.hits[1:]) == ["1", "2"]  # two of three words each
    assert (result.total, result.matched_all) == (3, 1)
    # Facet counts describe exactly what is listed, "some" included.
    assert sum(c for _, c, _ in result.facets["size"]) == 3
    # With a page's worth matching every word, nothing else is offered.
    assert [h.id for h in engine.search("roofing guttering repairs", per_page=1).hits] == ["3"]


def test_a_generic_word_nudges_but_never_narrows_or_empties_the_answer(build, make_doc):
    engine = build([
        make_doc(1, name="Leadworks", description="Roofing for councils."),
        make_doc(2, name="Roof Firms Ltd", description="Roofing."),
        make_doc(3, name="Catering Firms", description="School meals."),
    ])
    # Present, it nudges the supplier that has it up; it never narrows the answer.
    assert all_words(engine.search("roofing firms")) == ["2", "1"]
    assert sorted(all_words(engine.search("roofing companies"))) == ["1", "2"]  # absent: dropped
    assert all_words(engine.search("firms")) != []  # a query of nothing but filler still works


def test_a_cache_evicts_items_of_another_kind_by_their_own_size():
    """A snapshot's cache holds (ids, scores) pairs and arrays; evicting one kind to make room
    for the other measured it with the newcomer's size function and failed."""
    import numpy as np

    from search_index.snapshot import ByteLRU

    cache = ByteLRU(100)
    pair = (np.zeros(10, np.int32), np.zeros(10, np.float32))
    cache.get_or_make("pair", lambda: pair, lambda v: v[0].nbytes * 2)
    array = cache.get_or_make("array", lambda: np.zeros(20, np.int32), lambda a: a.nbytes)
    assert len(array) == 20
    assert cache.get_or_make("array", lambda: None, len) is array
    assert cache._bytes == 80  # the pair (80 bytes) went to make room


def test_every_alternative_is_added_up_once_a_snapshot_and_kept_compactly(build, make_doc,
                                                                          monkeypatch):
    """What a query word matches is kept for the snapshot, as docnums (a rare word) or bits (a
    common one), and a repeated search finds exactly what the first did. Adding up a word's
    postings field by field again was most of a warm search (a prefix's many rare words: 20 ms);
    a rare word is added up among its own postings, a common one in arrays over every document,
    and both give the same scores."""
    import numpy as np

    from search_index import matching

    words = [f"quin{chr(97 + i)}oa" for i in range(16)]
    docs = [make_doc(i, name=f"Quinoa {w}", description=f"Grown {w}. Farm services.",
                     services="farm services")
            for i, w in enumerate(words, 1)]
    docs += [make_doc(i, description="Other services.") for i in range(17, 1000)]
    queries = ["quin*", "farm", "services farm", "quinaoa services", '"farm services"']

    def searched(engine):
        return [[(h.id, h.score) for h in engine.search(q, per_page=50).hits] for q in queries]

    engine = build(docs, batches=3)
    first = searched(engine)
    assert sorted(i for i, _ in first[0]) == sorted(str(i) for i in range(1, 17))
    kept = {key[1].tokens: value[0].dtype
            for key, (value, _) in engine._snap._local._items.items() if key[0] == "alternative"}
    assert kept[("quin",)] == kept[("farm",)] == np.int32  # 16 documents of 1,000
    assert kept[("servic",)] == np.uint64  # "services": every document
    assert searched(engine) == first

    for name, sparse_below in (("sparse", 10**9), ("dense", 0)):
        monkeypatch.setattr(matching, "SPARSE_BELOW", sparse_below)
        assert searched(build(docs, batches=3, name=name)) == first
