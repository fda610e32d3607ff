"""Public holidays of a country or region, from the `holidays` package: which regions it knows
and which dates are holidays in given years. Read-only; no ORM."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import holidays


def supported_region(country: str, subdivision: str = "") -> tuple[str, str] | None:
    """The package's own spelling of (country, subdivision), or None when it does not know them.

    Country codes are matched without regard to case ("nl" -> "NL"), and so are subdivisions
    ("by" -> "BY", "augsburg" -> "Augsburg"); an empty subdivision means the whole country."""
    countries = holidays.list_supported_countries()
    code = country.strip().upper()
    if code not in countries:
        return None
    wanted = subdivision.strip()
    if not wanted:
        return code, ""
    for known in countries[code]:
        if known.casefold() == wanted.casefold():
            return code, known
    return None


def holiday_dates(country: str, subdivision: str, years: Iterable[int]) -> dict[date, str]:
    """The public holidays (date -> name) of a region in the given years; {} without a country."""
    if not country:
        return {}
    found = holidays.country_holidays(country, subdiv=subdivision or None, years=sorted(set(years)))
    return {day: str(name) for day, name in found.items()}
