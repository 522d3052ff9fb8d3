"""The supplier profile's sections as plain data — the task list's pages in order, the record keys
each one reads and writes, what "completed" means and which ones a profile needs before it can be
published — read by the section forms, the services, the task list and `locator import`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    fields: tuple[str, ...]  # the keys of a stored record (`records.supplier_record`) it holds
    required: tuple[str, ...] = ()  # what "completed" means on the task list
    needed_to_publish: bool = False  # buyers need this section to judge a supplier

    @property
    def optional(self) -> bool:
        return not self.required

    def is_complete(self, record: Mapping) -> bool:
        """Every required answer given; a section with none required counts once answered."""
        if not self.required:
            return any(record.get(name) for name in self.fields)
        return all(record.get(name) for name in self.required)


SECTIONS: tuple[Section, ...] = (
    Section(
        "organisation",
        "Organisation details",
        fields=(
            "name",
            "legal_form",
            "companies_house_number",
            "charity_number",
            "ppon",
            "website",
            "town",
            "summary",
            "description",
        ),
        required=("name", "summary", "description", "legal_form"),
        needed_to_publish=True,
    ),
    Section(
        "size",
        "Size and type",
        fields=("staff_band", "turnover_band", "balance_sheet_band", "supplier_types"),
        required=("staff_band", "turnover_band"),  # optional to answer, but buyers filter on size
    ),
    Section(
        "services",
        "Services and categories",
        fields=("services", "cpv_codes", "sic_codes"),
        required=("services", "cpv_codes"),
        needed_to_publish=True,
    ),
    Section(
        "markets",
        "Sectors and regions",
        fields=("sectors", "regions"),
        required=("sectors", "regions"),
        needed_to_publish=True,
    ),
    Section("frameworks", "Frameworks", fields=("frameworks",)),
    Section("social-value", "Social value", fields=("social_value",)),
    Section(
        "contact",
        "Contact details",
        fields=("contact_name", "contact_email", "contact_phone"),
        required=("contact_email",),
        needed_to_publish=True,  # a buyer who finds a supplier must be able to reach it
    ),
)
BY_SLUG = {section.slug: section for section in SECTIONS}

# A listing imported from public records (Contracts Finder) for a business that has not claimed
# it has no contact details to give: it may be published without them, and its page says it is
# unclaimed and how to claim it. Every profile with an owner needs them.
UNCLAIMED_MAY_OMIT = ("contact",)
