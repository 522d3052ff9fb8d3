"""Ranking quality of the search engine on the real Contracts Finder 2020 suppliers.

    python bench/relevance.py [--queries 200] [--seed 1] [--min-suppliers 3] [--no-experiments]
                              [--sets cpv,title,buyer,buyer+filters]

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
* buyer, buyer+filters: the hand-written buyer-language queries of `bench/buyer_queries.csv`
  (see `bench/buyer_queries.md`), kind `plain` and `filtered`, all of them (not sampled). Graded
  from the documents' `cpv_codes` against the row's codes: gain 3 = a supplier code starts with a
  query code's prefix (trailing zeros stripped, at least 2 digits), 2 = shares its first 5 digits
  (only when that prefix is longer than 5), 1 = shares its first 3; the best over the row's codes.
  A filtered row judges only suppliers passing its filters (region: `regions` holds the code or
  "UK"; sme: "sme" in `supplier_types`); the engine gets `{"region": [code]}` and/or
  `{"supplier_type": ["sme"]}`, the BM25 baselines filter their top 500 and keep 50. A second
  table gives nDCG@10 and the empty share per note category (text before ":" in `note`) for the
  engine and "bm25 (+cpv_labels)", the relevant baseline for these sets.

Metrics, mean over queries: nDCG@10 (linear gains, ideal from every judged supplier),
recall@50 of gain-3 suppliers (denominator capped at 50), MRR of the first gain-3 supplier
within the top 50, and the share of queries with no result at all. Timing: median ms per query
on a second, warm pass. Plain numbers, no asserts.

Systems: "app", the web app's own search path (`locator.services.search.run`, as
`/api/v1/suppliers` calls it: the query read for places, CPV codes and company numbers, a
misspelling that matches no supplier in full run again as corrected, then the engine); the
engine called directly on the app's documents ("engine") and with `cpv_labels` blanked; plain BM25
(Whoosh's default BM25F over one stemmed TEXT field of name + summary + description + services,
with or without cpv_labels, words ORed). Indented rows are experiments on the engine, patched in
this process only (nothing on disk changes; skip them with --no-experiments): other field
boosts, an empty synonyms file, words ORed instead of ANDed, and AND only (the engine's list of
suppliers matching some of the words switched off). The engine now appends that list itself when
fewer than a page (here 50) match every word, so the earlier "AND, backfill <10" patch is gone.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import dataclasses
import inspect
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

from sqlmodel import Session  # noqa: E402
from werkzeug.datastructures import MultiDict  # noqa: E402
from whoosh import fields, index  # noqa: E402
from whoosh.analysis import STOP_WORDS, StemmingAnalyzer  # noqa: E402
from whoosh.qparser import OrGroup, QueryParser  # noqa: E402

import search_index.engine as engine_module  # noqa: E402
from locator import create_app, taxonomies  # noqa: E402
from locator.db import sql_engine  # noqa: E402
from locator.migrate import upgrade  # noqa: E402
from locator.services import indexing, transfer  # noqa: E402
from locator.services import search as search_service  # noqa: E402
from search_index import IndexStore, SearchEngine  # noqa: E402
from search_index import schema as index_schema  # noqa: E402
from tools.contractsfinder_to_jsonl import read_rows, suppliers_by_slug  # noqa: E402

CSV_PATH = ROOT / "tests" / "data" / "contractsfinder_awards_2020.csv"
JSONL_PATH = ROOT / "tests" / "data" / "contractsfinder_suppliers.jsonl"
BUYER_PATH = ROOT / "bench" / "buyer_queries.csv"
SETS = ("cpv", "title", "buyer", "buyer+filters")
OVERFETCH = 500  # BM25 hits read before its filters are applied
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


def code_prefix(code: str) -> str:
    """A CPV code's prefix: trailing zeros stripped, at least 2 digits (45000000 -> "45")."""
    return code.rstrip("0") if len(code.rstrip("0")) >= 2 else code[:2]


def buyer_gain(query_codes: list[str], supplier_codes: list[str]) -> int:
    best = 0
    for code in query_codes:
        prefix = code_prefix(code)
        if any(c.startswith(prefix) for c in supplier_codes):
            return 3
        if len(prefix) > 5 and any(c[:5] == code[:5] for c in supplier_codes):
            best = max(best, 2)
        elif any(c[:3] == code[:3] for c in supplier_codes):
            best = max(best, 1)
    return best


