"""Neighbouring query words side by side in a short field rank a supplier higher."""

from __future__ import annotations

import search_index.engine as engine_module


def _docs(make_doc):
    return [
        # Both words, apart, and more often: the higher BM25 score.
        make_doc(1, services="hire of vans\nskip bins emptied\nskip collection\nplant hire"),
        # Both words, side by side, once.
        make_doc(2, services="skip hire\ngrounds maintenance"),
        make_doc(3, services="van hire"),
    ]


def test_words_side_by_side_outrank_the_same_words_apart(build, make_doc):
    engine = build(_docs(make_doc), batches=2)
    assert [h.id for h in engine.search("skip hire").hits][:2] == ["2", "1"]


def test_without_the_reward_the_higher_text_score_leads(build, make_doc, monkeypatch):
    """The test above is about proximity, not about document 2 scoring higher anyway."""
    monkeypatch.setattr(engine_module, "PROXIMITY_FIELDS", ())
    engine = build(_docs(make_doc))
    assert [h.id for h in engine.search("skip hire").hits][:2] == ["1", "2"]


def test_every_page_sees_one_order(build, make_doc):
    """The reward looks at a fixed number of candidates, so paging neither repeats nor loses
    a supplier."""
    docs = [make_doc(i, services=("skip hire" if i % 7 == 0 else "hire a skip") + f" {i}")
            for i in range(1, 260)]
    engine = build(docs, batches=3)

    def ids(size: int, pages: int) -> list[str]:
        return [h.id for p in range(1, pages + 1)
                for h in engine.search("skip hire", page=p, per_page=size).hits]
    whole, paged = ids(100, 3), ids(10, 26)
    assert paged == whole and len(set(whole)) == 259
