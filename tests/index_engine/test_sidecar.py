"""Posting sidecars: the same answers as postings decoded from Whoosh, written atomically,
rebuilt when missing or stale."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import random
import subprocess
import sys
import threading
from types import SimpleNamespace

import numpy as np
import pytest
from whoosh import index as whoosh_index

from search_index import IndexStore, SearchEngine, sidecar
from search_index.segments import intersect_sorted, rows_in

WORDS = ["cyber", "security", "cleaning", "catering", "software", "testing", "penetration",
         "audit", "payroll", "recruitment", "ecology", "survey", "mental", "health", "care",
         "grounds", "maintenance", "waste", "recycling", "legal", "advice", "translation",
         "accessibility", "design", "hosting", "cloud", "data", "analytics"]


@pytest.fixture(autouse=True)
def sidecars_on(monkeypatch):
    """These tests are about the sidecars, even in a run that turns them off elsewhere."""
    monkeypatch.setenv(sidecar.ENV_SWITCH, "1")


def _corpus(make_doc, n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [make_doc(
        i, name=f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} Ltd",
        summary=" ".join(rng.choices(WORDS, k=6)),
        description=" ".join(rng.choices(WORDS, k=40)),
        services="\n".join(rng.sample(WORDS, 3)),
        case_studies=" ".join(rng.choices(WORDS, k=20)),
        regions=rng.sample(["TLC", "TLD", "TLI", "UK"], rng.randint(1, 2)),
        sectors=rng.sample(["health-social-care", "education", "housing"], rng.randint(0, 2)),
        accreditations=rng.sample(["iso-9001", "cyber-essentials", "chas"], rng.randint(0, 2)),
        cpv_codes=rng.sample(["72000000", "79200000", "90900000", "45261000"], 1),
    ) for i in range(1, n + 1)]


def _rebuild_alone(store: IndexStore, docs: list[dict], procs: int) -> None:
    """`store.rebuild` in a process of its own: a build forks indexing processes only from a
    process running no other thread, and this one may run other tests' threads."""
    pickled = store.base.parent / "docs.pickle"
    pickled.write_bytes(pickle.dumps(docs))
    code = ("import pickle, sys; from search_index import IndexStore; IndexStore(sys.argv[1])"
            ".rebuild(pickle.load(open(sys.argv[2], 'rb')), procs=int(sys.argv[3]))")
    subprocess.run([sys.executable, "-c", code, str(store.base), str(pickled), str(procs)],
                   check=True)


def test_a_build_beside_other_threads_does_not_fork(tmp_path, make_doc):
    """A child forked beside another thread can inherit a lock held for ever: a web worker's
    first build hung that way. Beside a thread, the build runs in this process."""
    store = IndexStore(tmp_path / "idx")
    stop = threading.Event()
    beside = threading.Thread(target=stop.wait)
    beside.start()
    try:
        store.rebuild(_corpus(make_doc, 200, seed=4), procs=2)
    finally:
        stop.set()
        beside.join()
    assert store.segment_stats()[0] == 1


def _store(tmp_path, make_doc) -> IndexStore:
    """Several segments (as incremental indexing leaves them) and deletions."""
    store = IndexStore(tmp_path / "idx")
    docs = _corpus(make_doc, 240, seed=3)
    for i in range(0, len(docs), 60):
        store.upsert(docs[i:i + 60])
    store.delete(["7", "70", "130"])
    store.upsert([{**docs[9], "description": "updated payroll"}])
    return store


def write_sidecars(directory) -> None:
    """Each segment's sidecar, decoded from the segment if it has none (as a searcher does)."""
    ix = whoosh_index.open_dir(directory)
    reader = ix.reader()
    for leaf, _ in reader.leaf_readers():
        sidecar.ensure(leaf, directory)
    reader.close()
    ix.close()


def _sidecar_paths(store: IndexStore) -> list:
    return sorted((store.base / store.current_generation()).glob(f"*{sidecar.SUFFIX}"))


QUERIES = [
    ("cyber security", {}, "relevance"), ("cleaning", {"region": ["TLD"]}, "relevance"),
    ('"grounds maintenance"', {}, "relevance"), ("pay*", {}, "relevance"),
    ("ecology", {"accreditation": ["iso-9001", "chas"]}, "newest"),
    ("secuirty", {}, "relevance"), ("maintenence", {}, "relevance"),
    ("", {"sector": ["education"]}, "name"), ("", {"cpv": ["45261000"]}, "newest"),
    ("audit cloud", {"region": ["TLI", "TLC"]}, "relevance"), ("updated payroll", {}, "newest"),
]


def test_sidecars_give_the_same_hits_totals_facets_and_suggestions(tmp_path, make_doc):
    store = _store(tmp_path, make_doc)
    mapped, decoded = SearchEngine(store, sidecars=True), SearchEngine(store, sidecars=False)
    assert all(leaf[3].sidecar is not None for leaf in mapped._snap.leaves)
    assert all(leaf[3].sidecar is None for leaf in decoded._snap.leaves)
    assert len(mapped._snap.leaves) > 1 and not mapped._snap.alive.all()
    for q, filters, sort in QUERIES:
        for page in (1, 2):
            got = mapped.search(q, filters, sort, page=page, per_page=15)
            assert got == decoded.search(q, filters, sort, page=page, per_page=15), q
    assert mapped.search("secuirty").suggestion == "security"
    mapped.close()
    decoded.close()


