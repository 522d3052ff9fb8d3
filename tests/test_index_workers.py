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
