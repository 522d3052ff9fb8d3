"""Bulk decoding of one Whoosh segment into numpy arrays.

This is the only module that touches Whoosh 2.7.4 internals (the W3 codec's
posting blocks and fixed-width columns). Walking postings through Whoosh's
matcher API costs about 4 µs a posting; decoding a whole 128-posting block at
once (zlib + pickle + cumsum) is ~50x faster, which is what makes the
vectorised engine possible. Segments are immutable apart from deletions, so
everything decoded here is cached by segment id and survives refreshes.
"""

from __future__ import annotations

import zlib
from itertools import chain
from pickle import loads

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length

from .facets import FACETS
from .schema import TEXT_BOOSTS, facet_field

_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)
NAME_KEY_BYTES = 48


class Postings:
    """One term's postings in one segment: local docnums, term frequencies and,
    on request, positions (flat, with per-posting offsets)."""

    __slots__ = ("ids", "tf", "pos", "pos_start", "nbytes")

    def __init__(self, ids: np.ndarray, tf: np.ndarray, pos=None, pos_start=None):
        self.ids, self.tf, self.pos, self.pos_start = ids, tf, pos, pos_start
        self.nbytes = ids.nbytes + tf.nbytes + (0 if pos is None else pos.nbytes + pos_start.nbytes)


EMPTY = Postings(np.zeros(0, np.int32), np.zeros(0, np.float32))
EMPTY_WITH_POSITIONS = Postings(EMPTY.ids, EMPTY.tf, np.zeros(0, np.int32), np.zeros(1, np.int64))


def decode_postings(reader: SegmentReader, field: str, text: str,
                    positions: bool = False) -> Postings:
    if (field, text) not in reader:
        return EMPTY_WITH_POSITIONS if positions else EMPTY
    # The raw matcher: deletions are applied by the engine's alive mask, so the
    # decoded arrays stay valid while a segment collects deletions.
    m = reader._terms.matcher(field, reader._text_to_bytes(field, text),
                              reader.schema[field].format)
    if not isinstance(m, W3LeafMatcher):  # inlined postings: tiny, use the API
        return _decode_slowly(m, positions)
    ids, tfs, values = [], [], []
    while True:
        raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
        data = loads(zlib.decompress(raw) if m._compression else raw)
        n = m._blocklength
        ids.append(np.cumsum(np.asarray(data[0], dtype=np.int64)))
        w = data[1]
        tfs.append(np.full(n, 1.0 if w is None else w, np.float32) if not isinstance(w, tuple)
                   else np.asarray(w, np.float32))
        if positions:
            values.append(data[2])
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    out_ids = np.concatenate(ids).astype(np.int32)
    out_tf = np.concatenate(tfs)
    if not positions:
        return Postings(out_ids, out_tf)
    return Postings(out_ids, out_tf, *_decode_positions(chain.from_iterable(values)))


def _decode_slowly(m, positions: bool) -> Postings:
    ids, tfs, values = [], [], []
    while m.is_active():
        ids.append(m.id())
        tfs.append(m.weight())
        if positions:
            values.append(m.value())
        m.next()
    p = Postings(np.asarray(ids, np.int32), np.asarray(tfs, np.float32))
    return Postings(p.ids, p.tf, *_decode_positions(values)) if positions else p


def _decode_positions(values) -> tuple[np.ndarray, np.ndarray]:
    """Whoosh's Positions format: a 4-byte count then a pickled list of deltas."""
    deltas = [loads(v[4:] if v.endswith(b".") else v[4:] + b".") for v in values]
    counts = np.fromiter((len(d) for d in deltas), np.int64, len(deltas))
    flat = np.fromiter(chain.from_iterable(deltas), np.int64, int(counts.sum()))
    start = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=start[1:])
    csum = np.cumsum(flat)
    base = np.repeat(csum[start[:-1] - 1] * (start[:-1] > 0), counts) if len(flat) else flat
    return (csum - base).astype(np.int32), start


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
        self.nbytes = sum(a.nbytes for a in (self.published, self.tiebreak, self.name_key))