def _segment_ids(store: IndexStore) -> set[str]:
    ix = store.open_index()
    try:
        return {s.segment_id() for s in ix._segments()}
    finally:
        ix.close()


def test_each_commit_and_build_writes_its_segments_sidecars(tmp_path, make_doc):
    store = _store(tmp_path, make_doc)
    names = {p.name.removesuffix(sidecar.SUFFIX) for p in _sidecar_paths(store)}
    assert names == _segment_ids(store) and len(names) > 1
    _rebuild_alone(store, _corpus(make_doc, 600, seed=4), procs=2)  # a segment per process
    names = {p.name.removesuffix(sidecar.SUFFIX) for p in _sidecar_paths(store)}
    assert names == _segment_ids(store) and len(names) == 2


def test_a_stale_or_cut_sidecar_is_rebuilt(tmp_path, make_doc):
    store = _store(tmp_path, make_doc)
    first, second, third, *_ = _sidecar_paths(store)
    second.write_bytes(first.read_bytes())  # another segment's sidecar under this name
    first.write_bytes(first.read_bytes()[:-100])  # cut short
    third.write_bytes(sidecar.MAGIC + b"garbage")
    engine = SearchEngine(store)
    reference = SearchEngine(store, sidecars=False)
    for q, filters, sort in QUERIES:
        assert engine.search(q, filters, sort) == reference.search(q, filters, sort)
    ix = store.open_index()
    for path in (first, second, third):  # rewritten, and now accepted
        segment = next(s for s in ix._segments() if path.name.startswith(s.segment_id()))
        sidecar.Sidecar(path, sidecar.fingerprint(path.parent, segment))
    ix.close()
    engine.close()
    reference.close()


def test_a_crash_while_writing_leaves_no_sidecar(tmp_path, make_doc):
    store = IndexStore(tmp_path / "idx")
    store.upsert(_corpus(make_doc, 30, seed=1))
    directory = store.base / store.current_generation()
    for path in _sidecar_paths(store):
        path.unlink()

    def write_and_die():
        calls = []

        def die_on_the_third_array(a):
            calls.append(a)
            if len(calls) == 3:
                os._exit(3)  # killed mid-write: no clean-up runs
            return np.ascontiguousarray(a)
        sidecar.np = SimpleNamespace(**{**vars(np), "ascontiguousarray": die_on_the_third_array})
        write_sidecars(directory)

    child = multiprocessing.get_context("fork").Process(target=write_and_die)
    child.start()
    child.join()
    assert child.exitcode == 3
    assert _sidecar_paths(store) == []  # at most a temporary dot-file, never read
    engine = SearchEngine(store)  # writes it now
    assert engine._snap.leaves[0][3].sidecar is not None and len(_sidecar_paths(store)) == 1
    assert engine.search("cleaning").total == SearchEngine(store, sidecars=False).search(
        "cleaning").total > 0


def test_spelling_candidates_hold_every_word_whoosh_finds_within_the_distance(
        tmp_path, make_doc):
    store = _store(tmp_path, make_doc)
    directory = store.base / store.current_generation()
    ix = whoosh_index.open_dir(directory)
    reader = ix.reader()
    rng = random.Random(5)
    found = 0
    for leaf, _ in reader.leaf_readers():
        mapped = sidecar.ensure(leaf, directory)
        for word in WORDS:
            typo = list(word)
            for _ in range(rng.randint(0, 2)):
                i = rng.randrange(1, len(typo))
                typo[i] = rng.choice("aeiouxyz")
            typo = "".join(typo)
            for maxdist in (1, 2):
                expected = {t.decode() if isinstance(t, bytes) else t
                            for t in leaf.terms_within("spell", typo, maxdist, prefix=1)}
                assert expected <= mapped.spelling_candidates(typo, maxdist)
                found += len(expected)
    assert found > len(WORDS)
    reader.close()
    ix.close()


@pytest.mark.parametrize(("a", "b"), [(1, 40), (40, 1), (3, 200), (200, 3), (30, 30), (0, 5),
                                     (5, 0), (7, 29), (29, 7)])
def test_rows_in_finds_what_isin_finds_whatever_the_sizes(a, b):
    """The binary-search paths (one array much shorter) and the sorting path agree, at the
    arrays' ends too."""
    rng = np.random.default_rng(a * 1000 + b)
    for _ in range(50):
        haystack = np.unique(rng.integers(0, 400, a))
        needles = np.unique(rng.integers(0, 400, b))
        if len(haystack) and len(needles):  # share the ends sometimes
            ends = rng.choice([haystack[0], haystack[-1], needles[0], needles[-1]], 2)
            haystack, needles = np.union1d(haystack, ends[:1]), np.union1d(needles, ends[1:])
        want = np.flatnonzero(np.isin(haystack, needles))
        assert rows_in(haystack, needles).tolist() == want.tolist()
        assert intersect_sorted(haystack, needles).tolist() == haystack[want].tolist()
        assert intersect_sorted(needles, haystack).tolist() == haystack[want].tolist()
