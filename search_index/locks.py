"""File locks shared by the threads and processes of one node: the writer, a rebuild, a merge."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class WriterBusy(RuntimeError):
    """Another process or thread holds the writer (or rebuild, or merge) lock."""


@contextmanager
def file_lock(path: Path, *, blocking: bool, timeout: float) -> Iterator[None]:
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


def is_held(path: Path) -> bool:
    """Whether some thread or process holds the lock at ``path`` now."""
    try:
        with file_lock(path, blocking=False, timeout=0):
            return False
    except WriterBusy:
        return True

