"""Bulk import and export of supplier profiles as JSON Lines (one profile per line).

Each line is checked with the same forms as the web pages, so an import can hold nothing a
supplier could not have typed; the caller passes them in (`forms.records.FormChecker`), so this
service never loads the forms. A bad line is reported with its number and reason and saves
nothing; good lines load. Suppliers are matched on Companies House number, else slug, so importing
the same file twice updates rather than duplicates. `export` writes the format `import` reads:
export → import into an empty database → export gives the same file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import IO, Protocol

from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from .. import identifiers, taxonomies
from ..models import Accreditation, CaseStudy, Supplier, utcnow
from . import records, suppliers

VERIFICATION_STATUSES = ("unverified", "verified", "rejected")
COMMIT_EVERY = 200  # lines; each line is still all-or-nothing through its own savepoint
MAX_DEPTH = 10  # levels of JSON nesting in a line: a profile needs three
TIMESTAMP_YEARS = (1900, 2999)  # created_at, updated_at, first_published_at


class LineError(ValueError):
    """Why one line cannot be imported, in words a person can act on."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return self.created + self.updated


class Checker(Protocol):
    """Validates the parts of a line as the web pages would, raising `LineError` with the reasons
    (`forms.records.FormChecker`)."""

    def profile(self, record: dict) -> dict:
        """The profile fields of a whole line, section by section, ready to apply."""

    def accreditation(self, data: dict) -> dict:
        """The values of one accreditation (dates already parsed)."""

    def case_study(self, data: dict) -> dict:
        """The values of one case study."""


