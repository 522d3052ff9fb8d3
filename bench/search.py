"""Benchmark the search engine on N deterministic synthetic published profiles.

    python bench/search.py --n 10000 [--seed 1] [--queries 200] [--procs 2]

Prints build time and size, p50/p95/p99 latency for (a) text only, (b) text + 2
filters + all facet counts, (c) filters only sorted newest (the engine as the app runs it:
"some words" backfill and CPV concept scoring on), and the time from an
update + commit until the change is searchable. Plain numbers, no asserts.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
    args = ap.parse_args()

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
        print(f"index: {store.doc_count()} docs, {size / 1e6:.0f} MB on disk")

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
