"""Ranking quality of the search engine on the real Contracts Finder 2020 suppliers.

    python bench/relevance.py [--queries 200] [--seed 1] [--min-suppliers 3] [--no-experiments]

The corpus goes through the app's real path: a temporary SQLite database migrated with
`locator.migrate.upgrade`, `tests/data/contractsfinder_suppliers.jsonl` loaded with
`locator.services.transfer.import_lines`, and indexes built with `indexing.rebuild` (as is) or
`IndexStore.rebuild` over `indexing.published_documents` (variants). Queries and judgements
are built mechanically from `tests/data/contractsfinder_awards_2020.csv`; suppliers are matched
to the imported slugs by the converter's own grouping (`tools/contractsfinder_to_jsonl.py`).

Query sets (each a seeded sample of at most --queries):

* cpv: every CPV code awarded to at least --min-suppliers distinct suppliers; query = the code's
  CPV description, lower-cased, parenthesised parts dropped. Gain 3 = awarded under that code,
  2 = under another code of its group (first 3 digits), 1 = of its division (first 2 digits).
  The documents' `cpv_labels` field holds exactly these descriptions: this set leaks.
* title: award notices; query = the first 3-5 (seeded) content words of the notice title.
  Gain 3 = a supplier awarded that notice, 1 = a supplier awarded under any of its CPV codes.

Metrics, mean over queries: nDCG@10 (linear gains, ideal from every judged supplier),
recall@50 of gain-3 suppliers (denominator capped at 50), MRR of the first gain-3 supplier
within the top 50, and the share of queries with no result at all. Timing: median ms per query
on a second, warm pass. Plain numbers, no asserts.

Systems: the engine on the app's documents ("engine") and with `cpv_labels` blanked; plain BM25
(Whoosh's default BM25F over one stemmed TEXT field of name + summary + description + services,
with or without cpv_labels, words ORed). Indented rows are experiments on the engine, patched in
this process only (nothing on disk changes; skip them with --no-experiments): other field
boosts, an empty synonyms file, words ORed instead of ANDed, and AND with a backfill of partial
matches when AND finds fewer than 10. The ms/q of the last two time a Python patch that
evaluates every word twice, not what a real implementation would cost.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sqlmodel import Session  # noqa: E402
from whoosh import fields, index  # noqa: E402
from whoosh.analysis import STOP_WORDS, StemmingAnalyzer  # noqa: E402
from whoosh.qparser import OrGroup, QueryParser  # noqa: E402

import search_index.engine as engine_module  # noqa: E402
from locator import create_app, taxonomies  # noqa: E402
from locator.db import sql_engine  # noqa: E402
from locator.migrate import upgrade  # noqa: E402
from locator.services import indexing, transfer  # noqa: E402
from search_index import IndexStore, SearchEngine  # noqa: E402
from search_index import schema as index_schema  # noqa: E402
from tools.contractsfinder_to_jsonl import read_rows, suppliers_by_slug  # noqa: E402

CSV_PATH = ROOT / "tests" / "data" / "contractsfinder_awards_2020.csv"
JSONL_PATH = ROOT / "tests" / "data" / "contractsfinder_suppliers.jsonl"
TOP = 50
BASELINE_FIELDS = ("name", "summary", "description", "services")
_WORD = re.compile(r"[a-z0-9]+")


# Judgements




def codes_of(row) -> set[str]:
    return {code[:8] for code in (row.get("cpv_codes") or "").split()}


def cpv_query(description: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\([^)]*\)", " ", description)).strip().lower()


def cpv_queries(by_slug, min_suppliers: int) -> list[tuple[str, dict[str, int]]]:
    labels = taxonomies.cpv_codes()
    slug_codes = {slug: set().union(*map(codes_of, group)) for slug, group in by_slug.items()}
    winners: dict[str, set[str]] = defaultdict(set)
    for slug, codes in slug_codes.items():
        for code in codes:
            winners[code].add(slug)
    out = []
    for code in sorted(winners):
        if len(winners[code]) < min_suppliers or code not in labels:
            continue
        gains = {}
        for slug, codes in slug_codes.items():
            if code in codes:
                gains[slug] = 3
            elif any(c[:3] == code[:3] for c in codes):
                gains[slug] = 2
            elif any(c[:2] == code[:2] for c in codes):
                gains[slug] = 1
        out.append((cpv_query(labels[code]), gains))
    return out


def content_words(title: str) -> list[str]:
    return [w for w in _WORD.findall(title.lower())
            if len(w) >= 3 and not w.isdigit() and w not in STOP_WORDS]


def title_queries(by_slug, rng: random.Random) -> list[tuple[str, dict[str, int]]]:
    notice_winners: dict[str, set[str]] = defaultdict(set)
    notice_row: dict[str, dict] = {}
    code_winners: dict[str, set[str]] = defaultdict(set)
    for slug, group in by_slug.items():
        for row in group:
            notice_winners[row["notice_id"]].add(slug)
            notice_row.setdefault(row["notice_id"], row)
            for code in codes_of(row):
                code_winners[code].add(slug)
    out = []
    for notice in sorted(notice_row):
        row = notice_row[notice]
        words = content_words(row["title"])
        if len(words) < 3:
            continue
        query = " ".join(words[: rng.randint(3, 5)])
        gains = {slug: 1 for code in codes_of(row) for slug in code_winners[code]}
        gains.update({slug: 3 for slug in notice_winners[notice]})
        out.append((query, gains))
    return out


# Metrics


def ndcg(ranked: list[str], gains: dict[str, int], k: int = 10) -> float:
    dcg = sum(gains.get(slug, 0) / math.log2(i + 2) for i, slug in enumerate(ranked[:k]))
    ideal = sorted(gains.values(), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall(ranked: list[str], gains: dict[str, int], k: int = TOP) -> float:
    wanted = {slug for slug, g in gains.items() if g == 3}
    return len(wanted & set(ranked[:k])) / min(len(wanted), k) if wanted else 0.0


def reciprocal_rank(ranked: list[str], gains: dict[str, int]) -> float:
    for i, slug in enumerate(ranked[:TOP]):
        if gains.get(slug) == 3:
            return 1.0 / (i + 1)
    return 0.0


def evaluate(search: Callable[[str], list[str]], queries) -> dict[str, float]:
    runs = [(search(q), gains) for q, gains in queries]
    times = []
    for q, _ in queries:  # warm pass, timed
        start = time.perf_counter()
        search(q)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "nDCG@10": statistics.fmean(ndcg(r, g) for r, g in runs),
        "R@50": statistics.fmean(recall(r, g) for r, g in runs),
        "MRR": statistics.fmean(reciprocal_rank(r, g) for r, g in runs),
        "empty": statistics.fmean(not r for r, _ in runs),
        "ms": statistics.median(times),
    }


# Systems


def engine_search(base: Path, synonyms: Path | None = None) -> Callable[[str], list[str]]:
    engine = SearchEngine(base, **({"synonyms_path": synonyms} if synonyms else {}))
    return lambda q: [hit.slug for hit in engine.search(q, per_page=TOP).hits]


def baseline_search(base: Path, docs: list[dict], with_labels: bool) -> Callable:
    """Plain BM25F over one stemmed TEXT field, words ORed."""
    base.mkdir(parents=True)
    ix = index.create_in(base, fields.Schema(
        slug=fields.ID(stored=True), content=fields.TEXT(analyzer=StemmingAnalyzer())))
    sources = BASELINE_FIELDS + (("cpv_labels",) if with_labels else ())
    with ix.writer() as writer:
        for doc in docs:
            writer.add_document(slug=doc["slug"],
                                content="\n".join(doc.get(f) or "" for f in sources))
    searcher = ix.searcher()
    parser = QueryParser("content", ix.schema, group=OrGroup)

    def search(q: str) -> list[str]:
        words = _WORD.findall(q.lower())  # no syntax survives, and no upper-case AND/OR/NOT
        if not words:
            return []
        return [hit["slug"] for hit in searcher.search(parser.parse(" ".join(words)), limit=TOP)]

    return search


@contextlib.contextmanager
def boosts(changes: dict[str, float]) -> Iterator[None]:
    """Temporarily change the engine's field boosts (this process only)."""
    saved = dict(index_schema.TEXT_BOOSTS)
    index_schema.TEXT_BOOSTS.update(changes)
    try:
        yield
    finally:
        index_schema.TEXT_BOOSTS.update(saved)


