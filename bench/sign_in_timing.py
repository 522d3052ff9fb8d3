"""Sign-in timing (#13, point 5): does a sign-in for an address without an account cost the same
as one for a real account with a wrong password? Both go through the whole app (routing, CSRF,
form, the account throttle, the database look-up and the password hash) on a fresh SQLite
database, alternating, so that drift in the machine's load falls on both alike.

    .venv/bin/python bench/sign_in_timing.py [--tries 20]

Prints the median wall-clock and CPU time (user+sys of this process) per sign-in for each kind,
and the load average. The per-account throttle is off (after five wrong passwords it would answer
429 without hashing, for either kind alike), as are the per-client limits.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

KNOWN = "owner@example.com"
UNKNOWN = "nobody@example.com"
PASSWORD = "correct horse battery"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tries", type=int, default=20)
    args = ap.parse_args()

    from locator import create_app
    from locator.db import get_session
    from locator.migrate import upgrade
    from locator.services import accounts

    folder = Path(tempfile.mkdtemp(prefix="sign-in-timing-"))
    url = f"sqlite:///{folder / 'db.sqlite'}"
    upgrade(url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench",
                      "INDEX_DIR": str(folder / "index"), "SMTP_HOST": None,
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        accounts.register(get_session(), KNOWN, PASSWORD)
    app.extensions["locator.account_throttle"].wait = lambda email: 0
    logging.getLogger("locator.security").setLevel(logging.ERROR)  # not a line per try
    client = app.test_client()

    def attempt(address: str) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.post("/account/sign-in",
                               data={"email": address, "password": "a wrong password"})
        assert response.status_code == 200 and b"Enter a correct email address" in response.data
        return time.perf_counter() - wall, time.process_time() - cpu

    for address in (KNOWN, UNKNOWN, KNOWN, UNKNOWN):  # warm-up: templates, dummy hash
        attempt(address)
    times: dict[str, list[tuple[float, float]]] = {KNOWN: [], UNKNOWN: []}
    for _ in range(args.tries):
        for address in (KNOWN, UNKNOWN):
            times[address].append(attempt(address))

    for label, address in (("real account, wrong password", KNOWN),
                           ("no such account", UNKNOWN)):
        wall = statistics.median(t[0] for t in times[address]) * 1000
        cpu = statistics.median(t[1] for t in times[address]) * 1000
        print(f"{label:30} median wall {wall:6.1f} ms   median CPU {cpu:6.1f} ms   "
              f"(n={args.tries})")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
