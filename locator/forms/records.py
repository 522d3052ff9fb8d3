"""Checks a stored-format record with the same forms as the web pages, for `locator import`
(`services.transfer.import_lines(session, lines, FormChecker())`), so an imported line can hold
nothing a supplier could not have typed."""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf import FlaskForm

from ..profile_sections import Section
from ..services.transfer import LineError
from .profile import SECTIONS, AccreditationForm, CaseStudyForm


def _form_errors(form: FlaskForm) -> list[str]:
    return [f"{name}: {errors[0]}" for name, errors in form.errors.items() if errors]


def _validated(form: FlaskForm) -> dict:
    if not form.validate():
        raise LineError("; ".join(_form_errors(form)))
    return form.changes()


class _RecordedAccreditationForm(AccreditationForm):
    refuse_past_expiry = False


def _present(record: Mapping, section: Section) -> bool:
    return any(record.get(name) not in (None, "", []) for name in section.fields)


class FormChecker:
    """`transfer.Checker` with the profile's section forms and the accreditation and case study
    forms. Each method returns the values to save or raises `LineError` with the forms' messages,
    as `field: message; field: message`."""

    def profile(self, record: Mapping) -> dict:
        """The validated profile fields of a whole line, section by section; sections the line
        leaves out entirely are not checked (a draft may be unfinished) but cleared."""
        changes: dict = {}
        for form_class in SECTIONS:
            form = form_class.from_record(record, meta={"csrf": False})
            # A line is the whole profile: a section it leaves out is emptied, not kept.
            present = _present(record, form_class.section)
            changes.update(_validated(form) if present else form.changes())
        return changes

    def accreditation(self, data: Mapping) -> dict:
        return _validated(_RecordedAccreditationForm(data=data, meta={"csrf": False}))

    def case_study(self, data: Mapping) -> dict:
        return _validated(CaseStudyForm(data=data, meta={"csrf": False}))
