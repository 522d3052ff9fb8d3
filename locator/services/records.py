"""A supplier as a plain, JSON-ready record: the shape of `locator export`/`import` lines and the
input of the profile forms' `from_record`."""

from __future__ import annotations

from datetime import date, datetime

from .. import profile_sections
from ..models import Supplier

# What the sections hold (see profile_sections.py), plus what the service itself records.
PROFILE_FIELDS = (
    "slug",
    *(name for section in profile_sections.SECTIONS for name in section.fields),
    "social_value_model",  # the Social Value Model version the commitments answer
    "status",
    "first_published_at",
    "created_at",
    "updated_at",
)
ACCREDITATION_FIELDS = (
    "type",
    "other_name",
    "certificate_number",
    "certifying_body",
    "issued_on",
    "expires_on",
    "evidence_url",
    "verification_status",
    "verified_on",
)
CASE_STUDY_FIELDS = (
    "title",
    "client_name",
    "client_sector",
    "year",
    "challenge",
    "approach",
    "outcome",
    "contract_value_band",
    "link",
)


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return list(value)
    return value


def _pick(item, fields) -> dict:
    return {name: _plain(getattr(item, name)) for name in fields}


def accreditation_record(accreditation) -> dict:
    return _pick(accreditation, ACCREDITATION_FIELDS)


def supplier_record(supplier: Supplier) -> dict:
    record = _pick(supplier, PROFILE_FIELDS)
    record["accreditations"] = [accreditation_record(a) for a in supplier.accreditations]
    record["case_studies"] = [_pick(c, CASE_STUDY_FIELDS) for c in supplier.case_studies]
    return record


def reviewable_record(supplier: Supplier) -> dict:
    """What buyers see of a profile, the part an admin reviews: its sections' fields,
    accreditations and case studies (no status or dates), JSON-ready for `approved_record`."""
    record = supplier_record(supplier)
    keep = {name for section in profile_sections.SECTIONS for name in section.fields}
    return {
        **{name: record[name] for name in keep},
        "accreditations": record["accreditations"],
        "case_studies": record["case_studies"],
    }
