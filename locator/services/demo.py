"""Deterministic demo suppliers for `locator seed --demo`: varied enough to look like a real
directory (what every newcomer sees first), yet invented, and marked as demo data in one place
(the site banner, from `mark_demo`), not in every description.

Records go through the same validated import path as real data, so demo data can never hold
anything a supplier could not have entered. Organisations and buyers are invented; e-mail and web
addresses use the reserved example.com domain; telephone numbers are from Ofcom's ranges kept
for drama; no Companies House numbers are made up.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont
from sqlmodel import Session, select

from .. import identifiers, taxonomies
from ..models import SiteFlag, Supplier, utcnow
from . import logos, transfer

# What kinds of work the demo suppliers do: the words their names use, services with a sentence
# each saying what the service is, real CPV and SIC codes, the accreditations and frameworks
# buyers in that line of work ask for, and outcomes their case studies report.
TRADES = (
    {
        "words": ["Cyber", "Cyber Security", "Secure Systems", "Threat Intelligence", "Assurance",
                  "Security Partners"],
        "services": {
            "Penetration testing": "CHECK-qualified testers examine web applications, networks "
            "and cloud tenancies, and retest every finding once it is fixed.",
            "Cyber security consultancy": "We write security architectures and risk assessments "
            "that follow the NCSC Cyber Assessment Framework.",
            "Security monitoring": "Our UK-based operations centre watches logs and endpoints "
            "around the clock and calls your team within 15 minutes of a confirmed alert.",
            "Incident response": "When something goes wrong we contain it, keep the evidence "
            "and help you report to the ICO within 72 hours.",
            "Cyber Essentials readiness": "We take small organisations through the Cyber "
            "Essentials controls, from patching to admin accounts, before the assessment.",
            "Phishing simulation": "Realistic phishing campaigns, followed by short training for "
            "the people who clicked, show which teams need support.",
        },
        "about": [
            "We protect public services from cyber attack, testing systems the way an attacker "
            "would and helping teams fix what we find.",
            "Councils, schools and NHS trusts call us when they need to know how secure they "
            "really are, and what to fix first.",
        ],
        "cpv": ["72000000", "79714000", "72150000", "72600000"],
        "sic": ["62020", "62090"],
        "accreditations": ["cyber-essentials-plus", "iso-27001", "cyber-essentials", "pci-dss"],
        "frameworks": ["g-cloud", "cyber", "dos"],
        "outcomes": [
            "{n} critical vulnerabilities were fixed before the new system went live.",
            "The trust passed its Data Security and Protection Toolkit assessment for the first "
            "time in {y} years.",
            "Phishing click rates fell from {p}% to {q}% over six months.",
        ],
    },
    {
        "words": ["Digital", "Digital Studio", "Web Services", "Data", "Software", "Labs"],
        "services": {
            "User research": "We recruit and interview the people who use a service, including "
            "those who find it hardest, and share what we learn every fortnight.",
            "Service design": "We map whole journeys across channels and teams, then redesign "
            "the parts that cause most failure demand.",
            "Web application development": "Our developers build accessible services in Python, "
            "Ruby and JavaScript, tested against WCAG 2.2 AA.",
            "Cloud hosting": "We run services on UK-region cloud hosting with automated "
            "deployments, backups and 24-hour support.",
            "Accessibility audits": "Audits combine automated checks with testing by disabled "
            "people who use screen readers, magnification and voice control.",
            "Data engineering": "We build data pipelines and dashboards that let teams see "
            "demand and performance without manual spreadsheets.",
        },
        "about": [
            "We design and build digital services that meet the Service Standard, working in the "
            "open with users from the first week.",
            "We are a small team of designers and developers who help public bodies replace "
            "paper forms and old systems with services people can use.",
        ],
        "cpv": ["72000000", "72200000", "72400000", "79340000"],
        "sic": ["62012", "62020"],
        "accreditations": ["cyber-essentials", "iso-9001", "iso-27001", "b-corp"],
        "frameworks": ["g-cloud", "dos"],
        "outcomes": [
            "The new online service now handles {p}% of applications, up from {q}%.",
            "Calls to the contact centre fell by {p}% in the first {n} months.",
            "The service passed its beta assessment and went live {n} weeks early.",
        ],
    },
    {
        "words": ["Care", "Homecare", "Support Services", "Care Partnership", "Community Care",
                  "Living"],
        "services": {
            "Domiciliary care": "Regular carers visit people at home for personal care, "
            "medication and meals, with visits planned around the person, not the rota.",
            "Supported living": "We support adults with learning disabilities and autism to "
            "hold their own tenancies and take part in their communities.",
            "Respite care": "Short breaks, at home or in a small setting, give family carers "
            "time to rest while the person they care for is safe and occupied.",
            "Mental health support": "Support workers help people leaving hospital settle back "
            "at home, manage money and keep in touch with their care team.",
            "Reablement": "Six weeks of intensive support after a hospital stay helps people "
            "regain skills and confidence, so fewer need long-term care.",
            "Night sitting": "Waking night staff support people with complex needs, so that "
            "they can stay at home rather than move into residential care.",
        },
        "about": [
            "We provide person-centred care and support that helps people live independently at "
            "home and in their communities.",
            "Our carers are local people, paid for travel time, who get to know the people they "
            "support over months and years.",
        ],
        "cpv": ["85000000", "85311000", "85312000", "85323000"],
        "sic": ["88100", "87900"],
        "accreditations": ["nhs-dspt", "living-wage", "disability-confident-employer",
                           "iso-9001"],
        "frameworks": ["homecare", "care-dps"],
        "outcomes": [
            "{p}% of people finished reablement needing no further care.",
            "Hospital discharges waiting for care fell from {n} to {m} a week.",
            "The service was rated Good by the Care Quality Commission in its first year.",
        ],
    },
    {
        "words": ["Facilities", "Property Services", "Cleaning", "Estates", "Maintenance",
                  "Grounds"],
        "services": {
            "Office cleaning": "Daytime and evening cleaning teams use low-chemical products and "
            "refill systems, with quality checks recorded on every visit.",
            "Grounds maintenance": "We mow, plant and manage parks, verges and school grounds, "
            "with wildflower areas where councils want more biodiversity.",
            "Waste collection": "Commercial waste and recycling collections are weighed and "
            "reported monthly, with food waste sent to anaerobic digestion.",
            "Building maintenance": "Planned and reactive maintenance, from fire door checks to "
            "boiler servicing, with a 4-hour response for urgent faults.",
            "Security guarding": "SIA-licensed officers provide manned guarding, key holding and "
            "alarm response for public buildings and events.",
            "Washroom services": "Hygiene units, consumables and deep cleans are scheduled to "
            "each building's footfall.",
        },
        "about": [
            "We keep public buildings clean, safe and working, with local teams paid at least "
            "the real Living Wage.",
            "From schools to depots, we look after buildings and grounds so that the people "
            "inside can get on with their work.",
        ],
        "cpv": ["90910000", "77310000", "90500000", "50700000", "79710000"],
        "sic": ["81210", "81300", "38110"],
        "accreditations": ["iso-14001", "iso-45001", "iso-9001", "living-wage"],
        "frameworks": ["fm", "grounds"],
        "outcomes": [
            "Complaints about cleanliness fell by {p}% in the first year.",
            "{p}% of the estate's waste is now recycled, up from {q}%.",
            "Urgent repairs were attended within 4 hours on {p}% of occasions.",
        ],
    },
    {
        "words": ["Consulting", "Advisory", "Associates", "Partners", "Insight", "Strategy"],
        "services": {
            "Procurement advice": "We help teams plan procurements under the Procurement Act "
            "2023, from market engagement to award and contract management.",
            "Business case development": "Our economists write business cases to the Green Book "
            "five-case model and test the options with finance teams.",
            "Programme management": "Experienced programme managers set up governance, plans "
            "and reporting that boards can act on.",
            "Organisational change": "We help services restructure with staff, not around "
            "them, keeping people informed and involved.",
            "Evaluation": "Independent evaluations combine data analysis with interviews, and "
            "follow the Magenta Book.",
            "Commercial training": "Short courses give contract managers the skills to manage "
            "supplier performance and change.",
        },
        "about": [
            "We help public bodies plan, buy and deliver change, and measure whether it worked.",
            "Our consultants have all worked in local or central government, so we know how "
            "decisions get made and money gets spent.",
        ],
        "cpv": ["79400000", "79411000", "72224000", "73000000"],
        "sic": ["70229", "74909"],
        "accreditations": ["iso-9001", "cyber-essentials", "b-corp"],
        "frameworks": ["mcf", "dos"],
        "outcomes": [
            "The business case was approved at the first attempt, releasing £{n} million.",
            "Contract savings of {p}% were found across {n} renewals.",
            "The evaluation's {n} recommendations were all accepted by the board.",
        ],
    },
    {
        "words": ["Construction", "Builders", "Building Services", "Contractors", "Roofing",
                  "Electrical"],
        "services": {
            "Refurbishment": "We refurbish occupied schools, offices and homes in phases, so "
            "buildings stay open while we work.",
            "Roofing": "Flat and pitched roof repairs and replacements, with insulation upgrades "
            "that meet current Building Regulations.",
            "Electrical installation": "NICEIC-registered electricians rewire, test and certify "
            "public buildings and social housing.",
            "Heating and ventilation": "We install and service boilers, heat pumps and "
            "ventilation, with gas and F-gas registered engineers.",
            "Social housing repairs": "Responsive repairs and void works for housing "
            "associations, with appointments tenants choose.",
            "Damp and mould remediation": "We find the cause of damp, fix it and treat mould "
            "within the timescales Awaab's Law sets for social landlords.",
        },
        "about": [
            "We repair, refurbish and decarbonise schools, homes and public buildings, employing "
            "local apprentices on every site.",
            "A regional contractor with our own trades, we deliver works from £10,000 to £2 "
            "million without long supply chains.",
        ],
        "cpv": ["45000000", "45261000", "45310000", "45331000", "45453000"],
        "sic": ["41201", "43210", "43220"],
        "accreditations": ["iso-45001", "iso-14001", "armed-forces-covenant", "iso-9001"],
        "frameworks": ["cwas", "housing"],
        "outcomes": [
            "{n} homes were made free of damp and mould within the programme's budget.",
            "The school reopened on time after a {n}-week summer refurbishment.",
            "{n} local apprentices worked on the project; {m} now have permanent jobs.",
        ],
    },
    {
        "words": ["Learning", "Training", "Academy", "Skills", "Education Services",
                  "Development"],
        "services": {
            "Apprenticeship training": "We deliver apprenticeships from level 2 to level 5, "
            "with workplace coaching and end-point assessment preparation.",
            "Leadership development": "Programmes for new and middle managers combine "
            "workshops, coaching and projects set by the organisation.",
            "E-learning content": "We write and build accessible e-learning modules that work "
            "on phones and meet WCAG 2.2 AA.",
            "Digital skills courses": "Free-to-learner courses help residents get online, apply "
            "for jobs and use public services.",
            "Careers advice": "Qualified advisers give young people and adults impartial "
            "careers guidance that meets the matrix Standard.",
            "English for speakers of other languages": "ESOL classes from pre-entry to level 2 "
            "help people settle, work and take part in their communities.",
        },
        "about": [
            "We design and deliver training that helps people into work and helps public sector "
            "teams build new skills.",
            "Our tutors teach in community venues as well as online, so learning fits around "
            "work and caring.",
        ],
        "cpv": ["80000000", "80500000", "80530000", "79632000"],
        "sic": ["85590", "85600"],
        "accreditations": ["iso-9001", "disability-confident-committed", "living-wage"],
        "frameworks": ["learning"],
        "outcomes": [
            "{p}% of learners completed the course and {q}% moved into work.",
            "{n} staff finished the leadership programme; {m} have since been promoted.",
            "Achievement rates rose from {q}% to {p}% in two years.",
        ],
    },
    {
        "words": ["Green", "Energy", "Renewables", "Sustainability", "Carbon", "Climate"],
        "services": {
            "Energy audits": "We survey buildings and meters and produce costed plans that rank "
            "measures by carbon saved per pound.",
            "Solar panel installation": "MCS-certified installers fit rooftop and car-park "
            "solar with battery storage where it pays back.",
            "Heat pump installation": "We design and fit air and ground source heat pumps, "
            "including the heat loss survey and radiator changes.",
            "Carbon reduction plans": "Carbon reduction plans to PPN 006 for organisations that "
            "bid for central government contracts.",
            "Tree planting": "Community tree planting schemes, with species chosen for the site "
            "and three years of aftercare.",
            "LED lighting upgrades": "We replace lighting in schools and offices, typically "
            "cutting lighting energy use by half.",
        },
        "about": [
            "We help councils and schools cut energy bills and carbon emissions with practical, "
            "measured improvements.",
            "Engineers and surveyors who have spent their careers on public buildings, we "
            "decarbonise estates a building at a time.",
        ],
        "cpv": ["71314300", "09331000", "45331110", "90700000"],
        "sic": ["71122", "43220"],
        "accreditations": ["iso-14001", "b-corp", "iso-9001", "iso-45001"],
        "frameworks": ["energy", "cwas"],
        "outcomes": [
            "Energy bills across {n} schools fell by {p}% in the first year.",
            "The council's estate emits {n} tonnes less carbon a year.",
            "{n} homes now heat with heat pumps instead of oil.",
        ],
    },
)

# Frameworks by key: (name, reference or None where the reference varies by lot or buyer).
FRAMEWORKS = {
    "g-cloud": ("G-Cloud 14", "RM1557.14"),
    "dos": ("Digital Outcomes 6", "RM1043.8"),
    "cyber": ("Cyber Security Services 3", None),
    "mcf": ("Management Consultancy Framework Three", "RM6187"),
    "fm": ("Facilities Management and Workplace Services", "RM6232"),
    "cwas": ("Construction Works and Associated Services", "RM6088"),
    "homecare": ("Northolme Council Homecare Framework 2024–2028", None),
    "care-dps": ("Regional Care and Support Dynamic Purchasing System", None),
    "grounds": ("Grounds Maintenance Services (regional buying consortium)", None),
    "housing": ("Housing Repairs and Maintenance Framework", None),
    "learning": ("Learning and Development Services Framework", None),
    "energy": ("Public Sector Decarbonisation Framework", None),
}

# Place words combine into invented town-like names (Amberley, Hartbrook, Willowford…).
PLACE_STARTS = (
    "Amber", "Ash", "Bramble", "Birch", "Calder", "Cedar", "Dun", "Elder", "Fern", "Glen",
    "Hart", "Heather", "Hollin", "Ivy", "Juniper", "Kestrel", "Lark", "Mill", "North", "Oaken",
    "Penny", "Quarry", "Raven", "Rowan", "Salt", "Thorn", "Under", "Wren", "Willow", "Yarrow",
    "Alder", "Bright", "Copper", "Deer", "Elm", "Fox", "Gold", "Hazel", "Iron", "Linden",
)
PLACE_ENDS = (
    "ley", "wick", "brook", "moor", "holt", "well", "stone", "vale", "mere", "beck",
    "field", "ford", "worth", "dale", "gate", "combe", "haven", "bury", "ridge", "wood",
    "ham", "shaw", "thorpe", "lea", "croft",
)
# Surnames for partnership-style names ("Ashdown & Pryce Digital") once places run out.
SURNAMES = (
    "Ashdown", "Pryce", "Okafor", "Lindqvist", "Marsh", "Bhatt", "Carver", "Doyle", "Ellison",
    "Fraser", "Gallagher", "Hussain", "Ingram", "Jevons", "Kaur", "Lowe", "McAllister",
    "Nowak", "Osei", "Pennington", "Quayle", "Rahman", "Sinclair", "Thackeray", "Usher",
    "Vaughan", "Whitlock", "Yates", "Zielinski", "Abbott", "Brennan", "Chaudhry", "Devlin",
    "Evans", "Fitzgerald", "Griffiths", "Hollis", "Iqbal", "Jardine", "Kowalski", "Lambert",
    "Morrow", "Nash", "O'Hara", "Patel", "Rees", "Stewart", "Tran", "Walsh", "Young",
)
FIRST_NAMES = (
    "Aisha", "Ben", "Chloe", "Dev", "Eilidh", "Femi", "Grace", "Harpreet", "Isla", "James",
    "Kasia", "Liam", "Maya", "Niall", "Olu", "Priya", "Rhys", "Sana", "Tom", "Yusuf",
)
LEGAL_SUFFIX = {
    "limited-company": "Ltd",
    "llp": "LLP",
    "cic": "CIC",
    "charity": "Trust",
    "cooperative": "Co-operative",
    "company-limited-by-guarantee": "Ltd",
    "partnership": "& Co",
    "sole-trader": "",
    "other": "Group",
}
LEGAL_WEIGHTS = (60, 6, 8, 6, 3, 5, 4, 6, 2)  # most suppliers are limited companies
# A real town in each region (suppliers are based in one of the regions they serve).
TOWNS = {
    "TLC": ("Durham", "Sunderland", "Darlington", "Hexham"),
    "TLD": ("Preston", "Stockport", "Kendal", "Warrington"),
    "TLE": ("Leeds", "Harrogate", "Hull", "Sheffield"),
    "TLF": ("Nottingham", "Derby", "Lincoln", "Loughborough"),
    "TLG": ("Birmingham", "Worcester", "Stoke-on-Trent", "Shrewsbury"),
    "TLH": ("Norwich", "Cambridge", "Chelmsford", "Ipswich"),
    "TLI": ("London",),
    "TLJ": ("Reading", "Brighton", "Maidstone", "Oxford"),
    "TLK": ("Bristol", "Exeter", "Truro", "Swindon"),
    "TLL": ("Cardiff", "Swansea", "Wrexham", "Aberystwyth"),
    "TLM": ("Glasgow", "Edinburgh", "Dundee", "Inverness"),
    "TLN": ("Belfast", "Derry", "Newry", "Omagh"),
}
# Ofcom's telephone numbers for drama, one range per area code.
PHONES = ("020 7946 0{:03d}", "0113 496 0{:03d}", "0161 496 0{:03d}", "0117 496 0{:03d}",
          "0131 496 0{:03d}", "029 2018 0{:03d}", "028 9018 0{:03d}", "01632 960{:03d}")
# Invented public buyers, with their sector.
BUYERS = (
    ("Bramblewick Borough Council", "local-government"),
    ("Northolme NHS Foundation Trust", "health-social-care"),
    ("Department for Regional Services", "central-government"),
    ("Calderbrook Academy Trust", "education"),
    ("Ravensmere Fire and Rescue Service", "emergency-services-justice"),
    ("Saltmarsh Housing Association", "housing"),
    ("Glenmarrow County Council", "local-government"),
    ("Hartwell Integrated Care Board", "health-social-care"),
    ("Kestrel Hill College", "education"),
    ("Willowmere Police", "emergency-services-justice"),
    ("Eastern Waterways Authority", "transport"),
    ("Oakenshaw District Council", "local-government"),
    ("Pennyrigg University", "education"),
    ("Defence Estates Support Agency", "defence"),
)
CERTIFYING_BODIES = {
    "cyber-essentials": ("IASME Consortium",),
    "cyber-essentials-plus": ("IASME Consortium",),
    "nhs-dspt": ("NHS England",),
    "living-wage": ("Living Wage Foundation",),
    "disability-confident-committed": ("Department for Work and Pensions",),
    "disability-confident-employer": ("Department for Work and Pensions",),
    "b-corp": ("B Lab UK",),
    "armed-forces-covenant": ("Ministry of Defence",),
}
ISO_BODIES = ("BSI", "LRQA", "NQA", "SGS United Kingdom", "Alcumus ISOQAR", "BM TRADA")
SOCIAL_VALUE = {
    "economic-growth": [
        "We spend at least {p}% of our supply chain budget with businesses within 30 miles "
        "of where we work.",
        "We pay suppliers within {n} days and publish our payment performance every quarter.",
        "Every contract over £{n}0,000 creates at least one apprenticeship for a local resident.",
    ],
    "clean-energy": [
        "We will reach net zero in our own operations by {y}, and publish a carbon reduction "
        "plan each year.",
        "Our vans are electric by {y}; {p}% of the fleet already is.",
        "All our offices run on renewable electricity, and we report the emissions of each "
        "contract to the buyer.",
    ],
    "safer-streets": [
        "Our staff volunteer {n} days a year with local youth projects.",
        "We offer paid placements to people leaving prison, with a mentor for each.",
        "We fund community safety projects chosen with the local council.",
    ],
    "opportunity": [
        "{p}% of new starters last year were care leavers, veterans or people returning to "
        "work.",
        "We guarantee an interview to disabled applicants who meet the essential criteria.",
        "Every contract includes work placements for students from local schools and colleges.",
    ],
    "nhs-future": [
        "Staff get paid time off for health appointments and free mental health support.",
        "We help people stay in work after illness with phased returns and adjustments.",
        "We run free health checks for our staff and their families each year.",
    ],
}
# (size, weight): most businesses on a directory like this are micro or small.
SIZES = (("micro", 55), ("small", 28), ("medium", 12), ("large", 5))
# Bands that give each size under the two-of-three rule (`sizes.organisation_size`).
SIZE_BANDS = {
    "micro": (("0-10", "upto-1m", "upto-0.5m"), ("0-10", "1m-15m", "upto-0.5m")),
    "small": (("11-50", "1m-15m", "0.5m-7.5m"), ("0-10", "1m-15m", "0.5m-7.5m")),
    "medium": (("51-249", "15m-44m", "7.5m-27m"), ("51-249", "44m-54m", "27m-38m")),
    "large": (("250+", "54m+", "38m+"), ("250+", "44m-54m", "38m+")),
}
LOGO_SHARE = 0.6  # the others show the initials placeholder, as most small firms would
LOGO_SIDE = 240
LOGO_COLOURS = ("#1d70b8", "#00703c", "#4c2c92", "#d4351c", "#005ea5", "#912b88", "#28a197",
                "#b58840", "#0b0c0c", "#f47738", "#5694ca", "#85994b")


_PLACES = list(dict.fromkeys(start + end for start in PLACE_STARTS for end in PLACE_ENDS))
_PAIRS = [f"{a} & {b}" for a in SURNAMES for b in SURNAMES if a != b]
# Distinct names available: every stem (an invented place, then a pair of surnames) with every
# trade word. None has a digit, so names never need a serial number.
CAPACITY = (len(_PLACES) + len(_PAIRS)) * len(TRADES[0]["words"]) * len(TRADES)
_STRIDE = 7919  # prime, and a factor of neither segment's size below
_TRADE_OFFSET = 1543  # so that suppliers next to each other in different trades differ in place


def supplier_name(n: int) -> tuple[str, dict]:
    """The `n`th demo supplier's name (without its legal ending) and trade: places first, then
    surname pairs; a stride through each, coprime with its size, spreads neighbours over places
    and trade words."""
    trade = TRADES[n % len(TRADES)]
    words = trade["words"]
    k = n // len(TRADES)
    for stems in (_PLACES, _PAIRS):
        size = len(stems) * len(words)
        if k < size:
            k = (k * _STRIDE + n % len(TRADES) * _TRADE_OFFSET) % size
            return f"{stems[k // len(words)]} {words[k % len(words)]}", trade
        k -= size
    raise ValueError(f"at most {CAPACITY:,} demo suppliers have distinct names")


SUMMARIES = (
    "{first} and {second} for {buyers}, from our base in {town}.",
    "{first}, {second} and more, for {buyers} across the region.",
    "A {town} team offering {buyers} {first_mid} and {second}.",
    "{first} for {buyers}: {second} too, delivered by our own staff.",
)


def _mid(service: str) -> str:
    """A service's name in mid-sentence: "Roofing" → "roofing", "LED lighting" unchanged."""
    if service.split()[0] in ("English", "LED") or service.startswith("Cyber Essentials"):
        return service
    return service[0].lower() + service[1:]


