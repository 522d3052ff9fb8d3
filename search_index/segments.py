"""Bulk decoding of one Whoosh segment into numpy arrays.

This is the only module that touches Whoosh 2.7.4 internals (the W3 codec's
posting blocks and fixed-width columns). Walking postings through Whoosh's
matcher API costs about 4 µs a posting; decoding a whole 128-posting block at
once (zlib + pickle + cumsum) is ~50x faster, which is what makes the
vectorised engine possible. Segments are immutable apart from deletions, so
everything decoded here is cached by segment id and survives refreshes.

The blocks are pickles, as Whoosh writes and reads them itself: they come only from this node's
own index directory, written by its own indexer, never from a request (bandit's pickle warnings
are marked `nosec` here for that reason; SECURITY.md lists them).
"""

from __future__ import annotations

import zlib
from pickle import loads  # nosec B403  # Whoosh's own posting blocks (see above)

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length

from .facets import FACETS
from .schema import TEXT_BOOSTS, facet_field

_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)
NAME_KEY_BYTES = 48
_POS_SHIFT = 21  # (doc << 21 | position) keys; documents have far fewer than 2M tokens


class Postings:
    """One term's postings in one segment: sorted local docnums and term frequencies."""

    __slots__ = ("ids", "tf", "nbytes")

    def __init__(self, ids: np.ndarray, tf: np.ndarray):
        self.ids, self.tf = ids, tf
        self.nbytes = ids.nbytes + tf.nbytes


EMPTY = Postings(np.zeros(0, np.int32), np.zeros(0, np.float32))


def decode_postings(reader: SegmentReader, field: str, text: str) -> Postings:
    if (field, text) not in reader:
        return EMPTY
    m = _raw_matcher(reader, field, text)
    if not isinstance(m, W3LeafMatcher):  # inlined postings: tiny, use the API
        return _decode_slowly(m)
    ids, tfs = [], []
    while True:
        raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
        data = loads(zlib.decompress(raw) if m._compression else raw)  # nosec B301
        n = m._blocklength
        ids.append(np.cumsum(np.asarray(data[0], dtype=np.int64)))
        w = data[1]
        tfs.append(np.full(n, 1.0 if w is None else w, np.float32) if not isinstance(w, tuple)
                   else np.asarray(w, np.float32))
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    return Postings(np.concatenate(ids).astype(np.int32), np.concatenate(tfs))


def _raw_matcher(reader: SegmentReader, field: str, text: str):
    # The raw matcher: deletions are applied by the engine's alive mask, so the
    # decoded arrays stay valid while a segment collects deletions.
    return reader._terms.matcher(field, reader._text_to_bytes(field, text),
                                 reader.schema[field].format)


def _position_keys(reader: SegmentReader, field: str, text: str, docs: np.ndarray,
                   shift: int) -> np.ndarray:
    """(doc << 21 | position - shift) for ``text`` in the sorted ``docs`` only.

    Positions cost a pickle per posting (Whoosh's Positions format), so blocks
    without a wanted document are skipped unread and only wanted rows decoded.
    """
    m = _raw_matcher(reader, field, text)
    keys: list[int] = []
    if not isinstance(m, W3LeafMatcher):
        while m.is_active():
            if m.id() in docs:
                keys.extend((m.id() << _POS_SHIFT) | (p - shift)
                            for p in m.value_as("positions") if p >= shift)
            m.next()
        return np.unique(np.asarray(keys, np.int64))
    low = 0
    while True:
        lo, hi = np.searchsorted(docs, [low, m._maxid + 1])
        if hi > lo:
            raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
            data = loads(zlib.decompress(raw) if m._compression else raw)  # nosec B301
            ids = np.cumsum(np.asarray(data[0], dtype=np.int64))
            for row in np.flatnonzero(np.isin(ids, docs[lo:hi], assume_unique=True)):
                value = data[2][row]
                pos = 0
                doc = int(ids[row]) << _POS_SHIFT
                pickled = value[4:] if value.endswith(b".") else value[4:] + b"."
                for delta in loads(pickled):  # nosec B301
                    pos += delta
                    if pos >= shift:
                        keys.append(doc | (pos - shift))
        if m._lastblock:
            break
        low = m._maxid + 1
        m._goto(m._nextoffset)
    return np.asarray(keys, np.int64)


def phrase_docs(reader: SegmentReader, field: str, tokens: tuple[str, ...],
                candidates: np.ndarray) -> np.ndarray:
    """Local docnums among ``candidates`` (documents holding every token) where
    the tokens occur at consecutive positions."""
    keys = None
    for i, token in enumerate(tokens):
        if keys is not None and not len(keys):
            break
        found = _position_keys(reader, field, token, candidates, i)
        keys = found if keys is None else np.intersect1d(keys, found, assume_unique=True)
    return np.unique(keys >> _POS_SHIFT).astype(np.int32)


def _decode_slowly(m) -> Postings:
    ids, tfs = [], []
    while m.is_active():
        ids.append(m.id())
        tfs.append(m.weight())
        m.next()
    return Postings(np.asarray(ids, np.int32), np.asarray(tfs, np.float32))


def _numeric_column(reader: SegmentReader, field: str, column, dtype) -> np.ndarray:
    n = reader.doc_count_all()
    out = np.full(n, column._default, dtype=dtype)
    perdoc = reader._perdoc
    if not perdoc.has_column(field):
        return out
    col = perdoc.column_reader(field, column)
    count = min(col._count, n)
    raw = col._dbfile.get(col._basepos, count * col._fixedlen)
    out[:count] = np.frombuffer(raw, dtype=">" + col._typecode)
    return out


class SegmentData:
    """Per-document columns of one segment, decoded once."""

    def __init__(self, reader: SegmentReader):
        schema = reader.schema
        self.ndocs = reader.doc_count_all()
        self.published = _numeric_column(reader, "published", schema["published"].column_type,
                                         np.int64)
        self.tiebreak = _numeric_column(reader, "tiebreak", schema["tiebreak"].column_type,
                                        np.uint32)
        names = reader.column_reader("name_key") if reader.has_column("name_key") else []
        self.name_key = np.array([k[:NAME_KEY_BYTES] for k in names] or [b""] * self.ndocs,
                                 dtype=f"S{NAME_KEY_BYTES}")
        self.lengths = {
            f: _BYTE_TO_LENGTH[_numeric_column(reader, _lenfield(f), LENGTHS_COLUMN, np.uint8)]
            for f in TEXT_BOOSTS
        }
        self.facets = {}
        for facet in FACETS:
            field = facet_field(facet.name)
            values, docs = [], []
            for text in reader.lexicon(field):
                value = text.decode("utf-8")
                values.append(value)
                docs.append(decode_postings(reader, field, value).ids)
            self.facets[facet.name] = (values, docs)
