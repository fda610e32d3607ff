"""What rule conditions look at: the values of one ticket's facts at an instant, and for the
clocks, the instant at which a threshold will be reached. Reads only (each fact at most once).

Clocks count on the ticket's business calendar (its SLA policy's, else the default calendar):
"30 minutes at first level" are 30 minutes the desk is open. Without a usable calendar they count
wall-clock time, like the SLA clock without a policy."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Sum

from tierdesk.sla.calendar import (
    BeyondHorizonError,
    CalendarSpec,
    NoOpeningError,
    add_business_seconds,
    add_working_days,
    business_seconds_between,
    working_days_between,
)
from tierdesk.sla.errors import NoDefaultCalendar, SlaPolicyNotFound
from tierdesk.sla.models import BusinessCalendar
from tierdesk.sla.selectors import DEADLINE_HORIZON, calendar_spec_for_range, default_calendar, policy_get
from tierdesk.tickets.automation.conditions import holds
from tierdesk.tickets.automation.fields import FIELDS, Clock, Unit
from tierdesk.tickets.models import Ticket, TimeEntry

_SECOND = timedelta(seconds=1)


class TicketFacts:
    """The facts of `ticket` at `now`, computed when first asked for."""

    def __init__(self, ticket: Ticket, now: datetime, *, calendar: BusinessCalendar | None = None) -> None:
        self.ticket = ticket
        self.now = now
        self._calendar = calendar
        self._values: dict[str, Any] = {}
        self._specs: dict[tuple[int, int], CalendarSpec | None] = {}

    @property
    def loaded_calendar(self) -> BusinessCalendar | None:
        """The calendar read so far (None if no clock was asked for): facts of the same ticket made
        later in the same step take it instead of reading it again."""
        return self._calendar

    def value(self, name: str) -> Any:
        if name not in self._values:
            self._values[name] = self._compute(name)
        return self._values[name]

    # --- the clocks ----------------------------------------------------------------------------

    def due(self, condition: Mapping[str, Any]) -> datetime | None:
        """When a condition on a clock will hold: `now` if it holds already, the instant its
        threshold is reached if time alone gets it there (`>`, `>=`), else None."""
        if holds(condition, self.value(condition["field"])):
            return self.now
        clock = FIELDS[condition["field"]].clock
        anchor = getattr(self.ticket, clock.anchor) if clock is not None else None
        if clock is None or anchor is None or condition["op"] not in ("gt", "gte"):
            return None
        threshold = int(condition["value"])
        spec = self._spec(anchor)
        try:
            if clock.unit is Unit.WORKING_DAYS:
                days = threshold + 1 if condition["op"] == "gt" else threshold
                if spec is None:
                    return anchor + timedelta(days=days)
                return add_working_days(spec, anchor, days)
            seconds = threshold * 60 + (1 if condition["op"] == "gt" else 0)
            if spec is None:
                return anchor + timedelta(seconds=seconds)
            return add_business_seconds(spec, anchor, seconds, horizon=DEADLINE_HORIZON)
        except (NoOpeningError, BeyondHorizonError):
            return None

    def _clock(self, clock: Clock) -> float | None:
        anchor: datetime | None = getattr(self.ticket, clock.anchor)
        if anchor is None:
            return None
        spec = self._spec(anchor)
        if clock.unit is Unit.WORKING_DAYS:
            if spec is None:
                return float(max(0, (self.now - anchor).days))
            return float(working_days_between(spec, anchor, self.now))
        if spec is not None:
            seconds: float = business_seconds_between(spec, anchor, self.now)
        else:
            seconds = (self.now - anchor) / _SECOND
        minutes = max(0.0, seconds / 60)
        if clock.also_worked:
            minutes = max(minutes, float(self.value("worked_minutes_at_level")))
        return minutes

    def _spec(self, anchor: datetime) -> CalendarSpec | None:
        """The calendar from `anchor` to well past now, or None to count wall-clock time."""
        calendar = self._business_calendar()
        if calendar is None:
            return None
        key = (anchor.year, self.now.year)
        if key not in self._specs:
            spec = calendar_spec_for_range(calendar, anchor, self.now + DEADLINE_HORIZON)
            self._specs[key] = spec if spec.has_opening_hours else None
        return self._specs[key]

    def _business_calendar(self) -> BusinessCalendar | None:
        if self._calendar is None:
            try:
                if self.ticket.sla_policy_id is not None:
                    self._calendar = policy_get(self.ticket.sla_policy_id).calendar
                else:
                    self._calendar = default_calendar()
            except (SlaPolicyNotFound, NoDefaultCalendar):
                return None
        return self._calendar

    # --- the plain facts -----------------------------------------------------------------------

    def _compute(self, name: str) -> Any:
        ticket = self.ticket
        spec = FIELDS[name]
        if spec.clock is not None:
            return self._clock(spec.clock)
        if name in ("level", "status", "priority", "urgency", "impact", "channel"):
            return getattr(ticket, name)
        if name == "waiting_on":
            return ticket.waiting_on or None
        if name == "category":
            return ticket.category.name if ticket.category is not None else None
        if name == "organisation":
            return ticket.organisation.name
        if name == "assignee":
            return ticket.assignee.username if ticket.assignee is not None else None
        if name == "tags":
            return frozenset(tag.name.casefold() for tag in ticket.tags.all())
        if name == "has_first_response":
            return ticket.first_responded_at is not None
        if name == "is_breached":
            return any(
                mark is not None
                for mark in (
                    ticket.first_response_breached_at,
                    ticket.resolution_breached_at,
                    ticket.next_update_breached_at,
                )
            )
        if name == "worked_minutes_at_level":
            entries = TimeEntry.objects.filter(ticket=ticket)
            if ticket.level_entered_at is not None:
                entries = entries.filter(created_at__gte=ticket.level_entered_at)
            return entries.aggregate(total=Sum("minutes"))["total"] or 0
        raise KeyError(name)  # pragma: no cover - FIELDS and this function list the same names
