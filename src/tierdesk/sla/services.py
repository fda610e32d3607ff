"""Writes of the sla domain: creating, changing and deleting business calendars and SLA policies
(admins only).

Each function is the one path for its change. It checks the whole input before it writes, so a
refused change leaves the calendar exactly as it was."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from itertools import pairwise
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.errors import NotAllowed
from tierdesk.accounts.models import Organisation, User
from tierdesk.sla.calendar import is_time_zone
from tierdesk.sla.choices import PRIORITIES
from tierdesk.sla.errors import (
    CLOSES_BEFORE_OPENS,
    DEFAULT_NOT_DELETABLE,
    DEFAULT_REQUIRED,
    DEFAULT_WITHOUT_HOURS,
    DUPLICATE_CLOSED_DAY,
    IN_USE,
    INVALID_TIME,
    INVALID_WEEKDAY,
    NAME_REQUIRED,
    NAME_TAKEN,
    OVERLAPPING_HOURS,
    POLICY_IN_USE,
    POLICY_INVALID_TARGET,
    POLICY_NAME_REQUIRED,
    POLICY_NAME_TAKEN,
    POLICY_ORGANISATION_TAKEN,
    POLICY_TARGETS_INCOMPLETE,
    POLICY_TOO_LONG,
    POLICY_UNKNOWN_CALENDAR,
    POLICY_UNKNOWN_ORGANISATION,
    POLICY_WARNING_PERCENT,
    TOO_LONG,
    UNKNOWN_COUNTRY,
    UNKNOWN_SUBDIVISION,
    UNKNOWN_TIME_ZONE,
    CalendarInvalid,
    CalendarNotFound,
    DefaultCalendarConflict,
    SlaPolicyConflict,
    SlaPolicyInvalid,
    SlaPolicyNotFound,
)
from tierdesk.sla.models import (
    CALENDAR_NAME_MAX,
    CLOSED_DAY_NAME_MAX,
    MIDNIGHT,
    POLICY_NAME_MAX,
    WARNING_PERCENT_DEFAULT,
    BusinessCalendar,
    ClosedDay,
    OpeningHours,
    SlaPolicy,
    SlaTarget,
)
from tierdesk.sla.permissions import can_manage_calendars
from tierdesk.sla.public_holidays import supported_region
from tierdesk.sla.selectors import calendar_get, policy_get

# A target beyond a year of business minutes is a typing error, not a promise.
MAX_TARGET_MINUTES = 1_000_000


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
    try:
        with transaction.atomic():
            locked.delete()
    except ProtectedError:
        raise CalendarInvalid(
            _("SLA policies use this calendar: give them another calendar first."), code=IN_USE
        ) from None


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


# --- SLA policies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetValues:
    """A policy's business minutes for one priority."""

    priority: str
    first_response_minutes: int
    resolution_minutes: int
    next_update_minutes: int | None = None


@transaction.atomic
def policy_create(
    *,
    by: User,
    name: str,
    calendar_id: int,
    targets: Iterable[TargetValues],
    organisation_id: int | None = None,
    is_default: bool = False,
    warning_percent: int = WARNING_PERCENT_DEFAULT,
) -> SlaPolicy:
    """A new policy with a target for every priority; is_default=True takes over the default."""
    _require_policy_manager(by)
    policy = SlaPolicy(
        name=_clean_policy_name(name, policy_id=None),
        calendar=_policy_calendar(calendar_id),
        organisation=_policy_organisation(organisation_id, policy_id=None),
        is_default=is_default,
        warning_percent=_clean_warning_percent(warning_percent),
    )
    cleaned = _clean_targets(targets)
    _save_policy(policy, make_default=is_default)
    _replace_targets(policy, cleaned)
    return policy_get(policy.pk)


_UNSET: Any = object()


@transaction.atomic
def policy_update(
    *,
    by: User,
    policy: SlaPolicy,
    name: str | None = None,
    calendar_id: int | None = None,
    organisation_id: Any = _UNSET,
    is_default: bool | None = None,
    warning_percent: int | None = None,
    targets: Iterable[TargetValues] | None = None,
) -> SlaPolicy:
    """Change what is given; `organisation_id=None` makes the policy no customer's own. Targets,
    when given, replace the whole list. Tickets keep the deadlines they have."""
    _require_policy_manager(by)
    locked = SlaPolicy.objects.select_for_update().filter(pk=policy.pk).first()
    if locked is None:
        raise SlaPolicyNotFound(_("No such SLA policy."))
    if name is not None:
        locked.name = _clean_policy_name(name, policy_id=locked.pk)
    if calendar_id is not None:
        locked.calendar = _policy_calendar(calendar_id)
    if organisation_id is not _UNSET:
        locked.organisation = _policy_organisation(organisation_id, policy_id=locked.pk)
    if warning_percent is not None:
        locked.warning_percent = _clean_warning_percent(warning_percent)
    cleaned = _clean_targets(targets) if targets is not None else None
    make_default = bool(is_default) and not locked.is_default
    if is_default is not None:
        locked.is_default = is_default
    _save_policy(locked, make_default=make_default)
    if cleaned is not None:
        _replace_targets(locked, cleaned)
    return policy_get(locked.pk)


