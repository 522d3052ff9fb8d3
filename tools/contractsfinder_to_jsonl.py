"""Turn a Contracts Finder awards CSV into JSON Lines that `locator import` loads.

    python tools/contractsfinder_to_jsonl.py IN.csv OUT.jsonl

Input: one row per awarded notice × supplier, with the columns of
`tests/data/contractsfinder_awards_2020.csv` (see `tests/data/README.md`). Output: one published
supplier profile per distinct supplier, sorted by slug, `json.dumps(..., ensure_ascii=False,
sort_keys=True)` per line, UTF-8. A summary goes to stderr.

Suppliers are grouped on their registered number: the Companies House number when the row says
`COMPANIES_HOUSE` and the number is valid, else the charity number for `CHARITY_COMMISSION` rows.
Rows without a registered number join the one numbered supplier whose normalised name they share;
otherwise they are grouped by normalised name (case, spacing, trailing punctuation and
"Ltd"/"Limited" ignored).

The notices' `supplier_is_sme`/`supplier_is_vcse` flags become the "sme"/"vcse" supplier types;
Contracts Finder publishes no staff or turnover bands, so none are invented and the size shows as
"not stated".

From Python (the project root on `sys.path`), with `from tools import contractsfinder_to_jsonl`:

* `read_rows(path)`: the CSV's rows as dicts;
* `convert(rows)`: the records the script writes, in its order (`convert_with_report` also says
  how many rows and suppliers it saw and which suppliers it skipped, and why);
* `dump_lines(records)`: the text the script writes;
* `suppliers_by_slug(rows)`: the rows behind each written record, by the slug `locator import`
  gives that supplier, for judging search results against what each supplier was awarded.

Standard library only, plus `locator.identifiers` and `locator.taxonomies` for the vocabularies.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from locator import identifiers, taxonomies

SUMMARY_MAX = 280
DESCRIPTION_CAP = 5000
SERVICES_MAX = 10
SERVICE_MAX = 200
CPV_MAX = 50
NAME_MAX = 200
SLUG_MAX = 100  # what `locator import` slugifies names to

# Buyer-name keywords → sector, first match wins. Bare "Trust" is not used: in this corpus it
# names housing associations and academy trusts as often as NHS trusts.
SECTOR_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (sector, re.compile(pattern, flags))
    for sector, pattern, flags in (
        ("defence", r"\bministry of defen[cs]e\b|\bdefen[cs]e\b", re.I),
        ("defence", r"\bMoD\b|\bMOD\b", 0),
        (
            "emergency-services-justice",
            r"\bpolice\b|\bfire\b|\bjustice\b|\bprisons?\b|\bcourts?\b|\bcps\b",
            re.I,
        ),
        (
            "health-social-care",
            r"\bnhs\b|\bhealth\b|\bccg\b|\bhospitals?\b|\bfoundation trust\b|\bnhs trust\b",
            re.I,
        ),
        (
            "education",
            r"\bschools?\b|\bacadem(y|ies)\b|\buniversit(y|ies)\b|\bcolleges?\b",
            re.I,
        ),
        ("housing", r"\bhousing\b|\bhomes\b", re.I),
        ("transport", r"\btransport\b|\bhighways\b|\brail\b|\bhs2\b", re.I),
        (
            "local-government",
            r"\bcouncils?\b|\bborough\b|\bcounty\b|\bmbc\b|\bcombined authority\b",
            re.I,
        ),
        ("devolved-administrations", r"\bscottish\b|\bwelsh\b|\bnorthern ireland\b", re.I),
        (
            "central-government",
            r"\bdepartment\b|\boffice\b|\bagency\b|\bcabinet\b|\bcommission\b|\bministry\b"
            r"|\bgovernment\b|\btreasury\b|\bsecretary of state\b|\bauthority\b"
            r"|\bcrown commercial service\b",
            re.I,
        ),
        ("central-government", r"\bHM\b|\bH M\b|\bHMRC\b|\bDCLG\b|\bBEIS\b", 0),
    )
)

ANY_REGION = {"any region", "united kingdom", "uk", ""}
ENGLAND = ("TLC", "TLD", "TLE", "TLF", "TLG", "TLH", "TLI", "TLJ", "TLK")

LEGAL_FORM_BY_REF_TYPE = {
    "CHARITY_COMMISSION": "charity",
    "NONE_SOLE_TRADER": "sole-trader",
    "NONE_PARTNERSHIP": "partnership",
}
LLP_PREFIXES = ("OC", "SO", "NC")
NOT_A_COMPANY_PREFIXES = ("RC",)  # royal charter bodies


@dataclass
class Report:
    rows: int = 0
    suppliers: int = 0
    written: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, reason)


def _text(value: str | None) -> str:
    """Entity-decoded, with Windows line ends made plain."""
    return html.unescape(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _one_line(value: str | None) -> str:
    return re.sub(r"\s+", " ", _text(value)).strip()


def name_key(name: str) -> str:
    """The form names are compared in: case, spacing and punctuation are ignored, "&" is "and"
    and "Limited" is "Ltd", so "ACME Services (UK) Limited." == "Acme services UK ltd" and
    "Arden Winch & Co.Ltd" == "Arden Winch and Co Ltd"."""
    key = _one_line(name).casefold().replace("&", " and ")
    key = re.sub(r"[^\w]+", " ", key)
    key = re.sub(r"\blimited\b", "ltd", key)
    return re.sub(r"\s+", " ", key).strip()


def companies_house_number(row: Mapping[str, str]) -> str | None:
    if row.get("supplier_ref_type") != "COMPANIES_HOUSE":
        return None
    number = identifiers.normalise_companies_house_number(row.get("supplier_ref_number") or "")
    if number is None or not number.strip("0"):  # "0" is a placeholder, not a company
        return None
    return number


def charity_number(row: Mapping[str, str]) -> str | None:
    if row.get("supplier_ref_type") != "CHARITY_COMMISSION":
        return None
    return identifiers.normalise_charity_number(row.get("supplier_ref_number") or "")


def trim(text: str, limit: int, ellipsis: str = "…") -> str:
    """`text` cut to at most `limit` characters on a word boundary."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis) + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > limit // 2 else cut[: limit - len(ellipsis)]
    return cut.rstrip(" ,;:.-–—(") + ellipsis


