"""Form fields and validators the profile forms share.

The same forms validate web input and `locator import` lines, so validators read `field.data`
(which both paths fill) rather than raw form data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from urllib.parse import urlsplit

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
    EmailField,
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Email, Length, StopValidation, ValidationError

_SEPARATORS = re.compile(r"[\s,;]+")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip(value):
    """Trimmed, with control characters (which PostgreSQL refuses in text, and no person means)
    removed and Windows line endings made plain."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", value.replace("\r\n", "\n")).strip()


def none_if_blank(value):
    value = strip(value)
    return value or None


class _KnownChoices:
    """A plain-English message for a value that is not one of the choices. A missing value is left
    to DataRequired/Optional, so the person sees one message, not two."""

    def pre_validate(self, form):
        allowed = {str(value) for value, *_ in self.iter_choices()}
        values = self.data if isinstance(self.data, list) else [self.data]
        for value in values:
            if value not in (None, "") and str(value) not in allowed:
                raise ValidationError(f"“{value}” is not one of the options")


class CheckboxesField(_KnownChoices, SelectMultipleField):
    widget = GovCheckboxesInput()

    def process_data(self, value):
        super().process_data(value or [])


class RadiosField(_KnownChoices, RadioField):
    widget = GovRadioInput()


class DropdownField(_KnownChoices, SelectField):
    widget = GovSelect()


class LinesField(TextAreaField):
    """A textarea holding one item per line; `data` is the list of non-blank lines."""

    widget = GovTextArea()

    def process_formdata(self, valuelist):
        if valuelist:
            lines = (strip(line) for line in valuelist[0].splitlines())
            self.data = [line for line in lines if line]

    def process_data(self, value):
        self.data = list(value or [])

    def _value(self):
        return "\n".join(self.data or [])


class CodeListField(Field):
    """Codes from any mix of checkboxes and a textarea sharing one name: each submitted value may
    hold several codes separated by spaces, commas or new lines.

    `normalise` turns what people type (e.g. a CPV code with its check digit) into the stored form.
    """

    widget = GovTextArea()

    def __init__(self, label=None, validators=None, normalise: Callable[[str], str] = str, **kw):
        super().__init__(label, validators, **kw)
        self.normalise = normalise

    def process_formdata(self, valuelist):
        self.data = self._clean(part for value in valuelist for part in _SEPARATORS.split(value))

    def process_data(self, value):
        self.data = self._clean(value or [])

    def _clean(self, values) -> list[str]:
        seen: dict[str, None] = {}
        for value in values:
            value = str(value).strip()
            if value:
                seen.setdefault(self.normalise(value))
        return list(seen)

    def _value(self):
        return "\n".join(self.data or [])


class KnownCodes:
    """Every code must be in `vocabulary()`; at most `limit` of them."""

    def __init__(self, vocabulary: Callable[[], dict], name: str, limit: int | None = None):
        self.vocabulary = vocabulary
        self.name = name
        self.limit = limit

    def __call__(self, form, field):
        unknown = [code for code in field.data or [] if code not in self.vocabulary()]
        if unknown:
            listed = ", ".join(unknown[:5])
            raise ValidationError(
                f"{listed} {'is not a' if len(unknown) == 1 else 'are not'} "
                f"{self.name} code{'s' if len(unknown) > 1 else ''}. "
                f"Check the code{'s' if len(unknown) > 1 else ''} and try again"
            )
        if self.limit is not None and len(field.data or []) > self.limit:
            raise ValidationError(f"Choose up to {self.limit} {self.name} codes")


class _DateBoxes(GovDateInput):
    """GOV.UK's day, month and year boxes, re-shown with what was sent even when a request left
    boxes out or sent extra ones (the library unpacks exactly three values and would fail)."""

    def map_gov_params(self, field, **kwargs):
        raw = field.raw_data
        if raw is not None and len(raw) != 3:
            field.raw_data = [*raw[:3], *[""] * (3 - len(raw))] if raw else None
        try:
            return super().map_gov_params(field, **kwargs)
        finally:
            field.raw_data = raw


