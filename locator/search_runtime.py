"""This process's search: one long-lived `SearchEngine` and the threads that keep it current.

Each web node keeps its own Whoosh index under `INDEX_DIR`. Every process holds one
`SearchEngine` (searchers reused and refreshed, never opened per request), made when the app is
created; a web process (`INDEX_WORKER`, see `config.py`) also starts, right
then, a refresh thread and a worker thread that applies the database's index queue. Processes on
one node share the index: whichever takes the writer lock applies the queue, the others skip that
pass and simply see the result on their next refresh.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app
from sqlmodel import Session

from search_index import IndexStore, SearchEngine, WriterBusy

from . import taxonomies
from .db import sql_engine
from .services import indexing

log = logging.getLogger(__name__)
_EXTENSION = "locator.search"


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = None  # opened on first use: `locator init-db` needs no index
    if app.config["INDEX_WORKER"]:
        start(app)


def store(app: Flask | None = None) -> IndexStore:
    app = app or current_app
    return IndexStore(app.config["INDEX_DIR"])


_open_lock = threading.Lock()


def get_search(app: Flask | None = None) -> SearchEngine:
    """This process's search engine over this node's index."""
    app = app or current_app._get_current_object()
    search = app.extensions.get(_EXTENSION)
    if search is None:
        with _open_lock:
            search = app.extensions.get(_EXTENSION)
            if search is None:
                search = app.extensions[_EXTENSION] = SearchEngine(
                    store(app), concepts=taxonomies.concepts()
                )
    return search


def start(app: Flask) -> None:
    """Keep this process's search current: refresh its searcher and apply the index queue."""
    get_search(app).start_auto_refresh(app.config["INDEX_POLL_SECONDS"])
    threading.Thread(target=_apply_queue, args=(app,), name="index-worker", daemon=True).start()


def sync(app: Flask | None = None) -> int:
    """Apply the whole queue now and refresh this process's searcher (tests and commands)."""
    app = app or current_app._get_current_object()
    with Session(sql_engine(app)) as session:
        seen = indexing.drain(session, store(app))
    get_search(app).refresh()
    return seen


def _apply_queue(app: Flask) -> None:
    """The index worker: a pass over the queue every `INDEX_POLL_SECONDS`, for the process's
    lifetime (a daemon thread, so it ends with the process)."""
    interval = app.config["INDEX_POLL_SECONDS"]
    while True:
        time.sleep(interval)
        try:
            with Session(sql_engine(app)) as session:
                indexing.drain(session, store(app), blocking=False)
        except WriterBusy:
            pass  # another process on this node is applying the queue
        except Exception:  # the queue keeps the work: the next pass retries it
            log.exception("index worker pass failed; retrying")
