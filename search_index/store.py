"""Index lifecycle: generations, the single writer, metadata and atomic rebuild.

Layout of a base directory::

    base/CURRENT            name of the live generation, replaced atomically
    base/write.lock         fcntl lock: one incremental writer (any process)
    base/rebuild.lock       fcntl lock: one full rebuild (any process)
    base/gen-000042/        a complete Whoosh index plus meta.json

Readers follow CURRENT; a rebuild fills a new generation while readers keep
serving the old one, then swaps CURRENT under the write lock. The previous
generation is kept (readers in other processes may still have it open) and
older ones are deleted.

Segments are written as separate files, never compound: Whoosh opens a
compound segment by copying it into memory (hundreds of MB per reader at
100,000 profiles, on every refresh).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import IndexWriter

from . import sidecar
from .schema import build_schema, to_whoosh

_GEN_RE = re.compile(r"^gen-(\d{6})$")
KEEP_GENERATIONS = 2

log = logging.getLogger(__name__)


class WriterBusy(RuntimeError):
    """Another process or thread holds the writer (or rebuild) lock."""


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


@contextmanager
def _file_lock(path: Path, *, blocking: bool, timeout: float) -> Iterator[None]:
    """An fcntl lock shared by threads and processes; ``WriterBusy`` if not got."""
    fh = open(path, "a+b")  # noqa: SIM115 - held for the lock's lifetime
    try:
        deadline = time.monotonic() + (timeout if blocking else 0)
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WriterBusy(f"{path.name} is held by another writer") from None
                time.sleep(0.02)
        yield
    finally:
        fh.close()  # releases the lock


class Batch:
    """Documents to add, replace or delete in one commit (see ``IndexStore.batch``)."""

    def __init__(self, writer: IndexWriter):
        self._writer = writer
        self.applied_through: int | None = None
        self.count = 0

    def upsert(self, doc: dict) -> None:
        self._writer.update_document(**to_whoosh(doc))
        self.count += 1

    def delete(self, doc_id: str) -> None:
        self._writer.delete_by_term("id", str(doc_id))
        self.count += 1


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
        with _file_lock(self.base / "write.lock", blocking=True, timeout=self.lock_timeout):
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

    # Metadata (e.g. the last DB queue id applied to this generation)

    def read_meta(self, generation: str | None = None) -> dict:
        path = self.base / (generation or self.current_generation()) / "meta.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def write_meta(self, meta: dict, generation: str | None = None) -> None:
        gen = generation or self.current_generation()
        _atomic_write(self.base / gen / "meta.json", json.dumps(meta, sort_keys=True))

    def applied_through(self) -> int | None:
        return self.read_meta().get("applied_through")

    # Incremental writes

    @contextmanager
    def batch(self, *, blocking: bool = True) -> Iterator[Batch]:
        """Hold the writer for one commit on the live generation.

        ``blocking=False`` raises ``WriterBusy`` at once if another writer is active
        (the "try to become the writer" option); otherwise waits ``lock_timeout``.
        Commits with ``merge=False`` so the change is visible after a refresh in
        milliseconds; call ``optimize()`` off the request path to merge segments.
        Meta is written after the commit, so a crash only means replaying a batch.
        """
        self.current_generation()  # creates an empty index first if need be
        with _file_lock(self.base / "write.lock", blocking=blocking, timeout=self.lock_timeout):
            gen = self._read_current()  # a rebuild may have switched it while we waited
            ix = self.open_index(gen)
            try:
                writer = ix.writer(timeout=self.lock_timeout, compound=False)
                batch = Batch(writer)
                try:
                    yield batch
                except BaseException:
                    writer.cancel()
                    raise
                writer.commit(merge=False)
                if batch.applied_through is not None:
                    meta = {**self.read_meta(gen), "applied_through": batch.applied_through}
                    self.write_meta(meta, gen)
            finally:
                ix.close()
        self._write_sidecars(gen)

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

    def optimize(self) -> None:
        """Merge all segments into one (slow; run off the request path)."""
        self.current_generation()
        with _file_lock(self.base / "write.lock", blocking=True, timeout=self.lock_timeout):
            ix = self.open_index(self._read_current())
            try:
                ix.writer(timeout=self.lock_timeout, compound=False).commit(optimize=True)
            finally:
                ix.close()
        self._write_sidecars(self._read_current())

    # Full rebuild

    def rebuild(
        self,
        docs: Iterable[dict],
        *,
        applied_through: int | None = None,
        progress: Callable[[int], None] | None = None,
        procs: int = 1,
        limitmb: int = 256,
    ) -> str:
        """Build a complete new generation from ``docs``, then switch CURRENT to it.

        Readers keep serving the old generation and pick the new one up on their
        next refresh. ``progress(count)`` is called every 1,000 documents and at
        the end. ``procs > 1`` indexes in parallel processes (segments are left
        unmerged, which the search engine handles well). Returns the new
        generation's name. Raises ``WriterBusy`` if a rebuild is already running.
        """
        with _file_lock(self.base / "rebuild.lock", blocking=False, timeout=0):
            self.current_generation()  # make sure a base exists to fall back on
            gen = self._new_generation()
            try:
                ix = whoosh_index.create_in(self.base / gen, build_schema())
                options = {"limitmb": limitmb, "compound": False}
                if procs > 1:
                    options.update(procs=procs, multisegment=True)
                writer = ix.writer(**options)
                count = 0
                try:
                    for doc in docs:
                        writer.add_document(**to_whoosh(doc))
                        count += 1
                        if progress and count % 1000 == 0:
                            progress(count)
                except BaseException:
                    writer.cancel()
                    raise
                writer.commit()
                ix.close()
                if progress:
                    progress(count)
                self._write_sidecars(gen, procs)
                self.write_meta({"applied_through": applied_through, "built_docs": count}, gen)
                with _file_lock(self.base / "write.lock", blocking=True, timeout=self.lock_timeout):
                    _atomic_write(self.base / "CURRENT", gen)
            except BaseException:
                shutil.rmtree(self.base / gen, ignore_errors=True)
                raise
            self._remove_old_generations(keep=gen)
            return gen

    def _write_sidecars(self, gen: str, procs: int = 1) -> None:
        """Decode new segments into their sidecars now, outside the write lock, so searchers
        (which would otherwise write them on refresh) find them ready."""
        if not sidecar.enabled():
            return
        try:
            sidecar.ensure_index(self.base / gen, procs)
        except OSError:  # a concurrent commit merged a segment away; searchers write any missing
            log.debug("sidecars of %s skipped", gen, exc_info=True)

    def _remove_old_generations(self, keep: str) -> None:
        gens = [g for g in self._generations() if g <= keep]
        for old in gens[:-KEEP_GENERATIONS]:
            shutil.rmtree(self.base / old, ignore_errors=True)
