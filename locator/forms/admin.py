"""Forms for administrators' decisions and for claiming a profile."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from .fields import text_field


class ReasonForm(FlaskForm):
    """A decision that needs a reason: it is e-mailed or shown to the supplier and kept in the
    audit log."""

    reason = text_field(
        "Reason",
        max_length=2000,
        required="Enter the reason",
        multiline=True,
        description="The supplier sees this. Say what is wrong and what they can do about it.",
    )
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class ClaimForm(FlaskForm):
    message = text_field(
        "How are you connected to this business?",
        max_length=2000,
        required="Tell us how you are connected to this business",
        multiline=True,
        description="For example, your job title, and how we can check it: a company email "
        "address, or the name of a director at Companies House.",
    )
    submit = SubmitField("Send claim", widget=GovSubmitInput())
