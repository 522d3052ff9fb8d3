"""Search ranks real Contracts Finder suppliers for what they actually won.

The fixture suppliers are imported through `locator import` and searched through the JSON API.
Whether a supplier "won such contracts" is decided here from the awards CSV (the title or
description of one of its awards, or the award's CPV codes), never from a list of names; CSV rows
are matched to imported slugs by the converter's own grouping. The suppliers are imported once
for the module (its tests only read), and each query is its own test.
"""

from __future__ import annotations

import html
import re

import pytest
from helpers import CONTRACTS_FINDER_CSV, CONTRACTS_FINDER_JSONL

from tools import contractsfinder_to_jsonl as converter

CSV_PATH, JSONL_PATH = CONTRACTS_FINDER_CSV, CONTRACTS_FINDER_JSONL

# query → (words an award's title or description must all contain, CPV code prefixes of the kind)
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "waste collection": ((r"\bwaste\b", r"\bcollect"), ("905",)),
    "legal services": ((r"\blegal\b", r"\bservices?\b"), ("791",)),
    "asbestos removal": ((r"\basbestos\b", r"\bremov"), ("90650", "4526266")),
    "lift maintenance": ((r"\blifts?\b", r"\bmaint"), ("5075", "42416", "45313")),
    # One word, many matches (59, of which 13 won no cleaning contract): ordering matters.
    "cleaning": ((r"\bcleaning\b",), ("909",)),
}


def _of_kind(row: dict[str, str], words: tuple[str, ...], prefixes: tuple[str, ...]) -> bool:
    codes = (row.get("cpv_codes") or "").split()
    if any(code.startswith(prefixes) for code in codes):
        return True
    text = html.unescape(f"{row['title']} {row['description']}").lower()
    return all(re.search(word, text) for word in words)


def _top(client, q: str, n: int) -> list[str]:
    response = client.get("/api/v1/suppliers", query_string={"q": q, "per_page": n})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [result["slug"] for result in response.get_json()["results"]]


@pytest.fixture
def app(module_app, real_suppliers):
    return module_app


@pytest.fixture(scope="module")
def judged() -> tuple[dict[str, set[str]], str]:
    """The imported slugs that won contracts of each kind queried, and one that won none."""
    # Award rows per imported slug, grouped, checked and slugged as the converter does.
    by_slug = converter.suppliers_by_slug(converter.read_rows(CSV_PATH))
    winners = {
        q: {slug for slug, rows in by_slug.items() if any(_of_kind(r, *kind) for r in rows)}
        for q, kind in KINDS.items()
    }
    # The most-awarded supplier that won nothing of any kind queried: lots of text, all of it
    # about something else. Ties fall to the slug.
    awards = {slug: len({r["notice_id"] for r in rows}) for slug, rows in by_slug.items()}
    unrelated = min(
        (slug for slug in by_slug if not any(slug in won for won in winners.values())),
        key=lambda slug: (-awards[slug], slug),
    )
    return winners, unrelated


@pytest.mark.parametrize("q", KINDS)
def test_real_suppliers_rank_for_the_contracts_they_won(client, judged, q):
    winners, unrelated = judged
    won = winners[q]
    assert len(won) >= 5, (q, won)
    top = _top(client, q, 10)
    assert len(top) >= 5, (q, top)
    assert set(top[:5]) <= won, (q, [s for s in top[:5] if s not in won])
    assert unrelated not in top, (q, unrelated, top)


# Buyers' everyday words on the real suppliers (issue: search that speaks buyers' language).


def _search(client, **params) -> dict:
    response = client.get("/api/v1/suppliers", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_a_trade_noun_finds_the_activity(client):
    for trade, activity in (("roofers", "roofing"), ("caterers", "catering")):
        by_trade = {r["slug"] for r in _search(client, q=trade, per_page=100)["results"]}
        by_activity = [r["slug"] for r in _search(client, q=activity, per_page=5)["results"]]
        # ("catering" also has synonyms of its own, so one of its top five may differ.)
        assert len(set(by_activity) & by_trade) >= 4, trade


def test_a_british_spelling_finds_the_american_one(client):
    assert _search(client, q="tyres")["matched"]["all"] == _search(client, q="tires")[
        "matched"]["all"] > 0


def test_a_filler_word_never_empties_the_answer(client):
    plain = _search(client, q="catering")
    for filler in ("firms", "companies", "providers", "contractors", "suppliers"):
        with_filler = _search(client, q=f"catering {filler}")
        assert with_filler["matched"]["all"] >= plain["matched"]["all"] > 0, filler


def test_some_words_results_are_labelled_in_json_and_html(client):
    found = _search(client, q="roofing asbestos minibus", per_page=50)
    assert found["matched"]["all"] < found["total"]
    matches = [r["match"] for r in found["results"]]
    assert "some" in matches and matches == sorted(matches)  # "all" before "some"
    page = client.get("/search", query_string={"q": "roofing asbestos minibus"})
    assert b"Suppliers matching some of your words" in page.data
    every = found["matched"]["all"]
    expected = f"{every} supplier{'' if every == 1 else 's'}" if every else "No supplier"
    assert f"{expected} matched every word.".encode() in page.data


def test_the_cpv_finder_offers_what_everyday_phrases_mean(client):
    def top(q):
        return [r["label"] for r in client.get("/api/v1/cpv", query_string={"q": q}).get_json()[
            "results"]][:3]

    assert any("support" in label.lower() for label in top("it support"))
    assert not top("cyber")[0].lower().startswith("cybercaf")
    assert any("refuse" in label.lower() or "skip" in label.lower() for label in top("skip hire"))
