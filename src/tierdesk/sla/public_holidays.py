"""Public holidays of a country or region, from the `holidays` package: which regions it knows
and which dates are holidays in given years. Read-only; no ORM."""

from __future__ import annotations

import functools
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
    return dict(_holiday_dates(country, subdivision, tuple(sorted(set(years)))))


@functools.lru_cache(maxsize=256)
def _holiday_dates(country: str, subdivision: str, years: tuple[int, ...]) -> tuple[tuple[date, str], ...]:
    # The package computes the same static dates on every call (~4 ms for three years, twice per
    # new ticket); they come from the installed package, not from our data, so a per-process
    # cache can never go stale between processes. (Names are in the package's default language.)
    found = holidays.country_holidays(country, subdiv=subdivision or None, years=list(years))
    return tuple((day, str(name)) for day, name in sorted(found.items()))
