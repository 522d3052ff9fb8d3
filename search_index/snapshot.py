"""One consistent, read-only view of the index as numpy arrays.

A snapshot is built per searcher generation from cached per-segment data
(:mod:`search_index.segments`) and answers the primitive questions of a search
in vectorised form: which documents hold a term (with BM25F contributions),
which hold a phrase, which carry a facet value, and how many of a set of
matched documents carry each value. Global docnum = segment offset + local.
"""

from __future__ import annotations

import hashlib
import math
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from itertools import islice

import numpy as np
from whoosh.codec.whoosh3 import STORED_COLUMN

from .facets import FACETS, FACETS_BY_NAME, tree_prefix
from .schema import SPELL_FIELD, TEXT_BOOSTS
from .segments import (
    Postings,
    SegmentData,
    decode_postings,
    intersect_sorted,
    phrase_docs,
    rows_in,
    whoosh_position_keys,
)

K1, B = 1.2, 0.75
MAX_PREFIX_TERMS = 64
_PREFIX_SCAN = 1000


class ByteLRU:
    """A thread-safe LRU bounded by the arrays' total size in bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        """The value kept under ``key``, or None."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
        return None

    def put(self, key, value, nbytes: int) -> None:
        with self._lock:
            if key not in self._items:
                # Each item's size is kept with it: one cache holds values of several kinds,
                # and an evicted one is not measured by the size function of the newcomer.
                self._items[key] = (value, nbytes)
                self._bytes += nbytes
                while self._bytes > self.max_bytes and len(self._items) > 1:
                    _, (_, old) = self._items.popitem(last=False)
                    self._bytes -= old

    def get_or_make(self, key, make: Callable, size: Callable[[object], int]):
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value, size(value))
        return value


@dataclass
class FacetColumn:
    """One facet as packed bitsets: row i holds the documents carrying values[i].

    Counting a facet over a matched set is then AND + popcount over ~N/8 bytes
    per value, and a filter is an OR of rows, both well under a millisecond at
    100,000 documents.
    """

    values: list[str]
    index: dict[str, int]
    bits: np.ndarray  # (len(values), words) uint64


def pack(mask: np.ndarray) -> np.ndarray:
    """A boolean mask as uint64 words (zero-padded to a whole word)."""
    packed = np.packbits(mask)
    pad = -len(packed) % 8
    if pad:
        packed = np.concatenate([packed, np.zeros(pad, np.uint8)])
    return packed.view(np.uint64)


_ORDERS = ("browse_order", "newest_order", "name_order")
CARRY_ORDER_MAX = 512  # new documents beyond which a snapshot sorts every document again


def unpack(words: np.ndarray, size: int) -> np.ndarray:
    return np.unpackbits(words.view(np.uint8), count=size).view(bool)


