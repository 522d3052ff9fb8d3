"""The store's own writing path (bulk writer, term pool, writer codec): Whoosh's files byte
for byte, each segment's sidecar as decoding it would make it, and a build that fails leaves
nothing behind."""

from __future__ import annotations

import hashlib
import pickle
import subprocess
import sys

import pytest
from test_sidecar import QUERIES, _corpus, write_sidecars
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec

from search_index import IndexStore, SearchEngine, bulk_writer, sidecar, store
from search_index.schema import build_schema, to_whoosh
from search_index.segment_merge import StoreWriter


@pytest.fixture(autouse=True)
def sidecars_on(monkeypatch):
    monkeypatch.setenv(sidecar.ENV_SWITCH, "1")


def _files(folder) -> dict[str, list[str]]:
    """Each kind of segment file (by extension): its contents' hashes, sorted."""
    out: dict[str, list[str]] = {}
    for path in folder.glob("MAIN_*.*"):
        kind = path.name.split(".", 1)[1]
        out.setdefault(kind, []).append(hashlib.sha256(path.read_bytes()).hexdigest())
    return {kind: sorted(hashes) for kind, hashes in out.items()}


def _steps(folder, docs, first, writer) -> list[dict]:
    """The files after each step: a first segment (``first``); nine commits of ten documents,
    each deleting one earlier document, the ninth merging eight small segments by the store's
    policy together with its own documents; an optimise (every segment, with deletions)."""
    folder.mkdir()
    ix = whoosh_index.create_in(folder, build_schema())
    first(ix, docs[:150])
    seen = [_files(folder)]
    for n in range(9):
        w = writer(ix)
        w.delete_by_term("id", str(docs[n * 7]["id"]))
        for doc in docs[150 + 10 * n:160 + 10 * n]:
            w.add_document(**to_whoosh(doc))
        w.commit(mergetype=store.tiered_merge)
    seen.append(_files(folder) | {"segments": [s.doc_count() for s in ix._segments()]})
    writer(ix).commit(optimize=True)
    seen.append(_files(folder))
    ix.close()
    return seen


def _whooshs_first(ix, docs) -> None:
    with ix.writer(compound=False, codec=W3Codec()) as w:
        for doc in docs:
            w.add_document(**to_whoosh(doc))


def test_the_stores_writers_write_whooshs_own_files_byte_for_byte(tmp_path, make_doc):
    docs = _corpus(make_doc, 240, seed=5)
    expected = _steps(tmp_path / "whoosh", docs, _whooshs_first,
                      lambda ix: ix.writer(compound=False, codec=W3Codec()))
    # The term pool and the fast field writer; the store's writer and its streaming merges.
    seen = _steps(tmp_path / "ours", docs,
                  lambda ix, d: bulk_writer.write_all(ix.storage.folder, d), StoreWriter)
    assert seen[1]["segments"] == [141, 90]  # the ninth commit merged the eight before it
    for step, (got, want) in enumerate(zip(seen, expected, strict=True)):
        assert got.pop("sidecar") and got == want, step


def test_a_written_sidecar_is_the_one_decoding_the_segment_makes(tmp_path, make_doc):
    folder = tmp_path / "idx"
    folder.mkdir()
    whoosh_index.create_in(folder, build_schema())
    bulk_writer.write_all(folder, _corpus(make_doc, 200, seed=6))
    (path,) = folder.glob(f"*{sidecar.SUFFIX}")
    written = path.read_bytes()
    path.unlink()
    write_sidecars(folder)
    assert path.read_bytes() == written


def test_a_build_over_its_memory_budget_makes_more_segments_and_the_same_results(
        tmp_path, make_doc):
    docs = _corpus(make_doc, 400, seed=7)
    one, many = IndexStore(tmp_path / "one"), IndexStore(tmp_path / "many")
    one.rebuild(docs)
    many.rebuild(docs, limitmb=1)  # ~9,500 postings a segment: several segments
    assert one.segment_stats()[0] == 1 and many.segment_stats()[0] >= 3
    a, b = SearchEngine(one), SearchEngine(many)
    for q, filters, sort in QUERIES:
        assert a.search(q, filters, sort, per_page=50) == b.search(q, filters, sort, per_page=50)
    a.close()
    b.close()


_FAILING_BUILD = """
import multiprocessing, pickle, sys
from search_index import IndexStore, bulk_writer
store = IndexStore(sys.argv[1])
docs = pickle.load(open(sys.argv[2], "rb"))
try:
    store.rebuild(docs, procs=2)
except bulk_writer.IndexingFailed as failed:
    print("failed:", "KeyError" in str(failed))
print("children:", len(multiprocessing.active_children()))
"""


def test_a_failing_indexing_process_fails_the_build_and_leaves_nothing(tmp_path, make_doc):
    """A document that cannot be indexed, in one of the indexing processes: the build raises,
    no process is left, the live generation is unchanged and no other generation is kept."""
    base = IndexStore(tmp_path / "idx")
    base.upsert([make_doc(1)])
    live = base.current_generation()
    docs = _corpus(make_doc, 900, seed=8)
    del docs[700]["id"]  # to_whoosh fails on it, in whichever process gets it
    pickled = tmp_path / "docs.pickle"
    pickled.write_bytes(pickle.dumps(docs))
    out = subprocess.run([sys.executable, "-c", _FAILING_BUILD, str(base.base), str(pickled)],
                         check=True, capture_output=True, text=True, timeout=120).stdout
    assert out.split() == ["failed:", "True", "children:", "0"]
    assert base.current_generation() == live
    assert sorted(p.name for p in base.base.iterdir() if p.name.startswith("gen-")) == [live]