def _parse_date(value, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise LineError(f"{name}: “{value}” is not a date like 2026-03-31") from None


def _parse_datetime(value, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise LineError(
            f"{name}: “{value}” is not a date and time like 2026-03-31T09:00:00+00:00"
        ) from None
    if not TIMESTAMP_YEARS[0] <= parsed.year <= TIMESTAMP_YEARS[1]:
        # Shown in UK time on the profile page: the ends of Python's dates cannot be converted.
        raise LineError(
            f"{name}: “{value}” must be between the years {TIMESTAMP_YEARS[0]} and "
            f"{TIMESTAMP_YEARS[1]}"
        )
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# The JSON type each field of a line must have (None is always allowed: "not given").
_TEXT, _TEXTS, _OBJECTS, _WHOLE = "text", "a list of text", "a list of objects", "a whole number"
_PROFILE_TYPES = {
    **{name: _TEXT for name in records.PROFILE_FIELDS},
    **dict.fromkeys(("services", "supplier_types", "sectors", "regions", "cpv_codes",
                     "sic_codes"), _TEXTS),
    **dict.fromkeys(("frameworks", "social_value", "accreditations", "case_studies"), _OBJECTS),
}
_CHILD_TYPES = {
    "frameworks": {"name": _TEXT, "reference": _TEXT},
    "social_value": {"mission": _TEXT, "commitment": _TEXT},
    "accreditations": dict.fromkeys(records.ACCREDITATION_FIELDS, _TEXT),
    "case_studies": {**dict.fromkeys(records.CASE_STUDY_FIELDS, _TEXT), "year": _WHOLE},
}


def _is(value, kind: str) -> bool:
    if value is None:
        return True
    if kind == _TEXT:
        return isinstance(value, str)
    if kind == _WHOLE:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == _TEXTS:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _check_types(record: dict) -> None:
    """Wrong JSON types get a message, not a crash deep inside form validation."""
    for name, kind in _PROFILE_TYPES.items():
        if not _is(record.get(name), kind):
            raise LineError(f"{name}: must be {kind}")
    for key, fields in _CHILD_TYPES.items():
        for n, item in enumerate(record.get(key) or [], start=1):
            for name, kind in fields.items():
                if not _is(item.get(name), kind):
                    raise LineError(f"{key} {n}: {name}: must be {kind}")


def _profile_changes(record: dict, check: Checker) -> dict:
    """The validated profile fields of one line."""
    if not str(record.get("name") or "").strip():
        raise LineError("name: Enter the organisation’s name")
    changes = check.profile(record)
    unknown = {item.get("mission") for item in record.get("social_value") or []} - set(
        taxonomies.social_value_missions()
    )
    if unknown:
        raise LineError(f"social_value: unknown mission {', '.join(map(str, sorted(unknown)))}")
    return changes


def _children(
    record: dict, key: str, validate: Callable[[dict], dict], model, prepare: Callable[[dict], dict]
):
    items = record.get(key) or []
    if not isinstance(items, list):
        raise LineError(f"{key}: must be a list")
    built = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise LineError(f"{key} {n}: must be an object")
        data = prepare(item)
        try:
            values = validate(data)
        except LineError as error:
            raise LineError(f"{key} {n}: {error}") from None
        built.append(model(**values, **_extra(item, model)))
    return built


def _extra(item: dict, model) -> dict:
    if model is Accreditation:
        status = item.get("verification_status") or "unverified"
        if status not in VERIFICATION_STATUSES:
            raise LineError(f"verification_status: “{status}” is not one of the options")
        verified_on = _parse_date(item.get("verified_on"), "verified_on")
        return {"verification_status": status,
                "verified_on": verified_on if status == "verified" else None}
    return {}


def _accreditation_input(item: dict) -> dict:
    return {
        **item,
        "issued_on": _parse_date(item.get("issued_on"), "issued_on"),
        "expires_on": _parse_date(item.get("expires_on"), "expires_on"),
    }


def _find_existing(session: Session, changes: dict, slug: str) -> Supplier | None:
    number = changes.get("companies_house_number")
    query = select(Supplier).options(
        selectinload(Supplier.accreditations), selectinload(Supplier.case_studies)
    )
    if number:
        found = session.exec(query.where(Supplier.companies_house_number == number)).first()
        if found:
            return found
    found = session.exec(query.where(Supplier.slug == slug)).first()
    if found and number and found.companies_house_number not in (None, number):
        raise LineError(
            f"slug: “{slug}” belongs to a supplier with Companies House number "
            f"{found.companies_house_number}, not {number}"
        )
    return found


def import_record(session: Session, record: dict, check: Checker) -> bool:
    """Validate (with `check`) and save one profile. Returns True if it created a new supplier."""
    _check_types(record)
    changes = _profile_changes(record, check)
    accreditations = _children(
        record, "accreditations", check.accreditation, Accreditation, _accreditation_input
    )
    case_studies = _children(record, "case_studies", check.case_study, CaseStudy, dict)
    status = record.get("status") or "draft"
    if status not in taxonomies.STATUSES:
        raise LineError(f"status: “{status}” is not one of {', '.join(taxonomies.STATUSES)}")
    slug = identifiers.slugify(str(record.get("slug") or changes["name"]), max_length=100)
    if record.get("slug") and slug != record["slug"]:
        raise LineError(f"slug: “{record['slug']}” must be lower-case letters, digits and hyphens")

    supplier = _find_existing(session, changes, slug)
    if supplier is not None and supplier.owner_id is not None:
        raise LineError(
            f"“{supplier.name}” ({supplier.companies_house_number or supplier.slug}) is already "
            "listed and managed by its business: an import cannot change it"
        )
    created = supplier is None
    if created:
        supplier = Supplier(name=changes["name"], slug=slug)
    suppliers.apply_changes(supplier, changes)
    supplier.accreditations = accreditations
    supplier.case_studies = case_studies
    supplier.status = status
    first_published = _parse_datetime(record.get("first_published_at"), "first_published_at")
    supplier.first_published_at = first_published or supplier.first_published_at
    if status == "published":
        missing = suppliers.missing_for_publication(supplier)
        if missing:
            raise LineError("cannot be published without: " + ", ".join(missing))
        supplier.first_published_at = supplier.first_published_at or utcnow()
        # Whoever runs an import vouches for what it publishes, as an admin's approval does.
        supplier.approved_at = supplier.approved_at or utcnow()
        supplier.approved_record = records.reviewable_record(supplier)
    now = utcnow()
    supplier.created_at = _parse_datetime(record.get("created_at"), "created_at") or (
        now if created else supplier.created_at
    )
    supplier.updated_at = _parse_datetime(record.get("updated_at"), "updated_at") or now
    suppliers.record_change(session, supplier, stamp=False)
    return created


def _check_values(record: dict) -> None:
    """Refuse what JSON can carry but no profile can hold: nesting far deeper than a profile's,
    and text with a lone UTF-16 surrogate (`"\\ud800"`), which no database can store as text."""
    # (the field to name in a message, a value in it, its depth); field names are checked too
    shown = {name: name.encode("utf-8", "backslashreplace").decode() for name in record}
    stack = [(shown[name], item, 2) for name, value in record.items() for item in (name, value)]
    while stack:
        field, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise LineError(f"{field}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            stack.extend((field, item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            stack.extend((field, item, depth + 1) for item in value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as error:
                code = ord(value[error.start])
                raise LineError(
                    f"{field}: \\u{code:04x} on its own is not a character (a surrogate escape "
                    "must come in a pair)"
                ) from None


def read_line(line: str | bytes, first: bool = False) -> dict | None:
    """One line of an import file as a record, None for a blank line, or `LineError` saying what
    is wrong with it. Bytes are decoded here, so that a line that is not UTF-8 is reported alone
    (a byte-order mark at the start of the file is allowed)."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8-sig" if first else "utf-8")
        except UnicodeDecodeError as error:
            raise LineError(
                f"not valid UTF-8 (byte 0x{line[error.start]:02x} at position {error.start + 1}); "
                "save the file as UTF-8"
            ) from None
    elif first:
        line = line.removeprefix("\ufeff")
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise LineError(f"not valid JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:
        raise LineError(f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError:  # Python's limit on the digits of a whole number
        raise LineError("not valid JSON (a number is too long)") from None
    if not isinstance(record, dict):
        raise LineError("each line must be a JSON object")
    _check_values(record)
    return record


def import_lines(
    session: Session,
    lines: Iterable[str | bytes],
    check: Checker,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Load each JSON line that `check` (`forms.records.FormChecker()`) and the line rules here
    accept; report the others by line number. Lines may be text or, straight from a file opened
    in binary, bytes (then a line that is not UTF-8 is reported, not fatal)."""
    report = ImportReport()
    for number, line in enumerate(lines, start=1):
        if progress:
            progress(1)
        try:
            record = read_line(line, first=number == 1)
            if record is None:
                continue
            with session.begin_nested():
                created = import_record(session, record, check)
        except LineError as error:
            report.errors.append((number, str(error)))
        else:
            report.created += created
            report.updated += not created
            if report.loaded % COMMIT_EVERY == 0:
                session.commit()
    session.commit()
    return report


def export_records(session: Session) -> Iterator[dict]:
    query = (
        select(Supplier)
        .options(selectinload(Supplier.accreditations), selectinload(Supplier.case_studies))
        .order_by(Supplier.id)
    )
    for supplier in session.exec(query):
        yield records.supplier_record(supplier)


def export_lines(session: Session, out: IO[str]) -> int:
    count = 0
    for record in export_records(session):
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count
