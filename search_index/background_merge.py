"""Merging segments beside the writer: a merge that holds the writer lock for moments.

Through Whoosh's writer, a merge holds the index's writer lock throughout (an optimise: 235 s at
100,000 after a bulk load; a tier merge inside a bulk load's commit: up to 4 minutes): the node
applies no change meanwhile, so an edit made then is searchable minutes later. The store's
optimise, and tier merges too big for a commit (``store.big_tier_merge``), run as a
``BackgroundMerge`` instead:

1. ``start``: under the writer lock, notes the segments to merge (with their deletions) and
   lists their ids in the generation's ``.merging`` folder, where commits' tier merges see them
   and leave them alone (``merging_segments``);
2. ``write``: without the lock, merges them into one new segment in that folder (Whoosh's file
   clean-up ignores a dot-folder); commits go on meanwhile;
3. ``swap``: under the writer lock again, carries the deletions made meanwhile in the merged
   segments (replacing a document deletes its old copy) onto the new segment's numbers, moves
   its files in and commits the segment list with it in place of the segments it merged.

``IndexStore.start_merge`` runs one in a process of its own (:mod:`search_index.merge_worker`),
so a merge of minutes shares no interpreter lock with the commits and searches of the process that
asked for it. A listing counts only while its merge holds ``merge.lock``: a killed merge's
folder is ignored, then removed by the next merge, and its files were never in the index's
segment list. If the generation was switched meanwhile (a rebuild), ``swap`` gives up and
changes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.reading import SegmentReader

from .locks import file_lock, is_held
from .segment_merge import StoreWriter

MERGING = ".merging"  # in a generation's folder
_LISTED = "segments.json"


def merging_segments(folder: Path) -> set[str]:
    """Ids of the segments that a running merge beside the writer is merging in the generation
    at ``folder`` (none when no merge runs there)."""
    listed = folder / MERGING / _LISTED
    if not listed.exists() or not is_held(folder.parent / "merge.lock"):
        return set()
    try:
        return set(json.loads(listed.read_text(encoding="utf-8")))
    except (OSError, ValueError):  # removed or being written by a merge just now
        return set()


def all_worth_merging(segments: list) -> list:
    """Every segment (an optimise), unless there is one without deletions: nothing to gain."""
    if len(segments) < 2 and not any(seg.has_deletions() for seg in segments):
        return []
    return segments


class BackgroundMerge:
    """One merge of some of the live generation's segments into one, beside the writer:
    ``choose(segments)`` says which (none: nothing to do; by default, all). Use as a context
    manager (it holds ``merge.lock`` and removes its working folder on leaving) and call
    ``start``, then ``write`` and ``swap`` if ``start`` found something to merge."""

    def __init__(self, store, choose: Callable[[list], list] = all_worth_merging):
        self.store = store
        self._choose = choose
        self._held = ExitStack()
        self.folder: Path | None = None
        self._segments: list = []  # as they were at the start, with their deletions then
        self._schema = None
        self._storage = None  # the live generation's files
        self._merged = None  # the new segment, once written
        self._renumbered: dict = {}

    def __enter__(self) -> BackgroundMerge:
        return self

    def __exit__(self, *exc) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder / MERGING, ignore_errors=True)
        self._held.close()

    def _write_lock(self, blocking: bool = True):
        return file_lock(self.store.base / "write.lock", blocking=blocking,
                         timeout=self.store.lock_timeout)

    def start(self, *, blocking: bool = True) -> bool:
        """Note the segments to merge; False when ``choose`` picks none. ``WriterBusy`` if
        another merge runs on this index or, with ``blocking`` off, a writer is busy."""
        self._held.enter_context(file_lock(self.store.base / "merge.lock", blocking=False,
                                           timeout=0))
        with self._write_lock(blocking):
            folder = self.store.base / self.store.current_generation()
            ix = whoosh_index.open_dir(folder)
            try:
                segments, self._schema = self._choose(ix._segments()), ix.schema
                self._storage = ix.storage
            finally:
                ix.close()
            if not segments:
                return False
            self.folder, self._segments = folder, segments
            work = folder / MERGING
            shutil.rmtree(work, ignore_errors=True)  # a killed merge's leftovers
            work.mkdir()
            (work / _LISTED).write_text(json.dumps([s.segment_id() for s in segments]),
                                        encoding="utf-8")
        return True

    def write(self) -> None:
        """Merge the noted segments into a new one in the working folder (no lock held)."""
        work = self.folder / MERGING
        whoosh_index.create_in(work, self._schema)
        ix = whoosh_index.open_dir(work)
        try:
            writer = StoreWriter(ix)
            try:
                for segment in self._segments:
                    reader = SegmentReader(self._storage, self._schema, segment)
                    try:
                        writer.add_reader(reader)
                    finally:
                        reader.close()
            except BaseException:
                writer.cancel()
                raise
            self._renumbered = writer.renumbered()
            writer.commit(merge=False)
            self._merged = writer.get_segment()  # the segment that commit listed
        finally:
            ix.close()

    def swap(self) -> bool:
        """Put the merged segment in place of the segments it merged; False (nothing changed)
        if the generation was switched or a segment merged meanwhile is gone."""
        with self._write_lock():
            if self.store.current_generation() != self.folder.name:
                return False
            ix = whoosh_index.open_dir(self.folder)
            try:
                now = {s.segment_id(): s for s in ix._segments()}
                if any(s.segment_id() not in now for s in self._segments):
                    return False
                for segment in self._segments:
                    renumber = self._renumbered[segment.segment_id()]
                    meanwhile = (set(now[segment.segment_id()].deleted_docs())
                                 - set(segment.deleted_docs()))
                    for docnum in sorted(meanwhile):
                        self._merged.delete_document(int(renumber[docnum]))
                prefix = f"{self._merged.segment_id()}."  # e.g. MAIN_<random id>.trm
                for path in (self.folder / MERGING).iterdir():
                    if path.name.startswith(prefix):
                        os.replace(path, self.folder / path.name)
                merged_ids = set(self._renumbered)

                def replace(writer, segments):
                    return [self._merged] + [s for s in segments
                                             if s.segment_id() not in merged_ids]
                StoreWriter(ix, timeout=self.store.lock_timeout).commit(mergetype=replace)
            finally:
                ix.close()
        return True

