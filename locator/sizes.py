"""Organisation size from the bands a supplier gives.

We store the raw bands and derive the label, so a change in the law's thresholds changes the
label without touching anyone's data.

- Companies Act 2006 thresholds as amended from April 2025: a company is of a size if it meets at
  least two of three limits (staff, turnover, balance sheet total).
- Procurement Act 2023 "SME": fewer than 250 staff, and turnover ≤ £44m or balance sheet ≤ £38m.

Each band is stored by a code and carries its upper bound (None = no upper bound). Staff bands
cannot tell 250 from 251, so "250 or more" counts as large for both definitions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Band:
    code: str
    label: str
    upper: float | None  # staff count or £ millions; None means "no upper limit"


STAFF_BANDS = (
    Band("0-10", "10 or fewer", 10),
    Band("11-50", "11 to 50", 50),
    Band("51-249", "51 to 249", 249),
    Band("250+", "250 or more", None),
)
TURNOVER_BANDS = (
    Band("upto-1m", "Up to £1 million", 1),
    Band("1m-15m", "£1 million to £15 million", 15),
    Band("15m-44m", "£15 million to £44 million", 44),
    Band("44m-54m", "£44 million to £54 million", 54),
    Band("54m+", "Over £54 million", None),
)
BALANCE_SHEET_BANDS = (
    Band("upto-0.5m", "Up to £0.5 million", 0.5),
    Band("0.5m-7.5m", "£0.5 million to £7.5 million", 7.5),
    Band("7.5m-27m", "£7.5 million to £27 million", 27),
    Band("27m-38m", "£27 million to £38 million", 38),
    Band("38m+", "Over £38 million", None),
)

SIZE_LABELS = {
    "micro": "Micro business",
    "small": "Small business",
    "medium": "Medium-sized business",
    "large": "Large business",
    "not-stated": "Size not stated",
}

# (size, staff limit, turnover limit £m, balance sheet limit £m): Companies Act from April 2025.
_COMPANIES_ACT = (
    ("micro", 10, 1, 0.5),
    ("small", 50, 15, 7.5),
    ("medium", 250, 54, 27),
)


def _lookup(bands: tuple[Band, ...], code: str | None) -> Band | None:
    return next((b for b in bands if b.code == code), None)


def _within(band: Band | None, limit: float) -> bool:
    return band is not None and band.upper is not None and band.upper <= limit


def organisation_size(
    staff: str | None, turnover: str | None, balance_sheet: str | None = None
) -> str:
    """Micro/small/medium/large by the two-of-three rule, or "not-stated" without staff and
    turnover bands. An unknown balance sheet simply never counts towards a size."""
    staff_band = _lookup(STAFF_BANDS, staff)
    turnover_band = _lookup(TURNOVER_BANDS, turnover)
    if staff_band is None or turnover_band is None:
        return "not-stated"
    sheet_band = _lookup(BALANCE_SHEET_BANDS, balance_sheet)
    for size, staff_limit, turnover_limit, sheet_limit in _COMPANIES_ACT:
        met = (
            _within(staff_band, staff_limit)
            + _within(turnover_band, turnover_limit)
            + _within(sheet_band, sheet_limit)
        )
        if met >= 2:
            return size
    return "large"


def is_procurement_act_sme(
    staff: str | None, turnover: str | None, balance_sheet: str | None = None
) -> bool | None:
    """True/False under the Procurement Act 2023 definition, None when the bands don't say."""
    staff_band = _lookup(STAFF_BANDS, staff)
    turnover_band = _lookup(TURNOVER_BANDS, turnover)
    sheet_band = _lookup(BALANCE_SHEET_BANDS, balance_sheet)
    if staff_band is None or (turnover_band is None and sheet_band is None):
        return None
    if not _within(staff_band, 249):
        return False
    if _within(turnover_band, 44) or _within(sheet_band, 38):
        return True
    if turnover_band is None or sheet_band is None:
        return None
    return False
