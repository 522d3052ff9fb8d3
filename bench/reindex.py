"""Time a full `locator reindex` through the app's real path (database → documents → Whoosh),
with searches served from the old index meanwhile.

    python bench/reindex.py --n 20000

Seeds N demo suppliers into a temporary SQLite database (not timed), then rebuilds the index
while another process keeps searching, and prints the rebuild time, documents a second, and the
search latencies seen during the rebuild.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from locator import create_app, search_runtime
from locator.db import sql_engine
from locator.forms.records import FormChecker
from locator.migrate import upgrade
from locator.services import demo, indexing, transfer
from search_index import SearchEngine


def search_meanwhile(store, stop, results) -> None:
    engine = SearchEngine(store)
    queries = ["cyber security", "care", "cleaning services", "solar", "training"]
    latencies, i = [], 0
    while not stop.is_set():
        t = time.perf_counter()
        engine.search(queries[i % len(queries)], {"region": ["TLD"]})
        latencies.append((time.perf_counter() - t) * 1000)
        i += 1
        time.sleep(0.05)
    results.put(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="locator-reindex-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INDEX_DIR": str(folder / "index"),
                      "SECRET_KEY": "bench", "TESTING": True})
    engine_db = sql_engine(app)
    with app.app_context(), Session(engine_db) as session:
        started = time.perf_counter()
        lines = (json.dumps(r) for r in demo.demo_records(args.n, seed=7))
        report = transfer.import_lines(session, lines, FormChecker())
        print(f"seeded {report.loaded} suppliers in {time.perf_counter() - started:.0f} s")
        published = indexing.published_count(session)
        store = search_runtime.store(app)
        indexing.rebuild(session, store)  # the old generation that keeps serving

    # The searches run in a process of their own: a build forks its indexing processes only
    # from a process running no other thread, as `locator reindex` is.
    fork = multiprocessing.get_context("fork")
    results, stop = fork.Queue(), fork.Event()
    searcher = fork.Process(
        target=search_meanwhile, args=(search_runtime.store(app), stop, results))
    searcher.start()
    with app.app_context(), Session(engine_db) as session:
        started = time.perf_counter()
        generation = indexing.rebuild(session, search_runtime.store(app))
        elapsed = time.perf_counter() - started
    stop.set()
    latencies = results.get()
    searcher.join()
    engine = search_runtime.get_search(app)
    engine.refresh()
    print(f"rebuilt {published} published suppliers into {generation} in {elapsed:.1f} s "
          f"({published / elapsed:.0f} documents/s, {indexing.REBUILD_PROCESSES} processes)")
    print(f"searches during the rebuild: {len(latencies)}, none failed; "
          f"p50 {statistics.median(latencies):.1f} ms, "
          f"p95 {statistics.quantiles(latencies, n=20)[-1]:.1f} ms")
    print(f"documents in the new index: {engine.doc_count()}")


if __name__ == "__main__":
    main()