def _awarded(row: Mapping[str, str]) -> datetime | None:
    for value, fmt in ((row.get("awarded_date"), "%d/%m/%Y"), (row.get("published_date"), None)):
        if not value:
            continue
        try:
            if fmt:
                return datetime.strptime(value.strip(), fmt).replace(tzinfo=UTC)
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def sector_of(buyer_name: str) -> str:
    buyer = _one_line(buyer_name)
    for sector, pattern in SECTOR_RULES:
        if pattern.search(buyer):
            return sector
    return "other"


def _region_codes_by_name() -> dict[str, str]:
    names = {}
    for code, label in taxonomies.regions().items():
        if code != taxonomies.UK_WIDE:
            names[label.casefold().replace(" (england)", "")] = code
    return names


def region_codes(value: str) -> list[str]:
    """ITL1 codes for a notice's region text; "UK" for anywhere (or nowhere we know)."""
    by_name = _region_codes_by_name()
    codes: set[str] = set()
    for part in (value or "").split(","):
        name = part.strip().casefold().replace(" (england)", "")
        if name in ANY_REGION:
            return [taxonomies.UK_WIDE]
        if name == "england":
            codes.update(ENGLAND)
        elif name in by_name:
            codes.add(by_name[name])
        # Isle of Man and the Channel Islands are outside the UK's ITL regions: dropped.
    return _ordered_regions(codes) or [taxonomies.UK_WIDE]


def _ordered_regions(codes: Iterable[str]) -> list[str]:
    codes = set(codes)
    if taxonomies.UK_WIDE in codes:
        return [taxonomies.UK_WIDE]
    return [code for code in taxonomies.regions() if code in codes]


def _legal_form(number: str | None, ref_types: Counter) -> str:
    if number:
        if number.startswith(LLP_PREFIXES):
            return "llp"
        if number.startswith(NOT_A_COMPANY_PREFIXES):
            return "other"
        return "limited-company"
    for ref_type, _count in ref_types.most_common():
        if ref_type in LEGAL_FORM_BY_REF_TYPE:
            return LEGAL_FORM_BY_REF_TYPE[ref_type]
    return "other"


def _group(rows: list[Mapping[str, str]]) -> dict[tuple[str, str], list[Mapping[str, str]]]:
    """Rows by supplier key: ("ch", number), ("charity", number) or ("name", normalised name)."""
    numbered: dict[str, set[tuple[str, str]]] = {}  # name key → registered keys seen with it
    keys: list[tuple[str, str] | None] = []
    for row in rows:
        number = companies_house_number(row)
        charity = None if number else charity_number(row)
        key = ("ch", number) if number else ("charity", charity) if charity else None
        keys.append(key)
        if key:
            numbered.setdefault(name_key(row["supplier_name"]), set()).add(key)
    groups: dict[tuple[str, str], list[Mapping[str, str]]] = {}
    for row, key in zip(rows, keys, strict=True):
        if key is None:
            name = name_key(row["supplier_name"])
            candidates = numbered.get(name, set())
            key = next(iter(candidates)) if len(candidates) == 1 else ("name", name)
        groups.setdefault(key, []).append(row)
    return groups


