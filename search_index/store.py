"""Index lifecycle: generations, the single writer, merging, metadata and atomic rebuild.

Layout of a base directory::

    base/CURRENT            name of the live generation, replaced atomically
    base/PREVIOUS           the generation CURRENT named before the last switch
    base/write.lock         fcntl lock: one incremental writer on the live generation (any process)
    base/rebuild.lock       fcntl lock: one generation being built (any process)
    base/merge.lock         fcntl lock: one merge beside the writer (``optimize``)
    base/gen-000042/        a complete Whoosh index plus meta.json

Readers follow CURRENT. A rebuild fills a new generation without the write lock, so the live
generation keeps taking changes meanwhile; it then applies changes to the new generation itself
and swaps CURRENT under the write lock. The previous generation is kept (readers in other
processes may still have it open); any other generation is a leftover (a rebuild that was killed)
and is deleted, never switched to.

Segments are written as separate files, never compound: Whoosh opens a
compound segment by copying it into memory (hundreds of MB per reader at
100,000 profiles, on every refresh).
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from whoosh import index as whoosh_index
from whoosh.reading import SegmentReader
from whoosh.writing import IndexWriter

from . import bulk_writer
from .background_merge import BackgroundMerge, all_worth_merging, merging_segments
from .locks import file_lock
from .schema import build_schema, to_whoosh
from .segment_merge import StoreWriter

if TYPE_CHECKING:
    from subprocess import Popen  # nosec B404  # a type only (merges start in merge_worker)

_GEN_RE = re.compile(r"^gen-(\d{6})$")
MERGE_FACTOR = 8  # segments of one size tier merged into one: at most 7 a tier, ~6 tiers at 100k
# A tier merge of more live documents than this runs beside the writer (``merge_beside``), not
# inside a commit: during a bulk load such merges held a node's writer for minutes. Below it,
# a commit's merge is at most a few of a bulk load's 2,000-document commits.
BESIDE_ABOVE = 8_000


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _tier_plan(segments) -> tuple[list, list]:
    """(segments to merge, segments to keep) by the tiers: segments are grouped by live size
    (tier k holds 8**k to 8**(k+1) documents); the lowest tier holding ``MERGE_FACTOR`` segments
    is merged with every smaller segment. Empty segments are always dropped (merged)."""
    tiers: dict[int, list] = {}
    for seg in segments:
        live = seg.doc_count()
        tiers.setdefault(-1 if live == 0 else int(math.log(live, MERGE_FACTOR)), []).append(seg)
    full = [tier for tier, group in tiers.items() if tier >= 0 and len(group) >= MERGE_FACTOR]
    upto = min(full) if full else -1
    merge = [seg for tier, group in tiers.items() if tier <= upto for seg in group]
    keep = [seg for tier, group in tiers.items() if tier > upto for seg in group]
    return merge, keep


def _too_big(merge: list) -> bool:
    return sum(seg.doc_count() for seg in merge) > BESIDE_ABOVE


def big_tier_merge(segments) -> list:
    """The tier merge due among ``segments`` if it is too big to run inside a commit (over
    ``BESIDE_ABOVE`` live documents), else none: ``IndexStore.merge_beside`` runs it."""
    merge, _ = _tier_plan(segments)
    return merge if _too_big(merge) else []


def tiered_merge(writer, segments):
    """Whoosh merge policy (``commit(mergetype=...)``): the tier merge due (``_tier_plan``) is
    merged into the segment being committed, unless it is too big (``big_tier_merge``): then
    the commit merges nothing and the merge is left to run beside the writer.

    Single edits make one tiny segment each, so merges are mostly of a few small segments (a
    few ms); each document is rewritten about once a tier. Whoosh's own MERGE_SMALL lets the
    count grow with the index (a fibonacci bound on sizes). Segments being merged beside the
    writer are left as they are."""
    folder = getattr(writer.storage, "folder", None)
    merging = merging_segments(Path(folder)) if folder else set()
    busy = [seg for seg in segments if seg.segment_id() in merging]
    merge, keep = _tier_plan([seg for seg in segments if seg.segment_id() not in merging])
    if _too_big(merge):
        return busy + merge + keep
    for seg in merge:
        reader = SegmentReader(writer.storage, writer.schema, seg)
        writer.add_reader(reader)
        reader.close()
    return busy + keep


class Batch:
    """Documents to add, replace or delete in one commit (see ``IndexStore.batch``).

    ``meta`` is the generation's metadata as read under the lock; changes to it are written
    after the commit, so a crash between the two only means replaying the batch. The Whoosh
    writer is opened on the first change: a batch with nothing to write commits nothing."""

    def __init__(self, ix, lock_timeout: float, meta: dict):
        self._ix = ix
        self._lock_timeout = lock_timeout
        self._writer: IndexWriter | None = None
        self._searcher = None
        self.meta = meta
        self.count = 0

    @property
    def applied_through(self) -> int | None:
        return self.meta.get("applied_through")

    @applied_through.setter
    def applied_through(self, value: int | None) -> None:
        if value is not None:
            self.meta["applied_through"] = value

    def _delete_existing(self, doc_id: str) -> IndexWriter:
        # One searcher for the whole batch: Whoosh's update_document opens a reader over every
        # segment for each document, which made a batch of 5,000 take minutes.
        if self._writer is None:
            self._writer = StoreWriter(self._ix, timeout=self._lock_timeout)
            self._searcher = self._writer.searcher()
        self._writer.delete_by_term("id", doc_id, searcher=self._searcher)
        self.count += 1
        return self._writer

    def upsert(self, doc: dict) -> None:
        self._delete_existing(str(doc["id"])).add_document(**to_whoosh(doc))

    def delete(self, doc_id: str) -> None:
        self._delete_existing(str(doc_id))

    def _finish(self, commit: bool) -> None:
        if self._writer is None:
            return
        self._searcher.close()
        if commit:
            self._writer.commit(mergetype=tiered_merge)
        else:
            self._writer.cancel()


def _read_meta(folder: Path) -> dict:
    try:
        return json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def _write_meta(folder: Path, meta: dict) -> None:
    _atomic_write(folder / "meta.json", json.dumps(meta, sort_keys=True))


@contextmanager
def _commit(folder: Path, lock_timeout: float) -> Iterator[Batch]:
    """One writer commit on the index in ``folder``, tiered merge included; the caller holds
    the lock that makes it the only writer there."""
    ix = whoosh_index.open_dir(folder)
    try:
        meta = _read_meta(folder)
        batch = Batch(ix, lock_timeout, dict(meta))
        try:
            yield batch
        except BaseException:
            batch._finish(commit=False)
            raise
        batch._finish(commit=True)
        if batch.meta != meta:
            _write_meta(folder, batch.meta)
    finally:
        ix.close()


class Building:
    """A generation being built beside the live one (``IndexStore.building``): fill it, apply
    queued changes to it with ``batch`` as to the live index, then ``switch`` to it."""

    def __init__(self, store: IndexStore, name: str):
        self.store = store
        self.name = name
        self.folder = store.base / name
        self.base = self.folder  # where per-target state is keyed (see locator's indexing)
        whoosh_index.create_in(self.folder, build_schema())

    def fill(
        self,
        docs: Iterable[dict],
        *,
        progress: Callable[[int], None] | None = None,
        procs: int = 1,
        limitmb: int = bulk_writer.BUILD_MEMORY_MB,
    ) -> int:
        """Add ``docs`` in one commit (:mod:`search_index.bulk_writer`). ``progress(count)``
        every 1,000 documents and at the end. ``procs > 1`` indexes in child processes, which
        die with this one, but only in a process running no other thread: a forked child
        inherits every lock as it was, and one that another thread held at the fork stays held
        in the child for ever. A web worker's index thread, forking beside its request and
        refresh threads, hung about one first build in six that way; there the build runs in
        this process. ``limitmb``: the memory each process's segment in the making may take
        before the process starts another segment."""
        procs = procs if threading.active_count() == 1 else 1  # see the docstring
        count = bulk_writer.write_all(self.folder, docs, procs=procs, limitmb=limitmb,
                                      progress=progress)
        if progress:
            progress(count)
        return count

    def read_meta(self) -> dict:
        return _read_meta(self.folder)

    def write_meta(self, meta: dict) -> None:
        _write_meta(self.folder, meta)

    def applied_through(self) -> int | None:
        return self.read_meta().get("applied_through")

    @contextmanager
    def batch(self, *, blocking: bool = True) -> Iterator[Batch]:
        """A commit on this generation: only its builder writes to it, under the rebuild lock."""
        with _commit(self.folder, self.store.lock_timeout) as batch:
            yield batch

    @contextmanager
    def switch(self) -> Iterator[None]:
        """Hold the live writer lock; on leaving, make this generation the live one. Changes
        applied to this generation inside the block leave it at least as current as the
        generation it replaces."""
        with file_lock(self.store.base / "write.lock", blocking=True,
                        timeout=self.store.lock_timeout):
            yield
            previous = self.store._read_current()
            _atomic_write(self.store.base / "PREVIOUS", previous)
            _atomic_write(self.store.base / "CURRENT", self.name)


class IndexStore:
    """A base directory holding index generations. Cheap to create; no state
    beyond the path, so each process (web worker, indexer, CLI) makes its own."""

    def __init__(self, base_dir: str | os.PathLike, *, lock_timeout: float = 30.0):
        self.base = Path(base_dir)
        self.lock_timeout = lock_timeout
        self.base.mkdir(parents=True, exist_ok=True)

    # Generations

    def _generations(self) -> list[str]:
        return sorted(p.name for p in self.base.iterdir() if _GEN_RE.match(p.name) and p.is_dir())

    def _read_current(self) -> str:
        return (self.base / "CURRENT").read_text(encoding="utf-8").strip()

    def current_generation(self) -> str:
        """The live generation, creating an empty index if the base holds none."""
        if (self.base / "CURRENT").exists():
            return self._read_current()
        with file_lock(self.base / "write.lock", blocking=True, timeout=self.lock_timeout):
            if not (self.base / "CURRENT").exists():
                gen = self._new_generation()
                whoosh_index.create_in(self.base / gen, build_schema())
                _atomic_write(self.base / "CURRENT", gen)
            return self._read_current()

    def _new_generation(self) -> str:
        gens = self._generations()
        number = int(_GEN_RE.match(gens[-1]).group(1)) + 1 if gens else 1
        name = f"gen-{number:06d}"
        (self.base / name).mkdir()
        return name

    def open_index(self, generation: str | None = None) -> whoosh_index.Index:
        return whoosh_index.open_dir(self.base / (generation or self.current_generation()))

    def doc_count(self) -> int:
        ix = self.open_index()
        try:
            return ix.doc_count()
        finally:
            ix.close()

    def segment_stats(self) -> tuple[int, int]:
        """(segments, deleted documents not yet merged away) of the live generation."""
        ix = self.open_index()
        try:
            segments = ix._segments()
            return len(segments), sum(seg.deleted_count() for seg in segments)
        finally:
            ix.close()

    # Metadata (e.g. the last DB queue id applied to this generation)

    def read_meta(self, generation: str | None = None) -> dict:
        return _read_meta(self.base / (generation or self.current_generation()))

    def write_meta(self, meta: dict, generation: str | None = None) -> None:
        _write_meta(self.base / (generation or self.current_generation()), meta)

    def applied_through(self) -> int | None:
        return self.read_meta().get("applied_through")

    # Incremental writes

    @contextmanager
    def batch(self, *, blocking: bool = True) -> Iterator[Batch]:
        """Hold the writer for one commit on the live generation.

        ``blocking=False`` raises ``WriterBusy`` at once if another writer is active
        (the "try to become the writer" option); otherwise waits ``lock_timeout``.
        The commit merges segments by ``tiered_merge``, so their number stays bounded
        while a single change is still visible after a refresh in milliseconds.
        """
        self.current_generation()  # creates an empty index first if need be
        with file_lock(self.base / "write.lock", blocking=blocking, timeout=self.lock_timeout):
            gen = self._read_current()  # a rebuild may have switched it while we waited
            with _commit(self.base / gen, self.lock_timeout) as batch:
                yield batch

    def upsert(self, docs: Iterable[dict], *, applied_through: int | None = None) -> int:
        with self.batch() as batch:
            for doc in docs:
                batch.upsert(doc)
            batch.applied_through = applied_through
            return batch.count

    def delete(self, ids: Iterable[str], *, applied_through: int | None = None) -> int:
        with self.batch() as batch:
            for doc_id in ids:
                batch.delete(doc_id)
            batch.applied_through = applied_through
            return batch.count

    def optimize(self, *, blocking: bool = True) -> bool:
        """Merge all segments into one, dropping deleted documents, beside the writer
        (:mod:`search_index.background_merge`): the writer lock is held at the start and for
        the swap at the end, not for the merge (minutes at 100,000), so changes go on being
        committed meanwhile. Returns whether the index changed. ``WriterBusy`` if another merge
        is running or, with ``blocking`` off, a writer is busy at the start."""
        return self._merge(all_worth_merging, blocking)

    def merge_due(self) -> bool:
        """Whether a tier merge too big for a commit is due (run ``merge_beside``)."""
        return bool(self._due_merge())

    def _due_merge(self) -> list:
        ix = self.open_index()
        try:
            return big_tier_merge(ix._segments())
        finally:
            ix.close()

    def merge_beside(self, *, blocking: bool = True) -> bool:
        """Run the tier merge that commits leave because it is too big (``big_tier_merge``),
        beside the writer as ``optimize`` does; False if none is due."""
        return self._merge(big_tier_merge, blocking)

    def start_merge(self, *, optimize: bool = False) -> Popen | None:
        """The merge ``merge_beside`` would run (or, with ``optimize``, an optimise) in a
        process of its own (:mod:`search_index.merge_worker`); None if no merge is due."""
        from .merge_worker import spawn  # not at import: the process runs it as __main__

        if optimize:
            return spawn(self.base, None)
        due = [seg.segment_id() for seg in self._due_merge()]
        return spawn(self.base, due) if due else None

    def merge_segments(self, segment_ids: list[str] | None, *, blocking: bool = True) -> bool:
        """Merge the named segments (those still live, if two or more), or optimise when
        ``segment_ids`` is None, beside the writer."""
        if segment_ids is None:
            return self.optimize(blocking=blocking)
        named = set(segment_ids)

        def choose(segments):
            chosen = [seg for seg in segments if seg.segment_id() in named]
            return chosen if len(chosen) > 1 else []
        return self._merge(choose, blocking)

    def _merge(self, choose: Callable[[list], list], blocking: bool) -> bool:
        self.current_generation()
        with BackgroundMerge(self, choose) as merge:
            if not merge.start(blocking=blocking):
                return False
            merge.write()
            return merge.swap()

    # Full rebuild

    @contextmanager
    def building(self) -> Iterator[Building]:
        """A new generation beside the live one, for one rebuild at a time (``WriterBusy`` if
        another is running). Leftovers of killed rebuilds are deleted first; if the block
        fails, its generation is deleted too. Nothing switches to it but ``Building.switch``."""
        with file_lock(self.base / "rebuild.lock", blocking=False, timeout=0):
            self.current_generation()  # make sure a base exists to fall back on
            self._remove_old_generations()
            building = Building(self, self._new_generation())
            try:
                yield building
            except BaseException:
                shutil.rmtree(building.folder, ignore_errors=True)
                raise
            self._remove_old_generations()

    def rebuild(
        self,
        docs: Iterable[dict],
        *,
        applied_through: int | None = None,
        progress: Callable[[int], None] | None = None,
        procs: int = 1,
        limitmb: int = bulk_writer.BUILD_MEMORY_MB,
    ) -> str:
        """Build a complete new generation from ``docs``, then switch CURRENT to it.

        Readers keep serving the old generation and pick the new one up on their
        next refresh. ``progress(count)`` is called every 1,000 documents and at
        the end. ``procs > 1`` indexes in parallel processes (segments are left
        unmerged, which the search engine handles well). Returns the new
        generation's name. Raises ``WriterBusy`` if a rebuild is already running.
        """
        with self.building() as building:
            count = building.fill(docs, progress=progress, procs=procs, limitmb=limitmb)
            building.write_meta({"applied_through": applied_through, "built_docs": count})
            with building.switch():
                pass
            return building.name

    def _remove_old_generations(self) -> None:
        """Keep the live generation and the one before it; anything else is done with or is a
        killed rebuild's leftover. Called under the rebuild lock, so no build is in progress."""
        keep = {self._read_current()}
        if (self.base / "PREVIOUS").exists():
            keep.add((self.base / "PREVIOUS").read_text(encoding="utf-8").strip())
        for gen in self._generations():
            if gen not in keep:
                shutil.rmtree(self.base / gen, ignore_errors=True)
