"""Procurement-aware analysis: trade nouns, British/American spellings and hyphen variants fold
together at index and query time alike."""

from __future__ import annotations

import pytest

from search_index import analysis
from search_index.query import analyse


@pytest.mark.parametrize(("trade", "activity"), [
    ("roofers", "roofing"), ("caterers", "catering"), ("joiners", "joinery"),
    ("glaziers", "glazing"), ("decorators", "decorating"), ("landscapers", "landscaping"),
    ("scaffolders", "scaffolding"), ("interpreters", "interpreting"), ("plumber", "plumbing"),
    ("electricians", "electrical"), ("translators", "translation"), ("surveyors", "surveying"),
    ("physiotherapists", "physiotherapy"), ("bakers", "bakery"),
])
def test_a_trade_noun_folds_to_its_activity(trade, activity):
    assert analysis.trade_activity(trade) == activity
    assert activity in analysis.activity_words()  # a fold only lands on a real CPV/lexicon word
    assert analyse(trade) == analyse(activity)


@pytest.mark.parametrize("thing", ["printers", "scanner", "boilers", "computers", "workers"])
def test_things_are_not_trades(thing):
    assert analysis.trade_activity(thing) is None


def test_a_fold_needs_the_activity_word_to_exist():
    assert analysis.trade_activity("zorblers") is None  # "zorbling" is in no vocabulary


@pytest.mark.parametrize(("british", "american"), [
    ("colour", "color"), ("tyre", "tire"), ("programme", "program"),
    ("organisation", "organization"), ("aluminium", "aluminum"), ("licence", "license"),
    ("centre", "center"),
])
def test_british_and_american_spellings_fold_together(british, american):
    assert analyse(british) == analyse(american)


def test_hyphen_and_joined_forms_find_each_other():
    from search_index.schema import ANALYZER

    assert analyse("wi-fi") == analyse("wifi") == analyse("WiFi")
    assert analyse("e-learning") == analyse("elearning")
    # Indexed, a hyphenated word also keeps its parts for phrases and single words.
    assert [t.text for t in ANALYZER("e-learning platform", mode="index")] == [
        "elearn", "learn", "platform"]


def test_engine_finds_the_activity_from_the_trade_and_the_spelling(build, make_doc):
    engine = build([
        make_doc(1, name="Topside", description="Roofing and guttering repairs."),
        make_doc(2, name="Hue", description="Color printing for councils."),
        make_doc(3, name="Net", description="Wi-Fi surveys for schools."),
    ])
    assert [h.id for h in engine.search("roofers").hits] == ["1"]
    assert [h.id for h in engine.search("colour printing").hits] == ["2"]
    assert [h.id for h in engine.search("wifi").hits] == ["3"]


def test_concepts_rank_suppliers_classified_under_what_the_buyer_means(tmp_path, make_doc):
    from search_index import ConceptIndex, IndexStore, SearchEngine

    docs = [
        make_doc(1, name="Alpha", description="Waste services for councils.",
                 cpv_codes=["90512000"]),  # refuse transport: what "skip hire" means here
        make_doc(2, name="Beta", description="Hire of marquees.", cpv_codes=["39522530"]),
        make_doc(3, name="Gamma", description="Waste advice.", cpv_codes=["90513000"]),
    ]
    IndexStore(tmp_path).rebuild(docs, applied_through=0)
    concepts = ConceptIndex([("skip hire", ["90512000"], 1.0)])
    engine = SearchEngine(tmp_path, concepts=concepts)
    result = engine.search("skip hire")
    # Alpha never says "skip" or "hire" but sits at the code the words mean: it matches all.
    assert [(h.id, h.match) for h in result.hits][:1] == [("1", "all")]
    # Beta matches one word of two; Gamma, only near the code and with no word, is not listed.
    assert [(h.id, h.match) for h in result.hits] == [("1", "all"), ("2", "some")]
    assert engine.search("skip hire", filters={"region": ["TLZ"]}).total == 0
    without = SearchEngine(tmp_path)
    assert "1" not in [h.id for h in without.search("skip hire").hits if h.match == "all"]


def test_a_concept_outweighs_a_name_full_of_the_words(tmp_path, make_doc):
    """Concept scores are weighed against the query's best text score, not added raw: a
    supplier classified at the code the words mean, whose text says them once, ranks above one
    whose name and text repeat them but which is classified elsewhere."""
    from search_index import ConceptIndex, IndexStore, SearchEngine

    docs = [
        make_doc(1, name="Skip Hire Skips Direct", summary="Skip hire. Skips for hire.",
                 services="Skip hire", description="Skip hire, skip hire and more skip hire.",
                 cpv_codes=["39522530"]),
        make_doc(2, name="Alpha", description="Waste transport and skip hire for councils.",
                 cpv_codes=["90512000"]),
    ] + [make_doc(i, name=f"Other {i}", description="Grounds maintenance.") for i in range(3, 9)]
    IndexStore(tmp_path).rebuild(docs, applied_through=0)
    engine = SearchEngine(tmp_path, concepts=ConceptIndex([("skip hire", ["90512000"], 1.0)]))
    assert [h.id for h in engine.search("skip hire").hits] == ["2", "1"]
    # Without a concept the text alone decides.
    assert [h.id for h in SearchEngine(tmp_path).search("skip hire").hits] == ["1", "2"]


def test_an_ampersand_acronym_is_one_word():
    from search_index.query import parse

    assert analyse("M&E consultants") == ("m&e", "consult")
    assert analyse("R&D") == analyse("r&d") != ()
    assert analyse("Smith & Jones") == ("smith", "jone")  # spaced: an ordinary ampersand
    assert [c.text for c in parse("M&E works").clauses] == ["m&e", "works"]


def test_acronyms_find_their_expansion_one_way(tmp_path, make_doc):
    from search_index import IndexStore, SearchEngine
    from search_index.query import load_synonyms

    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("m&e, mande => mechanical and electrical  # a comment\n", encoding="utf-8")
    assert load_synonyms(synonyms)[("mande",)] == ("m&e", "mande", "mechanical and electrical")
    assert ("mechanical", "and", "electrical") not in load_synonyms(synonyms)
    IndexStore(tmp_path / "ix").rebuild([
        make_doc(1, description="Mechanical and electrical maintenance for schools."),
        make_doc(2, description="M&E design."),
    ], applied_through=0)
    engine = SearchEngine(tmp_path / "ix", synonyms_path=synonyms)
    assert sorted(h.id for h in engine.search("M&E").hits) == ["1", "2"]
    assert [h.id for h in engine.search("mechanical and electrical").hits] == ["1"]


@pytest.mark.parametrize("text", [
    "Roofers and electricians: wi-fi, e-learning, M&E and IT for the NHS. Color printing.",
    "the a-the it-is of x-y-z co-op 24-7 self-employed café naïve ÉCOLE 3.5 a.b.c",
    "", "   ", "the and of it",
])
def test_the_cached_index_path_gives_whooshs_postings(text):
    """A build indexes through CachedText's per-word cache; it must give exactly the postings
    (terms, frequencies, weights, positions) of Whoosh's token-by-token analysis."""
    from whoosh import fields

    from search_index.schema import SPELL_FIELD, CachedText, build_schema

    schema = build_schema()
    for name in ("description", "name", SPELL_FIELD):
        field = schema[name]
        assert isinstance(field, CachedText)
        for _ in range(2):  # the second time from the cache
            assert sorted(field.index(text)) == sorted(fields.TEXT.index(field, text))