class GovDateField(DateField):
    """Day, month and year boxes; blank is None, partial or impossible dates are errors."""

    widget = _DateBoxes()

    def __init__(self, label=None, validators=None, **kw):
        super().__init__(label, validators, format="%d %m %Y", **kw)

    def process_formdata(self, valuelist):
        parts = [part.strip() for part in valuelist]
        name = self.label.text.removesuffix(" (optional)")
        if not any(parts):
            self.data = None
            return
        if len(parts) != 3 or not all(parts):
            self.data = None
            raise ValueError(f"{name} must include a day, month and year")
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1000:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            self.data = None
            raise ValueError(f"{name} must be a real date") from None


_HOST_FIRST = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?([/?#]|$)")


def with_scheme(value):
    """ "www.example.co.uk" → "https://www.example.co.uk": people rarely type the scheme. Only
    what starts like a host name gains one; anything else is left for the validator to refuse."""
    value = none_if_blank(value)
    if value and _HOST_FIRST.match(value):
        return f"https://{value}"
    return value


class CharacterCount(GovCharacterCount):
    """GOV.UK's character count, its limit read from the field's Length rule."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        limit = next(v.max for v in field.validators if isinstance(v, Length))
        params.setdefault("maxlength", limit)
        return params


def if_given(form, field):
    """Like WTForms' Optional, but judged on `data`: Optional reads the raw form input, which an
    import line does not have, so it would wave every imported value through unchecked."""
    if field.data in (None, "", []):
        field.errors[:] = []
        raise StopValidation()


def web_address(message: str):
    """An http(s) address with a real host name: other schemes (javascript:, data:) never reach
    a page as a link."""

    def check(form, field):
        if field.data:
            parts = urlsplit(field.data)
            if parts.scheme not in ("http", "https") or "." not in (parts.hostname or ""):
                raise ValidationError(message)

    return check


def not_before(other: str, message: str):
    """This date must not be earlier than the form's `other` date field."""

    def check(form, field):
        earlier = form[other].data
        if field.data and earlier and field.data < earlier:
            raise ValidationError(message)

    return check


def text_field(
    label: str,
    *,
    max_length: int,
    required: str | None = None,
    noun: str | None = None,
    multiline: bool = False,
    description: str | None = None,
    extra: tuple = (),
) -> StringField:
    """A GOV.UK text input, or with `multiline` a textarea with a character count, trimmed, at
    most `max_length` characters. Blank is an error with the `required` message, or None when
    the field is optional."""
    noun = noun or label.removesuffix(" (optional)")
    first = [DataRequired(required)] if required else [if_given]
    return StringField(
        label,
        widget=CharacterCount() if multiline else GovTextInput(),
        description=description,
        filters=[strip] if required else [none_if_blank],
        validators=[
            *first,
            Length(max=max_length, message=f"{noun} must be {max_length:,} characters or fewer"),
            *extra,
        ],
    )


def link_field(label: str, *, message: str, noun: str = "Link", description=None) -> URLField:
    """An optional http(s) address; one typed without "https://" gains it."""
    return URLField(
        label,
        widget=GovTextInput(),
        description=description,
        filters=[with_scheme],
        validators=[
            if_given,
            web_address(message),
            Length(max=500, message=f"{noun} must be 500 characters or fewer"),
        ],
    )


def email_field(
    label: str,
    *,
    required: str | None,
    example: str = "name@example.com",
    own: bool = False,
    description: str | None = None,
) -> EmailField:
    """`own`: the person's own address, which browsers may fill in (WCAG 1.3.5). Without a
    `required` message the address is optional (None when blank)."""
    return EmailField(
        label,
        widget=GovTextInput(),
        description=description,
        render_kw={"params": {"autocomplete": "email", "spellcheck": False}} if own else None,
        filters=[strip] if required else [none_if_blank],
        validators=[
            DataRequired(required) if required else if_given,
            Email(f"Enter an email address in the correct format, like {example}"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
