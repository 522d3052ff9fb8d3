"""Segment merging under many single edits and a bulk load: segment count, update latency and
search latency, with the store's tiered merge or (``--no-merge``) Whoosh's ``merge=False``,
which is how the store committed before.

    python bench/merging.py --n 10000 --edits 5000 --bulk 20000 [--no-merge]

Builds N synthetic profiles (``bench/search.py``'s generator), then applies ``--edits`` single
edits, one commit each (as a node applies a trickle of profile edits), then ``--bulk`` changes
in commits of ``BATCH_DOCS`` (as a node catches up with a bulk import). At checkpoints it prints
the segment count, the update latency since the last checkpoint and search latency over the
bench's text queries with two filters (first run after the refresh, then warm), with the load
average. Ends with an idle optimise, single edits being committed beside it.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import threading
import time

from search import TEXT_QUERIES, _filters, _percentiles, make_docs  # bench/search.py
from whoosh.writing import NO_MERGE

import search_index.store as store_module
from locator import taxonomies
from locator.services.indexing import BATCH_DOCS
from search_index import IndexStore, SearchEngine, WriterBusy


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f} {five:.1f} {fifteen:.1f}"


def _searches(engine: SearchEngine, rng: random.Random) -> str:
    engine.refresh()
    queries = [(q, _filters(rng, 2)) for q in TEXT_QUERIES]
    first, warm = [], []
    for samples in (first, warm):
        for q, filters in queries:
            start = time.perf_counter()
            engine.search(q, filters)
            samples.append(time.perf_counter() - start)
    return f"search first {_percentiles(first)}\n{'':>24}search warm  {_percentiles(warm)}"


def _checkpoint(label: str, store: IndexStore, engine: SearchEngine, updates: list[float],
                rng: random.Random) -> None:
    segments, deleted = store.segment_stats()
    print(f"{label:>22}: {segments} segments, {deleted} deleted kept, {_load()}")
    if updates:
        print(f"{'':>24}update {_percentiles(updates)}")
    print(f"{'':>24}{_searches(engine, rng)}", flush=True)


class BesideMerges:
    """Tier merges too big for a commit, run beside the commits as the app's index worker runs
    them: in a process of their own (``IndexStore.start_merge``); with code from before that
    (``BENCH_CODE``), in a thread (``merge_beside``), or, older still, inside the commits."""

    def __init__(self, store: IndexStore):
        self.store = store
        self.running = None  # a Popen or a Thread
        self.started = 0.0
        self.times: list[float] = []

    def _done(self) -> bool:
        if self.running is None:
            return True
        if isinstance(self.running, threading.Thread):
            finished = not self.running.is_alive()
        else:
            finished = self.running.poll() is not None
        if finished:
            self.times.append(time.perf_counter() - self.started)
            self.running = None
        return finished

    def check(self) -> None:
        if not self._done():
            return
        self.started = time.perf_counter()
        if hasattr(self.store, "start_merge"):
            self.running = self.store.start_merge()
        elif hasattr(self.store, "merge_due") and self.store.merge_due():
            self.running = threading.Thread(target=self.store.merge_beside)
            self.running.start()

    def wait(self) -> str:
        while not self._done():
            time.sleep(0.2)
        longest = f", longest {max(self.times):.1f} s" if self.times else ""
        return f"{len(self.times)} tier merges beside the writer{longest}"


def _optimise_beside_edits(store: IndexStore, docs: list[dict], rng: random.Random) -> None:
    """The idle optimise, with single edits committed from another thread while it runs (as
    a node's index worker goes on applying the queue): how long each edit's commit took."""
    done = threading.Event()
    timing: dict[str, float] = {}

    def optimise():
        started = time.perf_counter()
        try:
            store.optimize()
        finally:
            timing["optimise"] = time.perf_counter() - started
            done.set()

    thread = threading.Thread(target=optimise)
    thread.start()
    commits, gave_up = [], 0
    while not done.wait(0.2):
        started = time.perf_counter()
        try:
            store.upsert([docs[rng.randrange(len(docs))]])
            commits.append(time.perf_counter() - started)
        except WriterBusy:  # waited the store's lock timeout for the writer
            gave_up += 1
    thread.join()
    print(f"optimise: {timing['optimise']:.1f} s, {_load()}; meanwhile {len(commits)} single "
          f"edits committed, {gave_up} gave up after the lock timeout "
          f"({store.lock_timeout:.0f} s); commit {_percentiles(commits) if commits else '-'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--edits", type=int, default=5_000)
    ap.add_argument("--bulk", type=int, default=20_000)
    ap.add_argument("--checkpoints", type=int, default=5)
    ap.add_argument("--no-merge", action="store_true", help="commit with merge=False (before)")
    args = ap.parse_args()
    if args.no_merge:
        store_module.tiered_merge = NO_MERGE

    base = tempfile.mkdtemp(prefix="merge-bench-")
    store = IndexStore(base)
    print(f"N={args.n} edits={args.edits} bulk={args.bulk} batch={BATCH_DOCS} "
          f"policy={'merge=False' if args.no_merge else 'tiered'} cpus={os.cpu_count()}")
    start = time.perf_counter()
    store.rebuild(make_docs(args.n), procs=2)
    print(f"build: {time.perf_counter() - start:.1f} s, {_load()}")
    engine = SearchEngine(store, concepts=taxonomies.concepts())
    engine.warm()
    rng = random.Random(3)
    _checkpoint("built", store, engine, [], rng)

    docs = list(make_docs(args.n, seed=2))  # same ids, other text: every edit replaces a doc
    beside = BesideMerges(store)
    updates: list[float] = []
    step = max(1, args.edits // args.checkpoints)
    for i in range(1, args.edits + 1):
        doc = docs[rng.randrange(args.n)]
        started = time.perf_counter()
        store.upsert([doc])
        updates.append(time.perf_counter() - started)
        beside.check()
        if i % step == 0 or i == args.edits:
            _checkpoint(f"after {i} single edits", store, engine, updates, rng)
            updates = []

    batches: list[float] = []
    done = 0
    started_bulk = time.perf_counter()
    while done < args.bulk:
        chunk = [docs[(done + k) % args.n] for k in range(min(BATCH_DOCS, args.bulk - done))]
        started = time.perf_counter()
        store.upsert(chunk)
        batches.append(time.perf_counter() - started)
        done += len(chunk)
        beside.check()
    elapsed = time.perf_counter() - started_bulk
    print(f"bulk: {args.bulk} changes in {len(batches)} commits, {elapsed:.1f} s "
          f"({args.bulk / elapsed:.0f} docs/s); commit {_percentiles(batches)}")
    print(f"  {beside.wait()} (waited for the last: {time.perf_counter() - started_bulk:.1f} s "
          f"from the bulk's start)")
    _checkpoint(f"after {args.bulk} bulk", store, engine, [], rng)

    _optimise_beside_edits(store, docs, rng)
    _checkpoint("after optimise", store, engine, [], rng)
    engine.close()
    shutil.rmtree(base)


if __name__ == "__main__":
    main()
