"""Posting sidecars: each segment's decoded postings, memory-mapped and shared by processes.

Decoding Whoosh's posting blocks (zlib + pickle) was 85–97 % of a query that meets a word for
the first time, and every worker paid it again into a cache of its own. A sidecar holds what
the engine reads of one segment (per-document columns, every term's sorted docnums and
frequencies, document frequencies, and a deletion index of the spelling field for "did you
mean") as flat arrays in one file beside the segment, ``MAIN_<segid>.sidecar``, so Whoosh's
own clean-up deletes it with its segment. Every process maps it read-only: N workers share one
copy through the page cache, and a cold term is a hash probe and two slices.

It is derived data. The header names what it was made from (format version, segment id,
document count, sizes of the segment's term and posting files); a sidecar that does not match,
or is not as long as it says, is rebuilt. It is written to a temporary file renamed into place,
so a crash mid-write never leaves a sidecar that is read. Positions (phrases) and stored fields
are still read from Whoosh, for candidate documents and the page shown only. Deletions are not
in it: the engine masks deleted documents, as it does for postings decoded from Whoosh.

Layout: magic, header length (8 bytes, little-endian), JSON header, 64-byte-aligned arrays.
"""

from __future__ import annotations

import fcntl
import json
import mmap
import os
import tempfile
import zlib
from bisect import bisect_left
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import W3Codec

from .schema import SPELL_FIELD
from .segments import (
    EMPTY,
    POS_SHIFT,
    Postings,
    all_terms,
    columns,
    decode_matcher,
    decode_with_positions,
    rows_in,
)

VERSION = 2
MAGIC = b"SLSIDE\r\n"
SUFFIX = ".sidecar"
ENV_SWITCH = "SEARCH_INDEX_SIDECARS"  # "0": decode postings from Whoosh in each process instead
MAX_EDITS = 2  # the most edits "did you mean" asks for
_ALIGN = 64


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "1") != "0"


class StaleSidecar(ValueError):
    """The file is not a complete sidecar of this segment."""


def _smallest(a: np.ndarray) -> np.ndarray:
    """Non-negative integers in the narrowest unsigned type that holds them."""
    return a.astype(np.min_scalar_type(int(a.max()) if len(a) else 0))


