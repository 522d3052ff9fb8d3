"""The feedback form: what the visitor was doing, what went wrong or would help, and an address
if they want a reply."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import HiddenField, SubmitField

from .fields import email_field, text_field


def _site_path(value):
    """Only a path on this site is kept as the page the feedback is about."""
    value = (value or "").strip()
    if value.startswith("/") and not value.startswith("//") and len(value) <= 500:
        return value
    return None


class FeedbackForm(FlaskForm):
    doing = text_field(
        "What were you trying to do? (optional)",
        max_length=1000,
        noun="What you were trying to do",
        multiline=True,
        description="For example, find a cleaning company in Leeds",
    )
    comments = text_field(
        "What went wrong, or what would help?",
        max_length=5000,
        noun="Your feedback",
        multiline=True,
        required="Tell us what went wrong or what would help",
        description="Do not include personal or financial information",
    )
    email = email_field(
        "Email address (optional)",
        required=None,
        own=True,
        description="Only if you would like a reply. We use it for nothing else.",
    )
    page = HiddenField(filters=[_site_path])
    submit = SubmitField("Send feedback", widget=GovSubmitInput())