def _numbers(rng: random.Random) -> dict:
    p = rng.randint(35, 92)
    return {"n": rng.randint(3, 40), "m": rng.randint(1, 3), "p": p, "q": rng.randint(5, p - 5),
            "y": rng.choice((2027, 2028, 2030))}


def _accreditation(rng: random.Random, type_: str, today: date) -> dict:
    months = taxonomies.accreditation_types()[type_]["validity_months"]
    issued = today - timedelta(days=rng.randint(20, 700))
    expires = None
    if months:
        # Most are current; some expire within weeks (a buyer should check), some have lapsed
        # (search must not count those).
        roll = rng.random()
        if roll < 0.15:
            expires = today + timedelta(days=rng.randint(3, 45))
        elif roll < 0.25:
            expires = today - timedelta(days=rng.randint(1, 90))
        else:
            expires = today + timedelta(days=rng.randint(60, 30 * months))
        issued = expires - timedelta(days=30 * months)
    body = rng.choice(CERTIFYING_BODIES.get(type_, ISO_BODIES))
    return {
        "type": type_,
        "certificate_number": f"{''.join(w[0] for w in body.split())[:3].upper()}-"
        f"{rng.randint(100000, 999999)}",
        "certifying_body": body,
        "issued_on": issued.isoformat(),
        "expires_on": expires.isoformat() if expires else None,
    }


