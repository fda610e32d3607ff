"""Writes of the sla domain: creating, changing and deleting business calendars (admins only).

Each function is the one path for its change. It checks the whole input before it writes, so a
refused change leaves the calendar exactly as it was."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from itertools import pairwise

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.errors import NotAllowed
from tierdesk.accounts.models import User
from tierdesk.sla.calendar import is_time_zone
from tierdesk.sla.errors import (
    CLOSES_BEFORE_OPENS,
    DEFAULT_NOT_DELETABLE,
    DEFAULT_REQUIRED,
    DEFAULT_WITHOUT_HOURS,
    DUPLICATE_CLOSED_DAY,
    INVALID_TIME,
    INVALID_WEEKDAY,
    NAME_REQUIRED,
    NAME_TAKEN,
    OVERLAPPING_HOURS,
    TOO_LONG,
    UNKNOWN_COUNTRY,
    UNKNOWN_SUBDIVISION,
    UNKNOWN_TIME_ZONE,
    CalendarInvalid,
    CalendarNotFound,
    DefaultCalendarConflict,
)
from tierdesk.sla.models import (
    CALENDAR_NAME_MAX,
    CLOSED_DAY_NAME_MAX,
    MIDNIGHT,
    BusinessCalendar,
    ClosedDay,
    OpeningHours,
)
from tierdesk.sla.permissions import can_manage_calendars
from tierdesk.sla.public_holidays import supported_region
from tierdesk.sla.selectors import calendar_get


@dataclass(frozen=True)
class OpeningInterval:
    """Open on `weekday` (0=Monday) from `opens` to `closes`, local wall time; closes 00:00 = midnight."""

    weekday: int
    opens: time
    closes: time


@dataclass(frozen=True)
class ClosedDate:
    """A custom closed day (the office party), besides the public holidays."""

    date: date
    name: str = ""


@transaction.atomic
def calendar_create(
    *,
    by: User,
    name: str,
    time_zone: str,
    country: str = "",
    subdivision: str = "",
    is_default: bool = False,
    opening_hours: Iterable[OpeningInterval] = (),
    closed_days: Iterable[ClosedDate] = (),
) -> BusinessCalendar:
    """A new calendar; with is_default=True it takes over the default from the current one."""
    _require_manager(by)
    calendar = BusinessCalendar(
        name=_clean_name(name, calendar_id=None),
        time_zone=_clean_time_zone(time_zone),
        is_default=is_default,
    )
    calendar.country, calendar.subdivision = _clean_region(country, subdivision)
    hours = _clean_hours(opening_hours)
    days = _clean_closed_days(closed_days)
    if is_default and not hours:
        raise _default_without_hours()
    _save(calendar, make_default=is_default)
    _replace_hours(calendar, hours)
    _replace_closed_days(calendar, days)
    return calendar_get(calendar.pk)


@transaction.atomic
def calendar_update(
    *,
    by: User,
    calendar: BusinessCalendar,
    name: str | None = None,
    time_zone: str | None = None,
    country: str | None = None,
    subdivision: str | None = None,
    is_default: bool | None = None,
    opening_hours: Iterable[OpeningInterval] | None = None,
    closed_days: Iterable[ClosedDate] | None = None,
) -> BusinessCalendar:
    """Change what is given (None leaves a field as it is); opening hours and closed days, when
    given, replace the calendar's whole list. The default stays the default until another
    calendar is made the default."""
    _require_manager(by)
    # Lock the row: two admins saving the same calendar apply one after the other.
    locked = BusinessCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    if locked is None:
        raise CalendarNotFound(_("No such calendar."))
    if name is not None:
        locked.name = _clean_name(name, calendar_id=locked.pk)
    if time_zone is not None:
        locked.time_zone = _clean_time_zone(time_zone)
    if country is not None or subdivision is not None:
        new_country = locked.country if country is None else country
        # Another country without a subdivision drops the old one: it belonged to the old country.
        country_changes = new_country.strip().upper() != locked.country
        kept_subdivision = "" if country_changes else locked.subdivision
        locked.country, locked.subdivision = _clean_region(
            new_country, kept_subdivision if subdivision is None else subdivision
        )
    hours = _clean_hours(opening_hours) if opening_hours is not None else None
    days = _clean_closed_days(closed_days) if closed_days is not None else None
    if is_default is False and locked.is_default:
        raise CalendarInvalid(
            _("A default calendar is needed: make another calendar the default instead."),
            code=DEFAULT_REQUIRED,
            field="is_default",
        )
    make_default = bool(is_default) and not locked.is_default
    will_be_default = locked.is_default or make_default
    has_hours = bool(hours) if hours is not None else locked.opening_hours.exists()
    if will_be_default and not has_hours:
        raise _default_without_hours()
    locked.is_default = will_be_default
    _save(locked, make_default=make_default)
    if hours is not None:
        _replace_hours(locked, hours)
    if days is not None:
        _replace_closed_days(locked, days)
    return calendar_get(locked.pk)


@transaction.atomic
def calendar_delete(*, by: User, calendar: BusinessCalendar) -> None:
    """Delete a calendar with its hours and closed days; the default calendar cannot go."""
    _require_manager(by)
    locked = BusinessCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    if locked is None:
        raise CalendarNotFound(_("No such calendar."))
    if locked.is_default:
        raise CalendarInvalid(
            _("The default calendar cannot be deleted: make another calendar the default first."),
            code=DEFAULT_NOT_DELETABLE,
        )
    locked.delete()


# --- checks ------------------------------------------------------------------------------------


def _require_manager(by: User) -> None:
    if not can_manage_calendars(by):
        raise NotAllowed(_("Only an admin may manage calendars."))


def _too_long(field: str, limit: int) -> CalendarInvalid:
    return CalendarInvalid(_("At most %(limit)d characters, please.") % {"limit": limit}, code=TOO_LONG, field=field)


def _default_without_hours() -> CalendarInvalid:
    return CalendarInvalid(
        _("The default calendar needs opening hours."), code=DEFAULT_WITHOUT_HOURS, field="opening_hours"
    )


def _clean_name(name: str, *, calendar_id: int | None) -> str:
    name = name.strip()
    if not name:
        raise CalendarInvalid(_("A calendar needs a name."), code=NAME_REQUIRED, field="name")
    if len(name) > CALENDAR_NAME_MAX:
        raise _too_long("name", CALENDAR_NAME_MAX)
    same_name = BusinessCalendar.objects.filter(name__iexact=name)
    if calendar_id is not None:
        same_name = same_name.exclude(pk=calendar_id)
    if same_name.exists():
        raise _name_taken(name)
    return name


def _name_taken(name: str) -> CalendarInvalid:
    return CalendarInvalid(
        _("A calendar named %(name)r exists already.") % {"name": name}, code=NAME_TAKEN, field="name"
    )


def _clean_time_zone(time_zone: str) -> str:
    time_zone = time_zone.strip()
    if not is_time_zone(time_zone):
        raise CalendarInvalid(
            _("%(zone)r is not a known time zone; use a name like Europe/Amsterdam.") % {"zone": time_zone},
            code=UNKNOWN_TIME_ZONE,
            field="time_zone",
        )
    return time_zone


def _clean_region(country: str, subdivision: str) -> tuple[str, str]:
    """The holiday region in the `holidays` package's own spelling ("nl" -> "NL", "by" -> "BY")."""
    country, subdivision = country.strip(), subdivision.strip()
    if not country:
        if subdivision:
            raise CalendarInvalid(_("A subdivision needs a country."), code=UNKNOWN_SUBDIVISION, field="subdivision")
        return "", ""
    if supported_region(country) is None:
        raise CalendarInvalid(
            _("No public holidays are known for the country %(country)r.") % {"country": country},
            code=UNKNOWN_COUNTRY,
            field="country",
        )
    region = supported_region(country, subdivision)
    if region is None:
        raise CalendarInvalid(
            _("%(country)s has no subdivision %(subdivision)r.")
            % {"country": country.upper(), "subdivision": subdivision},
            code=UNKNOWN_SUBDIVISION,
            field="subdivision",
        )
    return region


