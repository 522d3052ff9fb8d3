"""The long-lived, thread-safe search service the web app calls.

One ``SearchEngine`` per process. It holds the current ``Snapshot``; searches
take a reference to it and never block on refreshes. ``refresh()`` builds the
next snapshot (reusing every unchanged segment's decoded arrays) and swaps it
in; a replaced searcher is closed after a grace period so in-flight searches
finish on it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from . import sidecar
from .concepts import ConceptIndex
from .facets import ALL, CPV_TREE_FIELD, FACETS, FACETS_BY_NAME
from .highlight import snippets
from .matching import Evaluation, evaluate, highlight_terms
from .query import SYNONYMS_PATH, ParsedQuery, load_synonyms, parse
from .schema import HIGHLIGHT_FIELDS
from .segments import SegmentData
from .snapshot import ByteLRU, Snapshot, pack, unpack
from .store import IndexStore
from .suggest import suggest

log = logging.getLogger(__name__)

SORTS = ("relevance", "newest", "name")
MAX_PER_PAGE = 100
SUGGEST_BELOW = 5  # offer "did you mean" when fewer results than this
RETIRE_AFTER = 30.0  # seconds a replaced searcher stays open for in-flight searches
TIER = 1e6  # rank = words matched × TIER + score: scores stay far below it
# Neighbouring query words side by side in one of these short fields earn this much (text
# scores are scaled to the query's best, 1.0), checked for the top candidates only.
PROXIMITY_FIELDS = ("name", "summary", "services")
PROXIMITY_WEIGHT = 0.25
PROXIMITY_CANDIDATES = 100
HITS_CACHE_MB = 16  # a hit's id, slug and snippets, by document and query terms
CONCEPT_WEIGHT = 1.5  # a supplier at a CPV code that fits the query fully, in best-text-scores


@dataclass(frozen=True)
class Hit:
    id: str
    slug: str
    score: float
    highlights: list[str] = field(default_factory=list)
    match: str = "all"  # "all": every word of the query; "some": some of them


@dataclass(frozen=True)
class SearchResult:
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int, bool]]]
    suggestion: str | None = None
    matched_all: int = 0  # of ``total``, how many match every word (the rest match some)


class SearchEngine:
    """Search over the live generation of an index base directory.

    ``cache_mb`` bounds the posting lists decoded in this process and kept across refreshes
    (phrase results; and every posting list when ``sidecars`` is off). ``sidecars``
    (default: on unless the environment sets SEARCH_INDEX_SIDECARS=0) reads postings from each
    segment's memory-mapped sidecar, written first if missing.
    """

    def __init__(self, base: str | os.PathLike | IndexStore, *, cache_mb: int = 512,
                 synonyms_path: str | os.PathLike = SYNONYMS_PATH,
                 concepts: ConceptIndex | None = None, sidecars: bool | None = None):
        self.store = base if isinstance(base, IndexStore) else IndexStore(base)
        self.sidecars = sidecar.enabled() if sidecars is None else sidecars
        self.concepts = concepts
        self._synonyms = load_synonyms(synonyms_path)
        self._postings = ByteLRU(cache_mb << 20)
        self._hits = ByteLRU(HITS_CACHE_MB << 20)
        self._segments: dict[tuple, SegmentData] = {}
        self._refresh_lock = threading.Lock()
        self._retired: list[tuple[float, object]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._snap = self._open_snapshot(self.store.current_generation(), warm=False)

    # Lifecycle

    def _segment_data(self, reader, key) -> SegmentData:
        if key not in self._segments:
            self._segments[key] = self._load_segment(reader, self.store.base / key[0])
        return self._segments[key]

    def _load_segment(self, reader, directory) -> SegmentData:
        if self.sidecars:
            try:
                return SegmentData.from_sidecar(sidecar.ensure(reader, directory))
            except OSError:  # e.g. a read-only index directory: decode in this process
                log.exception("no sidecar for segment %s", reader.segment().segment_id())
        return SegmentData.from_reader(reader)

    def _open_snapshot(self, generation: str, warm: bool = True,
                       previous: Snapshot | None = None) -> Snapshot:
        for attempt in range(3):
            searcher = None
            try:
                searcher = self.store.open_index(generation).searcher()
                snap = Snapshot(searcher, self._segment_data, self._postings, generation,
                                previous)
                break
            except FileNotFoundError:  # a writer merged a segment away meanwhile: reopen
                if searcher is not None:
                    searcher.close()
                if attempt == 2:
                    raise
        live = {key for *_, key, _ in snap.leaves}
        for key in list(self._segments):
            if key not in live:
                del self._segments[key]
        # With sidecars, a commit on the same generation is not warmed: its new segments were
        # just written (their pages are in memory) and warming would only recompute every
        # synonym word's scores over all documents for the new snapshot (most of a refresh at
        # 100,000, which a commit waits for before it is searchable); a query computes what it
        # needs. A new generation (a rebuild) is warmed: its files are cold.
        if warm and (not self.sidecars or generation != self._snap.generation):
            self._warm(snap)
        return snap

    def warm(self) -> None:
        """Do the slow first-time work for the current snapshot now (called by
        the auto-refresh thread; call it yourself after start-up otherwise)."""
        self._warm(self._snap)
        self._snap.sort_orders()

    def _warm(self, snap: Snapshot) -> None:
        """Match every synonym before a snapshot serves: a synonym group turns one query word
        into several, often common, words and phrases, and a common word's matches are the
        slowest first-time work. What is computed is kept for the snapshot."""
        members = {member for group in self._synonyms.values() for member in group}
        for member in sorted(members):
            evaluate(parse(member, self._synonyms), snap)

    def _is_current(self, snap: Snapshot, generation: str) -> bool:
        try:
            if generation != snap.generation:
                return False
            if snap.searcher.reader().generation() is None:
                # Whoosh reads an index with no segments without a generation, so such a
                # searcher is never "up to date": it is current while the index stays empty.
                return self.store.open_index(generation).is_empty()
            return snap.searcher.up_to_date()
        except OSError:
            return False

    def is_current(self) -> bool:
        """Whether searches see the index's latest commit on its live generation."""
        return self._is_current(self._snap, self.store.current_generation())

    def refresh(self) -> bool:
        """Pick up commits and generation switches. Cheap when nothing changed
        (a stat of the TOC); returns True if a new snapshot was swapped in. If
        another thread is already refreshing, returns False at once. Searches
        keep using the previous snapshot until the new one is built and warm."""
        if not self._refresh_lock.acquire(blocking=False):
            return False
        try:
            old = self._snap
            generation = self.store.current_generation()
            if self._is_current(old, generation):
                return False
            self._snap = self._open_snapshot(generation, previous=old)
            now = time.monotonic()
            self._retired.append((now, old.searcher))
            keep = []
            for retired_at, searcher in self._retired:
                if now - retired_at >= RETIRE_AFTER:
                    searcher.close()
                else:
                    keep.append((retired_at, searcher))
            self._retired = keep
            return True
        finally:
            self._refresh_lock.release()

    def start_auto_refresh(self, interval: float = 0.5) -> None:
        """Refresh from a daemon thread so no request pays for a new snapshot;
        the thread first warms the snapshot opened at start-up."""
        def loop():
            self.warm()
            while not self._stop.wait(interval):
                try:
                    if self.refresh():
                        self._snap.sort_orders()  # here, not in the first request to sort
                except Exception:  # keep serving the last good snapshot
                    log.exception("search index refresh failed")
        if self._thread is None:
            self._thread = threading.Thread(target=loop, name="search-refresh", daemon=True)
            self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        for _, searcher in self._retired:
            searcher.close()
        self._snap.searcher.close()

    def doc_count(self) -> int:
        return self._snap.doc_count

    # Search

    def search(
        self,
        q: str | None = "",
        filters: Mapping[str, Iterable[str] | str] | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
        ids: Iterable[str] | None = None,
    ) -> SearchResult:
        """Search, filter, count facets and return one page of hits.

        ``filters`` maps facet names to selected values: values ORed within a
        facet (ANDed for a facet that matches ``all``), facets ANDed. Unknown
        names are ignored and unknown values match nothing. Facet counts are
        disjunctive (each "any" facet counted without its own selection; an "all"
        facet counts what adding a value would leave); a selected value is always
        listed, if need be with count 0. ``ids``, if given, restricts the search to
        those documents (a supplier found by an identifier such as its Companies House
        number).
        """
        snap = self._snap
        parsed = parse(q, self._synonyms)
        page, per_page = max(1, int(page)), max(1, min(int(per_page), MAX_PER_PAGE))
        if sort not in SORTS:
            sort = "relevance"

        selected = _clean_filters(filters)
        masks = {name: snap.facet_mask(name, values, FACETS_BY_NAME[name].match == ALL)
                 for name, values in selected.items()}
        if ids is not None:
            masks[_IDS] = _id_mask(snap, ids)
        if parsed.is_browse:
            base, strict, rank, scores = snap.alive_bits, None, None, None
        else:
            found = evaluate(parsed, snap)
            if self.concepts is not None:
                self._add_concepts(q or "", snap, found)
            strict = found.strict & snap.alive
            base = pack(strict)
            matched_all = _count(_and(base, masks.values()))
            if found.required > 1 and matched_all < per_page:
                some = found.some(-(-found.required // 2)) & snap.alive
                base = pack(strict | some)
            # Every word first, then by how many words, then by score.
            tier = np.where(strict, found.required + 1, found.words).astype(np.float64)
            rank, scores = tier * TIER + found.scores, found.scores
        matched = _and(base, masks.values())
        if rank is not None and sort == "relevance":
            _reward_proximity(parsed, snap, unpack(matched, snap.size), rank, scores)
        facets = {}
        for facet in FACETS:
            within = matched
            if facet.name in masks and facet.match != ALL:
                within = _and(base, (m for n, m in masks.items() if n != facet.name))
            facets[facet.name] = _facet_entries(snap, facet.name, within,
                                                selected.get(facet.name, ()))

        total = _count(matched)
        if strict is None:
            matched_all = total
        start = (page - 1) * per_page
        docnums = _page(snap, unpack(matched, snap.size), rank, strict, sort, start, per_page)
        terms = frozenset() if parsed.is_browse else highlight_terms(parsed, snap, HIGHLIGHT_FIELDS)
        hits = []
        for d in docnums:
            doc_id, slug, highlights = self._shown(snap, d, terms)
            hits.append(Hit(
                id=doc_id,
                slug=slug,
                score=float(scores[d]) if scores is not None else 0.0,
                highlights=list(highlights),
                match="all" if strict is None or strict[d] else "some",
            ))
        suggestion = None
        if not parsed.is_browse and matched_all < SUGGEST_BELOW:
            suggestion = self._better_query(parsed, snap, masks, matched_all)
        return SearchResult(total, page, per_page, hits, facets, suggestion, matched_all)

    def _shown(self, snap: Snapshot, docnum: int, terms: frozenset[str]) -> tuple:
        """(id, slug, snippets) of a hit. Kept by document and query terms across snapshots:
        reading the stored text and finding the words in it was a quarter of a warm search,
        and the suppliers a popular query shows come up again and again."""
        def make():
            stored = snap.stored(docnum)
            return stored["id"], stored.get("slug", ""), tuple(snippets(stored, terms))
        return self._hits.get_or_make((snap.doc_key(docnum), terms), make, _shown_bytes)

    def _add_concepts(self, q: str, snap: Snapshot, found: Evaluation) -> None:
        """Suppliers classified at or near a CPV code the query means gain score, graded by
        distance in the tree (that code or below it, its category, its group); those at or
        below a code that accounts for the whole query match it as if they had every word.

        Text scores are first divided by the query's best text score, so a concept's weight
        means the same for every query: BM25 sums grow with the number of words and fields
        matched, and a fixed weight was lost beside long queries and supplier names."""
        best = float(np.max(found.scores, where=snap.alive, initial=0.0))
        if best > 0:
            found.scores /= best
        gain = np.zeros(snap.size, np.float32)
        for concept in self.concepts.match(q):
            levels = [(concept.prefix, 1.0)]
            levels += [(concept.prefix[:n], g) for n, g in ((5, 0.5), (3, 0.25))
                       if len(concept.prefix) > n]
            for prefix, grade in levels:
                ids = snap.keyword_docs(CPV_TREE_FIELD, prefix)
                gain[ids] = np.maximum(gain[ids], concept.strength * grade)
                if grade == 1.0 and concept.covers_query:
                    found.strict[ids] = True
                    found.words[ids] = found.required
        found.scores += CONCEPT_WEIGHT * gain

    def _better_query(self, parsed: ParsedQuery, snap: Snapshot, masks, total: int) -> str | None:
        corrected = suggest(parsed, snap)
        if corrected is None:
            return None
        strict = evaluate(parse(corrected, self._synonyms), snap).strict
        found = _and(pack(strict) & snap.alive_bits, masks.values())
        return corrected if _count(found) > total else None


def _shown_bytes(shown: tuple) -> int:
    doc_id, slug, highlights = shown
    return 200 + len(doc_id) + len(slug) + sum(len(h) for h in highlights)


def _reward_proximity(parsed: ParsedQuery, snap: Snapshot, matched: np.ndarray,
                      rank: np.ndarray, scores: np.ndarray) -> None:
    """Raise the top candidates that hold neighbouring query words side by side. Only the
    best PROXIMITY_CANDIDATES are checked, always the same number, so every page of a result
    sees one order: a raised candidate only moves up among candidates."""
    pairs = parsed.adjacent_pairs()
    if not pairs:
        return
    cand = np.flatnonzero(matched)
    if len(cand) > PROXIMITY_CANDIDATES:
        top = np.argpartition(-rank[cand], PROXIMITY_CANDIDATES - 1)[:PROXIMITY_CANDIDATES]
        cand = np.sort(cand[top])
    for pair in pairs:
        together = np.zeros(snap.size, bool)
        for name in PROXIMITY_FIELDS:
            together[snap.phrase_among(name, pair, cand)] = True
        rank[together] += PROXIMITY_WEIGHT
        scores[together] += PROXIMITY_WEIGHT


_IDS = ""  # the key of the ``ids`` restriction among the filter masks: no facet's name


def _id_mask(snap: Snapshot, ids: Iterable[str]) -> np.ndarray:
    mask = np.zeros(snap.size, bool)
    for doc_id in ids:
        mask[snap.keyword_docs("id", str(doc_id))] = True
    return pack(mask)


def _count(bits: np.ndarray) -> int:
    return int(np.bitwise_count(bits).sum())


def _clean_filters(filters) -> dict[str, tuple[str, ...]]:
    out = {}
    for name, values in (filters or {}).items():
        if name not in FACETS_BY_NAME or not values:
            continue
        values = (values,) if isinstance(values, str) else values
        out[name] = tuple(dict.fromkeys(str(v) for v in values))
    return out


def _and(base: np.ndarray, masks) -> np.ndarray:
    out = base.copy()
    for mask in masks:
        out &= mask
    return out


def _facet_entries(snap: Snapshot, name: str, within: np.ndarray, selected) -> list:
    """(value, count, selected) for every value with a count and every selected value (a
    selected value the column does not count, such as a deep CPV code, is counted alone)."""
    counts = snap.facet_counts(name, within)
    values = snap.facets[name].values
    chosen = set(selected)
    entries = [(v, int(c), v in chosen) for v, c in zip(values, counts, strict=True)
               if c or v in chosen]
    known = set(values)
    for value in selected:
        if value not in known:
            bits = snap.value_bits(name, value)
            entries.append((value, 0 if bits is None else _count(bits & within), True))
    return sorted(entries)


def _page(snap: Snapshot, matched: np.ndarray, rank, strict, sort: str, start: int, size: int):
    """Docnums of one page, in order: suppliers matching every word before those matching
    some, whatever the sort. Ties always fall to the id hash."""
    if sort == "relevance" and rank is not None:
        cand = np.flatnonzero(matched)
        if start >= len(cand):
            return []
        need = start + size
        s = rank[cand]
        if len(cand) > need:
            kth = np.partition(s, len(s) - need)[len(s) - need]
            keep = s >= kth
            cand, s = cand[keep], s[keep]
        order = np.lexsort((snap.tiebreak[cand], -s))
        return cand[order][start:start + size].tolist()
    order = getattr(snap, {"newest": "newest_order", "name": "name_order"}.get(sort,
                                                                               "browse_order"))
    listed = order[matched[order]]
    if strict is not None:
        listed = np.concatenate([listed[strict[listed]], listed[~strict[listed]]])
    return listed[start:start + size].tolist()