def passes(doc: dict, filters: dict[str, list[str]] | None) -> bool:
    """The benchmark's own reading of the two filters the buyer set uses."""
    filters = filters or {}
    regions = doc.get("regions") or []
    if "region" in filters and not any(r in regions or "UK" in regions
                                       for r in filters["region"]):
        return False
    return not ("supplier_type" in filters
                and not set(filters["supplier_type"]) & set(doc.get("supplier_types") or []))


def buyer_queries(docs: list[dict], kind: str) -> list[tuple]:
    """(query, gains, filters, note category) for the rows of buyer_queries.csv of one kind."""
    out = []
    with BUYER_PATH.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] != kind:
                continue
            filters: dict[str, list[str]] = {}
            if row["region"].strip():
                filters["region"] = [row["region"].strip()]
            if row["sme"].strip().lower() == "yes":
                filters["supplier_type"] = ["sme"]
            codes = [c[:8] for c in row["cpv_codes"].split()]
            gains = {}
            for doc in docs:
                if passes(doc, filters):
                    gain = buyer_gain(codes, [c[:8] for c in doc.get("cpv_codes") or []])
                    if gain:
                        gains[doc["slug"]] = gain
            out.append((row["query"], gains, filters or None,
                        row["note"].split(":")[0].strip() or "(none)"))
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


def evaluate(search: Callable[..., list[str]], queries) -> dict:
    """Queries are (query, gains) or (query, gains, filters, category) tuples."""
    queries = [(q[0], q[1], q[2] if len(q) > 2 else None) for q in queries]
    runs = [(search(q, filters), gains) for q, gains, filters in queries]
    times = []
    for q, _, filters in queries:  # warm pass, timed
        start = time.perf_counter()
        search(q, filters)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "nDCG@10": statistics.fmean(ndcg(r, g) for r, g in runs),
        "R@50": statistics.fmean(recall(r, g) for r, g in runs),
        "MRR": statistics.fmean(reciprocal_rank(r, g) for r, g in runs),
        "empty": statistics.fmean(not r for r, _ in runs),
        "ms": statistics.median(times),
        "per_query": [(ndcg(r, g), not r) for r, g in runs],
    }


# Systems


def engine_search(base: Path, synonyms: Path | None = None) -> Callable[[str], list[str]]:
    engine = SearchEngine(base, concepts=taxonomies.concepts(),
                          **({"synonyms_path": synonyms} if synonyms else {}))
    return lambda q, filters=None: [
        hit.slug for hit in engine.search(q, filters=filters, per_page=TOP).hits]


def app_search(app, base: Path) -> Callable[[str], list[str]]:
    """What `/api/v1/suppliers` returns, through the search service (not over HTTP)."""
    engine = SearchEngine(base, concepts=taxonomies.concepts())
    session = Session(sql_engine(app), expire_on_commit=False)

    def search(q: str, filters: dict | None = None) -> list[str]:
        args = MultiDict([("q", q), ("per_page", str(TOP))])
        for name, values in (filters or {}).items():
            args.setlist(name, values)
        request = search_service.parse(args, api=True)
        return [s.slug for s in search_service.run(session, engine, request).results]
    return search


def baseline_search(base: Path, docs: list[dict], with_labels: bool) -> Callable:
    """Plain BM25F over one stemmed TEXT field, words ORed; filters applied to its top 500."""
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
    by_slug = {doc["slug"]: doc for doc in docs}

    def search(q: str, filters: dict | None = None) -> list[str]:
        words = _WORD.findall(q.lower())  # no syntax survives, and no upper-case AND/OR/NOT
        if not words:
            return []
        hits = searcher.search(parser.parse(" ".join(words)), limit=OVERFETCH if filters else TOP)
        slugs = [hit["slug"] for hit in hits]
        if filters:
            slugs = [slug for slug in slugs if passes(by_slug[slug], filters)]
        return slugs[:TOP]

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


@contextlib.contextmanager
def patched_evaluation(change: Callable) -> Iterator[None]:
    """Temporarily pass the engine's `Evaluation` of every query through `change`
    (this process only)."""
    saved = engine_module.evaluate
    engine_module.evaluate = lambda parsed, snap: change(saved(parsed, snap))
    try:
        yield
    finally:
        engine_module.evaluate = saved


def any_word() -> contextlib.AbstractContextManager:
    """OR the query's words instead of ANDing them: every document matching a word is strict."""
    return patched_evaluation(lambda found: dataclasses.replace(
        found, strict=found.strict | (found.words > 0)))


