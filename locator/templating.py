"""Template helpers: labels for stored codes, dates in UK time, and the GOV.UK form helpers.

Templates only format what views hand them; they never query.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers

from . import sizes, taxonomies
from .identifiers import initials
from .urls import external_url

LONDON = ZoneInfo("Europe/London")
SERVICE_NAME = "Supplier Locator"


def uk_date(value: date | datetime | None) -> str:
    """ "24 November 2026", in Europe/London for datetimes."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%B %Y}"


def uk_datetime(value: datetime | None) -> str:
    """ "24 November 2026, 9:05am" in Europe/London."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{uk_date(local)}, {local:%-I:%M}{local:%p}".replace("AM", "am").replace("PM", "pm")


def page_window(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and a few around the current one; None marks
    a gap (shown as an ellipsis)."""
    wanted = {1, pages, *range(page - around, page + around + 1)}
    numbers = sorted(n for n in wanted if 1 <= n <= pages)
    window: list[int | None] = []
    for n in numbers:
        if window and n - window[-1] > 1:
            window.append(None)
        window.append(n)
    return window


def with_page(url: str, page: int) -> str:
    """`url` (a list's URL) with its `page` parameter set: a list's pagination builds its URL
    once, not once a link (`url_for` with a search's parameters cost ~0.2 ms a link)."""
    base, _, query = url.partition("?")
    params = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "page"]
    return f"{base}?{urlencode([*params, ('page', page)])}"


def domain(url: str) -> str:
    """ "https://www.example.co.uk/about" → "example.co.uk": a website link's words."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def tel_href(phone: str) -> str | None:
    """A tel: link for a phone number as written ("+44 (0)20 7946 0000" → tel:+442079460000),
    or None when it holds too few digits to dial."""
    number = re.sub(r"\(0\)", "", phone) if phone.lstrip().startswith("+") else phone
    digits = re.sub(r"[^\d+]", "", number)
    plus, rest = digits.startswith("+"), digits.replace("+", "")
    return f"tel:{'+' if plus else ''}{rest}" if len(rest) >= 6 else None


def _label(vocabulary: dict[str, str]):
    return lambda code: vocabulary.get(code, code)


def init_app(app: Flask) -> None:
    WTFormsHelpers(app)
    app.add_template_filter(uk_date)
    app.add_template_filter(uk_datetime)
    app.add_template_filter(domain)
    app.add_template_filter(with_page)
    app.add_template_filter(tel_href)
    app.add_template_filter(initials)
    app.add_template_filter(_label(taxonomies.SECTORS), "sector_label")
    app.add_template_filter(_label(taxonomies.LEGAL_FORMS), "legal_form_label")
    app.add_template_filter(_label(taxonomies.SUPPLIER_TYPES), "supplier_type_label")
    app.add_template_filter(_label(taxonomies.STATUSES), "status_label")
    app.add_template_filter(_label(taxonomies.CONTRACT_VALUE_BANDS), "value_band_label")
    app.add_template_filter(_label(sizes.SIZE_LABELS), "size_label")
    app.add_template_filter(lambda code: taxonomies.regions().get(code, code), "region_label")
    app.add_template_filter(lambda code: taxonomies.cpv_codes().get(code, code), "cpv_label")
    app.add_template_filter(lambda code: taxonomies.sic_codes().get(code, code), "sic_label")
    app.add_template_filter(
        lambda code: taxonomies.social_value_missions().get(code, code), "mission_label"
    )
    app.add_template_filter(taxonomies.accreditation_label, "accreditation_label")
    app.add_template_test(lambda code: code in taxonomies.cpv_codes(), "known_cpv")
    app.add_template_global(SERVICE_NAME, "service_name")
    app.add_template_global(page_window)
    app.add_template_global(external_url)  # absolute links (e-mails): never from the Host header
