"""Reads of the sla domain: calendars, the default one, a calendar in the shape the arithmetic
needs (`CalendarSpec`, with its public holidays and closed days), the business-minute answers
the API gives, SLA policies (the one for an organisation) and the deadlines they set. Nothing is
cached in process memory: every call reads the database, so a change
made through another process is seen at once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tierdesk.accounts.errors import NotAllowed
from tierdesk.sla.calendar import (
    BeyondHorizonError,
    CalendarSpec,
    Interval,
    NoOpeningError,
    add_business_seconds,
    business_minutes_between,
)
from tierdesk.sla.errors import (
    BEYOND_HORIZON,
    NO_OPENING_HOURS,
    OUT_OF_RANGE,
    RANGE_TOO_LONG,
    CalendarInvalid,
    CalendarNotFound,
    NoDefaultCalendar,
    SlaPolicyNotFound,
    SlaUnavailable,
)
from tierdesk.sla.models import MIDNIGHT, BusinessCalendar, SlaPolicy, SlaTarget
from tierdesk.sla.permissions import can_manage_calendars, can_use_calendars
from tierdesk.sla.public_holidays import holiday_dates

# The API's arithmetic looks at most this far from its start, which bounds the work (and the
# years of holidays to load) that one request can cause.
API_HORIZON = timedelta(days=5 * 366)
# Instants the API accepts: far enough either way for any deadline, and clear of datetime's limits.
API_YEARS = range(1900, 2200)


def _calendars() -> QuerySet[BusinessCalendar]:
    return BusinessCalendar.objects.prefetch_related("opening_hours", "closed_days").order_by("name", "id")


def calendar_get(calendar_id: int) -> BusinessCalendar:
    """One calendar with its opening hours and closed days (for internal use: no permission check)."""
    try:
        return _calendars().get(pk=calendar_id)
    except (BusinessCalendar.DoesNotExist, ValueError, TypeError):
        raise CalendarNotFound(_("No such calendar.")) from None


def calendar_list() -> QuerySet[BusinessCalendar]:
    """Every calendar by name, opening hours and closed days prefetched (no permission check)."""
    return _calendars()


def default_calendar() -> BusinessCalendar:
    """The calendar marked default (the data migration creates one; deleting it is refused)."""
    calendar = _calendars().filter(is_default=True).first()
    if calendar is None:
        raise NoDefaultCalendar(_("No calendar is marked as the default."))
    return calendar


def calendar_list_for(*, user: Any) -> QuerySet[BusinessCalendar]:
    _require_manager(user)
    return calendar_list()


def calendar_get_for(*, user: Any, calendar_id: int) -> BusinessCalendar:
    """Admins only; others are refused before the id is looked at, so they learn nothing from it."""
    _require_manager(user)
    return calendar_get(calendar_id)


def calendar_spec(calendar: BusinessCalendar, *, years: Iterable[int]) -> CalendarSpec:
    """The calendar for the arithmetic, closed on its public holidays and closed days of `years`.

    Dates outside `years` are treated as ordinary days, so ask for every year the arithmetic may
    walk through (`calendar_spec_for_range` picks them)."""
    wanted = set(years)
    weekly: dict[int, list[Interval]] = {}
    for hours in sorted(calendar.opening_hours.all(), key=lambda row: (row.weekday, row.opens)):
        weekly.setdefault(hours.weekday, []).append((hours.opens, None if hours.closes == MIDNIGHT else hours.closes))
    closed: set[date] = set(holiday_dates(calendar.country, calendar.subdivision, wanted))
    closed.update(day.date for day in calendar.closed_days.all() if day.date.year in wanted)
    return CalendarSpec(
        time_zone=calendar.time_zone,
        weekly={weekday: tuple(intervals) for weekday, intervals in weekly.items()},
        closed_days=frozenset(closed),
    )


def calendar_spec_for_range(calendar: BusinessCalendar, start: datetime, end: datetime) -> CalendarSpec:
    """`calendar_spec` for the years from `start` to `end` (either order), one more on each side."""
    first, last = min(start, end), max(start, end)
    return calendar_spec(calendar, years=range(first.year - 1, last.year + 2))


def calendar_business_minutes_for(*, user: Any, calendar_id: int, start: datetime, end: datetime) -> int:
    """Business minutes from `start` to `end` on a calendar (staff); negative when end < start."""
    calendar = _usable_calendar(user, calendar_id)
    _check_instant(start, "start")
    _check_instant(end, "end")
    if abs(end - start) > API_HORIZON:
        raise CalendarInvalid(
            _("Start and end may be at most %(days)d days apart.") % {"days": API_HORIZON.days},
            code=RANGE_TOO_LONG,
            field="end",
        )
    return business_minutes_between(calendar_spec_for_range(calendar, start, end), start, end)


def calendar_add_minutes_for(*, user: Any, calendar_id: int, start: datetime, minutes: int) -> datetime:
    """The instant `minutes` business minutes after `start` (before it when negative), in UTC (staff)."""
    calendar = _usable_calendar(user, calendar_id)
    _check_instant(start, "start")
    spec = calendar_spec_for_range(calendar, start, start + API_HORIZON if minutes >= 0 else start - API_HORIZON)
    try:
        return add_business_seconds(spec, start, minutes * 60, horizon=API_HORIZON)
    except NoOpeningError:
        raise CalendarInvalid(_("This calendar is never open."), code=NO_OPENING_HOURS) from None
    except BeyondHorizonError:
        raise CalendarInvalid(
            _("The result lies more than %(days)d days away.") % {"days": API_HORIZON.days},
            code=BEYOND_HORIZON,
            field="minutes",
        ) from None


def _require_manager(user: Any) -> None:
    if not can_manage_calendars(user):
        raise NotAllowed(_("Only an admin may manage calendars."))


def _usable_calendar(user: Any, calendar_id: int) -> BusinessCalendar:
    if not can_use_calendars(user):
        raise NotAllowed(_("Only staff members may use calendars."))
    return calendar_get(calendar_id)


def _check_instant(instant: datetime, field: str) -> None:
    if instant.year not in API_YEARS:
        raise CalendarInvalid(
            _("Give an instant between the years %(first)d and %(last)d.")
            % {"first": API_YEARS.start, "last": API_YEARS.stop - 1},
            code=OUT_OF_RANGE,
            field=field,
        )


# --- SLA policies --------------------------------------------------------------------------------

# How far a deadline may lie from its start; far beyond any target plus pauses.
DEADLINE_HORIZON = timedelta(days=2 * 366)


def _policies() -> QuerySet[SlaPolicy]:
    return (
        SlaPolicy.objects.select_related("calendar", "organisation")
        .prefetch_related("targets", "calendar__opening_hours", "calendar__closed_days")
        .order_by("name", "id")
    )


def policy_get(policy_id: int) -> SlaPolicy:
    """One policy with its targets and calendar (for internal use: no permission check)."""
    try:
        return _policies().get(pk=policy_id)
    except (SlaPolicy.DoesNotExist, ValueError, TypeError):
        raise SlaPolicyNotFound(_("No such SLA policy.")) from None


def policy_list_for(*, user: Any) -> QuerySet[SlaPolicy]:
    _require_policy_manager(user)
    return _policies()


def policy_get_for(*, user: Any, policy_id: int) -> SlaPolicy:
    """Admins only; others are refused before the id is looked at."""
    _require_policy_manager(user)
    return policy_get(policy_id)


def policy_for_organisation(organisation_id: int | None) -> SlaPolicy | None:
    """The organisation's own policy, else the default one, else None."""
    if organisation_id is not None:
        own = _policies().filter(organisation_id=organisation_id).first()
        if own is not None:
            return own
    return _policies().filter(is_default=True).first()


