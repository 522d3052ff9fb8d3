"""The codec of the store's writers: Whoosh's own segment files, byte for byte, written with
less Python a posting, and each new segment's sidecar made from its postings as they are
written instead of by decoding the segment again.

Writing postings was most of a build's and a merge's time: Whoosh's field writer makes several
calls and type checks for each posting, and looked each posting's field length up in the
lengths file with a seek and a read. Here a term's postings are taken as a group and its blocks
filled a whole block at a time, then written by Whoosh's own block writer. Segments name
Whoosh's codec, so nothing of this module is needed to read an index.
"""

from __future__ import annotations

from array import array
from itertools import groupby
from operator import itemgetter

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3FieldWriter, _lenfield
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length

from . import sidecar
from .segments import Postings, columns, positions_of

_TERM = itemgetter(0, 1)  # a pool item is (field, term bytes, docnum, weight, value bytes)


class TermPool:
    """Whoosh's posting pool (``writer.pool``) for writing many documents at once: postings
    kept in memory by term, in compact arrays (about 30 bytes a posting), instead of one tuple
    each in a list that is sorted at the commit and spilt to disk in sorted runs beyond
    ``limitmb``. Spilling made every posting of a large build go through a marshal dump, a load
    and a heap merge in Python: most of a 100,000-profile build's time. The bulk writer starts
    a new segment once ``postings`` reaches its memory budget.

    Postings must arrive in document order within a term, as the writer adds them (documents
    in turn; merged segments' postings after them, each segment's in order)."""

    def __init__(self):
        # (field, term) -> docnums, weights, the values' bytes in a row, where each value ends
        self._terms: dict[tuple[str, bytes], tuple[array, array, bytearray, array]] = {}
        self.postings = 0

    def add(self, item) -> None:
        fieldname, btext, docnum, weight, vbytes = item
        lists = self._terms.get((fieldname, btext))
        if lists is None:
            lists = self._terms[fieldname, btext] = (array("I"), array("d"), bytearray(),
                                                     array("Q"))
        lists[0].append(docnum)
        lists[1].append(weight)
        if vbytes:
            lists[2].extend(vbytes)
        lists[3].append(len(lists[2]))
        self.postings += 1

    def iter_postings(self) -> _Grouped:
        return _Grouped(self._terms)

    def cleanup(self) -> None:
        self._terms = {}


class _Grouped:
    """A pool's postings in Whoosh's order: iterated, one (field, term, docnum, weight, value)
    tuple a posting; ``terms()`` gives each term's lists at once to :class:`_FieldWriter`."""

    def __init__(self, terms: dict):
        self._terms = terms

    def terms(self):
        """Each term once, released as it is given: the segment's sidecar grows meanwhile."""
        for key in sorted(self._terms):
            docs, weights, blob, ends = self._terms.pop(key)
            blob = bytes(blob)
            values = [blob[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]
            yield key[0], key[1], list(docs), list(weights), values

    def __iter__(self):
        for fieldname, btext, docs, weights, values in self.terms():
            for posting in zip(docs, weights, values, strict=True):
                yield fieldname, btext, *posting


class WriterCodec(W3Codec):
    """Pass as ``ix.writer(codec=WriterCodec())``; every store writer does (build, batch,
    optimise, and the merges their commits make)."""

    def new_segment(self, storage, indexname):
        return W3Codec().new_segment(storage, indexname)

    def per_document_reader(self, storage, segment):
        reader = super().per_document_reader(storage, segment)
        return KnownLengths(reader, reader)

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)


