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
from .snapshot import Snapshot

# A generic word ("firms") in a supplier's text says little about what it does: it only nudges.
GENERIC_WEIGHT = 0.25
KEEP_OVER = 50  # an alternative with postings for over 1/50 of the documents is kept (_matches)
KEEP_LISTS = 2 * len(TEXT_BOOSTS)  # ... and one adding up more posting lists than two words'


def _alternative_matches(snap: Snapshot, alt: Alternative, field: str):
    if alt.kind == "term":
        yield snap.term(field, alt.tokens[0])
    elif alt.kind == "phrase":
        yield snap.phrase(field, alt.tokens)
    else:
        for prefix in alt.tokens:
            for text in snap.prefix_terms(field, prefix):
                yield snap.term(field, text)


def _matches(snap: Snapshot, alt: Alternative) -> tuple[np.ndarray, np.ndarray]:
    """(mask, scores) of one alternative over every text field. A common word's are kept for
    the snapshot as one list of documents: adding up its seven fields' postings again was half
    of a warm search. So are those of a prefix that stands for many words, however rare: adding
    up hundreds of words' postings made a warm "quin*" take 20 ms. A rare word's are quick to
    add up and are not kept (listing the documents would cost a pass over all of them)."""
    mask = np.zeros(snap.size, bool)
    scores = np.zeros(snap.size, np.float32)
    kept = snap.kept(("alternative", alt))
    if kept is not None:
        ids, kept_scores = kept
        mask[ids] = True
        scores[ids] = kept_scores
        return mask, scores
    postings = lists = 0
    for field, boost in TEXT_BOOSTS.items():
        for ids, contrib in _alternative_matches(snap, alt, field):
            mask[ids] = True
            scores[ids] += boost * contrib
            postings += len(ids)
            lists += 1
    if postings * KEEP_OVER > snap.size or lists > KEEP_LISTS:
        ids = np.flatnonzero(mask).astype(np.int32)
        snap.keep(("alternative", alt), (ids, scores[ids]), ids.nbytes * 2 + 64)
    return mask, scores


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
