"""Index lifecycle: empty base, metadata, the single writer, atomic rebuild."""

import threading

import pytest

from search_index import IndexStore, SearchEngine, WriterBusy
from search_index.store import MERGE_FACTOR


def test_empty_base_creates_an_index(tmp_path):
    store = IndexStore(tmp_path / "idx")
    assert store.doc_count() == 0
    engine = SearchEngine(store)
    result = engine.search("anything", {"region": ["TLD"]})
    assert result.total == 0 and result.hits == [] and result.suggestion is None
    assert engine.search("").total == 0
    engine.close()


def test_applied_through_is_kept_with_the_generation(tmp_path, make_doc):
    store = IndexStore(tmp_path)
    assert store.applied_through() is None
    store.upsert([make_doc(1)], applied_through=41)
    store.delete(["1"], applied_through=42)
    assert store.applied_through() == 42
    store.rebuild([make_doc(2)], applied_through=7)
    assert store.applied_through() == 7


def test_only_one_writer(tmp_path, make_doc):
    store = IndexStore(tmp_path, lock_timeout=0.2)
    with store.batch() as batch:
        batch.upsert(make_doc(1))
        with pytest.raises(WriterBusy), IndexStore(tmp_path).batch(blocking=False):
            pass
        with pytest.raises(WriterBusy):
            store.upsert([make_doc(2)])  # waits lock_timeout, then gives up
    assert store.doc_count() == 1


def test_concurrent_writers_wait_instead_of_failing(tmp_path, make_doc):
    store = IndexStore(tmp_path)
    store.current_generation()
    errors = []

    def write(i):
        try:
            IndexStore(tmp_path).upsert([make_doc(i)])
        except Exception as exc:  # pragma: no cover - the assertion reports it
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and store.doc_count() == 8


def test_failed_batch_changes_nothing(tmp_path, make_doc):
    store = IndexStore(tmp_path)
    with pytest.raises(RuntimeError), store.batch() as batch:
        batch.upsert(make_doc(1))
        raise RuntimeError("boom")
    assert store.doc_count() == 0


def test_rebuild_switches_atomically_while_serving(tmp_path, make_doc):
    store = IndexStore(tmp_path)
    store.upsert([make_doc(i, description="old text") for i in range(1, 4)])
    engine = SearchEngine(store)
    progress = []

    def docs():
        for i in range(10, 15):
            # the old generation serves throughout the build
            assert engine.search("old").total == 3
            yield make_doc(i, description="new text")

    gen = store.rebuild(docs(), progress=progress.append)
    assert progress[-1] == 5
    assert engine.search("old").total == 3  # until refresh
    assert engine.refresh()
    assert engine.search("old").total == 0
    assert engine.search("new").total == 5
    store.rebuild([make_doc(20, description="newer")])
    store.rebuild([make_doc(21, description="newest")])
    gens = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("gen-"))
    assert len(gens) == 2 and gen not in gens  # current and previous are kept
    assert engine.refresh()
    assert [h.id for h in engine.search("newest").hits] == ["21"]
    engine.close()


def test_failed_rebuild_keeps_current(tmp_path, make_doc):
    store = IndexStore(tmp_path)
    store.upsert([make_doc(1)])
    before = store.current_generation()

    def broken():
        yield make_doc(2)
        raise ValueError("db went away")

    with pytest.raises(ValueError):
        store.rebuild(broken())
    assert store.current_generation() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("gen-")) == [before]


def test_optimize_keeps_results(tmp_path, make_doc):
    store = IndexStore(tmp_path)
    for i in range(1, 4):
        store.upsert([make_doc(i, description="cloud")])
    store.delete(["2"])
    engine = SearchEngine(store)
    before = [h.id for h in engine.search("cloud").hits]
    store.optimize()
    assert engine.refresh()
    assert len(engine._snap.leaves) == 1
    assert [h.id for h in engine.search("cloud").hits] == before
    assert sorted(before) == ["1", "3"]
    engine.close()


def test_auto_refresh_picks_up_changes(tmp_path, make_doc):
    store = IndexStore(tmp_path)
    engine = SearchEngine(store)
    engine.start_auto_refresh(interval=0.05)
    store.upsert([make_doc(1, description="fresh")])
    deadline = threading.Event()
    for _ in range(100):
        if engine.search("fresh").total == 1:
            break
        deadline.wait(0.05)
    assert engine.search("fresh").total == 1
    engine.close()


