"""The fixed vocabularies a profile is described with: real taxonomies from `locator/data/` and
the product's own short lists.

Everything is keyed by a stable code (stored in the database and the index) and carries the label
people read. The files are read once, lazily, from the package itself.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from search_index import ConceptIndex


@dataclass(frozen=True)
class Term:
    code: str
    label: str


def _choices(*pairs: tuple[str, str]) -> dict[str, str]:
    return dict(pairs)


SECTORS = _choices(
    ("central-government", "Central government"),
    ("local-government", "Local government"),
    ("health-social-care", "Health and social care (NHS)"),
    ("education", "Education"),
    ("emergency-services-justice", "Emergency services and justice"),
    ("defence", "Defence"),
    ("housing", "Housing"),
    ("transport", "Transport"),
    ("devolved-administrations", "Devolved administrations"),
    ("other", "Other public sector"),
)

LEGAL_FORMS = _choices(
    ("limited-company", "Limited company"),
    ("llp", "Limited liability partnership (LLP)"),
    ("partnership", "Partnership"),
    ("sole-trader", "Sole trader"),
    ("cic", "Community interest company (CIC)"),
    ("charity", "Charity or charitable incorporated organisation (CIO)"),
    ("cooperative", "Co-operative or community benefit society"),
    ("company-limited-by-guarantee", "Company limited by guarantee"),
    ("other", "Other"),
)

# Procurement Act 2023 supplier types. "sme" is also derived from the size bands (see sizes.py).
SUPPLIER_TYPES = _choices(
    ("sme", "Small or medium-sized enterprise (SME)"),
    ("vcse", "Voluntary, community or social enterprise (VCSE)"),
    ("supported-employment", "Supported employment provider"),
    ("public-service-mutual", "Public service mutual"),
)

STATUSES = _choices(
    ("draft", "Draft"),
    ("submitted", "Submitted for review"),
    ("published", "Published"),
    ("rejected", "Rejected"),
    ("suspended", "Suspended"),
    ("account-disabled", "Hidden: its owner's account is disabled"),
)

CONTRACT_VALUE_BANDS = _choices(
    ("under-25k", "Under £25,000"),
    ("25k-100k", "£25,000 to £100,000"),
    ("100k-500k", "£100,000 to £500,000"),
    ("500k-2m", "£500,000 to £2 million"),
    ("over-2m", "Over £2 million"),
)

UK_WIDE = "UK"


@cache
def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files("locator.data").joinpath(name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def _read_json(name: str):
    with resources.files("locator.data").joinpath(name).open(encoding="utf-8") as f:
        return json.load(f)


@cache
def regions() -> dict[str, str]:
    """The 12 ITL1 regions by ITL code, plus UK-wide. Names lose the "(England)" suffix."""
    names = {
        row["itl1_code"]: row["name"].replace(" (England)", "")
        for row in _read_csv("itl_regions.csv")
        if row["level"] == "1"
    }
    return {UK_WIDE: "UK-wide", **names}


@cache
def cpv_codes() -> dict[str, str]:
    """CPV 2008 descriptions keyed by the 8-digit code (the check digit is not part of the key,
    as Contracts Finder and most buyers omit it)."""
    return {row["code"][:8]: row["description"] for row in _read_csv("cpv.csv")}


@cache
def cpv_divisions() -> dict[str, str]:
    """Two-digit CPV divisions (e.g. "72" → "IT services: …"), from their `NN000000` codes."""
    return {code[:2]: label for code, label in cpv_codes().items() if code[2:] == "000000"}


@cache
def cpv_groups() -> dict[str, str]:
    """Three-digit CPV groups ("722" → "Software programming …"); a division is not a group."""
    return {
        code[:3]: label
        for code, label in cpv_codes().items()
        if code[3:] == "00000" and code[2] != "0"
    }


def search_cpv(text: str, limit: int = 50) -> list[Term]:
    """Codes for the CPV finder: a code prefix ("722", "72000000-5") finds the codes it starts;
    words find first the codes they mean (the same concept matcher as search, so "it support"
    offers IT support services), then codes whose description contains every word."""
    text = text.strip().lower()
    if not text:
        return []
    digits = text.split("-")[0]  # "72000000-5": the check digit is not part of the key
    labels = cpv_codes()
    if digits.isdigit():
        return [Term(c, label) for c, label in labels.items() if c.startswith(digits)][:limit]
    found = {}
    for concept in concepts().match(text, limit=limit):
        code = concept.prefix.ljust(8, "0")
        if concept.covers_query and code in labels:
            found[code] = Term(code, labels[code])
    words = text.split()
    for code, label in labels.items():
        if len(found) >= limit:
            break
        if code not in found and all(w in label.lower() for w in words):
            found[code] = Term(code, label)
    return list(found.values())[:limit]


@cache
def buyer_lexicon() -> list[tuple[str, list[str]]]:
    """Everyday buyer terms and the CPV codes they mean (see `data/SOURCES.md`)."""
    return [(row["term"], row["cpv_codes"].split()) for row in _read_csv("buyer_lexicon.csv")]


LEXICON_WEIGHT, CPV_WEIGHT = 1.0, 0.8  # a buyer's term is a surer sign than a CPV wording


@cache
def concepts() -> ConceptIndex:
    """Buyer words → CPV codes, for search and the CPV finder: CPV's own descriptions and the
    buyer lexicon. Built once per process (about a second)."""
    entries = [(term, codes, LEXICON_WEIGHT) for term, codes in buyer_lexicon()]
    entries += [(label, [code], CPV_WEIGHT) for code, label in cpv_codes().items()]
    return ConceptIndex(entries)


@cache
def sic_codes() -> dict[str, str]:
    return {row["code"]: row["description"] for row in _read_csv("sic2007.csv")}


@cache
def accreditation_types() -> dict[str, dict]:
    return {entry["id"]: entry for entry in _read_json("accreditations.json")}


def accreditations_held(types: Iterable[str]) -> set[str]:
    """The accreditation types a supplier counts as holding: its own and every lower grade they
    imply ("implies" in accreditations.json), transitively. Leader (level 3) of Disability
    Confident implies Employer, which implies Committed."""
    catalogue = accreditation_types()
    held: set[str] = set()
    pending = list(types)
    while pending:
        type_ = pending.pop()
        if type_ not in held:
            held.add(type_)
            pending.extend(catalogue.get(type_, {}).get("implies", ()))
    return held


def accreditation_label(type_: str, other_name: str | None = None) -> str:
    if type_ == "other" and other_name:
        return other_name
    entry = accreditation_types().get(type_)
    return entry["name"] if entry else type_


@cache
def social_value_model() -> dict:
    return _read_json("social_value_ppn002.json")


@cache
def social_value_missions() -> dict[str, str]:
    return {m["id"]: m["title"] for m in social_value_model()["missions"]}


@cache
def place_names() -> dict[str, tuple[str, ...]]:
    """Place names a buyer may type ("in Yorkshire", "Scottish", "Leeds"), lower-case, to the
    ITL1 regions they lie in."""
    return {row["place"]: tuple(row["regions"].split()) for row in _read_csv("place_names.csv")}
