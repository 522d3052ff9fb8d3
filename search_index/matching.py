"""Evaluate a parsed query against a snapshot: a boolean match mask and BM25F
scores over every document, built from cached per-term arrays.

Clauses are ANDed (generic words only add score); a clause's
alternatives (synonyms) are ORed; each alternative may match in any text field,
weighted by the field's boost. How many clauses each document matches is kept,
so the engine can offer suppliers that match some of the words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .query import Alternative, ParsedQuery
from .schema import TEXT_BOOSTS
from .snapshot import Snapshot, pack, unpack

# A generic word ("firms") in a supplier's text says little about what it does: it only nudges.
GENERIC_WEIGHT = 0.25
SPARSE_BELOW = 16  # an alternative with postings for under 1/16 of the documents: _add_up


def _alternative_postings(snap: Snapshot, alt: Alternative, field: str):
    if alt.kind == "term":
        yield snap.term_scores(field, alt.tokens[0])
    elif alt.kind == "phrase":
        yield snap.phrase(field, alt.tokens)
    else:
        for prefix in alt.tokens:
            for text in snap.prefix_terms(field, prefix):
                yield snap.term_scores(field, text)


def _matches(snap: Snapshot, alt: Alternative) -> tuple[np.ndarray, np.ndarray]:
    """(mask, scores) of one alternative over every text field, kept for the snapshot as the
    documents it matches and their scores. Adding up a word's postings field by field again
    was most of a warm search; keeping each field's scores as well doubled what the cache held
    (a 300-query pass evicted most of it and recomputed it)."""
    kept = snap.kept(("alternative", alt))
    if kept is not None:
        where, kept_scores = kept
        scores = np.zeros(snap.size, np.float32)
        if where.dtype == np.uint64:  # a common alternative's documents, as packed bits
            mask = unpack(where, snap.size)
            scores[mask] = kept_scores
        else:
            mask = np.zeros(snap.size, bool)
            mask[where] = True
            scores[where] = kept_scores
        return mask, scores
    mask = np.zeros(snap.size, bool)
    scores = np.zeros(snap.size, np.float32)
    ids, kept_scores = _add_up(snap, alt, mask, scores)
    # Bits take less room than docnums for an alternative matching over 1/32 of the documents.
    where = pack(mask) if len(ids) * 32 > snap.size else ids
    snap.keep(("alternative", alt), (where, kept_scores), where.nbytes + kept_scores.nbytes + 64)
    return mask, scores


def _add_up(snap: Snapshot, alt: Alternative, mask: np.ndarray, scores: np.ndarray):
    """Fill ``mask`` and ``scores`` with the alternative's fields' postings, boosted; return
    the matched documents and their scores. A rare word's few postings are added up among
    themselves: listing the documents from the dense arrays is a pass over all of them."""
    parts = [(ids, boost * contrib) for field, boost in TEXT_BOOSTS.items()
             for ids, contrib in _alternative_postings(snap, alt, field)]
    if sum(len(ids) for ids, _ in parts) * SPARSE_BELOW < snap.size:
        ids = np.unique(np.concatenate([i for i, _ in parts])) if parts else np.zeros(0, np.int32)
        summed = np.zeros(len(ids), np.float32)
        for part_ids, part_scores in parts:  # field by field, as the dense arrays add up
            summed[np.searchsorted(ids, part_ids)] += part_scores
        mask[ids] = True
        scores[ids] = summed
        return ids.astype(np.int32, copy=False), summed
    for part_ids, part_scores in parts:
        mask[part_ids] = True
        scores[part_ids] += part_scores
    ids = np.flatnonzero(mask).astype(np.int32)
    return ids, scores[ids]


def _all_matches(snap: Snapshot, alt: Alternative) -> tuple[np.ndarray, np.ndarray]:
    """Every token somewhere in the document (not necessarily together)."""
    mask = np.ones(snap.size, bool)
    scores = np.zeros(snap.size, np.float32)
    for token in alt.tokens:
        token_mask, token_scores = _matches(snap, Alternative("term", (token,)))
        mask &= token_mask
        scores += token_scores
    return mask, np.where(mask, scores, 0)


@dataclass
class Evaluation:
    """What a query matched, over every document.

    ``strict``: every required clause (generic words are not required).
    ``words``: how many required clauses each document matches (for "some of your words").
    ``scores``: BM25F summed over every clause a document matches."""

    strict: np.ndarray
    words: np.ndarray
    scores: np.ndarray
    required: int

    def some(self, at_least: int) -> np.ndarray:
        """Documents outside ``strict`` that match at least ``at_least`` required clauses."""
        return (self.words >= at_least) & ~self.strict


def _clause(snap: Snapshot, clause) -> tuple[np.ndarray, np.ndarray]:
    mask = np.zeros(snap.size, bool)
    scores = np.zeros(snap.size, np.float32)
    for alt in clause.alternatives:
        alt_mask, alt_scores = (_all_matches if alt.kind == "all" else _matches)(snap, alt)
        mask |= alt_mask
        scores += alt_scores
    return mask, scores


def evaluate(parsed: ParsedQuery, snap: Snapshot) -> Evaluation:
    """Match a non-browse query; deleted documents are not masked here."""
    scores = np.zeros(snap.size, np.float32)
    strict = np.ones(snap.size, bool)
    words = np.zeros(snap.size, np.int16)
    for clause in parsed.required:
        mask, clause_scores = _clause(snap, clause)
        strict &= mask
        words += mask
        scores += clause_scores
    for clause in parsed.optional:  # generic words add a little score, never narrow the answer
        _, clause_scores = _clause(snap, clause)
        scores += GENERIC_WEIGHT * clause_scores
    return Evaluation(strict, words, scores, len(parsed.required))


def highlight_terms(parsed: ParsedQuery, snap: Snapshot, fields) -> frozenset[str]:
    """The analysed terms (with prefix expansions) that a snippet should mark."""
    terms: set[str] = set()
    for clause in parsed.clauses:
        for alt in clause.alternatives:
            if alt.kind == "prefix":
                for field in fields:
                    for prefix in alt.tokens:
                        terms.update(snap.prefix_terms(field, prefix))
            else:
                terms.update(alt.tokens)
    return frozenset(terms)
