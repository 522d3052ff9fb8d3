"""The store's writer: Whoosh's segment writer, except that a merge streams each term's postings
from the merged segments into the new segment, a term at a time, instead of through the pool.

Whoosh merges by reading every posting of the merged segments through its matchers, one Python
call chain a posting, into its posting pool, which sorts them and spills sorted runs to disk
beyond ``limitmb`` (a pickle dump and load a posting, and a heap merge back). That made merges
far slower than building the same documents afresh: an optimise of 10,000 profiles took over
half a minute, a tier merge during a 100,000-change bulk load 675 s. Here the new documents'
postings (few, in a batch) stay in the pool, and at the commit each term's postings are read
from each merged segment a block at a time, renumbered, and written after the pool's: memory
is one term's postings, whatever the merge's size. The files are byte for byte Whoosh's.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from itertools import compress, groupby
from operator import itemgetter

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermInfo
from whoosh.reading import SegmentReader
from whoosh.system import _SHORT_SIZE, pack_ushort
from whoosh.writing import SegmentWriter

from .writer_codec import KnownLengths, WriterCodec, by_term

_KEY = itemgetter(0, 1)  # (field, term bytes) of a term's tuple


class StoreWriter(SegmentWriter):
    """``StoreWriter(ix, timeout=...)``: the writer of every store commit (batches, merges,
    optimise). Only segment readers may be merged (``add_reader``), as Whoosh's merge
    policies do."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, compound=False, codec=WriterCodec(), **kwargs)
        # (storage, segment, old -> new docnum) of each merged segment
        self._merged: list[tuple[object, object, np.ndarray]] = []

    def add_reader(self, reader: SegmentReader) -> None:
        """The segment's stored fields and lengths are copied now, as Whoosh does (its own
        loop, with each field's lengths read once); its postings at the commit."""
        self._check_state()
        basedoc = self.docnum
        fieldnames = set(self.schema.names())
        docmap = self.write_per_doc(fieldnames, KnownLengths(reader, reader._perdoc))
        count = reader.doc_count_all()
        if docmap is None:
            renumber = np.arange(basedoc, basedoc + count, dtype=np.int64)
        else:  # deleted documents are -1: their postings are dropped
            renumber = np.full(count, -1, dtype=np.int64)
            renumber[np.fromiter(docmap.keys(), np.int64, len(docmap))] = np.fromiter(
                docmap.values(), np.int64, len(docmap))
        self._merged.append((reader.storage(), reader.segment(), renumber))
        self._added = True

    def renumbered(self) -> dict[str, np.ndarray]:
        """Each merged segment's old document numbers -> new ones (-1: deleted, dropped)."""
        return {segment.segment_id(): renumber for _, segment, renumber in self._merged}

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        readers = [SegmentReader(storage, self.schema, segment)
                   for storage, segment, _ in self._merged]
        try:
            sources = [by_term(self.pool.iter_postings())]
            sources += [_segment_terms(reader, self.schema, renumber)
                        for reader, (*_, renumber) in zip(readers, self._merged, strict=True)]
            self.fieldwriter.add_postings(self.schema, lengths, _Merged(sources))
            self.fieldwriter.close()
        finally:
            for reader in readers:
                reader.close()
            lengths.close()


class _Merged:
    """Terms of several sources, each in (field, term) order with its documents after the
    sources before it: each term once, its postings in document order."""

    def __init__(self, sources: list[Iterator[tuple]]):
        self._sources = sources

    def terms(self) -> Iterator[tuple]:
        for key, group in groupby(heapq.merge(*self._sources, key=_KEY), key=_KEY):
            parts = list(group)  # heapq.merge keeps the sources' order among equal keys
            if len(parts) == 1:
                yield parts[0]
                continue
            docs, weights, values = [], [], []
            for _, _, d, w, v in parts:
                docs += d
                weights += w
                values += v
            yield (*key, docs, weights, values)


def _segment_terms(reader: SegmentReader, schema, renumber: np.ndarray) -> Iterator[tuple]:
    """A segment's live postings by term, renumbered, in (field, term) order: the terms file
    keeps each field's terms in order under its field number, so each field is read in turn.
    Terms whose documents were all deleted are left out, as Whoosh's merge leaves them."""
    terms = reader._terms
    table = terms._tindex
    fieldmap = terms._fieldmap
    deleted = bool((renumber < 0).any())
    for fieldname in sorted(f for f in fieldmap if f in schema):
        prefix = pack_ushort(fieldmap[fieldname])
        format_ = schema[fieldname].format
        for keybytes, infobytes in table.items_from(prefix):
            if keybytes[:_SHORT_SIZE] != prefix:
                break
            docs, weights, values = _postings(terms, W3TermInfo.from_bytes(infobytes),
                                              format_)
            docs = renumber[docs]
            if deleted:
                keep = docs >= 0
                if not keep.all():
                    docs = docs[keep]
                    if not len(docs):
                        continue
                    weights = list(compress(weights, keep))
                    values = list(compress(values, keep))
            yield fieldname, keybytes[_SHORT_SIZE:], docs.tolist(), list(weights), list(values)


def _postings(terms, info: W3TermInfo, format_) -> tuple[np.ndarray, list, list]:
    """A term's document numbers, weights and value bytes, read a block at a time."""
    if info.is_inlined():
        ids, weights, values = info.inlined_postings()
        return np.asarray(ids, np.int64), list(weights), list(values)
    offset, length = info.extent()
    matcher = W3LeafMatcher(terms._postfile, offset, length, format_)
    ids, weights, values = [], [], []
    while True:
        matcher._read_ids()
        matcher._read_weights()
        matcher._read_values()
        ids += matcher._ids
        weights += matcher._weights
        values += matcher._values
        matcher._next_block()
        if matcher._atend:
            return np.asarray(ids, np.int64), weights, values
