"""This process's search: one long-lived `SearchEngine` and the threads that keep it current.

Each web node keeps its own Whoosh index under `INDEX_DIR`. Every process holds one
`SearchEngine` (searchers reused and refreshed, never opened per request), made when the app is
created; a web process (`INDEX_WORKER`, see `config.py`) also starts, right then, a refresh
thread and a worker thread that applies the database's index queue (so totals are current
before the first request, not after it). Processes on one node share the index: whichever takes
the writer lock applies the queue, the others skip that pass and see the result on their next
refresh. Merges too big for a commit, and the merge of an index idle a while with many segments
or deletions into one, run in a process of their own beside the writer (changes go on being
applied meanwhile).

A process is *ready* (`readiness`, served at `/healthz`) once its searcher shows an index that
had applied the whole queue: until then a load balancer should send it nothing, and a search
page served anyway says that results may be incomplete.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlmodel import Session

from search_index import IndexStore, SearchEngine, WriterBusy

from . import taxonomies
from .db import sql_engine
from .services import indexing

if TYPE_CHECKING:
    from subprocess import Popen  # nosec B404  # a type only (merges start in merge_worker)

log = logging.getLogger(__name__)
_EXTENSION = "locator.search"
_READY = "locator.search_ready"
OPTIMIZE_ABOVE_SEGMENTS = 4  # an idle index with more segments than this is merged into one
OPTIMIZE_ABOVE_DELETED = 0.1  # ... or with this share of its documents deleted but kept
HEARTBEAT_SECONDS = 30.0  # how often a node registers its cursor and prunes the queue


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = None  # opened on first use: `locator init-db` needs no index
    app.extensions[_READY] = threading.Event()
    if app.config["INDEX_WORKER"]:
        start(app)


def store(app: Flask | None = None) -> IndexStore:
    app = app or current_app
    return IndexStore(app.config["INDEX_DIR"])


def node_name(app: Flask | None = None) -> str:
    """This node's name in the registry of index cursors."""
    app = app or current_app
    return app.config["NODE_NAME"] or f"{socket.gethostname()}:{app.config['INDEX_DIR']}"


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
        seen = indexing.drain(session, store(app), node=node_name(app))
        get_search(app).refresh()
        _check_ready(app, session)
    return seen


def is_ready(app: Flask | None = None) -> bool:
    """Whether this process's searcher has shown a caught-up index since it started."""
    return (app or current_app).extensions[_READY].is_set()


def _check_ready(app: Flask, session: Session) -> None:
    if not is_ready(app):
        search = get_search(app)
        if indexing.backlog(session, store(app)).changes == 0:
            search.refresh()
            if search.is_current():
                app.extensions[_READY].set()


def _apply_queue(app: Flask) -> None:
    """The index worker: a pass over the queue every `INDEX_POLL_SECONDS`, for the process's
    lifetime (a daemon thread, so it ends with the process). The first pass runs at once.
    Every `HEARTBEAT_SECONDS` it also registers the node's cursor and prunes the queue."""
    interval = app.config["INDEX_POLL_SECONDS"]
    index = store(app)
    idle_since = time.monotonic()
    beat_at = 0.0
    while True:
        try:
            with Session(sql_engine(app)) as session:
                try:
                    # After each commit, a tier merge it left as too big starts beside it.
                    if indexing.drain(session, index, blocking=False, node=node_name(app),
                                      progress=lambda applied: applied and _start_merge(index)):
                        idle_since = time.monotonic()
                except WriterBusy:  # another process on this node is writing
                    idle_since = time.monotonic()
                _check_ready(app, session)
                if time.monotonic() - beat_at > HEARTBEAT_SECONDS:
                    _heartbeat(app, session)
                    beat_at = time.monotonic()
            if time.monotonic() - idle_since > app.config["INDEX_OPTIMIZE_IDLE_SECONDS"]:
                _optimize_if_fragmented(index)
                idle_since = time.monotonic()
        except Exception:  # the queue keeps the work: the next pass retries it
            log.exception("index worker pass failed; retrying")
        time.sleep(interval)


def _heartbeat(app: Flask, session: Session) -> None:
    node = node_name(app)
    if not indexing.heartbeat(session, store(app), node):
        log.warning("node %s was dropped from the index registry (unseen too long); "
                    "rebuilding its index", node)
        app.extensions[_READY].clear()
        try:
            indexing.rebuild(session, store(app), node=node)
        except WriterBusy:
            return  # a rebuild is already running on this node
    indexing.prune(session, timedelta(hours=app.config["NODE_EXPIRY_HOURS"]))


_merging: list[Popen] = []  # this process's last merge process


def _start_merge(index: IndexStore, *, optimize: bool = False) -> Popen | None:
    """Start the tier merge that commits left because it is too big, if one is due (or, with
    ``optimize``, an optimise) beside the writer in a process of its own, unless this process's
    last one is still running: merges take minutes at 100,000, and in a process of their own
    they slow neither this worker's requests nor its index worker, which goes on applying the
    queue (the merge holds the writer lock only at its start and for its swap)."""
    if _merging:
        status = _merging[0].poll()
        if status is None:
            return None
        if status:
            log.warning("the last merge beside the index writer failed (exit status %s); the "
                        "index is unchanged", status)
    _merging[:] = [process] if (process := index.start_merge(optimize=optimize)) else []
    return process


def _optimize_if_fragmented(index: IndexStore) -> Popen | None:
    segments, deleted = index.segment_stats()
    documents = index.doc_count()
    if segments > OPTIMIZE_ABOVE_SEGMENTS or deleted > OPTIMIZE_ABOVE_DELETED * max(documents, 1):
        log.info("merging an idle index of %d segments (%d deleted documents)", segments,
                 deleted)
        return _start_merge(index, optimize=True)
    return None


def readiness(app: Flask | None = None) -> tuple[bool, dict]:
    """Whether this process should get traffic, and why: the database answers, the index is
    built, this process has caught up since it started, and the queue lag is bounded."""
    app = app or current_app._get_current_object()
    report: dict = {"database": "ok", "index": "ok", "caught_up": is_ready(app)}
    index = store(app)
    if index.applied_through() is None:
        report["index"] = "not built yet"
    report["documents"] = get_search(app).doc_count()
    try:
        with Session(sql_engine(app)) as session:
            lag = indexing.backlog(session, index)
        report["queue_lag"] = {"changes": lag.changes, "seconds": round(lag.seconds, 1)}
        lagging = lag.seconds > app.config["INDEX_MAX_LAG_SECONDS"]
    except Exception as error:  # unreachable, timed out, refused: all mean "send no traffic"
        report["database"] = f"unreachable ({type(error).__name__})"
        lagging = False
    ready = (report["database"] == "ok" and report["index"] == "ok"
             and report["caught_up"] and not lagging)
    report["status"] = "ready" if ready else "not ready"
    return ready, report