def _single(parsed, clause):
    return type(parsed)(clauses=(clause,))


@contextlib.contextmanager
def any_word() -> Iterator[None]:
    """Temporarily OR the query's words instead of ANDing them (this process only)."""
    saved = engine_module.evaluate

    def evaluate_or(parsed, snap):
        mask, scores = np.zeros(snap.size, bool), np.zeros(snap.size, np.float32)
        for clause in parsed.clauses:
            m, s = saved(_single(parsed, clause), snap)
            mask |= m
            scores += s
        return mask, scores

    engine_module.evaluate = evaluate_or
    try:
        yield
    finally:
        engine_module.evaluate = saved


@contextlib.contextmanager
def backfill(below: int = 10) -> Iterator[None]:
    """Temporarily keep AND, but when it matches fewer than `below` documents add those matching
    some of the words, ranked by how many words they match, then by score (this process only)."""
    saved = engine_module.evaluate

    def evaluate_backfill(parsed, snap):
        mask, scores = saved(parsed, snap)
        if len(parsed.clauses) < 2 or np.count_nonzero(mask) >= below:
            return mask, scores
        matched, scores = np.zeros(snap.size, np.float32), np.zeros(snap.size, np.float32)
        for clause in parsed.clauses:
            m, s = saved(_single(parsed, clause), snap)
            matched += m
            scores += s
        return matched > 0, scores + 1000.0 * matched

    engine_module.evaluate = evaluate_backfill
    try:
        yield
    finally:
        engine_module.evaluate = saved