def _case_study(rng: random.Random, trade: dict, service: str, town: str) -> dict:
    client, sector = rng.choice(BUYERS)
    numbers = _numbers(rng)
    outcome = rng.choice(trade["outcomes"]).format(**numbers)
    return {
        "title": f"{service} for {client}",
        "client_name": client,
        "client_sector": sector,
        "year": rng.randint(2019, 2025),
        "challenge": f"{client} needed {_mid(service)} across {numbers['n']} sites, with a "
        f"fixed budget and a deadline set by the {rng.choice(('board', 'cabinet', 'regulator'))}.",
        "approach": f"A team from our {town} office agreed measures with the client at the "
        f"start. {trade['services'][service]} We reported progress every "
        f"{rng.choice(('week', 'fortnight', 'month'))}.",
        "outcome": f"{outcome} The client extended the contract for a further "
        f"{rng.randint(1, 3)} years.",
        "contract_value_band": rng.choice(list(taxonomies.CONTRACT_VALUE_BANDS)),
    }


def _social_value(rng: random.Random) -> list[dict]:
    missions = rng.sample(list(SOCIAL_VALUE), rng.choices((0, 1, 2, 3), weights=(2, 4, 3, 1))[0])
    numbers = _numbers(rng)
    return [
        {"mission": m, "commitment": rng.choice(SOCIAL_VALUE[m]).format(**numbers)}
        for m in missions
    ]


