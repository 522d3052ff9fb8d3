"""The supplier profile, one form per page of the task list, plus accreditations and case studies.

Each section form converts to and from the stored record (`from_record`, `changes`), so the web
pages and `locator import` share one set of rules. What a section is called, which record keys it
holds and when it counts as complete come from its entry in `profile_sections`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import ClassVar

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput, GovTextInput
from wtforms import IntegerField, SubmitField
from wtforms.validators import (
    DataRequired,
    ValidationError,
)

from .. import identifiers, profile_sections, sizes, taxonomies
from .fields import (
    CheckboxesField,
    CodeListField,
    DropdownField,
    GovDateField,
    KnownCodes,
    LinesField,
    RadiosField,
    email_field,
    if_given,
    link_field,
    none_if_blank,
    not_before,
    text_field,
)


def form_data(form: FlaskForm) -> dict:
    """What the person entered, by field name, without the CSRF token and buttons."""
    return {
        field.name: field.data
        for field in form
        if field.type not in ("CSRFTokenField", "SubmitField")
    }


def _choices(mapping: Mapping[str, str]) -> list[tuple[str, str]]:
    return list(mapping.items())


def _band_choices(bands: tuple[sizes.Band, ...]) -> list[tuple[str, str]]:
    return [(band.code, band.label) for band in bands]


def _normaliser(normalise, message: str):
    """A validator that stores the normal form of an identifier, or explains the format."""

    def check(form, field):
        if field.data:
            normal = normalise(field.data)
            if normal is None:
                raise ValidationError(message)
            field.data = normal

    return check


def _cpv_normal(code: str) -> str:
    return code.split("-")[0]


class SectionForm(FlaskForm):
    """A page of the profile. Field names match `Supplier` attributes unless a subclass maps."""

    section: ClassVar[profile_sections.Section]  # its slug, title, record keys and rules
    submit = SubmitField("Save and continue", widget=GovSubmitInput())

    @classmethod
    def from_record(cls, record: Mapping, **kwargs) -> SectionForm:
        return cls(data=cls.record_to_data(record), **kwargs)

    @classmethod
    def record_to_data(cls, record: Mapping) -> dict:
        return {name: record.get(name) for name in cls.model_fields()}

    @classmethod
    def model_fields(cls) -> list[str]:
        return [
            name
            for name, value in vars(cls).items()
            if hasattr(value, "field_class") and name not in ("submit", "csrf_token")
        ]

    def changes(self) -> dict:
        return {name: self[name].data for name in self.model_fields()}


class OrganisationForm(SectionForm):
    section = profile_sections.BY_SLUG["organisation"]

    name = text_field(
        "Organisation name", max_length=200, required="Enter your organisation’s name"
    )
    legal_form = RadiosField(
        "Legal form",
        choices=_choices(taxonomies.LEGAL_FORMS),
        validators=[DataRequired("Select your organisation’s legal form")],
    )
    companies_house_number = text_field(
        "Companies House number (optional)",
        max_length=20,
        description="8 characters, for example 01234567 or SC123456",
        extra=(
            _normaliser(
                identifiers.normalise_companies_house_number,
                "Enter a Companies House number in the correct format, like 01234567 or SC123456",
            ),
        ),
    )
    charity_number = text_field(
        "Charity number (optional)",
        max_length=20,
        description="England and Wales: 6 or 7 digits. Scotland: SC and 6 digits.",
        extra=(
            _normaliser(
                identifiers.normalise_charity_number,
                "Enter a charity number in the correct format, like 1234567 or SC012345",
            ),
        ),
    )
    ppon = text_field(
        "Public Procurement Organisation Number (PPON) (optional)",
        max_length=20,
        noun="PPON",
        description="From the Central Digital Platform",
        extra=(_normaliser(identifiers.normalise_ppon, "Enter a PPON in the correct format"),),
    )
    website = link_field(
        "Website (optional)",
        noun="Website address",
        description="For example, www.example.co.uk",
        message="Enter a website address in the correct format, like www.example.co.uk",
    )
    town = text_field(
        "Town or city (optional)",
        max_length=100,
        description="Where you are based, shown on your profile",
    )
    summary = text_field(
        "Summary",
        max_length=280,
        required="Enter a summary of what your organisation does",
        multiline=True,
        description="One or two sentences buyers see in search results",
    )
    description = text_field(
        "Description",
        max_length=20000,
        required="Enter a description of your organisation",
        multiline=True,
        description="What you do, for whom, and what makes you good at it",
    )


class SizeForm(SectionForm):
    section = profile_sections.BY_SLUG["size"]

    staff_band = RadiosField(
        "How many people work for you? (optional)",
        choices=_band_choices(sizes.STAFF_BANDS),
        filters=[none_if_blank],
        validators=[if_given],
    )
    turnover_band = RadiosField(
        "What was your annual turnover? (optional)",
        choices=_band_choices(sizes.TURNOVER_BANDS),
        filters=[none_if_blank],
        validators=[if_given],
    )
    balance_sheet_band = RadiosField(
        "What is your balance sheet total? (optional)",
        choices=_band_choices(sizes.BALANCE_SHEET_BANDS),
        filters=[none_if_blank],
        validators=[if_given],
    )
    supplier_types = CheckboxesField(
        "Which of these describe your organisation? (optional)",
        description="Supplier types under the Procurement Act 2023. Select all that apply. "
        "If your answers above make you an SME, we mark you as one.",
        choices=_choices(taxonomies.SUPPLIER_TYPES),
    )

    def validate_supplier_types(self, field):
        bands = (self.staff_band.data, self.turnover_band.data, self.balance_sheet_band.data)
        derived = sizes.is_procurement_act_sme(*bands)
        ticked = "sme" in (field.data or [])
        if derived is False and ticked:
            raise ValidationError(
                "Your staff and turnover are above the SME limits, so you cannot select SME"
            )
        # Staff and turnover alone cannot settle it (a turnover over £44 million may still be an
        # SME by its balance sheet): ask, rather than leave the business out of the SME filter.
        if derived is None and not ticked and sizes.organisation_size(*bands) == "medium":
            raise ValidationError(
                "Select SME if your organisation is one, or answer the balance sheet question "
                "so that we can work it out"
            )


class ServicesForm(SectionForm):
    section = profile_sections.BY_SLUG["services"]

    services = LinesField(
        "Services you offer",
        description="One service per line, for example ‘Penetration testing’",
        validators=[DataRequired("Enter at least one service you offer")],
    )
    cpv_codes = CodeListField(
        "CPV codes",
        normalise=_cpv_normal,
        description="Common Procurement Vocabulary codes buyers use in contract notices",
        validators=[
            DataRequired("Choose at least one CPV code"),
            KnownCodes(taxonomies.cpv_codes, "CPV", limit=50),
        ],
    )
    sic_codes = CodeListField(
        "SIC codes (optional)",
        description="Up to 4 UK SIC 2007 codes, as registered at Companies House, e.g. 62020",
        validators=[KnownCodes(taxonomies.sic_codes, "SIC 2007", limit=4)],
    )


class MarketsForm(SectionForm):
    section = profile_sections.BY_SLUG["markets"]

    sectors = CheckboxesField(
        "Which public sectors do you work with?",
        choices=_choices(taxonomies.SECTORS),
        validators=[DataRequired("Select at least one sector")],
    )
    regions = CheckboxesField(
        "Where can you deliver?",
        description="Select UK-wide if you deliver anywhere in the UK",
        choices=lambda: list(taxonomies.regions().items()),
        validators=[DataRequired("Select at least one region, or UK-wide")],
    )


class FrameworksForm(SectionForm):
    section = profile_sections.BY_SLUG["frameworks"]

    frameworks = LinesField(
        "Frameworks you are on (optional)",
        description="One per line: the framework name, then | and its reference if you know it, "
        "for example ‘G-Cloud 14 | RM1557.14’",
    )

    def validate_frameworks(self, field):
        for line in field.data or []:
            if len(line) > 200:
                raise ValidationError("Each framework must be 200 characters or fewer")

    @classmethod
    def record_to_data(cls, record: Mapping) -> dict:
        lines = []
        for item in record.get("frameworks") or []:
            name, reference = item.get("name", ""), item.get("reference") or ""
            lines.append(f"{name} | {reference}" if reference else name)
        return {"frameworks": lines}

    def changes(self) -> dict:
        frameworks = []
        for line in self.frameworks.data or []:
            name, _, reference = (part.strip() for part in line.partition("|"))
            if name:
                frameworks.append({"name": name, "reference": reference or None})
        return {"frameworks": frameworks}


class SocialValueForm(SectionForm):
    """One optional commitment per mission of the current Social Value Model (a data file)."""

    section = profile_sections.BY_SLUG["social-value"]

    @classmethod
    def model_fields(cls) -> list[str]:
        return [f"mission_{mission}" for mission in taxonomies.social_value_missions()]

    @classmethod
    def record_to_data(cls, record: Mapping) -> dict:
        by_mission = {
            item.get("mission"): item.get("commitment") for item in record.get("social_value") or []
        }
        return {f"mission_{m}": by_mission.get(m) for m in taxonomies.social_value_missions()}

    def changes(self) -> dict:
        commitments = [
            {"mission": mission, "commitment": self[f"mission_{mission}"].data}
            for mission in taxonomies.social_value_missions()
            if self[f"mission_{mission}"].data
        ]
        return {
            "social_value": commitments,
            "social_value_model": taxonomies.social_value_model()["version"],
        }


for _mission in taxonomies.social_value_model()["missions"]:
    setattr(
        SocialValueForm,
        f"mission_{_mission['id']}",
        text_field(
            _mission["title"],
            max_length=2000,
            noun="Each commitment",
            multiline=True,
            description=_mission["description"],
        ),
    )


class ContactForm(SectionForm):
    section = profile_sections.BY_SLUG["contact"]

    contact_name = text_field("Contact name (optional)", max_length=200)
    contact_email = email_field(
        "Email address for enquiries", required="Enter an email address buyers can contact"
    )
    contact_phone = text_field("Telephone (optional)", max_length=40)


SECTIONS_BY_SLUG: dict[str, type[SectionForm]] = {
    form.section.slug: form
    for form in (
        OrganisationForm,
        SizeForm,
        ServicesForm,
        MarketsForm,
        FrameworksForm,
        SocialValueForm,
        ContactForm,
    )
}
# In task-list order; a manifest section without a form fails here, at import.
SECTIONS = tuple(SECTIONS_BY_SLUG[section.slug] for section in profile_sections.SECTIONS)


class AccreditationForm(FlaskForm):
    type = DropdownField(
        "Accreditation",
        choices=[("", "Choose an accreditation")]
        + [(key, entry["name"]) for key, entry in taxonomies.accreditation_types().items()],
        validators=[DataRequired("Choose an accreditation")],
    )
    other_name = text_field(
        "Name of the accreditation",
        max_length=200,
        noun="Name",
        description="Only if you chose ‘Other’",
    )
    certificate_number = text_field("Certificate number (optional)", max_length=100)
    certifying_body = text_field(
        "Certifying body (optional)",
        max_length=200,
        description="For example, the UKAS-accredited body or IASME certification body",
    )
    issued_on = GovDateField("Date issued (optional)", description="For example, 27 3 2025")
    expires_on = GovDateField(
        "Expiry date (optional)",
        description="For example, 26 3 2026",
        validators=[not_before("issued_on", "Expiry date must be on or after the date issued")],
    )
    evidence_url = link_field(
        "Link to evidence (optional)",
        description="A public certificate register entry or certificate, starting https://",
        message="Enter a link in the correct format, like https://example.co.uk/cert",
    )
    submit = SubmitField("Save accreditation", widget=GovSubmitInput())
    # A supplier adds only current accreditations; an import line is a record of history
    # (`forms.records`), so an accreditation that has expired since is kept and tagged Expired.
    refuse_past_expiry: ClassVar[bool] = True

    def validate_expires_on(self, field):
        if self.refuse_past_expiry and field.data and field.data < date.today():
            raise ValidationError(
                "Expiry date must be today or in the future. Enter the date on your renewed "
                "certificate, or remove an accreditation that has expired"
            )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.type.data == "other" and not self.other_name.data:
            self.other_name.errors = [
                *self.other_name.errors,
                "Enter the name of the accreditation",
            ]
            return False
        return valid

    def changes(self) -> dict:
        values = form_data(self)
        if values["type"] != "other":
            values["other_name"] = None
        return values


class CaseStudyForm(FlaskForm):
    title = text_field("Title", max_length=200, required="Enter a title for the case study")
    client_name = text_field("Client", max_length=200, required="Enter the client’s name")
    client_sector = DropdownField(
        "Client’s sector",
        choices=[("", "Choose a sector")] + _choices(taxonomies.SECTORS),
        validators=[DataRequired("Choose the client’s sector")],
    )
    year = IntegerField(
        "Year the work finished",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the year the work finished, like 2024"),
        ],
    )
    challenge = text_field(
        "The challenge",
        max_length=5000,
        required="Describe the client’s challenge",
        multiline=True,
    )
    approach = text_field(
        "What you did", max_length=5000, required="Describe what you did", multiline=True
    )
    outcome = text_field(
        "The outcome", max_length=5000, required="Describe the outcome", multiline=True
    )
    contract_value_band = RadiosField(
        "Contract value (optional)",
        choices=_choices(taxonomies.CONTRACT_VALUE_BANDS),
        filters=[none_if_blank],
        validators=[if_given],
    )
    link = link_field(
        "Link (optional)",
        message="Enter a link in the correct format, like https://example.co.uk",
    )
    submit = SubmitField("Save case study", widget=GovSubmitInput())

    def validate_year(self, field):
        """Next year is worked out on each check, not once when the server started."""
        if field.data is not None and not 1950 <= field.data <= date.today().year + 1:
            raise ValidationError("Enter a year between 1950 and next year")

    def changes(self) -> dict:
        return form_data(self)


class LogoForm(FlaskForm):
    """The logo page: one image file (its contents are checked by `services.logos`)."""

    logo = FileField(
        "Upload a logo",
        widget=GovFileInput(),
        description="A PNG, JPEG or WebP image, smaller than 1 MB and at most 4,000 pixels "
        "wide and high. A square logo looks best.",
        validators=[FileRequired("Select a logo to upload")],
    )
    submit = SubmitField("Upload logo", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button-only form for publishing, unpublishing and removing things (CSRF-protected)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
