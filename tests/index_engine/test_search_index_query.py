from hypothesis import given, settings
from hypothesis import strategies as st

from search_index.query import parse


def test_words_phrases_and_prefixes():
    parsed = parse('"penetration testing" cloud* london')
    kinds = [(c.kind, c.alternatives[0].kind) for c in parsed.clauses]
    assert kinds == [("phrase", "phrase"), ("prefix", "prefix"), ("word", "term")]
    assert parsed.clauses[0].alternatives[0].tokens == ("penetr", "test")


def test_whoosh_syntax_is_just_text():
    parsed = parse("cyber AND (cloud OR hosting) NOT name:foo^2 ~3")
    assert [c.text for c in parsed.clauses] == ["cyber", "cloud", "hosting", "name", "foo"]


def test_unbalanced_quote_and_punctuation():
    assert [c.text for c in parse('"cloud hosting').clauses] == ["cloud", "hosting"]
    assert parse("!!! ??? *** \"\" ()").is_browse
    assert parse("").is_browse and parse(None).is_browse
    assert parse("the of and").is_browse


def test_synonym_group_becomes_alternatives():
    (clause,) = parse("pen test").clauses
    assert {a.tokens for a in clause.alternatives} >= {("pen", "test"), ("penetr", "test"),
                                                      ("pentest",)}


def test_long_input_is_bounded():
    parsed = parse("word " * 10_000)
    assert len(parsed.clauses) <= 16


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_parses(q):
    parse(q).display()
