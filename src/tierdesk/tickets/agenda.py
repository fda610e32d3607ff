"""Weeks of the agenda and the team calendar: ISO week names ("2026-W49") and the instants a
week spans in a time zone. Pure: no ORM."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Week:
    """Monday to Sunday of one ISO week."""

    monday: date

    @property
    def name(self) -> str:
        year, week, _day = self.monday.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=offset) for offset in range(7)]

    @property
    def previous(self) -> Week:
        return Week(self.monday - timedelta(days=7))

    @property
    def next(self) -> Week:
        return Week(self.monday + timedelta(days=7))

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """From Monday 00:00 to the next Monday 00:00 in `zone` (a DST week is 167 or 169 hours)."""
        start = datetime.combine(self.monday, time(0), tzinfo=zone)
        end = datetime.combine(self.monday + timedelta(days=7), time(0), tzinfo=zone)
        return start, end


def week_of(day: date) -> Week:
    return Week(day - timedelta(days=day.weekday()))


def parse_week(text: str | None, *, today: date) -> Week | None:
    """The week named "YYYY-Www", the week of `today` when nothing is named, None when the name is
    no ISO week (e.g. 2026-W54)."""
    if not text:
        return week_of(today)
    match = WEEK_PATTERN.match(text.strip())
    if match is None:
        return None
    try:
        return Week(date.fromisocalendar(int(match[1]), int(match[2]), 1))
    except ValueError:
        return None
