"""Where a buyer's request spends its time: cProfile around the app, in one process.

    LOCATOR_DATABASE_URL=postgresql+psycopg://... LOCATOR_INDEX_DIR=... \\
        python bench/profile_request.py [--requests 300] [--kind search|profile|arrivals] [--top 40]

Runs `bench/load.py`'s buyer requests (the same random mix of text searches with filters) through
the app's WSGI callable, after a warm-up pass, with a profiler wrapped around the WSGI call only
(middleware here, not in the app), and prints the time per request and the functions with the
most cumulative time. The node's index must be caught up (`locator index-sync`).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import REGIONS, SEARCHES, SECTORS  # noqa: E402


class Profiled:
    """WSGI middleware: profile every call of the wrapped app while `on` is set."""

    def __init__(self, app):
        self.app = app
        self.profile = cProfile.Profile()
        self.on = False

    def __call__(self, environ, start_response):
        if not self.on:
            return self.app(environ, start_response)
        self.profile.enable()
        try:
            return list(self.app(environ, start_response))
        finally:
            self.profile.disable()


def urls(kind: str, n: int, slugs: list[str]) -> list[str]:
    rng = random.Random(1)
    made = []
    for _ in range(n):
        if kind == "search":
            url = f"/search?q={rng.choice(SEARCHES)}&region={rng.choice(REGIONS)}"
            if rng.random() < 0.5:
                url += f"&sector={rng.choice(SECTORS)}"
        elif kind == "profile":
            url = f"/suppliers/{rng.choice(slugs)}"
        else:
            url = "/new-arrivals"
        made.append(url)
    return made


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--kind", choices=["search", "profile", "arrivals"], default="search")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--sort", default="cumulative")
    ap.add_argument("--no-profile", action="store_true", help="time only (no profiler overhead)")
    args = ap.parse_args()

    from sqlmodel import Session, select

    from locator import create_app
    from locator.db import sql_engine
    from locator.models import Supplier

    app = create_app({"INDEX_WORKER": False})
    with Session(sql_engine(app)) as session:
        slugs = list(session.exec(
            select(Supplier.slug).where(Supplier.status == "published").limit(2000)))
    profiled = Profiled(app.wsgi_app)
    app.wsgi_app = profiled
    client = app.test_client()
    todo = urls(args.kind, args.requests, slugs)
    for url in todo:  # warm-up: every query seen once, as on a node that has been serving
        assert client.get(url).status_code == 200, url
    profiled.on = not args.no_profile
    started, cpu = time.perf_counter(), time.process_time()
    for url in todo:
        client.get(url)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{args.requests} {args.kind} requests, warm: {1000 * seconds / args.requests:.1f} ms"
          f" each, {1000 * cpu / args.requests:.1f} ms CPU (the machine's load average "
          f"{os.getloadavg()[0]:.1f})")
    if args.no_profile:
        return
    out = io.StringIO()
    pstats.Stats(profiled.profile, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
