"""Writing a whole index at once (a rebuild): documents into segments held in memory
(:class:`~search_index.writer_codec.TermPool`), in this process or in indexing processes that
each write segments of their own, committed together as one generation.

Whoosh's multiprocessing writer does the same, but its processes use Whoosh's own posting pool,
which spills sorted runs to disk and merges them back in Python: at 100,000 profiles most of a
build went on that. A segment ends when its postings reach the memory budget, so a build's
memory is bounded whatever its size, at the price of a few more segments.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from .schema import to_whoosh
from .writer_codec import TermPool, WriterCodec

BUILD_MEMORY_MB = 1024  # a build's default memory budget a process; see write_all
BYTES_A_POSTING = 110  # a TermPool's posting (~60) and its sidecar arrays at the commit
JOB_DOCUMENTS = 250  # documents sent to an indexing process at a time
_POLL = 1.0  # seconds between checks that the indexing processes are alive


class IndexingFailed(RuntimeError):
    """An indexing process failed or died; nothing of the build is committed."""


def write_all(folder, docs: Iterable[dict], *, procs: int = 1, limitmb: int = BUILD_MEMORY_MB,
              progress: Callable[[int], None] | None = None) -> int:
    """Index ``docs`` into the (new, empty) index in ``folder`` in one commit; returns how many.
    ``progress(count)`` every 1,000 documents. ``procs > 1`` forks indexing processes, which
    die with this one: the caller makes sure no other thread runs here (see ``Building.fill``).
    ``limitmb``: the memory a process's segment in the making may take."""
    ix = whoosh_index.open_dir(folder)
    try:
        # This writer holds the index's lock and commits the segments; it writes none itself.
        writer = ix.writer(compound=False, codec=WriterCodec())
        try:
            budget = max(1, limitmb * 2**20 // BYTES_A_POSTING)
            counted = _Counter(progress)
            if procs > 1:
                segments = _in_processes(folder, docs, procs, budget, counted)
            else:
                segments = _write_segments(ix, counted.each(docs), budget)
        except BaseException:
            writer.cancel()
            raise
        writer._close_segment()
        writer._commit_toc(writer.segments + segments)
        writer._finish()
        return counted.count
    finally:
        ix.close()


class _Counter:
    def __init__(self, progress: Callable[[int], None] | None):
        self.progress = progress
        self.count = 0

    def add(self, n: int) -> None:
        before, self.count = self.count, self.count + n
        if self.progress and before // 1000 != self.count // 1000:
            self.progress(self.count // 1000 * 1000)

    def each(self, docs: Iterable[dict]) -> Iterator[dict]:
        for doc in docs:
            yield doc
            self.add(1)


def _write_segments(ix, docs: Iterable[dict], budget: int) -> list:
    """Segments holding ``docs``, a new one begun whenever one's postings reach ``budget``."""
    segments, writer = [], None
    try:
        for doc in docs:
            if writer is None:
                writer = SegmentWriter(ix, _lk=False, compound=False, codec=WriterCodec())
                writer.pool = TermPool()
            writer.add_document(**to_whoosh(doc))
            if writer.pool.postings >= budget:
                segments.append(_finish(writer))
                writer = None
    except BaseException:
        if writer is not None:
            writer._close_segment()  # not cancel(): that deletes the shared temporary folder
        raise
    if writer is not None:
        segments.append(_finish(writer))
    return segments


def _finish(writer: SegmentWriter):
    """The segment's files and sidecar, written but in no TOC until the commit. (The writer's
    ``_finish`` would delete the temporary folder every writer of the index shares.)"""
    return writer._finalize_segment()


def _in_processes(folder, docs: Iterable[dict], procs: int, budget: int,
                  counted: _Counter) -> list:
    context = multiprocessing.get_context("fork")
    jobs, results = context.Queue(procs * 4), context.Queue()
    children = [context.Process(target=_index_in_child, args=(folder, jobs, results, budget),
                                daemon=True) for _ in range(procs)]
    for child in children:
        child.start()
    try:
        iterator = iter(docs)
        while batch := list(islice(iterator, JOB_DOCUMENTS)):
            _put(jobs, batch, children)
            counted.add(len(batch))
        for _ in children:
            _put(jobs, None, children)
        segments = []
        for _ in children:
            outcome = _get(results, children)
            if isinstance(outcome, str):
                raise IndexingFailed(f"an indexing process failed:\n{outcome}")
            segments.extend(outcome)
        for child in children:
            child.join()
        return segments
    except BaseException:
        # What the queue has not yet passed to the children is dropped: otherwise its feeder
        # thread, blocked on a pipe nobody reads, kept the process from ever exiting.
        jobs.cancel_join_thread()
        for child in children:
            child.kill()
            child.join()
        raise


def _put(jobs, item, children) -> None:
    while True:
        try:
            jobs.put(item, timeout=_POLL)
            return
        except queue.Full:
            _check(children)


def _get(results, children):
    while True:
        try:
            return results.get(timeout=_POLL)
        except queue.Empty:
            _check(children)


def _check(children) -> None:
    dead = [c.exitcode for c in children if c.exitcode not in (None, 0)]
    if dead:
        raise IndexingFailed(f"an indexing process died (exit code {dead[0]})")


def _index_in_child(folder, jobs, results, budget: int) -> None:
    """An indexing process: documents from ``jobs`` until None, then its segments (or the
    traceback of what went wrong) on ``results``."""
    _die_with_parent()
    try:
        ix = whoosh_index.open_dir(folder)
        segments = _write_segments(ix, _jobs(jobs), budget)
        ix.close()
    except Exception:  # reported to the parent, which raises it
        results.put(traceback.format_exc())
        return
    results.put(segments)


def _jobs(jobs) -> Iterator[dict]:
    while (batch := jobs.get()) is not None:
        yield from batch


def _die_with_parent() -> None:
    """In an indexing process: be killed when the parent dies (Linux), so a killed rebuild
    leaves no processes behind."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
