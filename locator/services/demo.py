"""Deterministic, clearly fictional demo suppliers for `locator seed --demo`.

Records go through the same validated import path as real data, so demo data can never hold
anything a supplier could not have entered. Names are invented; e-mail addresses use the reserved
example.com domain; no Companies House numbers are made up.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from .. import sizes, taxonomies
from ..models import utcnow

# What kinds of work the demo suppliers do: services, real CPV and SIC codes, and the
# accreditations buyers in that line of work ask for.
TRADES = (
    {
        "word": "Cyber",
        "services": [
            "Penetration testing",
            "Cyber security consultancy",
            "Security monitoring",
            "Incident response",
            "Cyber Essentials readiness",
        ],
        "cpv": ["72000000", "79714000", "72150000", "72600000"],
        "sic": ["62020", "62090"],
        "accreditations": ["cyber-essentials-plus", "iso-27001", "cyber-essentials"],
        "about": "We protect public services from cyber attack, testing systems the way an "
        "attacker would and helping teams fix what we find.",
    },
    {
        "word": "Digital",
        "services": [
            "User research",
            "Service design",
            "Web application development",
            "Cloud hosting",
            "Accessibility audits",
        ],
        "cpv": ["72000000", "72200000", "72400000", "79340000"],
        "sic": ["62012", "62020"],
        "accreditations": ["cyber-essentials", "iso-9001", "iso-27001"],
        "about": "We design and build digital services that meet the Service Standard, working "
        "in the open with users from the first week.",
    },
    {
        "word": "Care",
        "services": [
            "Domiciliary care",
            "Supported living",
            "Respite care",
            "Mental health support",
            "Reablement",
        ],
        "cpv": ["85000000", "85311000", "85312000", "85323000"],
        "sic": ["88100", "87900"],
        "accreditations": ["nhs-dspt", "living-wage", "disability-confident-employer"],
        "about": "We provide person-centred care and support that helps people live "
        "independently at home and in their communities.",
    },
    {
        "word": "Facilities",
        "services": [
            "Office cleaning",
            "Grounds maintenance",
            "Waste collection",
            "Building maintenance",
            "Security guarding",
        ],
        "cpv": ["90910000", "77310000", "90500000", "50700000", "79710000"],
        "sic": ["81210", "81300", "38110"],
        "accreditations": ["iso-14001", "iso-45001", "iso-9001", "living-wage"],
        "about": "We keep public buildings clean, safe and working, with local teams paid at "
        "least the real Living Wage.",
    },
    {
        "word": "Consulting",
        "services": [
            "Procurement advice",
            "Business case development",
            "Programme management",
            "Organisational change",
            "Evaluation",
        ],
        "cpv": ["79400000", "79411000", "72224000", "73000000"],
        "sic": ["70229", "74909"],
        "accreditations": ["iso-9001", "cyber-essentials", "b-corp"],
        "about": "We help public bodies plan, buy and deliver change, and measure whether it "
        "worked.",
    },
    {
        "word": "Construction",
        "services": [
            "Refurbishment",
            "Roofing",
            "Electrical installation",
            "Heating and ventilation",
            "Social housing repairs",
        ],
        "cpv": ["45000000", "45261000", "45310000", "45331000", "45453000"],
        "sic": ["41201", "43210", "43220"],
        "accreditations": ["iso-45001", "iso-14001", "armed-forces-covenant"],
        "about": "We repair, refurbish and decarbonise schools, homes and public buildings, "
        "employing local apprentices on every site.",
    },
    {
        "word": "Learning",
        "services": [
            "Apprenticeship training",
            "Leadership development",
            "E-learning content",
            "Digital skills courses",
            "Careers advice",
        ],
        "cpv": ["80000000", "80500000", "80530000", "79632000"],
        "sic": ["85590", "85600"],
        "accreditations": ["iso-9001", "disability-confident-committed", "living-wage"],
        "about": "We design and deliver training that helps people into work and helps public "
        "sector teams build new skills.",
    },
    {
        "word": "Green",
        "services": [
            "Energy audits",
            "Solar panel installation",
            "Heat pump installation",
            "Carbon reduction plans",
            "Tree planting",
        ],
        "cpv": ["71314300", "09331000", "45331110", "90700000"],
        "sic": ["71122", "43220"],
        "accreditations": ["iso-14001", "b-corp", "iso-9001"],
        "about": "We help councils and schools cut energy bills and carbon emissions with "
        "practical, measured improvements.",
    },
)

PLACES = (
    "Amberley",
    "Bramblewick",
    "Calderbrook",
    "Dunmoor",
    "Elderholt",
    "Fernhollow",
    "Glenmarrow",
    "Hartwell",
    "Ivystone",
    "Juniper Vale",
    "Kestrel Hill",
    "Larkspur",
    "Millbeck",
    "Northolme",
    "Oakenshaw",
    "Pennyrigg",
    "Quarrywood",
    "Ravensmere",
    "Saltmarsh",
    "Thornbury Green",
    "Underwood",
    "Valewick",
    "Willowmere",
    "Yarrowby",
)
LEGAL_SUFFIX = {
    "limited-company": "Ltd",
    "llp": "LLP",
    "cic": "CIC",
    "charity": "Trust",
    "cooperative": "Co-operative",
    "company-limited-by-guarantee": "Ltd",
    "partnership": "& Co",
    "sole-trader": "Services",
    "other": "Group",
}
CLIENTS = (
    "Bramblewick Borough Council",
    "Northolme NHS Foundation Trust",
    "Department for Example Affairs",
    "Calderbrook Academy Trust",
    "Ravensmere Fire and Rescue Service",
    "Saltmarsh Housing Association",
)


def _accreditation(rng: random.Random, type_: str, today: date) -> dict:
    issued = today - timedelta(days=rng.randint(30, 900))
    months = taxonomies.accreditation_types()[type_]["validity_months"]
    # About one in eight has lapsed, as happens in real life: search must not count those.
    expires = issued + timedelta(days=30 * months) if months else None
    if expires and rng.random() < 0.125:
        expires = today - timedelta(days=rng.randint(1, 60))
        issued = min(issued, expires - timedelta(days=1))
    return {
        "type": type_,
        "certificate_number": f"DEMO-{rng.randint(10000, 99999)}",
        "certifying_body": "Example Certification Ltd",
        "issued_on": issued.isoformat(),
        "expires_on": expires.isoformat() if expires else None,
    }


def _case_study(rng: random.Random, trade: dict, service: str) -> dict:
    client = rng.choice(CLIENTS)
    return {
        "title": f"{service} for {client}",
        "client_name": client,
        "client_sector": rng.choice(list(taxonomies.SECTORS)),
        "year": rng.randint(2019, 2025),
        "challenge": f"{client} needed {service.lower()} it could rely on, within a fixed budget.",
        "approach": f"We set up a small team, agreed measures up front and delivered "
        f"{service.lower()} in stages. {trade['about']}",
        "outcome": f"The work finished on time and the client renewed for a further "
        f"{rng.randint(1, 3)} years.",
        "contract_value_band": rng.choice(list(taxonomies.CONTRACT_VALUE_BANDS)),
    }


def demo_records(count: int, seed: int = 2026, now: datetime | None = None) -> Iterator[dict]:
    """`count` import records; the same arguments always give the same suppliers."""
    rng = random.Random(seed)
    now = now or utcnow()
    regions = list(taxonomies.regions())
    for n in range(count):
        trade = TRADES[n % len(TRADES)]
        legal_form = rng.choice(list(LEGAL_SUFFIX))
        place = PLACES[(n // len(TRADES)) % len(PLACES)]
        serial = n // (len(TRADES) * len(PLACES))
        name = f"{place} {trade['word']} {LEGAL_SUFFIX[legal_form]}"
        if serial:
            name = f"{place} {trade['word']} {serial + 1} {LEGAL_SUFFIX[legal_form]}"
        staff = rng.choices(sizes.STAFF_BANDS, weights=(5, 4, 2, 1))[0].code
        turnover = rng.choices(sizes.TURNOVER_BANDS, weights=(5, 4, 2, 1, 1))[0].code
        # The balance sheet settles whether a business with a high turnover is an SME.
        sheet = sizes.BALANCE_SHEET_BANDS[sizes.TURNOVER_BANDS.index(
            next(b for b in sizes.TURNOVER_BANDS if b.code == turnover))].code
        services = rng.sample(trade["services"], rng.randint(2, len(trade["services"])))
        types = []
        if legal_form in ("cic", "charity", "cooperative", "company-limited-by-guarantee"):
            types.append("vcse")
        if rng.random() < 0.05:
            types.append("supported-employment")
        if rng.random() < 0.03:
            types.append("public-service-mutual")
        published = rng.random() < 0.9
        # Arrivals spread over the last 12 weeks, with a cluster in the current week.
        age = (
            timedelta(days=rng.uniform(0, 3)) if n % 10 == 0 else timedelta(days=rng.uniform(0, 84))
        )
        slug_name = name.lower()
        lead = trade["about"].split(",")[0].rstrip(".")
        yield {
            "name": name,
            "slug": None,
            "summary": f"{lead}. Demo supplier based in {place}.",
            "description": f"{trade['about']}\n\n{name} is a fictional organisation created for "
            f"the Supplier Locator demo. Our services include "
            f"{', '.join(s.lower() for s in services)}.",
            "services": services,
            "legal_form": legal_form,
            "staff_band": staff,
            "turnover_band": turnover,
            "balance_sheet_band": sheet,
            "supplier_types": types,
            "sectors": rng.sample(list(taxonomies.SECTORS), rng.randint(1, 4)),
            "regions": ["UK"]
            if rng.random() < 0.15
            else rng.sample(regions[1:], rng.randint(1, 3)),
            "cpv_codes": rng.sample(trade["cpv"], rng.randint(1, len(trade["cpv"]))),
            "sic_codes": rng.sample(trade["sic"], 1),
            "frameworks": [{"name": "G-Cloud 14", "reference": "RM1557.14"}]
            if trade["word"] in ("Cyber", "Digital") and rng.random() < 0.5
            else [],
            "social_value": [
                {
                    "mission": mission,
                    "commitment": f"{name} commits to measurable action on "
                    f"this mission, reported every quarter.",
                }
                for mission in rng.sample(
                    list(taxonomies.social_value_missions()), rng.randint(0, 2)
                )
            ],
            "contact_name": "Demo Contact",
            "contact_email": f"hello@{identifier(slug_name)}.example.com",
            "website": f"https://{identifier(slug_name)}.example.com",
            "status": "published" if published else "draft",
            "first_published_at": (now - age).isoformat() if published else None,
            "accreditations": [
                _accreditation(rng, type_, now.date())
                for type_ in rng.sample(trade["accreditations"], rng.randint(0, 2))
            ],
            "case_studies": [
                _case_study(rng, trade, service) for service in services[: rng.randint(0, 2)]
            ],
        }


def identifier(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())[:40]