def and_only() -> contextlib.AbstractContextManager:
    """Every word or nothing: no list of suppliers matching some of the words."""
    return patched_evaluation(lambda found: dataclasses.replace(
        found, required=min(found.required, 1)))


def import_checker() -> tuple:
    """The form checker `transfer.import_lines` takes, where its signature asks for one (the
    importer is gaining form validation; older signatures take none)."""
    if "check" not in inspect.signature(transfer.import_lines).parameters:
        return ()
    from locator.forms.records import FormChecker
    return (FormChecker(),)


# Output


def table(title: str, results: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    width = max(len(name) for name in results) + 2
    print(f"{'system':<{width}}{'nDCG@10':>9}{'R@50':>8}{'MRR':>8}{'empty':>8}{'ms/q':>8}")
    for name, m in results.items():
        print(f"{name:<{width}}{m['nDCG@10']:>9.3f}{m['R@50']:>8.3f}{m['MRR']:>8.3f}"
              f"{m['empty']:>8.1%}{m['ms']:>8.2f}")


def category_table(title: str, queries, results: dict[str, dict]) -> None:
    """nDCG@10 and empty share per note category: the app, the engine, bm25 (+cpv_labels)."""
    systems = [name for name in ("app", "engine", "bm25 (+cpv_labels)") if name in results]
    by_category: dict[str, list[int]] = defaultdict(list)
    for i, query in enumerate(queries):
        by_category[query[3]].append(i)
    print(f"\n{title}")
    width = max(len(c) for c in by_category) + 2
    print(f"{'category':<{width}}{'n':>4}" + "".join(
        f"{'nDCG ' + s:>{max(len(s) + 7, 12)}}" for s in systems) + "".join(
        f"{'empty ' + s:>{max(len(s) + 8, 12)}}" for s in systems))
    for category, rows in sorted(by_category.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        per = {s: [results[s]["per_query"][i] for i in rows] for s in systems}
        print(f"{category:<{width}}{len(rows):>4}" + "".join(
            f"{statistics.fmean(n for n, _ in per[s]):>{max(len(s) + 7, 12)}.3f}"
            for s in systems) + "".join(
            f"{statistics.fmean(e for _, e in per[s]):>{max(len(s) + 8, 12)}.1%}"
            for s in systems))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=200, help="at most N queries per set")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--min-suppliers", type=int, default=3,
                        help="CPV codes awarded to at least K suppliers become queries")
    parser.add_argument("--no-experiments", action="store_true",
                        help="skip the boost/synonym/OR variants of the engine")
    parser.add_argument("--sets", default=",".join(SETS),
                        help=f"comma-separated query sets (default {','.join(SETS)})")
    args = parser.parse_args(argv)
    wanted = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = set(wanted) - set(SETS)
    if unknown or not wanted:
        parser.error(f"unknown sets {sorted(unknown)}; choose from {', '.join(SETS)}")
    rng = random.Random(args.seed)
    started = time.perf_counter()

    by_slug = suppliers_by_slug(read_rows(CSV_PATH))  # CSV rows per imported slug
    # Both mechanical sets are always built, so the seeded samples do not depend on --sets.
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
                report = transfer.import_lines(session, lines, *import_checker())
            assert not report.errors, report.errors[:5]
            indexing.rebuild(session, IndexStore(tmp / "as-is"))
            docs = list(indexing.published_documents(session, date.today()))
        unmatched = {d["slug"] for d in docs} ^ set(by_slug)
        assert not unmatched, f"slugs differ between converter and import: {sorted(unmatched)[:5]}"
        sets["buyer"] = buyer_queries(docs, "plain")
        sets["buyer+filters"] = buyer_queries(docs, "filtered")
        sets = {name: sets[name] for name in SETS if name in wanted}
        blank = [{**doc, "cpv_labels": ""} for doc in docs]
        IndexStore(tmp / "no-labels").rebuild(blank, applied_through=0)
        no_synonyms = tmp / "no-synonyms.txt"
        no_synonyms.write_text("", encoding="utf-8")
        print(f"{len(docs)} suppliers imported and indexed in {time.perf_counter() - started:.1f}s;"
              f" queries: {', '.join(f'{k} {len(v)}' for k, v in sets.items())}"
              f" (seed {args.seed}, K={args.min_suppliers})")

        systems: dict[str, Callable[[], Callable]] = {
            "app": lambda: app_search(app, tmp / "as-is"),
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
                    f"  AND only, no 'some' list{label}": (base, and_only),
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
            if set_name.startswith("buyer"):
                category_table(f"{set_name}: per note category", queries, results)
    print(f"\ntotal {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
