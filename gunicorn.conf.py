"""gunicorn settings for Supplier Locator: `gunicorn` in the project folder reads this file.

    LOCATOR_ENV=production LOCATOR_SECRET_KEY=... LOCATOR_DATABASE_URL=... gunicorn

Override any setting on the command line or in GUNICORN_CMD_ARGS (e.g. `--bind 0.0.0.0:8000`);
WEB_CONCURRENCY sets the number of worker processes. See docs/deploy.md.
"""

import json
import os

from gunicorn.glogging import Logger

wsgi_app = "locator:create_app()"
bind = ["127.0.0.1:8000"]

# Search is CPU work in Python, so one process per core (plus one to cover database waits), each
# with a few threads for the time a request waits on PostgreSQL.
workers = int(os.environ.get("WEB_CONCURRENCY") or (os.cpu_count() or 1) + 1)
worker_class = "gthread"
threads = 4

# Each worker creates its own app: its own database pool, search engine and index-worker
# threads, none of which survive a fork. What is safe to share is loaded once in the master
# below (code and the read-only CPV, region and lexicon tables), copied on write to workers.
preload_app = False

timeout = 30  # a worker silent this long is restarted
graceful_timeout = 30  # on reload or stop, requests in flight get this long to finish
keepalive = 5  # seconds; behind a load balancer that reuses connections

accesslog = "-"
errorlog = "-"
# gunicorn 24+ opens a control socket at one fixed path per user: two nodes on one host (tests,
# a staging box) would fight over it, and nothing here uses it.
control_socket_disable = True


class JsonAccessLogger(Logger):
    """One JSON object a line in the access log, for log collectors."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        self.access_log.info(json.dumps({
            "time": atoms["t"],
            "remote": atoms["h"],
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"],
            "status": int(atoms["s"]),
            "bytes": atoms["B"],
            "ms": round(atoms["D"] / 1000, 1),
            "referer": atoms["f"],
            "agent": atoms["a"],
            "pid": os.getpid(),
        }))


logger_class = JsonAccessLogger


def on_starting(server):
    """Load the code and the read-only tables once, in the master."""
    from locator import taxonomies

    taxonomies.concepts()
    taxonomies.place_names()
