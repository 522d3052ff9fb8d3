"""The fixed vocabularies a profile is described with: real taxonomies from `locator/data/` and
the product's own short lists.

Everything is keyed by a stable code (stored in the database and the index) and carries the label
people read. The files are read once, lazily, from the package itself.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources


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
    return {code[:3]: label for code, label in cpv_codes().items() if code[3:] == "00000"}


def search_cpv(text: str, limit: int = 50) -> list[Term]:
    """Codes whose number starts with, or whose description contains every word of, `text`."""
    text = text.strip().lower()
    if not text:
        return []
    digits = text.split("-")[0]  # "72000000-5": the check digit is not part of the key
    words = text.split()
    found = []
    for code, label in cpv_codes().items():
        lowered = label.lower()
        if (digits.isdigit() and code.startswith(digits)) or all(w in lowered for w in words):
            found.append(Term(code, label))
            if len(found) >= limit:
                break
    return found


@cache
def sic_codes() -> dict[str, str]:
    return {row["code"]: row["description"] for row in _read_csv("sic2007.csv")}


@cache
def accreditation_types() -> dict[str, dict]:
    return {entry["id"]: entry for entry in _read_json("accreditations.json")}


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
