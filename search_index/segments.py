"""Bulk decoding of one Whoosh segment into numpy arrays.

With :mod:`search_index.writer_codec` and :mod:`search_index.bulk_writer` (its writing
side), this is the only code that touches Whoosh 2.7.4 internals (the W3 codec's
posting blocks and fixed-width columns). Walking postings through Whoosh's
matcher API costs about 4 µs a posting; decoding a whole 128-posting block at
once (zlib + pickle + cumsum) is ~50x faster, which is what makes the
vectorised engine possible. Segments are immutable apart from deletions, so
everything decoded here is kept by segment id and survives refreshes: in each segment's
sidecar file (:mod:`search_index.sidecar`), or in this process when sidecars are off.

The blocks are pickles, as Whoosh writes and reads them itself: they come only from this node's
own index directory, written by its own indexer, never from a request (bandit's pickle warnings
are marked `nosec` here for that reason; SECURITY.md lists them).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from functools import partial
from itertools import chain
from pickle import loads  # nosec B403  # Whoosh's own posting blocks (see above)

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length

from .facets import FACETS
from .schema import TEXT_BOOSTS, facet_field

_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)
NAME_KEY_BYTES = 48
POS_SHIFT = 21  # (doc << 21 | position) keys; documents have far fewer than 2M tokens


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
    return decode_matcher(_raw_matcher(reader, field, text))


def decode_matcher(m) -> Postings:
    """Every posting of a raw Whoosh matcher, a block (zlib + pickle) at a time."""
    blocks = list(_blocks(m))
    return Postings(np.concatenate([b[0] for b in blocks]).astype(np.int32),
                    np.concatenate([b[1] for b in blocks]))


def decode_with_positions(m) -> tuple[Postings, np.ndarray, np.ndarray]:
    """Postings, how many positions each posting has, and all their positions in a row."""
    blocks = list(_blocks(m))
    counts, flat = positions_of([v for b in blocks for v in b[2]])
    return (Postings(np.concatenate([b[0] for b in blocks]).astype(np.int32),
                     np.concatenate([b[1] for b in blocks])),
            counts, flat)


def positions_of(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """How many positions each posting has, and all their positions in a row, from postings'
    raw Positions values."""
    deltas = _all_deltas(values)
    counts = np.fromiter(map(len, deltas), np.int64, len(deltas))
    flat = np.cumsum(np.fromiter(chain.from_iterable(deltas), np.int64, int(counts.sum())))
    before = np.concatenate([[0], flat])[np.cumsum(counts) - counts]  # running sum at each start
    return counts, flat - np.repeat(before, counts)


def _blocks(m):
    """(docnums, frequencies, raw values) of each posting block of a raw matcher."""
    if not isinstance(m, W3LeafMatcher):  # inlined postings: tiny, use the API
        ids, tfs, values = [], [], []
        while m.is_active():
            ids.append(m.id())
            tfs.append(m.weight())
            values.append(m.value())
            m.next()
        yield np.asarray(ids, np.int64), np.asarray(tfs, np.float32), values
        return
    while True:
        raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
        data = loads(zlib.decompress(raw) if m._compression else raw)  # nosec B301
        n = m._blocklength
        w = data[1]
        yield (np.cumsum(np.asarray(data[0], dtype=np.int64)),
               np.full(n, 1.0 if w is None else w, np.float32) if not isinstance(w, tuple)
               else np.asarray(w, np.float32),
               data[2])
        if m._lastblock:
            break
        m._goto(m._nextoffset)


def _all_deltas(values: list[bytes]) -> list[list[int]]:
    """``_deltas`` of many values in one ``loads``: each value's pickle (a PROTO, a list and its
    items) leaves its list on the stack, so MARK + the pickles + LIST + STOP is a list of them,
    at a fraction of the cost of one ``loads`` per posting (the bulk of writing a sidecar)."""
    body = b"".join(v[4:-1] if v.endswith(b".") else v[4:] for v in values)
    return loads(b"\x80\x02(" + body + b"l.")  # nosec B301


def _deltas(value: bytes) -> list[int]:
    """Gaps between a posting's positions: Whoosh's Positions value is a 4-byte count and a
    pickle, stored without its final STOP byte."""
    return loads(value[4:] if value.endswith(b".") else value[4:] + b".")  # nosec B301


def all_terms(reader: SegmentReader):
    """(field, term bytes, document frequency, raw matcher factory) of every term of a
    segment, in Whoosh's order: by field, then by term bytes."""
    terms = reader._terms
    for (field, btext), info in terms.items():
        yield field, btext, info.doc_frequency(), partial(
            terms._codec.postings_reader, terms._postfile, info, reader.schema[field].format,
            term=(field, btext))


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
                keys.extend((m.id() << POS_SHIFT) | (p - shift)
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
            for row in rows_in(ids, docs[lo:hi]):
                value = data[2][row]
                pos = 0
                doc = int(ids[row]) << POS_SHIFT
                for delta in _deltas(value):
                    pos += delta
                    if pos >= shift:
                        keys.append(doc | (pos - shift))
        if m._lastblock:
            break
        low = m._maxid + 1
        m._goto(m._nextoffset)
    return np.asarray(keys, np.int64)


def phrase_docs(position_keys: Callable[[str, np.ndarray, int], np.ndarray],
                tokens: tuple[str, ...], candidates: np.ndarray) -> np.ndarray:
    """Local docnums among ``candidates`` (documents holding every token) where the tokens
    occur at consecutive positions. ``position_keys(token, docs, i)``: (doc << 21 |
    position - i) for the token's positions in ``docs``."""
    keys = None
    for i, token in enumerate(tokens):
        if keys is not None and not len(keys):
            break
        found = position_keys(token, candidates, i)
        keys = found if keys is None else intersect_sorted(keys, found)
    docs = keys >> POS_SHIFT
    return docs[np.diff(docs, prepend=-1) != 0].astype(np.int32)


def rows_in(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """Indices of ``haystack``'s values that are in ``needles`` (both sorted, without
    duplicates), ascending. When one array is much the shorter, a binary search for each of its
    values: np.isin sorts both arrays, which was most of a cold phrase's time (candidates are
    often few beside a common word's postings); for arrays of like size sorting is faster."""
    if not len(haystack) or not len(needles):
        return np.zeros(0, np.int64)
    if len(needles) * _LOPSIDED < len(haystack):
        at = np.searchsorted(haystack, needles)
        inside = at < len(haystack)
        at, needles = at[inside], needles[inside]
        return at[haystack[at] == needles]
    if len(haystack) * _LOPSIDED < len(needles):
        at = np.minimum(np.searchsorted(needles, haystack), len(needles) - 1)
        return np.flatnonzero(needles[at] == haystack)
    return np.flatnonzero(np.isin(haystack, needles, assume_unique=True))


_LOPSIDED = 4  # measured: a binary search each wins once one array is ~4x the other


def intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values in both sorted, duplicate-free arrays, sorted."""
    return a[rows_in(a, b)]


def whoosh_position_keys(reader: SegmentReader, field: str):
    return lambda token, docs, shift: _position_keys(reader, field, token, docs, shift)


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


def columns(reader: SegmentReader) -> dict[str, np.ndarray]:
    """The per-document columns the engine sorts and scores by, decoded from Whoosh."""
    schema = reader.schema
    ndocs = reader.doc_count_all()
    names = reader.column_reader("name_key") if reader.has_column("name_key") else []
    out = {
        "published": _numeric_column(reader, "published", schema["published"].column_type,
                                     np.int64),
        "tiebreak": _numeric_column(reader, "tiebreak", schema["tiebreak"].column_type,
                                    np.uint32),
        "name_key": np.array([k[:NAME_KEY_BYTES] for k in names] or [b""] * ndocs,
                             dtype=f"S{NAME_KEY_BYTES}"),
    }
    for f in TEXT_BOOSTS:
        out[length_column(f)] = _BYTE_TO_LENGTH[
            _numeric_column(reader, _lenfield(f), LENGTHS_COLUMN, np.uint8)]
    return out


def length_column(field: str) -> str:
    return f"len_{field}"


class SegmentData:
    """Per-document columns and facet postings of one segment, decoded once: from Whoosh
    (``from_reader``) or as views of the segment's memory-mapped sidecar (``from_sidecar``),
    which then also answers every posting and vocabulary lookup."""

    def __init__(self, cols: dict[str, np.ndarray], facets: dict, sidecar=None):
        self.ndocs = len(cols["published"])
        self.published, self.tiebreak = cols["published"], cols["tiebreak"]
        self.name_key = cols["name_key"]
        self.lengths = {f: cols[length_column(f)] for f in TEXT_BOOSTS}
        self.facets = facets
        self.sidecar = sidecar

    @classmethod
    def from_reader(cls, reader: SegmentReader) -> SegmentData:
        facets = {}
        for facet in FACETS:
            field = facet_field(facet.name)
            values = [text.decode("utf-8") for text in reader.lexicon(field)]
            facets[facet.name] = (values, [decode_postings(reader, field, v).ids for v in values])
        return cls(columns(reader), facets)

    @classmethod
    def from_sidecar(cls, sidecar) -> SegmentData:
        facets = {}
        for facet in FACETS:
            field = facet_field(facet.name)
            values = sidecar.terms(field)
            facets[facet.name] = (values, [sidecar.postings(field, v).ids for v in values])
        return cls(sidecar.columns, facets, sidecar)