def target_for(policy: SlaPolicy, priority: str) -> SlaTarget | None:
    """The policy's target for a priority (reads the prefetched targets when there are some)."""
    return next((target for target in policy.targets.all() if target.priority == priority), None)


def policy_spec(policy: SlaPolicy, start: datetime) -> CalendarSpec:
    """The policy calendar's spec, with the holidays of every year a deadline from `start` may reach."""
    return calendar_spec_for_range(policy.calendar, start, start + DEADLINE_HORIZON)


def add_business_time(spec: CalendarSpec, start: datetime, seconds: int) -> datetime:
    """`add_business_seconds` bounded by DEADLINE_HORIZON; SlaUnavailable when it cannot answer."""
    try:
        return add_business_seconds(spec, start, seconds, horizon=DEADLINE_HORIZON)
    except (NoOpeningError, BeyondHorizonError) as error:
        raise SlaUnavailable(str(error)) from None


def deadlines(
    policy: SlaPolicy, priority: str, start: datetime, *, paused_seconds: int = 0, spec: CalendarSpec | None = None
) -> tuple[datetime, datetime]:
    """(first response due, resolution due): the targets in business time on the policy calendar
    from `start`, plus `paused_seconds` of business time the clock stood still. SlaUnavailable
    when the policy has no target for the priority or its calendar cannot answer."""
    target = target_for(policy, priority)
    if target is None:
        raise SlaUnavailable(f"policy {policy.pk} has no target for {priority}")
    spec = spec or policy_spec(policy, start)
    return (
        add_business_time(spec, start, target.first_response_minutes * 60 + paused_seconds),
        add_business_time(spec, start, target.resolution_minutes * 60 + paused_seconds),
    )


def _require_policy_manager(user: Any) -> None:
    if not can_manage_calendars(user):
        raise NotAllowed(_("Only an admin may manage SLA policies."))