def test_single_edits_keep_the_segment_count_bounded(tmp_path, make_doc):
    """One commit per edit makes one segment each; the tiered merge keeps them few."""
    store = IndexStore(tmp_path)
    for i in range(1, 201):
        store.upsert([make_doc(i % 50, description=f"edit {i}")])
    segments, _ = store.segment_stats()
    assert segments <= 2 * (MERGE_FACTOR - 1)
    assert store.doc_count() == 50


def test_a_killed_rebuilds_generation_is_never_kept(tmp_path, make_doc):
    """A rebuild killed mid-build leaves its generation behind; the next rebuild deletes it and
    keeps the generation it replaces as the one before."""
    store = IndexStore(tmp_path)
    store.upsert([make_doc(1)])
    live = store.current_generation()
    (tmp_path / "gen-000009").mkdir()  # what a SIGKILLed rebuild leaves
    new = store.rebuild([make_doc(2)])
    gens = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("gen-"))
    assert gens == sorted([live, new]) and store.current_generation() == new


def test_a_searcher_survives_a_merge_of_its_segments(tmp_path, make_doc):
    """A commit's merge deletes the merged segments' files while searchers still use them."""
    store = IndexStore(tmp_path)
    for i in range(1, MERGE_FACTOR + 1):
        store.upsert([make_doc(i, description="kiwi")])
    engine = SearchEngine(store)
    store.upsert([make_doc(99, description="other")])  # merges the segments the engine reads
    assert store.segment_stats()[0] == 1
    hits = engine.search("kiwi", per_page=50).hits  # before this engine refreshes
    assert sorted(int(h.id) for h in hits) == list(range(1, MERGE_FACTOR + 1))
    engine.close()


def test_a_commits_refresh_is_searchable_before_any_sorting_or_warm_up(tmp_path, make_doc):
    """An edit waits for the refresh before it is searchable: with sidecars, a refresh on the
    same generation neither warms the synonym words' scores nor sorts every document; a sort
    made on first use still lists the new document in its place."""
    store = IndexStore(tmp_path)
    store.rebuild([make_doc(i, name=f"Supplier {i}") for i in range(1, 4)])
    engine = SearchEngine(store, sidecars=True)
    engine.warm()
    store.upsert([make_doc(9, name="Aardvark Ltd")])
    assert engine.refresh()
    snap = engine._snap
    assert not {"browse_order", "newest_order", "name_order"} & set(vars(snap))
    assert not snap._local._items  # no term scored ahead of a query
    assert engine.search("", sort="name").hits[0].id == "9"
    engine.close()


def _state(store, queries=("cloud", "kiwi", "slate")):
    """What searches show of an index: ids (with each hit's text) and facet counts."""
    engine = SearchEngine(store)
    try:
        return {q: (sorted((h.id, h.highlights[0] if h.highlights else "")
                           for h in engine.search(q, per_page=100).hits),
                    engine.search(q).facets["region"]) for q in queries}
    finally:
        engine.close()


def test_an_optimise_merges_beside_the_writer_and_keeps_the_changes_made_meanwhile(
        tmp_path, make_doc):
    """The writer lock is free while the segments merge: edits, deletions and a tier merge of
    the new small segments commit meanwhile, and the swap carries the deletions they made in
    the merged segments onto the merged one. Searches then show exactly what a fresh build of
    the same documents shows."""
    from search_index.background_merge import MERGING, BackgroundMerge

    def doc(i, text, region="TLC"):
        return make_doc(i, description=f"{text} {i}", regions=[region])

    store = IndexStore(tmp_path / "idx")
    final = {i: doc(i, "cloud kiwi") for i in range(1, 13)}
    for i in range(1, 13, 4):
        store.upsert([final[j] for j in range(i, i + 4)])  # three segments
    store.delete(["4"])
    del final[4]
    with BackgroundMerge(store) as merge:
        assert merge.start()
        with store.batch(blocking=False) as batch:  # the lock is free: this would raise
            final[2] = doc(2, "slate roofing", "TLD")
            batch.upsert(final[2])
            batch.delete("3")
            del final[3]
        merge.write()
        for i in range(20, 20 + MERGE_FACTOR):  # single edits: a tier merge of their own
            final[i] = doc(i, "kiwi")
            store.upsert([final[i]])
        final[5] = doc(5, "slate", "TLE")
        store.upsert([final[5]])
        assert store.segment_stats()[0] < MERGE_FACTOR  # the small ones were merged
        assert merge.swap()
        assert (store.base / store.current_generation() / MERGING).exists()
    assert not (store.base / store.current_generation() / MERGING).exists()
    segments, deleted = store.segment_stats()
    assert deleted == 3  # 2, 3 and 5 in the merged segment; 4 was dropped by the merge
    fresh = IndexStore(tmp_path / "fresh")
    fresh.upsert(final.values())
    assert _state(store) == _state(fresh)
    assert store.optimize()
    assert store.segment_stats() == (1, 0)
    assert _state(store) == _state(fresh)