# Output


def table(title: str, results: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    width = max(len(name) for name in results) + 2
    print(f"{'system':<{width}}{'nDCG@10':>9}{'R@50':>8}{'MRR':>8}{'empty':>8}{'ms/q':>8}")
    for name, m in results.items():
        print(f"{name:<{width}}{m['nDCG@10']:>9.3f}{m['R@50']:>8.3f}{m['MRR']:>8.3f}"
              f"{m['empty']:>8.1%}{m['ms']:>8.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=200, help="at most N queries per set")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--min-suppliers", type=int, default=3,
                        help="CPV codes awarded to at least K suppliers become queries")
    parser.add_argument("--no-experiments", action="store_true",
                        help="skip the boost/synonym/OR variants of the engine")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    started = time.perf_counter()

    by_slug = suppliers_by_slug(read_rows(CSV_PATH))  # CSV rows per imported slug
    sets = {"cpv": cpv_queries(by_slug, args.min_suppliers), "title": title_queries(by_slug, rng)}
    for name, queries in sets.items():
        if len(queries) > args.queries:
            sets[name] = rng.sample(queries, args.queries)

    with tempfile.TemporaryDirectory(prefix="relevance-") as tmp_name:
        tmp = Path(tmp_name)
        url = f"sqlite:///{tmp / 'bench.db'}"
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "INDEX_DIR": str(tmp / "app-index"),
                          "SECRET_KEY": "x", "TESTING": True})
        with app.app_context(), Session(sql_engine(app),
                                        expire_on_commit=False) as session:
            with JSONL_PATH.open(encoding="utf-8") as lines:
                report = transfer.import_lines(session, lines)
            assert not report.errors, report.errors[:5]
            indexing.rebuild(session, IndexStore(tmp / "as-is"))
            docs = list(indexing.published_documents(session, date.today()))
        unmatched = {d["slug"] for d in docs} ^ set(by_slug)
        assert not unmatched, f"slugs differ between converter and import: {sorted(unmatched)[:5]}"
        blank = [{**doc, "cpv_labels": ""} for doc in docs]
        IndexStore(tmp / "no-labels").rebuild(blank, applied_through=0)
        no_synonyms = tmp / "no-synonyms.txt"
        no_synonyms.write_text("", encoding="utf-8")
        print(f"{len(docs)} suppliers imported and indexed in {time.perf_counter() - started:.1f}s;"
              f" queries: {', '.join(f'{k} {len(v)}' for k, v in sets.items())}"
              f" (seed {args.seed}, K={args.min_suppliers})")

        systems: dict[str, Callable[[], Callable]] = {
            "engine": lambda: engine_search(tmp / "as-is"),
            "engine, no cpv_labels": lambda: engine_search(tmp / "no-labels"),
            "bm25 (+cpv_labels)": lambda: baseline_search(tmp / "bm25-labels", docs, True),
            "bm25": lambda: baseline_search(tmp / "bm25", docs, False),
        }
        variants: dict[str, tuple[Path, Callable[[], contextlib.AbstractContextManager]]] = {}
        if not args.no_experiments:
            flat = dict.fromkeys(index_schema.TEXT_BOOSTS, 1.0)
            for label, base in (("", "as-is"), (", no cpv_labels", "no-labels")):
                variants |= {
                    f"  all boosts 1{label}": (base, lambda: boosts(flat)),
                    f"  name 1{label}": (base, lambda: boosts({"name": 1.0})),
                    f"  cpv_labels 1{label}": (base, lambda: boosts({"cpv_labels": 1.0})),
                    f"  no synonyms{label}": (base, contextlib.nullcontext),
                    f"  any word (OR){label}": (base, any_word),
                    f"  AND, backfill <10{label}": (base, backfill),
                }
            del variants["  cpv_labels 1, no cpv_labels"]  # nothing to boost
        searchers = {name: make() for name, make in systems.items()}
        for set_name, queries in sets.items():
            results = {name: evaluate(search, queries) for name, search in searchers.items()}
            for name, (base, context) in variants.items():
                synonyms = no_synonyms if "no synonyms" in name else None
                with context():
                    results[name] = evaluate(engine_search(tmp / base, synonyms), queries)
            table(f"{set_name} queries ({len(queries)})", results)
    print(f"\ntotal {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
