"""The form for subscribing to the weekly e-mail of new suppliers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from .. import taxonomies
from .fields import CheckboxesField, email_field


def _accreditations() -> list[tuple[str, str]]:
    return [(k, v["name"]) for k, v in taxonomies.accreditation_types().items() if k != "other"]


class SubscribeForm(FlaskForm):
    email = email_field(
        "Email address", required="Enter your email address", example="name@example.gov.uk"
    )
    sector = CheckboxesField("Sectors (optional)", choices=list(taxonomies.SECTORS.items()))
    region = CheckboxesField(
        "Regions (optional)", choices=lambda: list(taxonomies.regions().items())
    )
    accreditation = CheckboxesField("Accreditations (optional)", choices=_accreditations)
    cpv = CheckboxesField(
        "Categories (optional)", choices=lambda: list(taxonomies.cpv_divisions().items())
    )
    submit = SubmitField("Subscribe", widget=GovSubmitInput())

    FILTERS = ("sector", "region", "accreditation", "cpv")

    def filters(self) -> dict[str, list[str]]:
        return {name: self[name].data for name in self.FILTERS if self[name].data}
