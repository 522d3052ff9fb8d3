"""Time a full `locator reindex` through the app's real path (database → documents → Whoosh),
with searches served from the old index meanwhile.

    python bench/reindex.py --n 20000

Seeds N demo suppliers into a temporary SQLite database (not timed), then rebuilds the index
while another thread keeps searching, and prints the rebuild time, documents a second, and the
search latencies seen during the rebuild.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlmodel import Session

from locator import create_app, search_runtime
from locator.db import sql_engine
from locator.forms.records import FormChecker
from locator.migrate import upgrade
from locator.services import demo, indexing, transfer


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

    engine = search_runtime.get_search(app)
    latencies: list[float] = []
    stop = threading.Event()

    def search_meanwhile():
        queries = ["cyber security", "care", "cleaning services", "solar", "training"]
        i = 0
        while not stop.is_set():
            t = time.perf_counter()
            engine.search(queries[i % len(queries)], {"region": ["TLD"]})
            latencies.append((time.perf_counter() - t) * 1000)
            i += 1
            time.sleep(0.05)

    searcher = threading.Thread(target=search_meanwhile)
    searcher.start()
    with app.app_context(), Session(engine_db) as session:
        started = time.perf_counter()
        generation = indexing.rebuild(session, search_runtime.store(app))
        elapsed = time.perf_counter() - started
    stop.set()
    searcher.join()
    engine.refresh()
    print(f"rebuilt {published} published suppliers into {generation} in {elapsed:.1f} s "
          f"({published / elapsed:.0f} documents/s, {indexing.REBUILD_PROCESSES} processes)")
    print(f"searches during the rebuild: {len(latencies)}, none failed; "
          f"p50 {statistics.median(latencies):.1f} ms, "
          f"p95 {statistics.quantiles(latencies, n=20)[-1]:.1f} ms")
    print(f"documents in the new index: {engine.doc_count()}")


if __name__ == "__main__":
    main()