@transaction.atomic
def policy_delete(*, by: User, policy: SlaPolicy) -> None:
    """Delete a policy and its targets; refused while tickets run on it."""
    _require_policy_manager(by)
    locked = SlaPolicy.objects.select_for_update().filter(pk=policy.pk).first()
    if locked is None:
        raise SlaPolicyNotFound(_("No such SLA policy."))
    try:
        with transaction.atomic():
            locked.delete()
    except ProtectedError:
        raise SlaPolicyInvalid(
            _("Tickets run on this SLA policy, so it cannot be deleted."), code=POLICY_IN_USE
        ) from None


def _require_policy_manager(by: User) -> None:
    if not can_manage_calendars(by):
        raise NotAllowed(_("Only an admin may manage SLA policies."))


def _clean_policy_name(name: str, *, policy_id: int | None) -> str:
    name = name.strip()
    if not name:
        raise SlaPolicyInvalid(_("An SLA policy needs a name."), code=POLICY_NAME_REQUIRED, field="name")
    if len(name) > POLICY_NAME_MAX:
        raise SlaPolicyInvalid(
            _("At most %(limit)d characters, please.") % {"limit": POLICY_NAME_MAX}, code=POLICY_TOO_LONG, field="name"
        )
    if SlaPolicy.objects.filter(name__iexact=name).exclude(pk=policy_id or 0).exists():
        raise _policy_name_taken(name)
    return name


def _policy_name_taken(name: str) -> SlaPolicyInvalid:
    return SlaPolicyInvalid(
        _("An SLA policy named %(name)r exists already.") % {"name": name}, code=POLICY_NAME_TAKEN, field="name"
    )


def _policy_calendar(calendar_id: int) -> BusinessCalendar:
    calendar = BusinessCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        raise SlaPolicyInvalid(_("No such calendar."), code=POLICY_UNKNOWN_CALENDAR, field="calendar")
    return calendar


def _policy_organisation(organisation_id: int | None, *, policy_id: int | None) -> Organisation | None:
    if organisation_id is None:
        return None
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise SlaPolicyInvalid(_("No such organisation."), code=POLICY_UNKNOWN_ORGANISATION, field="organisation")
    if SlaPolicy.objects.filter(organisation=organisation).exclude(pk=policy_id or 0).exists():
        raise SlaPolicyInvalid(
            _("This organisation has an SLA policy already."), code=POLICY_ORGANISATION_TAKEN, field="organisation"
        )
    return organisation


def _clean_warning_percent(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 99:
        raise SlaPolicyInvalid(
            _("The warning percentage is a whole number from 1 to 99."),
            code=POLICY_WARNING_PERCENT,
            field="warning_percent",
        )
    return value


def _clean_targets(targets: Iterable[TargetValues]) -> list[TargetValues]:
    """Exactly one target for each priority, every number of minutes positive."""
    cleaned = sorted(targets, key=lambda target: target.priority)
    if [target.priority for target in cleaned] != list(PRIORITIES):
        raise SlaPolicyInvalid(
            _("Give exactly one target for each priority P1 to P5."), code=POLICY_TARGETS_INCOMPLETE, field="targets"
        )
    for target in cleaned:
        minutes = [target.first_response_minutes, target.resolution_minutes]
        if target.next_update_minutes is not None:
            minutes.append(target.next_update_minutes)
        if any(value <= 0 or value > MAX_TARGET_MINUTES for value in minutes):
            raise SlaPolicyInvalid(
                _("Target minutes are whole numbers from 1 to %(max)d.") % {"max": MAX_TARGET_MINUTES},
                code=POLICY_INVALID_TARGET,
                field="targets",
            )
    return cleaned


def _save_policy(policy: SlaPolicy, *, make_default: bool) -> None:
    try:
        with transaction.atomic():
            if make_default:
                SlaPolicy.objects.filter(is_default=True).exclude(pk=policy.pk).update(
                    is_default=False, updated_at=timezone.now()
                )
            policy.save()
    except IntegrityError:
        # The unique name, default and organisation can be raced past the checks by another admin.
        if SlaPolicy.objects.filter(name=policy.name).exclude(pk=policy.pk).exists():
            raise _policy_name_taken(policy.name) from None
        raise SlaPolicyConflict(
            _("Another SLA policy was changed at the same moment; load it again and retry.")
        ) from None


def _replace_targets(policy: SlaPolicy, targets: list[TargetValues]) -> None:
    policy.targets.all().delete()
    SlaTarget.objects.bulk_create(
        SlaTarget(
            policy=policy,
            priority=target.priority,
            first_response_minutes=target.first_response_minutes,
            resolution_minutes=target.resolution_minutes,
            next_update_minutes=target.next_update_minutes,
        )
        for target in targets
    )
