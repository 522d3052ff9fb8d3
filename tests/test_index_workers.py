"""Several processes applying the index queue at once, as several web workers on one node do:
none fails with a Whoosh LockError and no update is lost."""

import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from locator import search_runtime
from locator.models import Supplier
from locator.services import suppliers as supplier_service

ROOT = Path(__file__).resolve().parent.parent


def test_concurrent_index_writers_lose_nothing(app, runner, session, migrated, tmp_path):
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "30"]).exit_code == 0
    index_dir = app.config["INDEX_DIR"]
    env = {**os.environ, "LOCATOR_DATABASE_URL": migrated, "LOCATOR_INDEX_DIR": index_dir,
           "LOCATOR_SECRET_KEY": "workers"}
    command = [sys.executable, "-m", "locator.cli", "index-sync"]
    published = session.exec(select(Supplier).where(Supplier.status == "published")).all()

    workers = []
    for n, supplier in enumerate(published[:6]):
        # An edit, then another process racing to apply the queue, while earlier ones still run.
        supplier_service.update(session, supplier, {"summary": f"Edited by round {n} quokka"})
        workers.append(subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True))
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        assert "LockError" not in err

    search_runtime.get_search(app).refresh()
    body = app.test_client().get("/api/v1/suppliers?q=quokka&per_page=50").get_json()
    assert body["total"] == 6
    assert {r["summary"] for r in body["results"]} == {
        f"Edited by round {n} quokka" for n in range(6)
    }


def test_edits_are_applied_while_the_idle_merge_runs(app, runner, session):
    """The idle merge runs beside the writer: the queue is applied and searchable meanwhile, a
    second merge on the node gives way, and the merge keeps those edits when it swaps in."""
    from search_index.background_merge import BackgroundMerge

    assert runner.invoke(args=["seed", "--demo", "--suppliers", "30"]).exit_code == 0
    search_runtime.sync(app)
    index = search_runtime.store(app)
    published = session.exec(select(Supplier).where(Supplier.status == "published")).all()
    for supplier in published[:5]:  # five single edits: five more segments
        supplier_service.update(session, supplier, {"summary": f"{supplier.summary} more"})
        search_runtime.sync(app)
    segments = index.segment_stats()[0]
    assert segments > search_runtime.OPTIMIZE_ABOVE_SEGMENTS

    def found(word):
        search_runtime.get_search(app).refresh()
        return app.test_client().get(f"/api/v1/suppliers?q={word}").get_json()["total"]

    with BackgroundMerge(index) as merge:
        assert merge.start()
        # The idle merge's process finds this merge running and gives way.
        assert search_runtime._optimize_if_fragmented(index).wait(timeout=60) == 0
        assert index.segment_stats()[0] == segments
        supplier_service.update(session, published[0], {"summary": "Edited mid-merge wombat"})
        search_runtime.sync(app)  # not held up by the merge
        assert found("wombat") == 1
        merge.write()
        assert merge.swap()
    assert found("wombat") == 1
    assert index.segment_stats()[0] == 2  # the merged segment and the mid-merge edit's


def test_a_big_tier_merge_runs_in_a_process_beside_the_index_worker(app, runner, session,
                                                                   monkeypatch):
    import search_index.store as store_module

    monkeypatch.setattr(store_module, "BESIDE_ABOVE", 4)
    index = search_runtime.store(app)
    assert runner.invoke(args=["seed", "--demo", "--suppliers", "30"]).exit_code == 0
    search_runtime.sync(app)
    assert search_runtime._start_merge(index) is None  # nothing due
    published = session.exec(select(Supplier).where(Supplier.status == "published")).all()
    for n, supplier in enumerate(published[:store_module.MERGE_FACTOR + 1]):  # a commit each
        supplier_service.update(session, supplier, {"summary": f"Edit {n} numbat"})
        search_runtime.sync(app)
    segments = index.segment_stats()[0]
    assert segments > store_module.MERGE_FACTOR  # the commits left the tier merge
    assert search_runtime._start_merge(index).wait(timeout=60) == 0
    assert index.segment_stats()[0] < segments and not index.merge_due()
    for n, supplier in enumerate(published[:store_module.MERGE_FACTOR + 1]):
        supplier_service.update(session, supplier, {"summary": f"Edit {n} numbat again"})
        search_runtime.sync(app)
    assert index.merge_due()
    # A node's `locator index-sync` runs what is due too, in the foreground.
    assert "Merged the index's segments" in runner.invoke(args=["index-sync"]).output
    assert not index.merge_due()
    search_runtime.get_search(app).refresh()
    body = app.test_client().get("/api/v1/suppliers?q=numbat&per_page=50").get_json()
    assert body["total"] == store_module.MERGE_FACTOR + 1
