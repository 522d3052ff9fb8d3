"""Benchmark the search engine on N deterministic synthetic published profiles.

    python bench/search.py --n 10000 [--seed 1] [--queries 200] [--procs 2]
    python bench/search.py --n 10000 --distinct 300 [--workers K]
    python bench/search.py --n 10000 --compare 300
    python bench/search.py --n 10000 --keep DIR --updates 50 --workers 2

Prints build time and size, p50/p95/p99 latency for (a) text only, (b) text + 2
filters + all facet counts, (c) filters only sorted newest (the engine as the app runs it:
"some words" backfill and CPV concept scoring on), and the time from an
update + commit until the change is searchable. Plain numbers, no asserts.

``--distinct Q``: Q different queries drawn from the corpus vocabulary, each with 2 filters and
all facet counts, run by ``--workers K`` fresh processes at once on the index: each sees every
query once (cold), then again (warm), and reports its memory (RSS, PSS, USS). ``--compare Q``:
the same queries and the fixed mixes through postings from the sidecars and decoded from Whoosh
in one process; counts the results (hits, scores, totals, facet counts, suggestion) that differ.
``--updates U``: U single edits, each timed from the upsert until a search finds it (commit, the
new segment's sidecar, refresh, search), while ``--workers K`` other processes search the same
index and refresh as the app's auto-refresh thread does. ``BENCH_CODE=DIR`` imports the engine
from another checkout (e.g. main, for a "before" figure).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, os.environ.get("BENCH_CODE") or str(Path(__file__).resolve().parent.parent))

from locator import taxonomies  # noqa: E402
from search_index import IndexStore, SearchEngine  # noqa: E402
from search_index.facets import ITL1_REGIONS  # noqa: E402

SERVICES = [
    "penetration testing", "cyber security consultancy", "cloud hosting", "software development",
    "data analytics", "user research", "service design", "agile delivery", "digital transformation",
    "managed IT services", "network infrastructure", "CCTV installation", "facilities management",
    "grounds maintenance", "cleaning services", "catering", "HR consultancy", "payroll services",
    "recruitment", "training and development", "mental health support", "domiciliary care",
    "social care", "occupational health", "legal advice", "translation services",
    "print services", "waste management", "recycling", "energy efficiency", "solar installation",
    "building surveying",
    "architecture", "construction", "electrical contracting", "plumbing", "fleet management",
    "vehicle hire", "courier services", "logistics", "event management", "marketing",
    "communications", "web design", "accessibility testing", "GIS mapping", "asset management",
    "project management", "business analysis", "financial audit", "accountancy",
    "procurement advice",
    "security guarding", "pest control", "furniture supply", "stationery", "laboratory testing",
    "environmental consultancy", "ecology surveys", "youth services", "employment support",
]
ACCREDITATIONS = {
    "cyber-essentials": "Cyber Essentials", "cyber-essentials-plus": "Cyber Essentials Plus",
    "iso-27001": "ISO 27001", "iso-9001": "ISO 9001", "iso-14001": "ISO 14001",
    "iso-45001": "ISO 45001", "chas": "CHAS", "constructionline": "Constructionline",
    "safecontractor": "SafeContractor", "living-wage": "Living Wage Employer",
    "disability-confident": "Disability Confident", "b-corp": "B Corp",
    "investors-in-people": "Investors in People", "cqc-registered": "CQC Registered",
    "nhs-dspt": "NHS Data Security and Protection Toolkit", "pci-dss": "PCI DSS",
}
SECTORS = [
    "health-social-care", "local-government", "central-government", "education", "defence",
    "police-justice", "housing", "transport", "environment", "culture-sport", "charities",
    "emergency-services",
]
CPV = {
    "72000000": "IT services consulting software development internet and support",
    "72200000": "Software programming and consultancy services",
    "72300000": "Data services", "72500000": "Computer-related services",
    "79100000": "Legal services", "79200000": "Accounting auditing and fiscal services",
    "79400000": "Business and management consultancy", "79600000": "Recruitment services",
    "79700000": "Investigation and security services", "79800000": "Printing services",
    "85100000": "Health services", "85300000": "Social work services",
    "90500000": "Refuse and waste related services", "90900000": "Cleaning services",
    "45000000": "Construction work", "45300000": "Building installation work",
    "50000000": "Repair and maintenance services", "55500000": "Canteen and catering services",
    "60100000": "Road transport services", "71300000": "Engineering services",
    "80500000": "Training services", "98300000": "Miscellaneous services",
    "48000000": "Software package and information systems", "30200000": "Computer equipment",
}
FRAMEWORKS = ["g-cloud-14", "dos-6", "rm6116", "rm6187", "nhs-ssf", "ypo-1000", "espo-664",
              "ccs-fm", "tepc", "heart"]
SOCIAL_VALUE = ["covid-recovery", "economic-inequality", "climate-change", "equal-opportunity",
                "wellbeing"]
SIZES = ["micro", "small", "medium", "large", "not-stated"]
LEGAL = ["limited-company", "charity", "cic", "llp", "sole-trader", "cooperative"]
TYPES = ["sme", "vcse", "supported-employment", "public-service-mutual"]
COMMON = " ".join((
    "we deliver high quality services to public sector organisations across the UK our team "
    "works with councils NHS trusts schools and central government departments to improve "
    "outcomes reduce costs and support residents patients and staff we provide flexible "
    "support experienced consultants local knowledge value for money social value commitments "
    "sustainability carbon reduction apprenticeships community engagement partnership working "
    "continuous improvement secure reliable accessible inclusive innovative responsive",
)).split()


def _lexicon(rng: random.Random, size: int) -> list[str]:
    """Invented words for a long Zipfian tail, like a real lexicon."""
    syll = ["ka", "lo", "mi", "ren", "tor", "vel", "sa", "quin", "dar", "po", "ex", "ul", "bri"]
    return ["".join(rng.choice(syll) for _ in range(rng.randint(2, 4))) for _ in range(size)]


def make_docs(n: int, seed: int = 1):
    """Yield n deterministic synthetic supplier documents."""
    rng = random.Random(seed)
    tail = _lexicon(random.Random(seed + 1), 20000)
    service_words = " ".join(SERVICES).split()
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for i in range(n):
        services = rng.sample(SERVICES, rng.randint(2, 6))
        words = []
        for _ in range(rng.randint(150, 300)):
            r = rng.random()
            if r < 0.55:
                words.append(rng.choice(COMMON))
            elif r < 0.8:
                words.append(rng.choice(service_words))
            else:
                words.append(tail[min(int(rng.paretovariate(0.6)) - 1, len(tail) - 1)])
        accs = rng.sample(list(ACCREDITATIONS), rng.randint(0, 4))
        cpvs = rng.sample(list(CPV), rng.randint(1, 4))
        name = f"{rng.choice(tail).title()} {services[0].split()[0].title()} Ltd {i}"
        yield {
            "id": str(i + 1),
            "slug": f"supplier-{i + 1}",
            "name": name,
            "summary": f"{name} provides {', '.join(services)} to the public sector.",
            "description": " ".join(words),
            "services": "\n".join(services),
            "case_studies": " ".join(rng.choice(COMMON + service_words) for _ in range(80)),
            "accreditation_names": " ".join(ACCREDITATIONS[a] for a in accs),
            "cpv_labels": " ".join(CPV[c] for c in cpvs),
            "sectors": rng.sample(SECTORS, rng.randint(1, 3)),
            "regions": (["UK"] if rng.random() < 0.2
                        else rng.sample(ITL1_REGIONS, rng.randint(1, 3))),
            "size": rng.choice(SIZES),
            "legal_form": rng.choice(LEGAL),
            "supplier_types": rng.sample(TYPES, rng.randint(1, 2)),
            "accreditations": accs,
            "cpv_codes": cpvs,
            "frameworks": rng.sample(FRAMEWORKS, rng.randint(0, 2)),
            "social_value": rng.sample(SOCIAL_VALUE, rng.randint(0, 3)),
            "first_published_at": start + timedelta(minutes=rng.randint(0, 900_000)),
        }


TEXT_QUERIES = [
    "cyber security", "penetration testing", "pen test", "cloud hosting", "data analytics",
    "user research", "agile delivery", "digital transformation", "it support", "cctv",
    "facilities management", "grounds maintenance", "cleaning", "catering services", "hr",
    "payroll", "recruitment", "mental health support", "domiciliary care", "nhs", "legal advice",
    "waste management recycling", "energy efficiency", "solar", "construction", "fleet",
    "accessibility testing", "gis mapping", "project management", "financial audit",
    "security guarding", "ecology surveys", "youth services", "employment support",
    '"social care"', "cyber*", "consult*", "softwre development", "managment consultancy",
    "ISO 27001", "cyber essentials plus", "training and development", "web design",
]


def _filters(rng: random.Random, count: int) -> dict:
    choices = {
        "region": list(ITL1_REGIONS), "sector": SECTORS, "size": SIZES[:3],
        "accreditation": list(ACCREDITATIONS), "framework": FRAMEWORKS,
        "supplier_type": TYPES, "cpv": ["72", "79", "85", "721", "793"],
        "social_value": SOCIAL_VALUE,
    }
    names = rng.sample(sorted(choices), count)
    return {n: rng.sample(choices[n], rng.randint(1, 2)) for n in names}


def distinct_queries(count: int, seed: int) -> list[str]:
    """``count`` different queries from the corpus's own vocabulary, as a long tail of buyers
    would type them: a rare word with a trade, two rare words, a rare word alone, a quoted
    service with a word, a prefix, a misspelling."""
    rng = random.Random(seed + 2)
    tail = _lexicon(random.Random(seed + 1), 20000)
    service_words = " ".join(SERVICES).lower().split()

    def rare() -> str:  # the descriptions' Zipfian draw, flattened a little
        return tail[min(int(rng.paretovariate(0.4)) - 1, 1999)]

    def typo(word: str) -> str:
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]

    kinds = [
        (35, lambda: f"{rare()} {rng.choice(service_words)}"),
        (15, lambda: f"{rare()} {rare()}"),
        (10, lambda: rare()),
        (10, lambda: f"{rng.choice(SERVICES).lower()} {rng.choice(COMMON)}"),
        (10, lambda: f'"{rng.choice([s for s in SERVICES if " " in s]).lower()}" {rare()}'),
        (10, lambda: f"{rare()[:4]}*"),
        (10, lambda: typo(rng.choice([w for w in service_words if len(w) > 5] + [rare()]))),
    ]
    weights = [w for w, _ in kinds]
    seen: dict[str, None] = {}
    while len(seen) < count:
        seen.setdefault(rng.choices(kinds, weights)[0][1](), None)
    return list(seen)


def _memory() -> dict[str, float]:
    """This process's memory in MB: RSS, PSS (shared pages divided among their users), USS
    (pages only it maps: a file mapped by one process alone counts here too) and anonymous
    memory (its own heap), from /proc/self/smaps_rollup; peak RSS from /proc/self/status."""
    fields = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":")
        fields[name] = int(value.split()[0]) / 1024
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return {"rss": fields["Rss"], "pss": fields["Pss"],
            "uss": fields["Private_Clean"] + fields["Private_Dirty"], "anon": fields["Anonymous"],
            "peak_rss": int(status["VmHWM"].split()[0]) / 1024}


def _child(base: str) -> None:
    """One fresh worker: open the engine as the app does, run the workload from stdin twice
    (cold, then warm), print the timings, then wait for the parent before measuring memory,
    so that all workers are alive when PSS divides the shared pages."""
    workload = json.loads(sys.stdin.readline())
    concepts = taxonomies.concepts()
    before = _memory()
    start = time.perf_counter()
    engine = SearchEngine(IndexStore(base), concepts=concepts)
    opened = time.perf_counter() - start
    start = time.perf_counter()
    engine.warm()
    warmed = time.perf_counter() - start
    passes, cpu = [], []  # wall-clock and this thread's CPU time of each search
    for _ in range(2):
        passes.append([]), cpu.append([])
        for q, f in workload:
            start = time.thread_time()
            passes[-1].append(_time(lambda q=q, f=f: engine.search(q, f)))
            cpu[-1].append(time.thread_time() - start)
    print(json.dumps({"open": opened, "warm_up": warmed, "cold": passes[0], "warm": passes[1],
                      "cold_cpu": cpu[0], "warm_cpu": cpu[1], "before": before}), flush=True)
    sys.stdin.readline()
    print(json.dumps(_memory()), flush=True)
    engine.close()


def _distinct(base: str, queries: list[str], workers: int, seed: int) -> None:
    rng = random.Random(seed + 3)
    workload = [(q, _filters(rng, 2)) for q in queries]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    procs = [subprocess.Popen([sys.executable, __file__, "--child", base], env=env, text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
             for _ in range(workers)]
    for proc in procs:
        proc.stdin.write(json.dumps(workload) + "\n")
        proc.stdin.flush()
    results = [json.loads(proc.stdout.readline()) for proc in procs]
    for proc in procs:
        proc.stdin.write("\n")
        proc.stdin.flush()
    memory = [json.loads(proc.stdout.readline()) for proc in procs]
    for proc in procs:
        proc.wait()
    print(f"distinct: {len(queries)} queries, each with 2 filters and all facet counts, "
          f"{workers} fresh worker(s) at once, load average {os.getloadavg()[0]:.1f}")
    for i, (r, m) in enumerate(zip(results, memory, strict=True)):
        print(f"worker {i}: open {r['open']:.2f} s, warm-up {r['warm_up']:.2f} s, "
              f"over 50 ms cold: {sum(t > 0.05 for t in r['cold'])}")
        print(f"  cold  {_percentiles(r['cold'])}")
        print(f"  warm  {_percentiles(r['warm'])}")
        print(f"  CPU time (less sensitive to the machine's load): cold "
              f"{_percentiles(r['cold_cpu'])}, warm {_percentiles(r['warm_cpu'])}")
        grown = m["rss"] - r["before"]["rss"]
        print(f"  memory MB: RSS {m['rss']:.0f} (+{grown:.0f} over opening and searching), "
              f"PSS {m['pss']:.0f}, USS {m['uss']:.0f} (+{m['uss'] - r['before']['uss']:.0f}), "
              f"anonymous {m['anon']:.0f} (+{m['anon'] - r['before']['anon']:.0f}), "
              f"peak RSS {m['peak_rss']:.0f}")
    print(f"all workers: RSS {sum(m['rss'] for m in memory):.0f} MB, "
          f"PSS {sum(m['pss'] for m in memory):.0f} MB, USS {sum(m['uss'] for m in memory):.0f} MB")
    if workers > 1:
        print(f"  cold, all workers  {_percentiles([t for r in results for t in r['cold']])}")


def _searcher(base: str) -> None:
    """A worker searching the index in a loop, refreshing every 0.5 s, until killed."""
    engine = SearchEngine(IndexStore(base), concepts=taxonomies.concepts())
    engine.start_auto_refresh()
    rng = random.Random(os.getpid())
    print("ready", flush=True)
    while True:
        engine.search(rng.choice(TEXT_QUERIES), _filters(rng, 2))


def _updates(base: str, count: int, workers: int, seed: int) -> None:
    procs = [subprocess.Popen([sys.executable, __file__, "--searcher", base], text=True,
                              stdout=subprocess.PIPE) for _ in range(workers)]
    for proc in procs:
        proc.stdout.readline()
    store = IndexStore(base)
    engine = SearchEngine(store, concepts=taxonomies.concepts())
    engine.warm()
    doc = next(make_docs(1, seed))
    visible, commits = [], []
    try:
        for i in range(count):
            token = f"benchupdate{i}x"
            start = time.perf_counter()
            store.upsert([{**doc, "name": f"{doc['name']} {token}"}])
            commits.append(time.perf_counter() - start)
            engine.refresh()
            found = engine.search(token).total
            visible.append(time.perf_counter() - start)
            if found != 1:
                print(f"update {i}: found {found}")
    finally:
        for proc in procs:
            proc.kill()
    segments, deleted = store.segment_stats()
    print(f"updates: {count} single edits with {workers} other worker(s) searching, load average "
          f"{os.getloadavg()[0]:.1f}; {segments} segments, {deleted} deleted kept")
    print(f"  upsert + commit + sidecar  {_percentiles(commits)}")
    print(f"  searchable (+ refresh + search)  {_percentiles(visible)}")
    engine.close()


def _compare(store, queries: list[str], seed: int) -> None:
    """Sidecars against postings decoded from Whoosh, query by query."""
    rng = random.Random(seed + 4)
    mapped, decoded = SearchEngine(store, sidecars=True), SearchEngine(store, sidecars=False)
    calls = [(q, _filters(rng, rng.randint(0, 2)), rng.choice(["relevance", "newest"]),
              rng.choice([1, 1, 2])) for q in queries + TEXT_QUERIES]
    calls += [("", _filters(rng, rng.randint(1, 2)), "newest", 1) for _ in range(100)]
    differ = [c for c in calls if mapped.search(*c) != decoded.search(*c)]
    print(f"compare: {len(calls)} searches, {len(differ)} differ (hits, scores, totals, "
          f"facet counts, suggestion)")
    for c in differ[:10]:
        print("  differs:", c)
    mapped.close()
    decoded.close()


def _percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    pick = lambda p: ms[min(len(ms) - 1, int(round(p / 100 * (len(ms) - 1))))]  # noqa: E731
    return f"p50 {pick(50):7.1f} ms  p95 {pick(95):7.1f} ms  p99 {pick(99):7.1f} ms  (n={len(ms)})"


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--queries", type=int, default=200, help="queries per mix")
    ap.add_argument("--procs", type=int, default=2, help="indexing processes")
    ap.add_argument("--keep", help="keep the index in this directory; reuse it if it exists")
    ap.add_argument("--distinct", type=int, default=0, metavar="Q",
                    help="Q distinct queries in fresh worker processes, instead of the mixes")
    ap.add_argument("--workers", type=int, default=1,
                    help="with --distinct: processes at once; with --updates: searching")
    ap.add_argument("--compare", type=int, default=0, metavar="Q",
                    help="compare sidecars with Whoosh decoding on Q distinct queries + the mixes")
    ap.add_argument("--updates", type=int, default=0, metavar="U",
                    help="U single edits timed until searchable, with --workers searching")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--searcher", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return _child(args.child)
    if args.searcher:
        return _searcher(args.searcher)

    base = args.keep or tempfile.mkdtemp(prefix="search-bench-")
    try:
        store = IndexStore(base)
        print(f"N={args.n} seed={args.seed} procs={args.procs} cpus={os.cpu_count()}")
        if store.doc_count() == 0:
            start = time.perf_counter()
            store.rebuild(make_docs(args.n, args.seed), procs=args.procs)
            build = time.perf_counter() - start
            print(f"build: {build:.1f} s ({args.n / build:.0f} docs/s)")
        size = sum(f.stat().st_size for f in Path(base).rglob("*") if f.is_file())
        print(f"index: {store.doc_count()} docs, {size / 1e6:.0f} MB on disk, "
              f"load average {os.getloadavg()[0]:.1f}")
        if args.distinct:
            return _distinct(base, distinct_queries(args.distinct, args.seed), args.workers,
                             args.seed)
        if args.updates:
            return _updates(base, args.updates, args.workers, args.seed)
        if args.compare:
            return _compare(store, distinct_queries(args.compare, args.seed), args.seed)

        start = time.perf_counter()
        concepts = taxonomies.concepts()  # as the app builds it, once per process
        print(f"concept index (CPV + buyer lexicon): {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        engine = SearchEngine(store, concepts=concepts)
        print(f"engine open (columns for all segments): {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        engine.warm()
        print(f"engine warm-up (synonym words, as the auto-refresh thread does at start): "
              f"{time.perf_counter() - start:.2f} s")

        rng = random.Random(args.seed)
        k = args.queries
        mixes = {
            "(a) text only": [(TEXT_QUERIES[i % len(TEXT_QUERIES)], {}, "relevance")
                              for i in range(k)],
            "(b) text + 2 filters + 9 facet counts": [
                (TEXT_QUERIES[i % len(TEXT_QUERIES)], _filters(rng, 2), "relevance")
                for i in range(k)],
            "(c) filters only, newest": [("", _filters(rng, rng.randint(1, 2)), "newest")
                                         for _ in range(k)],
        }
        cold_mark = len(TEXT_QUERIES)
        for label, mix in mixes.items():
            samples = [_time(lambda q=q, f=f, s=s: engine.search(q, f, s)) for q, f, s in mix]
            print(f"{label}:\n  all   {_percentiles(samples)}")
            if label.startswith("(a)"):
                print(f"  cold  {_percentiles(samples[:cold_mark])}  (first sight of each term)")
                print(f"  warm  {_percentiles(samples[cold_mark:])}")
        deep = _time(lambda: engine.search("services", {}, "relevance", page=10**6))
        print(f"page past the end: {deep * 1000:.1f} ms")

        doc = next(make_docs(1, args.seed))
        visible = []
        for i in range(5):
            token = f"benchmarkword{i}"
            start = time.perf_counter()
            store.upsert([{**doc, "name": f"{doc['name']} {token}"}])
            committed = time.perf_counter() - start
            engine.refresh()
            found = engine.search(token).total
            visible.append(time.perf_counter() - start)
            print(f"update {i}: commit {committed * 1000:.0f} ms, searchable after "
                  f"{visible[-1] * 1000:.0f} ms (found={found})")
        print(f"update searchable: max {max(visible) * 1000:.0f} ms")
        engine.close()
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
