"""The form for subscribing to the weekly e-mail of new suppliers: an e-mail address and one
group of checkboxes per facet the digest offers (see `locator/facets.py`)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from .. import facets
from .fields import CheckboxesField, email_field


class SubscribeForm(FlaskForm):
    email = email_field(
        "Email address", required="Enter your email address", example="name@example.gov.uk"
    )
    submit = SubmitField("Subscribe", widget=GovSubmitInput())

    FILTERS = facets.names_on(facets.DIGEST)

    def filters(self) -> dict[str, list[str]]:
        return {name: self[name].data for name in self.FILTERS if self[name].data}


for _facet in facets.offered_on(facets.DIGEST):
    setattr(
        SubscribeForm,
        _facet.name,
        CheckboxesField(
            f"{_facet.plural} (optional)",
            description=_facet.hint,
            choices=lambda facet=_facet: list(facet.choices().items()),
        ),
    )