def demo_records(count: int, seed: int = 2026, now: datetime | None = None) -> Iterator[dict]:
    """`count` import records; the same arguments always give the same suppliers."""
    if count > CAPACITY:
        raise ValueError(f"at most {CAPACITY:,} demo suppliers have distinct names")
    rng = random.Random(seed)  # nosec B311  # repeatable invented demo data, not a secret
    now = now or utcnow()
    regions = [code for code in taxonomies.regions() if code != "UK"]
    for n in range(count):
        stem_name, trade = supplier_name(n)
        legal_form = rng.choices(list(LEGAL_SUFFIX), weights=LEGAL_WEIGHTS)[0]
        name = f"{stem_name} {LEGAL_SUFFIX[legal_form]}".strip()
        size = rng.choices([s for s, _ in SIZES], weights=[w for _, w in SIZES])[0]
        staff, turnover, sheet = rng.choice(SIZE_BANDS[size])
        services = rng.sample(list(trade["services"]), rng.randint(2, 4))
        served = rng.sample(regions, rng.randint(1, 3))
        town = rng.choice(TOWNS[served[0]])
        types = []
        if legal_form in ("cic", "charity", "cooperative", "company-limited-by-guarantee"):
            types.append("vcse")
        if rng.random() < 0.05:
            types.append("supported-employment")
        if rng.random() < 0.03:
            types.append("public-service-mutual")
        published = rng.random() < 0.9
        # Arrivals spread over the last 12 weeks, with a cluster in the current week.
        age = timedelta(days=rng.uniform(0, 3) if n % 10 == 0 else rng.uniform(0, 84))
        about = rng.choice(trade["about"])
        domain = identifier(name.lower())
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        yield {
            "name": name,
            "slug": None,
            "town": town,
            "summary": rng.choice(SUMMARIES).format(
                first=services[0], first_mid=_mid(services[0]), second=_mid(services[1]),
                town=town,
                buyers=rng.choice(("councils", "public bodies", "the NHS", "schools")),
            ),
            "description": "\n\n".join(
                [about, " ".join(trade["services"][s] for s in services),
                 f"We have worked with {rng.choice(BUYERS)[0]} and "
                 f"{rng.randint(3, 40)} other public bodies since {rng.randint(1998, 2022)}."]
            ),
            "services": services,
            "legal_form": legal_form,
            "staff_band": staff,
            "turnover_band": turnover,
            "balance_sheet_band": sheet,
            "supplier_types": types,
            "sectors": rng.sample(list(taxonomies.SECTORS), rng.randint(1, 4)),
            "regions": ["UK"] if rng.random() < 0.15 else served,
            "cpv_codes": rng.sample(trade["cpv"], rng.randint(1, len(trade["cpv"]))),
            "sic_codes": rng.sample(trade["sic"], 1),
            "frameworks": [
                {"name": FRAMEWORKS[key][0], "reference": FRAMEWORKS[key][1]}
                for key in trade["frameworks"]
                if rng.random() < 0.35
            ],
            "social_value": _social_value(rng),
            "contact_name": f"{first} {last}",
            "contact_email": f"{rng.choice(('hello', 'info', 'bids', 'enquiries'))}@{domain}"
            ".example.com",
            "contact_phone": rng.choice(PHONES).format(rng.randint(0, 999)),
            "website": f"https://www.{domain}.example.com",
            "status": "published" if published else "draft",
            "first_published_at": (now - age).isoformat() if published else None,
            "accreditations": [
                _accreditation(rng, type_, now.date())
                for type_ in rng.sample(trade["accreditations"], rng.randint(0, 3))
            ],
            "case_studies": [
                _case_study(rng, trade, service, town)
                for service in services[: rng.choices((0, 1, 2), weights=(3, 4, 2))[0]]
            ],
        }


