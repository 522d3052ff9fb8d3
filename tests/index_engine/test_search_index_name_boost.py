"""A word of the query in a supplier's name must not outrank suppliers whose work matches
all the words."""

from __future__ import annotations


def test_a_generic_word_in_a_name_does_not_outrank_the_work(build, make_doc):
    engine = build([
        make_doc(1, name="Northern Contractors Ltd", services="roofing"),
        make_doc(2, name="Bravo Ltd", services="roofing contractors\nflat roof repairs",
                 case_studies="Roofing contractors for a school's new roof."),
    ])
    assert [h.id for h in engine.search("roofing contractors").hits] == ["2", "1"]


def test_one_query_word_in_a_name_does_not_outrank_all_words_in_the_work(build, make_doc):
    engine = build([
        make_doc(1, name="Office Solutions Ltd", services="cleaning",
                 description="Furniture and stationery."),
        make_doc(2, name="Bravo Ltd", services="office cleaning\nwindow cleaning",
                 case_studies="Daily office cleaning for a council's offices."),
    ])
    assert [h.id for h in engine.search("office cleaning").hits] == ["2", "1"]
