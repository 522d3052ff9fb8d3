"""Bulk catch-up: a large import through the CLI while two nodes serve search.

    createdb bulk
    python bench/bulk_catchup.py --database-url postgresql+psycopg://postgres@127.0.0.1/bulk \\
        [--suppliers 20000] [--workers 3]

Starts two web nodes (gunicorn with the project's gunicorn.conf.py, each over an index folder of
its own) on the database, which should be empty or hold earlier runs' suppliers, waits until both
are ready, then runs `locator import` of N demo profiles (fresh slugs and company numbers each
run) while a client searches both nodes twice a second. It prints the import's time, how long
after the import ended each node's search counted every published supplier (the issue's
target: within 2 minutes), and every search answer seen meanwhile by status, with its p95 and
worst time (the target: search available throughout, i.e. no answer but 200).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def get(url: str) -> tuple[int, dict | None, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, b""
    except OSError:
        return 0, None, time.monotonic() - started
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    return status, data, time.monotonic() - started


def write_records(path: Path, count: int, run: str) -> None:
    from locator.services import demo

    with path.open("w") as out:
        for n, record in enumerate(demo.demo_records(count, seed=int(time.time()))):
            record["name"] = f"{record['name']} {run} {n}"  # the slug is made from the name
            record.pop("companies_house_number", None)
            out.write(json.dumps(record) + "\n")


def published(database_url: str) -> int:
    from sqlmodel import Session, func, select

    from locator.engine import make_engine
    from locator.models import Supplier

    with Session(make_engine(database_url)) as session:
        return session.exec(
            select(func.count()).select_from(Supplier).where(Supplier.status == "published")
        ).one()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--suppliers", type=int, default=20000)
    ap.add_argument("--workers", type=int, default=0, help="per node (default: gunicorn.conf.py)")
    ap.add_argument("--ports", type=int, nargs=2, default=[8941, 8942])
    args = ap.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bulk-catchup-"))
    env = {**os.environ, "LOCATOR_DATABASE_URL": args.database_url,
           "LOCATOR_SECRET_KEY": "bulk-catchup"}
    subprocess.run([BIN / "locator", "init-db"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    records = folder / "records.jsonl"
    write_records(records, args.suppliers, run=folder.name.rsplit("-", 1)[-1])
    nodes = []
    for port in args.ports:
        node_env = {**env, "LOCATOR_INDEX_DIR": str(folder / f"index-{port}")}
        if args.workers:
            node_env["WEB_CONCURRENCY"] = str(args.workers)
        nodes.append(subprocess.Popen(
            [BIN / "gunicorn", "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null"],
            env=node_env, cwd=ROOT, stdout=(folder / f"node-{port}.log").open("w"),
            stderr=subprocess.STDOUT))
    bases = [f"http://127.0.0.1:{port}" for port in args.ports]
    try:
        for base in bases:
            deadline = time.monotonic() + 600
            while get(base + "/healthz")[0] != 200:
                if time.monotonic() > deadline:
                    sys.exit(f"{base} not ready after 600 s; see {folder}")
                time.sleep(0.5)
        before = published(args.database_url)
        print(f"both nodes ready with {before} published suppliers; importing {args.suppliers}"
              f" (load average {os.getloadavg()[0]:.1f})", flush=True)

        answers: list[tuple[str, int, float]] = []  # node, status, seconds
        totals = {base: 0 for base in bases}
        stop = threading.Event()

        def watch(base: str) -> None:
            while not stop.is_set():
                status, data, seconds = get(base + "/api/v1/suppliers?per_page=1")
                answers.append((base, status, seconds))
                if status == 200 and data:
                    totals[base] = data["total"]
                html = get(base + "/search?q=care+services&region=TLI")
                answers.append((base, html[0], html[2]))
                time.sleep(0.5)

        watchers = [threading.Thread(target=watch, args=(base,)) for base in bases]
        for thread in watchers:
            thread.start()
        started = time.monotonic()
        subprocess.run([BIN / "locator", "import", str(records)], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        ended = time.monotonic()
        expected = published(args.database_url)
        print(f"import: {args.suppliers} profiles in {ended - started:.1f} s "
              f"({args.suppliers / (ended - started):.0f}/s); {expected} published now "
              f"(load average {os.getloadavg()[0]:.1f})", flush=True)
        caught_up: dict[str, float] = {}
        while len(caught_up) < len(bases) and time.monotonic() - ended < 900:
            for base in bases:
                if base not in caught_up and totals[base] == expected:
                    caught_up[base] = time.monotonic() - ended
            time.sleep(0.2)
        stop.set()
        for thread in watchers:
            thread.join()
        for base in bases:
            after = f"{caught_up[base]:.1f} s" if base in caught_up else "not within 900 s"
            print(f"{base}: every published supplier searchable {after} after the import ended"
                  f" (count seen last: {totals[base]})")
        by_status: dict[int, int] = {}
        for _base, status, _seconds in answers:
            by_status[status] = by_status.get(status, 0) + 1
        times = sorted(seconds for *_rest, seconds in answers)
        print(f"searches during the run: {len(answers)}, by status {by_status} (0: no answer); "
              f"p95 {1000 * times[int(0.95 * (len(times) - 1))]:.0f} ms, "
              f"worst {1000 * times[-1]:.0f} ms; load average {os.getloadavg()[0]:.1f}")
    finally:
        for node in nodes:
            node.terminate()
        for node in nodes:
            node.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
