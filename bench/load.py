"""Load test: buyers and suppliers against a running site (gunicorn on PostgreSQL), with locust.

    pip install -e ".[bench]"
    gunicorn --bind 127.0.0.1:8000 &          # gunicorn.conf.py; the node must be ready
    python bench/load.py --host http://127.0.0.1:8000 --database-url postgresql+psycopg://... \\
        [--duration 60] [--buyers 20] [--suppliers 4] [--arrivals 1] [--batch 5000 --batch-after 15]

Buyers (no think time, so throughput is the site's): text searches with one or two filters
(the search page), profile pages and new arrivals. Suppliers sign in and save their
organisation section every second or so. `--batch N` queues N published suppliers for
re-indexing at once after `--batch-after` seconds, as a bulk import does, so the figures show
search while the node applies it. Prints requests/s, p50/p95/p99 and errors per endpoint, the
load average and the client's own CPU: it shares the machine with the site, so it uses locust's
FastHttpUser (geventhttpclient), several times cheaper a request than python-requests. The
database is prepared first (supplier accounts owning published demo profiles, created once and
reused): use a database of its own, seeded with `locator seed`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from urllib.parse import urlencode

SEARCHES = ["cyber security", "care", "cleaning services", "software development", "training",
            "construction", "consultancy", "catering", "transport", "legal advice",
            "web design", "facilities management", "recruitment", "mental health", "solar"]
REGIONS = ["TLC", "TLD", "TLE", "TLF", "TLG", "TLH", "TLI", "TLJ", "TLK", "TLL", "TLM", "TLN"]
SECTORS = ["health-social-care", "local-government", "education", "central-government"]
PASSWORD = "load test password"


def prepare(database_url: str, suppliers: int) -> dict:
    """Slugs to visit and supplier accounts to sign in as (made once, then reused)."""
    from sqlmodel import Session, select

    from locator.engine import make_engine
    from locator.models import Supplier
    from locator.services import accounts

    with Session(make_engine(database_url)) as session:
        published = list(session.exec(
            select(Supplier).where(Supplier.status == "published").order_by(Supplier.id)))
        slugs = [s.slug for s in published[:: max(1, len(published) // 2000)]]
        emails = []
        for n, supplier in enumerate(published[:suppliers]):
            email = f"load-{n}@example.com"
            if supplier.owner_id is None and accounts.find_by_email(session, email) is None:
                supplier.owner_id = accounts.register(session, email, PASSWORD).id
                session.add(supplier)
                session.commit()
            emails.append(email)
        return {"slugs": slugs, "emails": emails, "ids": [s.id for s in published]}


def queue_batch(database_url: str, ids: list[int]) -> None:
    """Queue `ids` for re-indexing in one transaction, as a bulk import would."""
    from sqlmodel import Session

    from locator.engine import make_engine
    from locator.models import IndexQueueEntry

    with Session(make_engine(database_url)) as session:
        session.add_all(IndexQueueEntry(supplier_id=i) for i in ids)
        session.commit()


def run(args, plan: dict) -> None:
    import gevent
    from locust import FastHttpUser, between, constant, task
    from locust.env import Environment

    rng = random.Random(1)
    emails = iter(plan["emails"])

    class Buyer(FastHttpUser):
        wait_time = constant(0)
        weight = args.buyers

        @task(6)
        def search(self):
            params = {"q": rng.choice(SEARCHES), "region": rng.choice(REGIONS)}
            if rng.random() < 0.5:
                params["sector"] = rng.choice(SECTORS)
            self.client.get(f"/search?{urlencode(params)}", name="/search (text + filters)")

        @task(3)
        def profile(self):
            self.client.get(f"/suppliers/{rng.choice(plan['slugs'])}", name="/suppliers/<slug>")

        @task(args.arrivals)
        def arrivals(self):
            self.client.get("/new-arrivals", name="/new-arrivals")

    class Supplier(FastHttpUser):
        wait_time = between(0.5, 1.5)
        weight = args.suppliers

        def on_start(self):
            self.email = next(emails)
            self._post("/account/sign-in", {"email": self.email, "password": PASSWORD},
                       "/account/sign-in")

        def _post(self, url: str, data: dict, name: str):
            page = self.client.get(url, name=f"{name} (form)")
            token = page.text.split('name="csrf_token"', 1)[-1].split('value="', 1)[-1]
            data["csrf_token"] = token.split('"', 1)[0]
            with self.client.post(url, data=data, name=name, catch_response=True) as answer:
                if answer.status_code >= 400 or "There is a problem" in answer.text:
                    answer.failure(f"not saved ({answer.status_code})")

        @task
        def edit(self):
            self._post("/profile/section/organisation", {
                "name": f"Load test supplier {self.email}", "legal_form": "limited-company",
                "summary": f"Edited under load {rng.randrange(10**6)}.",
                "description": "A profile edited by bench/load.py.",
            }, "/profile/section/organisation (save)")

    env = Environment(user_classes=[Buyer, Supplier], host=args.host)
    runner = env.create_local_runner()
    users = args.buyers + args.suppliers
    runner.start(users, spawn_rate=users)
    if args.batch:
        ids = rng.sample(plan["ids"], min(args.batch, len(plan["ids"])))
        gevent.spawn_later(args.batch_after, lambda: subprocess.run(
            [sys.executable, __file__, "--queue", args.database_url], check=True,
            input=json.dumps(ids), text=True))
    load_before, cpu_before = os.getloadavg(), _cpu_seconds()
    gevent.spawn_later(args.duration, runner.quit)
    runner.greenlet.join()
    report(env.stats, args, load_before, os.getloadavg())
    print(f"the load client itself used {(_cpu_seconds() - cpu_before) / args.duration:.0%} "
          "of a core (it runs on the same machine)")


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def report(stats, args, load_before, load_after) -> None:
    print(f"{args.duration} s, {args.buyers} buyers (no think time), {args.suppliers} suppliers"
          f"{f', a batch of {args.batch} changes after {args.batch_after} s' if args.batch else ''}"
          f"; load average before {load_before[0]:.1f}, after {load_after[0]:.1f} "
          f"(5 min {load_after[1]:.1f}), {os.cpu_count()} cores")
    print(f"{'endpoint':<40} {'requests':>8} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} "
          f"{'errors':>6}")
    rows = sorted(stats.entries.values(), key=lambda e: -e.num_requests)
    for entry in [*rows, stats.total]:
        name = "all" if entry is stats.total else f"{entry.method} {entry.name}"
        print(f"{name:<40} {entry.num_requests:>8} {entry.num_requests / args.duration:>7.1f} "
              + " ".join(f"{entry.get_response_time_percentile(p):>6.0f}"
                         for p in (0.5, 0.95, 0.99))
              + f" {entry.num_failures:>6}")
    for error in stats.errors.values():
        print(f"error: {error.method} {error.name}: {error.error} ×{error.occurrences}")


def main() -> None:
    # The database work runs in child processes: locust's gevent patches sockets on import,
    # which psycopg does not expect.
    if sys.argv[1:2] == ["--queue"]:
        queue_batch(sys.argv[2], json.load(sys.stdin))
        return
    if sys.argv[1:2] == ["--prepare"]:
        print(json.dumps(prepare(sys.argv[2], int(sys.argv[3]))))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="http://127.0.0.1:8000")
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--duration", type=int, default=60, help="seconds")
    ap.add_argument("--buyers", type=int, default=20)
    ap.add_argument("--suppliers", type=int, default=4)
    ap.add_argument("--arrivals", type=int, default=1,
                    help="weight of new arrivals among buyers' requests (search 6, profile 3)")
    ap.add_argument("--batch", type=int, default=0, help="changes queued at once during the run")
    ap.add_argument("--batch-after", type=float, default=15.0)
    args = ap.parse_args()
    plan = json.loads(subprocess.run(
        [sys.executable, __file__, "--prepare", args.database_url, str(args.suppliers)],
        check=True, capture_output=True, text=True).stdout)
    run(args, plan)


if __name__ == "__main__":
    main()
