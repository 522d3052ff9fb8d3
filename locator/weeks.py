"""ISO weeks in UK time: the unit of "new arrivals".

A week runs from Monday 00:00 to the next Monday 00:00 in Europe/London, so its length in UTC is
167 or 169 hours across the clock changes. Arrival times are stored in UTC and converted here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_WEEK = re.compile(r"(\d{4})-W(\d{2})", re.ASCII)
# Weeks a link or a command may name: wide of any real arrival, and far from the ends of Python's
# dates (years 1 to 9999), so a week's neighbours and its start in UK time can always be computed.
FIRST_YEAR, LAST_YEAR = 1900, 2999


class BadWeek(ValueError):
    """Not an ISO week like 2026-W47, or a week that does not exist (2026-W54)."""


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        match = _WEEK.fullmatch(text or "")
        if not match:
            raise BadWeek(f"“{text}” is not a week like 2026-W47")
        year, week = int(match.group(1)), int(match.group(2))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise BadWeek(f"Choose a week from {FIRST_YEAR} to {LAST_YEAR}, not {year}")
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise BadWeek(f"{year} has no week {week}") from None
        return cls(year, week)

    @classmethod
    def containing(cls, moment: datetime) -> IsoWeek:
        """The week a UTC moment falls in, judged by the clock in London."""
        year, week, _ = moment.astimezone(LONDON).isocalendar()
        return cls(year, week)

    @classmethod
    def current(cls) -> IsoWeek:
        return cls.containing(datetime.now(UTC))

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def starts(self) -> datetime:
        """Monday 00:00 London time, as an aware UTC datetime."""
        return datetime.combine(self.monday, time(), LONDON).astimezone(UTC)

    @property
    def ends(self) -> datetime:
        """The next Monday 00:00 London time (exclusive), in UTC."""
        return self.next().starts

    def next(self) -> IsoWeek:
        return IsoWeek.containing_date(self.monday + timedelta(days=7))

    def previous(self) -> IsoWeek:
        return IsoWeek.containing_date(self.monday - timedelta(days=7))

    @classmethod
    def containing_date(cls, day: date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def label(self) -> str:
        """ "17 to 23 November 2026" (months and years only where they differ)."""
        start, end = self.monday, self.sunday
        if start.year != end.year:
            return f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
        if start.month != end.month:
            return f"{start.day} {start:%B} to {end.day} {end:%B %Y}"
        return f"{start.day} to {end.day} {end:%B %Y}"