def _clean_hours(intervals: Iterable[OpeningInterval]) -> list[OpeningInterval]:
    """Sorted per weekday; refuses bad weekdays, intervals that close before they open, and overlaps."""
    cleaned = sorted(intervals, key=lambda interval: (interval.weekday, interval.opens))
    for interval in cleaned:
        if interval.weekday not in range(7):
            raise CalendarInvalid(
                _("A weekday is 0 (Monday) to 6 (Sunday)."), code=INVALID_WEEKDAY, field="opening_hours"
            )
        if interval.opens.tzinfo is not None or interval.closes.tzinfo is not None:
            raise CalendarInvalid(
                _("Opening hours are local times, without a time zone."), code=INVALID_TIME, field="opening_hours"
            )
        if interval.closes != MIDNIGHT and interval.closes <= interval.opens:
            raise CalendarInvalid(
                _("Opening hours must close after they open (00:00 means midnight)."),
                code=CLOSES_BEFORE_OPENS,
                field="opening_hours",
            )
    for earlier, later in pairwise(cleaned):
        if earlier.weekday == later.weekday and (earlier.closes == MIDNIGHT or later.opens < earlier.closes):
            raise CalendarInvalid(
                _("Opening hours of one weekday must not overlap."), code=OVERLAPPING_HOURS, field="opening_hours"
            )
    return cleaned


def _clean_closed_days(days: Iterable[ClosedDate]) -> list[ClosedDate]:
    cleaned = [ClosedDate(date=day.date, name=day.name.strip()) for day in days]
    seen: set[date] = set()
    for day in cleaned:
        if day.date in seen:
            raise CalendarInvalid(
                _("%(date)s is listed twice.") % {"date": day.date.isoformat()},
                code=DUPLICATE_CLOSED_DAY,
                field="closed_days",
            )
        if len(day.name) > CLOSED_DAY_NAME_MAX:
            raise _too_long("closed_days", CLOSED_DAY_NAME_MAX)
        seen.add(day.date)
    return sorted(cleaned, key=lambda day: day.date)


# --- writes ------------------------------------------------------------------------------------


def _save(calendar: BusinessCalendar, *, make_default: bool) -> None:
    try:
        with transaction.atomic():
            if make_default:
                BusinessCalendar.objects.filter(is_default=True).exclude(pk=calendar.pk).update(
                    is_default=False, updated_at=timezone.now()
                )
            calendar.save()
    except IntegrityError:
        # Both unique constraints can be raced past the checks above by a concurrent admin.
        if BusinessCalendar.objects.filter(name=calendar.name).exclude(pk=calendar.pk).exists():
            raise _name_taken(calendar.name) from None
        raise DefaultCalendarConflict(
            _("Another calendar was made the default at the same moment; load it again and retry.")
        ) from None


def _replace_hours(calendar: BusinessCalendar, hours: list[OpeningInterval]) -> None:
    calendar.opening_hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(calendar=calendar, weekday=hour.weekday, opens=hour.opens, closes=hour.closes) for hour in hours
    )


def _replace_closed_days(calendar: BusinessCalendar, days: list[ClosedDate]) -> None:
    calendar.closed_days.all().delete()
    ClosedDay.objects.bulk_create(ClosedDay(calendar=calendar, date=day.date, name=day.name) for day in days)
