"""The profile-sections manifest (`locator.profile_sections`): one form per section, the forms'
fields are the manifest's, and its rules drive the task list and publishing. Publishing through
the pages is refused while a needed section is incomplete in test_profile.py
(`test_publish_needs_required_sections_and_sets_arrival_once`) and through `locator import` in
test_transfer.py (`test_published_line_must_be_complete`)."""

import subprocess
import sys
from collections import Counter

import pytest

from locator import profile_sections
from locator.forms import profile as forms
from locator.models import Supplier
from locator.services import suppliers

# A profile with every section complete, in `Supplier` attributes.
COMPLETE = {
    "name": "Kestrel Hill Cyber Ltd",
    "slug": "kestrel-hill-cyber-ltd",
    "legal_form": "limited-company",
    "companies_house_number": "SC012345",
    "charity_number": None,
    "ppon": None,
    "website": "https://kestrel.example",
    "town": "Leeds",
    "summary": "Penetration testing for councils.",
    "description": "We test public-sector systems the way attackers would.",
    "staff_band": "10-49",
    "turnover_band": "2m-10m",
    "balance_sheet_band": None,
    "supplier_types": ["sme"],
    "services": ["Penetration testing"],
    "cpv_codes": ["72000000"],
    "sic_codes": ["62020"],
    "sectors": ["local-government"],
    "regions": ["TLD"],
    "frameworks": [{"name": "G-Cloud 14", "reference": "RM1557.14"}],
    "social_value": [{"mission": "opportunity", "commitment": "Two apprentices a year."}],
    "social_value_model": "ppn-002",
    "contact_name": "Sam",
    "contact_email": "sam@kestrel.example",
    "contact_phone": "0161 496 0000",
    "owner_id": 1,  # a managed profile (an unclaimed listing needs less: see below)
}


def _without(section: profile_sections.Section) -> Supplier:
    """A supplier complete in every section but `section`, which is left empty."""
    values = dict(COMPLETE)
    for name in section.fields:
        values[name] = [] if isinstance(values[name], list) else None
    return Supplier(**values)


def test_each_manifest_section_has_exactly_one_form_in_task_list_order():
    forms_per_section = Counter(form.section for form in forms.SectionForm.__subclasses__())
    assert forms_per_section == Counter(profile_sections.SECTIONS)
    assert [form.section for form in forms.SECTIONS] == list(profile_sections.SECTIONS)
    assert all(
        forms.SECTIONS_BY_SLUG[slug].section is section
        for slug, section in profile_sections.BY_SLUG.items()
    )


def test_simple_section_forms_have_the_manifests_fields():
    simple = [
        form
        for form in forms.SECTIONS
        if form.record_to_data.__func__ is forms.SectionForm.record_to_data.__func__
    ]
    assert len(simple) >= 5  # all but frameworks and social value, which map their fields
    for form in simple:
        assert tuple(form.model_fields()) == form.section.fields, form.section.slug


@pytest.mark.parametrize("form", forms.SECTIONS, ids=lambda form: form.section.slug)
def test_each_form_reads_only_its_sections_record_keys(form):
    own = {name: COMPLETE[name] for name in form.section.fields}
    assert form.record_to_data(COMPLETE) == form.record_to_data(own)
    assert any(form.record_to_data(own).values())


def test_task_list_follows_the_manifest():
    assert [(t.slug, t.title, t.optional) for t in suppliers.tasks(None)] == [
        (s.slug, s.title, s.optional) for s in profile_sections.SECTIONS
    ]
    complete = Supplier(**COMPLETE)
    assert all(task.complete for task in suppliers.tasks(complete))
    assert suppliers.missing_for_publication(complete) == []


@pytest.mark.parametrize("section", profile_sections.SECTIONS, ids=lambda s: s.slug)
def test_an_empty_section_is_incomplete_and_blocks_publishing_only_if_needed(section):
    supplier = _without(section)
    assert [t.slug for t in suppliers.tasks(supplier) if not t.complete] == [section.slug]
    expected = [section.title] if section.needed_to_publish else []
    assert suppliers.missing_for_publication(supplier) == expected


def test_an_unclaimed_listing_may_omit_only_contact_details():
    contact = profile_sections.BY_SLUG["contact"]
    assert contact.needed_to_publish and profile_sections.UNCLAIMED_MAY_OMIT == ("contact",)
    listing = _without(contact)
    listing.owner_id = None
    assert suppliers.missing_for_publication(listing) == []
    unclaimed_without_services = _without(profile_sections.BY_SLUG["services"])
    unclaimed_without_services.owner_id = None
    assert suppliers.missing_for_publication(unclaimed_without_services) == [
        "Services and categories"]


def test_a_section_with_required_answers_needs_all_of_them():
    markets = profile_sections.BY_SLUG["markets"]
    assert markets.required == ("sectors", "regions")
    assert not markets.is_complete({"sectors": ["local-government"], "regions": []})
    assert markets.is_complete({"sectors": ["local-government"], "regions": ["UK"]})
    frameworks = profile_sections.BY_SLUG["frameworks"]
    assert frameworks.optional and not frameworks.is_complete({"frameworks": []})
    assert frameworks.is_complete({"frameworks": [{"name": "G-Cloud 14"}]})


def test_services_load_no_forms():
    """The services read the manifest; `locator import` passes the forms in."""
    code = (
        "import sys, locator.services.suppliers, locator.services.transfer; "
        "print([m for m in sys.modules if m.startswith(('flask_wtf', 'locator.forms'))])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
