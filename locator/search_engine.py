"""This process's search engine and index worker.

Each web node keeps its own Whoosh index under `INDEX_DIR`. Every process holds one long-lived
`SearchEngine` (searchers reused and refreshed, never opened per request) and, unless turned off,
a worker thread that applies the database's index queue. Processes on one node share the index:
whichever takes the writer lock applies the queue, the others skip that pass and simply see the
result on their next refresh.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app
from sqlmodel import Session

from search_index import IndexStore, SearchEngine, WriterBusy

from .services import indexing

log = logging.getLogger(__name__)
_lock = threading.Lock()


def init_app(app: Flask) -> None:
    app.config.setdefault("INDEX_WORKER", not app.testing)
    app.config.setdefault("INDEX_POLL_SECONDS", 0.5)


def store(app: Flask | None = None) -> IndexStore:
    app = app or current_app
    return IndexStore(app.config["INDEX_DIR"])


def get_engine(app: Flask | None = None) -> SearchEngine:
    app = app or current_app._get_current_object()
    engine = app.extensions.get("locator.search_engine")
    if engine is None:
        with _lock:
            engine = app.extensions.get("locator.search_engine")
            if engine is None:
                engine = SearchEngine(store(app))
                if app.config["INDEX_WORKER"]:
                    engine.start_auto_refresh(app.config["INDEX_POLL_SECONDS"])
                    _start_worker(app)
                app.extensions["locator.search_engine"] = engine
    return engine


def sync(app: Flask | None = None) -> int:
    """Apply the whole queue now and refresh this process's searcher (tests and commands)."""
    app = app or current_app._get_current_object()
    with Session(app.extensions["locator.engine"]) as session:
        seen = indexing.drain(session, store(app))
    get_engine(app).refresh()
    return seen


def _start_worker(app: Flask) -> None:
    def loop():
        stop = threading.Event()
        while not stop.wait(app.config["INDEX_POLL_SECONDS"]):
            try:
                with Session(app.extensions["locator.engine"]) as session:
                    indexing.drain(session, store(app), blocking=False)
            except WriterBusy:
                pass  # another process on this node is applying the queue
            except Exception:  # the queue keeps the work: the next pass retries it
                log.exception("index worker pass failed; retrying")

    threading.Thread(target=loop, name="index-worker", daemon=True).start()