def _aligned(n: int) -> int:
    return -(-n // _ALIGN) * _ALIGN


def _hash(key: bytes) -> int:
    # Collisions only cost a comparison: every probe checks the term itself.
    return zlib.crc32(key) << 32 | zlib.adler32(key)


def _term_key(field: str, btext: bytes) -> bytes:
    return field.encode() + b"\0" + btext


def deletes(word: str, edits: int) -> set[str]:
    """``word`` with up to ``edits`` letters deleted: two words within k edits (Levenshtein)
    share one of their k-deletion variants (symmetric delete spelling correction)."""
    out = frontier = {word}
    for _ in range(edits):
        frontier = {w[:i] + w[i + 1:] for w in frontier for i in range(len(w))}
        out = out | frontier
    return out


def _spelling_keys(word: str, edits: int) -> list[int]:
    # The first letter is kept: suggestions share it (as Whoosh's terms_within(prefix=1)).
    return [_hash(f"{word[:1]}\0{v}".encode()) for v in deletes(word[1:], edits)]


def path_for(directory: Path, segment) -> Path:
    return Path(directory) / f"{segment.segment_id()}{SUFFIX}"


def fingerprint(directory: Path, segment) -> dict:
    sizes = [os.path.getsize(Path(directory) / segment.make_filename(ext))
             for ext in (W3Codec.TERMS_EXT, W3Codec.POSTS_EXT)]
    return {"version": VERSION, "segment": segment.segment_id(),
            "docs": segment.doc_count_all(), "bytes": sizes}


class Builder:
    """A segment's sidecar arrays, fed term by term in Whoosh's order (by field, then term
    bytes): from a written segment's postings (``_decoded``) or from the postings as the store's
    writer writes them (:mod:`search_index.writer_codec`), which need no decoding."""

    def __init__(self, schema):
        self._positions = {name for name, field in schema.items()
                           if field.format is not None and field.format.supports("positions")}
        self.fields: dict[str, list[int]] = {}
        self._keys: list[bytes] = []
        self._hashes: list[int] = []
        self._df: list[int] = []
        self._post_off = [0]
        self._ids: list[np.ndarray] = []
        self._tfs: list[np.ndarray] = []
        self._pos_counts: list[np.ndarray] = []
        self._positions_flat: list[np.ndarray] = []
        self._spelling: list[tuple[int, int]] = []

    def wants_postings(self, field: str) -> bool:
        """Only the spelling field's vocabulary and frequencies are read."""
        return field != SPELL_FIELD

    def wants_positions(self, field: str) -> bool:
        return field in self._positions

    def add(self, field: str, btext: bytes, df: int, postings: Postings | None = None,
            positions: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """One term: its document frequency and, where wanted, its postings and (count a
        posting, all in a row) positions."""
        t = len(self._keys)
        self.fields.setdefault(field, [t, t])[1] = t + 1
        self._keys.append(btext)
        self._hashes.append(_hash(_term_key(field, btext)))
        self._df.append(df)
        if not self.wants_postings(field):
            self._spelling.extend(
                (h, t) for h in _spelling_keys(btext.decode("utf-8"), MAX_EDITS))
            self._post_off.append(self._post_off[-1])
            return
        counts, flat = positions if positions is not None else (
            np.zeros(len(postings.ids), np.int64), None)
        if flat is not None:
            self._positions_flat.append(flat)
        self._pos_counts.append(counts)
        self._ids.append(postings.ids)
        self._tfs.append(postings.tf)
        self._post_off.append(self._post_off[-1] + len(postings.ids))

    def arrays(self, cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Every array of the sidecar, ``cols`` being the segment's per-document columns."""
        key_off = np.zeros(len(self._keys) + 1, np.int64)
        np.cumsum([len(k) for k in self._keys], out=key_off[1:])
        hashes_arr = np.asarray(self._hashes, np.uint64)
        order = np.argsort(hashes_arr, kind="stable")
        spell = np.asarray(self._spelling, np.uint64).reshape(-1, 2)
        spell = spell[np.argsort(spell[:, 0], kind="stable")]
        return {
            **cols,
            "key_off": key_off,
            "key_blob": np.frombuffer(b"".join(self._keys), np.uint8),
            "hash": hashes_arr[order],
            "hash_term": order.astype(np.int32),
            "df": np.asarray(self._df, np.int32),
            "post_off": np.asarray(self._post_off, np.int64),
            "ids": np.concatenate(self._ids) if self._ids else np.zeros(0, np.int32),
            "tf": np.concatenate(self._tfs) if self._tfs else np.zeros(0, np.float32),
            "pos_off": _smallest(np.concatenate([[0], *self._pos_counts]).cumsum()),
            "pos": _smallest(np.concatenate([np.zeros(0, np.int64), *self._positions_flat])),
            "spell_hash": np.ascontiguousarray(spell[:, 0]),
            "spell_term": spell[:, 1].astype(np.int32),
        }


def _decoded(reader) -> Builder:
    """A written segment's sidecar, its postings decoded from Whoosh's blocks."""
    builder = Builder(reader.schema)
    for field, btext, frequency, matcher in all_terms(reader):
        if not builder.wants_postings(field):
            builder.add(field, btext, frequency)
        elif builder.wants_positions(field):
            p, counts, flat = decode_with_positions(matcher())
            builder.add(field, btext, frequency, p, (counts, flat))
        else:
            builder.add(field, btext, frequency, decode_matcher(matcher()))
    return builder


def write(reader, directory: Path) -> Path:
    """Decode a segment once and write its sidecar."""
    return write_built(_decoded(reader), columns(reader), directory, reader.segment())


def write_built(builder: Builder, cols: dict[str, np.ndarray], directory: Path,
                segment) -> Path:
    """Write a segment's sidecar atomically (temporary file + rename)."""
    directory = Path(directory)
    arrays = builder.arrays(cols)
    layout, offset = {}, 0
    for name, a in arrays.items():
        layout[name] = [offset, a.dtype.str, list(a.shape)]
        offset += _aligned(a.nbytes)
    header = {"fingerprint": fingerprint(directory, segment), "fields": builder.fields,
              "arrays": layout, "data_bytes": offset}
    text = json.dumps(header).encode()
    start = _aligned(len(MAGIC) + 8 + len(text))
    path = path_for(directory, segment)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + len(text).to_bytes(8, "little") + text)
            for name, a in arrays.items():
                fh.seek(start + layout[name][0])
                fh.write(np.ascontiguousarray(a).tobytes())
            fh.truncate(start + offset)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # as Whoosh's own files: readable by workers run as other users
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class Sidecar:
    """A segment's sidecar, mapped read-only. Thread-safe: nothing in it changes."""

    def __init__(self, path: Path, expected: dict):
        with open(path, "rb") as fh:
            buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        if buf[:len(MAGIC)] != MAGIC:
            raise StaleSidecar(f"{path.name}: not a sidecar")
        length = int.from_bytes(buf[len(MAGIC):len(MAGIC) + 8], "little")
        header = json.loads(buf[len(MAGIC) + 8:len(MAGIC) + 8 + length])
        start = _aligned(len(MAGIC) + 8 + length)
        if header["fingerprint"] != expected or start + header["data_bytes"] != len(buf):
            raise StaleSidecar(f"{path.name}: made from another segment, or cut short")
        a = {name: np.frombuffer(buf, np.dtype(dtype), count=int(np.prod(shape)),
                                 offset=start + off).reshape(shape)
             for name, (off, dtype, shape) in header["arrays"].items()}
        self.fields = {f: range(lo, hi) for f, (lo, hi) in header["fields"].items()}
        self.columns = a
        self._key_off, self._key_blob = a["key_off"], a["key_blob"]
        self._hash, self._hash_term = a["hash"], a["hash_term"]
        self._df, self._post_off = a["df"], a["post_off"]
        self._ids, self._tf = a["ids"], a["tf"]
        self._pos_off, self._pos = a["pos_off"], a["pos"]
        self._spell_hash, self._spell_term = a["spell_hash"], a["spell_term"]

    def _term_bytes(self, t: int) -> bytes:
        return self._key_blob[self._key_off[t]:self._key_off[t + 1]].tobytes()

    def _find(self, field: str, text: str) -> int:
        """The term's ordinal, or -1."""
        span = self.fields.get(field)
        if span is None:
            return -1
        want = text.encode()
        h = np.uint64(_hash(_term_key(field, want)))
        i = int(np.searchsorted(self._hash, h))
        while i < len(self._hash) and self._hash[i] == h:
            t = int(self._hash_term[i])
            if t in span and self._term_bytes(t) == want:
                return t
            i += 1
        return -1

    def postings(self, field: str, text: str) -> Postings:
        t = self._find(field, text)
        if t < 0:
            return EMPTY
        a, b = self._post_off[t], self._post_off[t + 1]
        return Postings(self._ids[a:b], self._tf[a:b])

    def position_keys(self, field: str):
        """For :func:`segments.phrase_docs`: (doc << 21 | position - shift) of a token's
        positions in ``docs`` (sorted), gathered from the flat position array."""
        def keys(text: str, docs: np.ndarray, shift: int) -> np.ndarray:
            t = self._find(field, text)
            if t < 0:
                return np.zeros(0, np.int64)
            a, b = int(self._post_off[t]), int(self._post_off[t + 1])
            ids = self._ids[a:b]
            rows = a + rows_in(ids, docs)
            starts = self._pos_off[rows].astype(np.int64)
            counts = self._pos_off[rows + 1].astype(np.int64) - starts
            first = np.cumsum(counts) - counts
            at = np.arange(int(counts.sum())) + np.repeat(starts - first, counts)
            pos = self._pos[at].astype(np.int64) - shift
            doc = np.repeat(self._ids[rows].astype(np.int64), counts)
            keep = pos >= 0
            return (doc[keep] << POS_SHIFT) | pos[keep]
        return keys

    def doc_frequency(self, field: str, text: str) -> int:
        t = self._find(field, text)
        return int(self._df[t]) if t >= 0 else 0

    def terms(self, field: str) -> list[str]:
        return [self._term_bytes(t).decode("utf-8") for t in self.fields.get(field, ())]

    def prefix_terms(self, field: str, prefix: str, limit: int) -> list[tuple[str, int]]:
        """(term, document frequency) for the first ``limit`` terms starting with ``prefix``."""
        span = self.fields.get(field, range(0))
        want = prefix.encode()
        out = []
        for t in range(span.start + bisect_left(span, want, key=self._term_bytes), span.stop):
            term = self._term_bytes(t)
            if not term.startswith(want) or len(out) >= limit:
                break
            out.append((term.decode("utf-8"), int(self._df[t])))
        return out

    def spelling_candidates(self, word: str, maxdist: int) -> set[str]:
        """Spelling-field words sharing ``word``'s first letter that may lie within
        ``maxdist`` edits: a superset, for the caller to measure."""
        keys = np.asarray(_spelling_keys(word, maxdist), np.uint64)
        lo = np.searchsorted(self._spell_hash, keys, "left")
        hi = np.searchsorted(self._spell_hash, keys, "right")
        found = {int(t) for a, b in zip(lo, hi, strict=True) for t in self._spell_term[a:b]}
        return {self._term_bytes(t).decode("utf-8") for t in found}


def ensure(reader, directory: Path) -> Sidecar:
    """The segment's sidecar, written first if it is missing or stale. One process writes it
    (a lock on the segment's term file) while the others wait, then read the same file."""
    directory = Path(directory)
    segment = reader.segment()
    expected = fingerprint(directory, segment)
    path = path_for(directory, segment)
    try:
        return Sidecar(path, expected)
    except (FileNotFoundError, ValueError):  # none, or not a whole one
        pass
    with open(directory / segment.make_filename(W3Codec.TERMS_EXT), "rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return Sidecar(path, expected)
        except (FileNotFoundError, ValueError):  # none, or not a whole one
            write(reader, directory)
            return Sidecar(path, expected)