def test_a_merge_gives_up_if_a_rebuild_switched_the_generation(tmp_path, make_doc):
    from search_index.background_merge import BackgroundMerge

    store = IndexStore(tmp_path)
    store.upsert([make_doc(1, description="cloud")])
    store.upsert([make_doc(2, description="cloud")])
    with BackgroundMerge(store) as merge:
        assert merge.start()
        merge.write()
        store.rebuild([make_doc(3, description="cloud")])
        assert not merge.swap()
    assert [doc_id for doc_id, _ in _state(store)["cloud"][0]] == ["3"]
    assert store.segment_stats() == (1, 0)


def test_a_killed_merge_is_ignored_and_cleared_by_the_next(tmp_path, make_doc):
    """A merge killed mid-way leaves its working folder and the listing of its segments; with
    its lock gone, commits merge those segments as usual, and the next optimise starts clean."""
    import subprocess
    import sys

    from search_index.background_merge import MERGING, merging_segments

    store = IndexStore(tmp_path)
    for i in range(1, MERGE_FACTOR + 1):
        store.upsert([make_doc(i, description="kiwi")])
    code = ("import os, signal, sys; from search_index import IndexStore; "
            "from search_index.background_merge import BackgroundMerge; "
            "m = BackgroundMerge(IndexStore(sys.argv[1])); m.start(); m.write(); "
            "os.kill(os.getpid(), signal.SIGKILL)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], timeout=120)
    assert done.returncode == -9
    folder = store.base / store.current_generation()
    assert (folder / MERGING / "segments.json").exists()
    assert merging_segments(folder) == set()
    store.upsert([make_doc(99, description="kiwi")])  # a full tier: merged, as ever
    assert store.segment_stats()[0] == 1
    store.upsert([make_doc(100, description="kiwi")])
    assert store.optimize()
    assert not (folder / MERGING).exists()
    assert len(_state(store)["kiwi"][0]) == MERGE_FACTOR + 2


def test_a_tier_merge_too_big_for_a_commit_is_left_to_run_beside_the_writer(
        tmp_path, make_doc, monkeypatch):
    """During a bulk load, tier merges of the big segments held the writer for minutes inside
    a commit. Over BESIDE_ABOVE live documents, the commit merges nothing; the merge is due,
    and runs beside the writer."""
    import search_index.store as store_module

    def load(store):
        for i in range(MERGE_FACTOR + 1):  # the last commit finds a full tier of 3-doc segments
            store.upsert([make_doc(3 * i + k, description="kiwi") for k in range(3)])

    small = IndexStore(tmp_path / "small")
    load(small)
    assert small.segment_stats()[0] == 1 and not small.merge_due()  # merged inside the commit

    monkeypatch.setattr(store_module, "BESIDE_ABOVE", 2 * MERGE_FACTOR)
    store = IndexStore(tmp_path / "big")
    load(store)
    assert store.segment_stats()[0] == MERGE_FACTOR + 1  # left for the merge beside
    assert store.merge_due()
    assert store.start_merge().wait(timeout=120) == 0  # in a process of its own
    assert store.segment_stats() == (1, 0) and not store.merge_due()
    assert store.start_merge() is None and not store.merge_beside()  # nothing due
    assert _state(store) == _state(small)