def identifier(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())[:40]


def logo_image(name: str) -> bytes:
    """A logo drawn from the name alone (its initials on a colour picked by its hash), so the
    same supplier gets the same picture on every run."""
    digest = hashlib.sha256(name.encode()).digest()
    colour = LOGO_COLOURS[digest[0] % len(LOGO_COLOURS)]
    image = Image.new("RGB", (LOGO_SIDE, LOGO_SIDE), "white")
    draw = ImageDraw.Draw(image)
    margin = LOGO_SIDE // 12
    box = (margin, margin, LOGO_SIDE - margin, LOGO_SIDE - margin)
    if digest[1] % 2:
        draw.ellipse(box, fill=colour)
    else:
        draw.rounded_rectangle(box, radius=LOGO_SIDE // 8, fill=colour)
    font = ImageFont.load_default(size=LOGO_SIDE * 2 // 5)
    draw.text((LOGO_SIDE / 2, LOGO_SIDE / 2), identifiers.initials(name), fill="white",
              font=font, anchor="mm")
    out = BytesIO()
    image.save(out, format="JPEG", quality=92)  # a JPEG re-encodes ten times faster than a PNG
    return out.getvalue()


LOGO_BATCH = 500


def seed(
    session: Session,
    count: int,
    seed: int,
    logo_dir: str,
    checker: transfer.Checker,
    progress: Callable[[int], None] | None = None,
) -> transfer.ImportReport:
    """Load (or update) the demo suppliers, give some of them generated logos through the logo
    service, and mark the database as holding demo data (the site shows a banner)."""
    records = list(demo_records(count, seed))
    report = transfer.import_lines(session, (json.dumps(r) for r in records), checker, progress)
    picker = random.Random(seed)  # nosec B311  # which demo suppliers have logos
    wanted = {
        identifiers.slugify(r["name"], max_length=100): r["name"]
        for r in records
        if picker.random() < LOGO_SHARE
    }
    slugs = list(wanted)
    for start in range(0, len(slugs), LOGO_BATCH):
        batch = slugs[start : start + LOGO_BATCH]
        query = select(Supplier).where(Supplier.slug.in_(batch), Supplier.logo.is_(None))
        for supplier in session.exec(query):
            # Not queued for the index: no search document holds the logo.
            supplier.logo = logos.store(logo_image(supplier.name), logo_dir)
            session.add(supplier)
        session.commit()
    mark_demo(session)
    return report


def mark_demo(session: Session) -> None:
    if session.get(SiteFlag, DEMO_FLAG) is None:
        session.add(SiteFlag(name=DEMO_FLAG, value="yes"))
        session.commit()
    _flag_read.pop(_database(session), None)


DEMO_FLAG = "demo-data"
DEMO_FLAG_TTL = 60.0  # seconds; another process's seeding shows the banner within this
_flag_read: dict[str, tuple[float, bool]] = {}  # by database: when it was read, what it said


def holds_demo(session: Session) -> bool:
    """Whether the site holds demo data. Every page asks (the banner), so the answer is read
    from the database at most once a minute per process: the query was ~5 % of a search
    page's CPU."""
    database, now = _database(session), time.monotonic()
    read_at, held = _flag_read.get(database, (-DEMO_FLAG_TTL, False))
    if now - read_at >= DEMO_FLAG_TTL:
        held = session.get(SiteFlag, DEMO_FLAG) is not None
        _flag_read[database] = (now, held)
    return held


def _database(session: Session) -> str:
    return str(session.get_bind().url)