class Snapshot:
    """Global arrays for one searcher. Per-segment data comes from
    ``segment_data(reader, key)`` and ``segment_cache``, both shared across
    snapshots; term scores (which depend on collection statistics) and phrase
    results live in a cache of this snapshot only."""

    def __init__(self, searcher, segment_data: Callable[..., SegmentData],
                 segment_cache: ByteLRU, generation: str, previous: Snapshot | None = None):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.generation = generation
        self.io_lock = threading.Lock()  # Whoosh file objects seek+read: not thread-safe
        self._segment_cache = segment_cache
        self._local = ByteLRU(64 << 20)  # term contributions, valid for this snapshot only
        self.leaves = []
        offset = 0
        for reader, _ in self.reader.leaf_readers():
            if reader.segment() is None:  # an index with no segments yet
                continue
            _open_stored(reader)
            key = (generation, reader.segment().segment_id())
            self.leaves.append((reader, offset, key, segment_data(reader, key)))
            offset += reader.doc_count_all()
        self.size = offset
        self._offsets = [off for _, off, _, _ in self.leaves]
        self.alive = np.ones(offset, bool)
        for reader, off, _, _ in self.leaves:
            if reader.has_deletions():
                self.alive[off + np.fromiter(reader.segment().deleted_docs(), np.int64)] = False
        self.doc_count = int(self.alive.sum())
        self.alive_bits = pack(self.alive)
        datas = [d for *_, d in self.leaves]
        self.published = _concat([d.published for d in datas], np.int64)
        self.tiebreak = _concat([d.tiebreak for d in datas], np.uint32)
        self._name_key = _concat([d.name_key for d in datas], "S1")
        self.lengths = {f: _concat([d.lengths[f] for d in datas], np.float32) for f in TEXT_BOOSTS}
        self.avg_length = {
            f: max(float(v[self.alive].mean()), 1.0) if self.doc_count else 1.0
            for f, v in self.lengths.items()
        }
        kept = self._kept_docs(previous)
        self.facets = {f.name: self._facet_column(f.name, datas, previous, kept) for f in FACETS}
        # The orders the snapshot before had made, to carry over (see ``_order``).
        self._carried = {name: (previous.__dict__[name], kept) for name in _ORDERS
                         if kept and name in previous.__dict__}

    # The sorts' orders of every document are made when a search first needs one, or by the
    # refresh thread once the snapshot serves (``sort_orders``): they were three quarters of
    # building a snapshot, which a commit waits for before it is searchable. After a small
    # commit they are carried over from the snapshot before (every worker refreshes after
    # every commit: sorting all documents three ways took ~60 ms of CPU each time at 100,000).

    @cached_property
    def browse_order(self) -> np.ndarray:
        return self._order("browse_order", (self.tiebreak,))

    @cached_property
    def newest_order(self) -> np.ndarray:
        return self._order("newest_order", (-self.published, self.tiebreak))

    @cached_property
    def name_order(self) -> np.ndarray:
        return self._order("name_order", (self._name_key, self.tiebreak))

    def _order(self, name: str, keys: tuple[np.ndarray, ...]) -> np.ndarray:
        """Every document by ``keys`` (most significant first), then by number. With the
        previous snapshot's order of the same kept documents, only the documents after them
        are sorted, and each is put in its place by binary search."""
        previous, kept = self._carried.pop(name, (None, 0))
        tail = np.arange(kept, self.size)
        if previous is None or len(tail) > CARRY_ORDER_MAX:
            return np.lexsort(keys[::-1])
        tail = tail[np.lexsort(tuple(k[tail] for k in keys[::-1]))]
        order = previous[previous < kept]
        columns = [k[order] for k in keys]
        at = np.empty(len(tail), np.int64)
        for i, doc in enumerate(tail):
            lo, hi = 0, len(order)
            for column, key in zip(columns, keys, strict=True):
                part = column[lo:hi]
                lo, hi = (lo + int(np.searchsorted(part, key[doc], "left")),
                          lo + int(np.searchsorted(part, key[doc], "right")))
            at[i] = hi  # after every kept document with the same keys: those number lower
        return np.insert(order, at, tail)

    def sort_orders(self) -> None:
        for name in _ORDERS:
            getattr(self, name)

    def _kept_docs(self, previous: Snapshot | None) -> int:
        """How many documents at the start of this snapshot sit in the same segments, at the
        same places, as in ``previous``: a commit usually keeps the big segments and changes
        small ones after them."""
        if previous is None or previous.generation != self.generation:
            return 0
        kept = 0
        for (_, off, key, data), (_, old_off, old_key, _) in zip(
                self.leaves, previous.leaves, strict=False):
            if key != old_key or off != old_off:
                break
            kept = off + data.ndocs
        return kept

    def _facet_column(self, name: str, datas: list[SegmentData], previous: Snapshot | None,
                      kept: int) -> FacetColumn:
        """The facet's rows of bits; the words wholly within the ``kept`` documents are
        copied from ``previous`` (the same segments there), so a refresh after a small commit
        fills only the last few words instead of every row over every document."""
        values = sorted({v for d in datas for v in d.facets[name][0]})
        index = {v: i for i, v in enumerate(values)}
        bits = np.zeros((len(values), -(-self.size // 64)), np.uint64)
        start = kept // 64 * 64
        if start:
            old = previous.facets[name]
            for old_row, value in enumerate(old.values):
                if value in index:  # a value of the kept documents is still here
                    bits[index[value], :start // 64] = old.bits[old_row, :start // 64]
        rows = np.zeros((len(values), self.size - start), bool)
        for (_, off, _, _), d in zip(self.leaves, datas, strict=True):
            if off + d.ndocs <= start:
                continue
            for value, ids in zip(*d.facets[name], strict=True):
                at = ids + (off - start)
                rows[index[value], at[at >= 0]] = True
        for i in range(len(values)):
            bits[i, start // 64:] = pack(rows[i])
        return FacetColumn(values, index, bits)

    # Facets (masks here are packed words, see ``pack``)

    def value_bits(self, name: str, value: str) -> np.ndarray | None:
        """Documents carrying one facet value (packed), or None if no document does. A value
        the column does not count, in a facet with a code tree, is looked up in the tree."""
        col = self.facets[name]
        if value in col.index:
            return col.bits[col.index[value]]
        tree_field = FACETS_BY_NAME[name].tree_field
        token = tree_prefix(value) if tree_field else ""
        ids = self.keyword_docs(tree_field, token) if token else ()
        if not len(ids):
            return None
        mask = np.zeros(self.size, bool)
        mask[ids] = True
        return pack(mask)

    def facet_mask(self, name: str, selected, match_all: bool = False) -> np.ndarray:
        """Documents carrying any (or, with ``match_all``, every one) of ``selected``;
        unknown values match nothing."""
        rows = [self.value_bits(name, v) for v in dict.fromkeys(selected)]
        held = [r for r in rows if r is not None]
        if not held or (match_all and len(held) < len(rows)):
            return np.zeros(self.facets[name].bits.shape[1], np.uint64)
        combine = np.bitwise_and if match_all else np.bitwise_or
        return combine.reduce(np.stack(held), axis=0)

    def facet_counts(self, name: str, matched: np.ndarray) -> np.ndarray:
        col = self.facets[name]
        return np.bitwise_count(col.bits & matched).sum(axis=1, dtype=np.int64)

    # Terms

    def _segment_postings(self, leaf, field: str, text: str) -> Postings:
        reader, _, key, data = leaf
        if data.sidecar is not None:  # views of the shared mapping: nothing to cache
            return data.sidecar.postings(field, text)

        def make():
            with self.io_lock:
                return decode_postings(reader, field, text)
        return self._segment_cache.get_or_make((key, field, text), make, lambda p: p.nbytes)

    def _postings(self, field: str, text: str) -> Postings:
        parts = [(self._segment_postings(leaf, field, text), leaf[1]) for leaf in self.leaves]
        if len(parts) == 1 and parts[0][1] == 0:
            return parts[0][0]
        return Postings(_concat([p.ids + off for p, off in parts], np.int32),
                        _concat([p.tf for p, _ in parts], np.float32))

    def keyword_docs(self, field: str, value: str) -> np.ndarray:
        """Global docnums holding ``value`` in an unscored keyword field; kept for this
        snapshot, as a query's CPV concepts look up the same few codes' trees again and again
        (a lookup in every segment each: a fifth of a warm query's time)."""
        return self._local.get_or_make(("k", field, value),
                                       lambda: self._postings(field, value).ids,
                                       lambda ids: ids.nbytes + 64)

    def term_scores(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Global docnums holding ``text`` in ``field`` and their BM25 contribution."""
        p = self._postings(field, text)
        if not len(p.ids):
            return p.ids, p.tf
        df = len(p.ids)
        idf = math.log(1 + (self.doc_count - df + 0.5) / (df + 0.5))
        norm = K1 * (1 - B + B * self.lengths[field][p.ids] / self.avg_length[field])
        return p.ids, (idf * p.tf * (K1 + 1) / (p.tf + norm)).astype(np.float32)

    def segment_phrase(self, leaf, field: str, tokens: tuple[str, ...]) -> np.ndarray:
        """Local docnums of one segment holding ``tokens`` at consecutive
        positions; cached with the segment, so a refresh only checks new ones."""
        key = leaf[2]

        def verify():
            cand = None
            for t in tokens:
                ids = self._segment_postings(leaf, field, t).ids
                cand = ids if cand is None else intersect_sorted(cand, ids)
            return self._leaf_phrase(leaf, field, tokens, cand) if len(cand) else cand
        return self._segment_cache.get_or_make((key, field, tokens), verify,
                                               lambda a: a.nbytes + 64)

    def _leaf_phrase(self, leaf, field: str, tokens: tuple[str, ...],
                     cand: np.ndarray) -> np.ndarray:
        """Of one segment's sorted local ``cand``, those holding ``tokens`` side by side."""
        reader, _, _, data = leaf
        if data.sidecar is not None:
            return phrase_docs(data.sidecar.position_keys(field), tokens, cand)
        with self.io_lock:
            return phrase_docs(whoosh_position_keys(reader, field), tokens, cand)

    def phrase(self, field: str, tokens: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """Documents holding the phrase in ``field``, scored as the sum of the
        words' contributions."""
        def make():
            docs = _concat([self.segment_phrase(leaf, field, tokens) + leaf[1]
                            for leaf in self.leaves], np.int32)
            score = np.zeros(len(docs), np.float32)
            for t in tokens:
                ids, contrib = self.term_scores(field, t)
                score += contrib[np.searchsorted(ids, docs)]
            return docs, score
        return self._local.get_or_make(("p", field, tokens), make, lambda v: v[0].nbytes * 2)

    def phrase_among(self, field: str, tokens: tuple[str, ...], docs: np.ndarray) -> np.ndarray:
        """Which of the sorted global ``docs`` hold ``tokens`` at consecutive positions in
        ``field``: only these candidates' positions are read, where ``phrase`` reads them for
        every document holding the words. Cached for this snapshot by the candidates, so a
        repeated search (the next page, the same query) does not read them again."""
        def make():
            found = []
            for leaf in self.leaves:
                reader, offset = leaf[0], leaf[1]
                lo, hi = np.searchsorted(docs, [offset, offset + reader.doc_count_all()])
                cand = docs[lo:hi] - offset
                for t in tokens:
                    if not len(cand):
                        break
                    held = self._segment_postings(leaf, field, t).ids
                    cand = cand[rows_in(cand, held)]
                if len(cand):
                    found.append(self._leaf_phrase(leaf, field, tokens, cand) + offset)
            return _concat(found, np.int32)
        key = ("pa", field, tokens, hashlib.blake2b(docs.tobytes(), digest_size=16).digest())
        return self._local.get_or_make(key, make, lambda a: a.nbytes + 64)

    def prefix_terms(self, field: str, prefix: str) -> list[str]:
        """Up to MAX_PREFIX_TERMS lexicon terms starting with ``prefix``, most frequent first
        (a short prefix would otherwise expand to thousands), among the first _PREFIX_SCAN
        in lexicon order. A term among the first _PREFIX_SCAN of the whole lexicon is among
        the first of each segment's, so segments are read one at a time and merged."""
        def make():
            dfs: dict[str, int] = {}
            for leaf in self.leaves:
                for term, df in self._leaf_prefix_terms(leaf, field, prefix):
                    dfs[term] = dfs.get(term, 0) + df
            found = sorted(dfs)[:_PREFIX_SCAN]
            ranked = sorted(found, key=lambda t: (-dfs[t], t))
            return ranked[:MAX_PREFIX_TERMS]
        return self._local.get_or_make(("x", field, prefix), make, lambda v: 64 * len(v) + 64)

    def _leaf_prefix_terms(self, leaf, field: str, prefix: str) -> list[tuple[str, int]]:
        reader, _, _, data = leaf
        if data.sidecar is not None:
            return data.sidecar.prefix_terms(field, prefix, _PREFIX_SCAN)
        with self.io_lock:
            found = list(islice(reader.expand_prefix(field, prefix), _PREFIX_SCAN))
            return [(t.decode("utf-8"), reader.doc_frequency(field, t)) for t in found]

    def doc_frequency(self, field: str, text: str) -> int:
        """Documents holding ``text`` in ``field``, deleted ones included (as Whoosh counts)."""
        total = 0
        for reader, _, _, data in self.leaves:
            if data.sidecar is not None:
                total += data.sidecar.doc_frequency(field, text)
            else:
                with self.io_lock:
                    total += reader.doc_frequency(field, text)
        return total

    def spelling_candidates(self, word: str, maxdist: int) -> set[str]:
        """Words of the spelling field sharing ``word``'s first letter, among which are all
        within ``maxdist`` edits (and maybe others: the caller measures)."""
        found: set[str] = set()
        for reader, _, _, data in self.leaves:
            if data.sidecar is not None:
                found |= data.sidecar.spelling_candidates(word, maxdist)
            else:
                with self.io_lock:
                    found.update(t.decode("utf-8") if isinstance(t, bytes) else t for t in
                                 reader.terms_within(SPELL_FIELD, word, maxdist, prefix=1))
        return found

    def kept(self, key):
        """A value a caller kept for this snapshot with ``keep``, or None."""
        return self._local.get(key)

    def keep(self, key, value, nbytes: int) -> None:
        """Keep a value computed from this snapshot (valid for it alone) in its bounded cache."""
        self._local.put(key, value, nbytes)

    def stored(self, docnum: int) -> dict:
        with self.io_lock:
            return self.reader.stored_fields(int(docnum))

    def doc_key(self, docnum: int) -> tuple:
        """A key for one document's stored fields that holds across snapshots: its segment's
        key and its number there (a segment's documents never change)."""
        at = bisect_right(self._offsets, docnum) - 1
        _, offset, key, _ = self.leaves[at]
        return key, int(docnum) - offset


def _open_stored(reader) -> None:
    """Open the segment's stored-fields file now. Whoosh opens it on first use, and a writer's
    merge deletes a merged segment's files at once: a snapshot that had not read one yet would
    find it gone. Open files outlive the deletion."""
    if reader.doc_count_all() and reader._perdoc._cached_reader("_stored", STORED_COLUMN) is None:
        raise FileNotFoundError(f"segment {reader.segment().segment_id()} was merged away "
                                "while opening; refresh again")


def _concat(arrays: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype)