class KnownLengths:
    """A reader whose documents' field lengths are read once a field, from ``perdoc`` (its
    per-document reader), into lists: Whoosh's ``doc_field_length`` looks each one up, and for
    a field without lengths checks again, with a file-system call, that the file is missing.
    The values are exactly Whoosh's (None for a zero length byte, 0 without lengths)."""

    def __init__(self, reader, perdoc):
        self._reader = reader
        self._perdoc = perdoc
        self._lengths: dict[str, list] = {}

    def __getattr__(self, name):
        return getattr(self._reader, name)

    def field_lengths(self, fieldname: str) -> list[int | None]:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            column = self._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            count = self._perdoc.doc_count_all()
            lengths = self._lengths[fieldname] = (
                [0] * count if column is None
                else [byte_to_length(b) if b else None for b in column])
        return lengths

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        return self.field_lengths(fieldname)[docnum]


def by_term(items):
    """(field, term, docnums, weights, values) of each term of a pool's postings (its sorted
    items, or a source that gives them a term at a time)."""
    if hasattr(items, "terms"):
        yield from items.terms()
        return
    for (fieldname, btext), group in groupby(items, key=_TERM):
        postings = [p for p in group if p[2] != -1]  # -1: Whoosh's spelling-word marker
        yield (fieldname, btext, [p[2] for p in postings], [p[3] for p in postings],
               [p[4] for p in postings])


class _FieldWriter(W3FieldWriter):
    """Whoosh's field writer, fed a term at a time (see the module docstring)."""

    _builder: sidecar.Builder | None = None

    def add_postings(self, schema, lengths, items):
        """As ``FieldWriter.add_postings``, which the commit calls once with the segment's
        postings sorted by field, term and document; a block's statistics (lengths, weights)
        are set as ``W3PostingsWriter.add_posting`` would have set them one posting at a time."""
        self._schema = schema
        self._builder = sidecar.Builder(schema) if sidecar.enabled() else None
        try:
            self._write_postings(schema, lengths, items)
        except BaseException:
            self._builder = None  # the commit fails: no sidecar
            raise

    def _write_postings(self, schema, lengths, items) -> None:
        limit = self._codec._blocklimit
        current = None
        for fieldname, btext, docs, weights, values in by_term(items):
            if fieldname != current:
                if current is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                current = fieldname
                field_lengths = lengths.field_lengths(fieldname)
            if not docs:
                continue
            lens = [field_lengths[d] for d in docs]
            self.start_term(btext)
            writer = self._postwriter
            for start in range(0, len(docs), limit):
                end = start + limit
                if start:
                    writer._write_block()  # the block before: the last one is finish_term's
                writer._ids = array("I", docs[start:end])
                writer._weights = array("f", weights[start:end])
                writer._values = [v for v in values[start:end] if v]
                writer._maxweight = max(0, *weights[start:end])
                counted = [n for n in lens[start:end] if n]
                writer._minlength = min(counted) if counted else None
                writer._maxlength = max(counted) if counted else 0
            self.finish_term()
            if self._builder is not None:
                self._add_to_sidecar(fieldname, btext, docs, weights, values)
        if current is not None:
            self.finish_field()

    def _add_to_sidecar(self, fieldname, btext, docs, weights, values) -> None:
        builder = self._builder
        if not builder.wants_postings(fieldname):
            builder.add(fieldname, btext, len(docs))
            return
        postings = Postings(np.asarray(docs, np.int32), np.asarray(weights, np.float32))
        builder.add(fieldname, btext, len(docs), postings,
                    positions_of([v for v in values if v])
                    if builder.wants_positions(fieldname) else None)

    def close(self):
        """Close the segment's term and posting files, then write its sidecar: the files'
        sizes are part of the sidecar's fingerprint. A writer that is cancelled, or writes no
        postings, writes none (searchers write any sidecar missing)."""
        super().close()
        builder, self._builder = self._builder, None
        folder = getattr(self._storage, "folder", None)  # a FileStorage's directory
        if builder is None or folder is None:
            return
        reader = SegmentReader(self._storage, self._schema, self._segment)
        try:
            cols = columns(reader)
        finally:
            reader.close()
        sidecar.write_built(builder, cols, folder, self._segment)
