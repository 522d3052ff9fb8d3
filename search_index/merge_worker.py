"""The process a merge beside the writer runs in (``IndexStore.start_merge``):

    python -m search_index.merge_worker BASE [SEGMENT_ID ...]

merges the named segments of the live generation at BASE (those still there), or all of them
(an optimise) when none is named. A merge of minutes in a process of its own shares no
interpreter lock with the commits and searches of the process that started it. Exit status 0
when merged, when there was nothing to merge, when another merge was running (it gives way at
once) or when the writer stayed busy for the store's lock timeout; 1, with the traceback on
stderr, when it failed (the index is unchanged).
"""

from __future__ import annotations

import subprocess  # nosec B404  # starts this module: a fixed argument list, no shell
import sys
import traceback
from pathlib import Path


def spawn(base: Path, segment_ids: list[str] | None) -> subprocess.Popen:
    """Start the process; the caller reaps it (``poll`` or ``wait``)."""
    command = [sys.executable, "-m", __name__, str(base), *(segment_ids or [])]
    return subprocess.Popen(command, stdin=subprocess.DEVNULL)  # nosec B603  # no shell; see above


def main(argv: list[str]) -> int:
    from search_index import IndexStore, WriterBusy

    base, *named = argv
    try:  # waits for the writer up to the lock timeout: a bulk load's commits run back to back
        IndexStore(base).merge_segments(named or None)
    except WriterBusy:
        return 0
    except Exception:
        traceback.print_exc()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