def _ranked(values: Iterable[str]) -> list[str]:
    """Distinct values, most frequent first, ties in order of first appearance."""
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for n, value in enumerate(values):
        counts[value] += 1
        first.setdefault(value, n)
    return sorted(counts, key=lambda v: (-counts[v], first[v]))


def _notices(group: list[Mapping[str, str]]) -> list[Mapping[str, str]]:
    """One row per notice, earliest award first."""
    by_notice: dict[str, Mapping[str, str]] = {}
    for row in group:
        by_notice.setdefault(row["notice_id"], row)
    far_future = datetime.max.replace(tzinfo=UTC)
    return sorted(by_notice.values(), key=lambda r: (_awarded(r) or far_future, r["notice_id"]))


def _services(notices: list[Mapping[str, str]]) -> list[str]:
    titles = [trim(_one_line(r["title"]), SERVICE_MAX) for r in notices]
    seen: dict[str, str] = {}
    for title in _ranked(t for t in titles if t):
        seen.setdefault(title.casefold(), title)
    return list(seen.values())[:SERVICES_MAX]


def _description(notices: list[Mapping[str, str]]) -> str:
    paragraphs: list[str] = []
    seen: set[str] = set()
    for row in notices:
        for text in (_one_line(row["title"]), re.sub(r"\n{3,}", "\n\n", _text(row["description"]))):
            key = re.sub(r"\s+", " ", text).casefold()
            if text and key not in seen:
                seen.add(key)
                paragraphs.append(text)
    description = ""
    for paragraph in paragraphs:
        joined = f"{description}\n\n{paragraph}" if description else paragraph
        if len(joined) > DESCRIPTION_CAP:
            if not description:
                description = trim(paragraph, DESCRIPTION_CAP)
            break
        description = joined
    return description


def _summary(contracts: int, years: list[str], services: list[str]) -> str:
    """E.g. "Awarded 6 public contracts listed on Contracts Finder in 2020, including …". The
    year is the notices' publication year: some awards were made the year before."""
    when = " listed on Contracts Finder" + (f" in {years[0]}" if len(years) == 1 else "")
    if contracts == 1:
        text = f"Awarded a public contract{when}"
        text += f": {services[0]}" if services else ""
    else:
        text = f"Awarded {contracts} public contracts{when}"
        text += f", including {services[0]}" if services else ""
    text = trim(text, SUMMARY_MAX - 1)
    return text if text.endswith(("…", ".", "!", "?")) else text + "."


def _cpv_codes(notices: list[Mapping[str, str]]) -> list[str]:
    known = taxonomies.cpv_codes()
    codes = (code for row in notices for code in (row.get("cpv_codes") or "").split())
    return [code for code in _ranked(c[:8] for c in codes) if code in known][:CPV_MAX]


def _record(key: tuple[str, str], group: list[Mapping[str, str]]) -> dict:
    notices = _notices(group)
    services = _services(notices)
    number = key[1] if key[0] == "ch" else None
    charity = key[1] if key[0] == "charity" else None
    dates = [d for d in (_awarded(r) for r in notices) if d is not None]
    years = sorted({r["published_date"][:4] for r in notices if r.get("published_date")})
    regions = {code for row in notices for code in region_codes(row.get("region") or "")}
    sectors = {sector_of(row.get("buyer_name") or "") for row in notices}
    supplier_types = []
    if any(row.get("supplier_is_sme") == "Yes" for row in group):
        supplier_types.append("sme")
    if any(row.get("supplier_is_vcse") == "Yes" for row in group):
        supplier_types.append("vcse")
    record = {
        "name": _ranked(_one_line(row["supplier_name"]) for row in group)[0],
        "summary": _summary(len(notices), years, services),
        "description": _description(notices),
        "services": services,
        "legal_form": _legal_form(number, Counter(r.get("supplier_ref_type") for r in group)),
        "supplier_types": supplier_types,
        "sectors": [s for s in taxonomies.SECTORS if s in sectors],
        "regions": _ordered_regions(regions),
        "cpv_codes": _cpv_codes(notices),
        "status": "published",
        "first_published_at": min(dates).isoformat() if dates else None,
        "accreditations": [],
        "case_studies": [],
    }
    if number:
        record["companies_house_number"] = number
    if charity:
        record["charity_number"] = charity
    return record


def problems(record: Mapping) -> list[str]:
    """Why `locator import` would refuse this published record (the rules of its forms)."""
    found = []
    name = record.get("name") or ""
    if not name or len(name) > NAME_MAX:
        found.append("name is blank or longer than 200 characters")
    if not record.get("summary") or len(record["summary"]) > SUMMARY_MAX:
        found.append("summary is blank or longer than 280 characters")
    if not record.get("description"):
        found.append("no description")
    if not record.get("services"):
        found.append("no services (no contract titles)")
    codes = record.get("cpv_codes") or []
    if not codes or len(codes) > CPV_MAX or set(codes) - set(taxonomies.cpv_codes()):
        found.append("no known CPV codes")
    if not record.get("sectors") or set(record["sectors"]) - set(taxonomies.SECTORS):
        found.append("no sector")
    if not record.get("regions") or set(record["regions"]) - set(taxonomies.regions()):
        found.append("no region")
    if record.get("legal_form") not in taxonomies.LEGAL_FORMS:
        found.append("unknown legal form")
    return found


def _assign_slugs(records: list[dict]) -> None:
    """Give every record a distinct slug: the one import derives from the name, or, when two
    suppliers' names slugify alike, that slug plus -2, -3 … passed explicitly."""
    by_base: dict[str, list[dict]] = {}
    for record in records:
        by_base.setdefault(identifiers.slugify(record["name"], max_length=SLUG_MAX), []).append(
            record
        )
    taken = set(by_base)
    for base, clashing in sorted(by_base.items()):
        clashing.sort(
            key=lambda r: (
                not r.get("companies_house_number"),
                r.get("companies_house_number") or "",
                name_key(r["name"]),
                r["name"],
            )
        )
        clashing[0]["_slug"] = base
        n = 2
        for record in clashing[1:]:
            while True:
                suffix = f"-{n}"
                slug = base[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
                n += 1
                if slug not in taken:
                    break
            taken.add(slug)
            record["_slug"] = slug
            record["slug"] = slug


Supplier = tuple[str, dict, list[Mapping[str, str]]]  # (slug, record, its rows)


def _suppliers(rows: Iterable[Mapping[str, str]]) -> tuple[list[Supplier], Report]:
    """Every supplier `locator import` would accept, sorted by slug, and what happened."""
    rows = list(rows)
    report = Report(rows=len(rows))
    groups = _group(rows)
    report.suppliers = len(groups)
    kept = []
    for key, group in groups.items():
        record = _record(key, group)
        reasons = problems(record)
        if reasons:
            report.skipped.append((record["name"], "; ".join(reasons)))
            continue
        kept.append((record, group))
    _assign_slugs([record for record, _group in kept])
    suppliers = sorted(
        ((record.pop("_slug"), record, group) for record, group in kept), key=lambda s: s[0]
    )
    report.written = len(suppliers)
    return suppliers, report


def convert_with_report(rows: Iterable[Mapping[str, str]]) -> tuple[list[dict], Report]:
    """Import records for `rows` (CSV rows as dicts), sorted by slug, and what happened."""
    suppliers, report = _suppliers(rows)
    return [record for _slug, record, _rows in suppliers], report


def convert(rows: Iterable[Mapping[str, str]]) -> list[dict]:
    """Import records for `rows` (CSV rows as dicts), sorted by slug: what the script writes."""
    return convert_with_report(rows)[0]


def suppliers_by_slug(rows: Iterable[Mapping[str, str]]) -> dict[str, list[Mapping[str, str]]]:
    """The rows behind each record `convert(rows)` returns, by the slug `locator import` gives
    that supplier (the record's "slug", or its name slugified): grouped, checked and slugged
    exactly as `convert` does, so search results can be judged by what a supplier was awarded."""
    return {slug: group for slug, _record, group in _suppliers(rows)[0]}


def read_rows(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    """The rows of a Contracts Finder awards CSV, as dicts keyed by its header."""
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def dump_lines(records: Iterable[dict]) -> str:
    """JSON Lines for `records`, as the script writes them (keys sorted, UTF-8 text kept)."""
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input", help="Contracts Finder awards CSV")
    parser.add_argument("output", help="JSON Lines file to write")
    args = parser.parse_args(argv)
    records, report = convert_with_report(read_rows(args.input))
    with open(args.output, "w", encoding="utf-8", newline="\n") as out:
        out.write(dump_lines(records))
    for name, reason in report.skipped:
        print(f"skipped {name}: {reason}", file=sys.stderr)
    print(
        f"{report.rows} rows read, {report.suppliers} suppliers found, "
        f"{report.written} written to {args.output}, {len(report.skipped)} skipped.",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
