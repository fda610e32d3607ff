"""Reads of appointments for a user: a ticket's appointments, one appointment, a filtered list,
an agent's week agenda and the team's week calendar. Staff see every appointment; a customer
sees the upcoming scheduled ones of a ticket they can see, nothing else. Each read is one query
(with its ticket, agent and contact); the week views are capped."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.accounts.permissions import is_staff_member
from tierdesk.core.errors import NotFound
from tierdesk.tickets.agenda import Week
from tierdesk.tickets.choices_appointments import AppointmentStatus
from tierdesk.tickets.models import Appointment, Ticket
from tierdesk.tickets.permissions import can_act_as_customer

# The team calendar shows at most this many appointments per week (a desk of 30 agents with
# eight a day each stays under it); the page says when there are more.
TEAM_CALENDAR_LIMIT = 1000


def _rows() -> QuerySet[Appointment]:
    return Appointment.objects.select_related("ticket", "agent", "contact", "created_by").order_by("starts_at", "id")


def ticket_appointments_for(*, user: Any, ticket: Ticket, now: datetime | None = None) -> list[Appointment]:
    """The ticket's appointments as the user may see them (the caller passes a ticket from
    ticket_get_for): staff all of them, by start; a customer the scheduled ones not over yet."""
    rows = _rows().filter(ticket_id=ticket.pk)
    if is_staff_member(user):
        return list(rows)
    if not can_act_as_customer(user, ticket):
        return []
    return list(rows.filter(status=AppointmentStatus.SCHEDULED, ends_at__gt=now or timezone.now()))


def appointment_get_for(*, user: Any, appointment_id: int) -> Appointment:
    """One appointment, for staff; unknown and not allowed look the same."""
    found = _rows().filter(pk=appointment_id).first() if is_staff_member(user) else None
    if found is None:
        raise NotFound(_("No such appointment."), code="appointment.not_found")
    return found


def appointment_list_for(
    *,
    user: Any,
    agent_id: int | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    statuses: tuple[str, ...] = (),
) -> QuerySet[Appointment]:
    """Appointments overlapping [starts_from, starts_before), by start; staff only (none for others)."""
    if not is_staff_member(user):
        return Appointment.objects.none()
    rows = _rows()
    if agent_id is not None:
        rows = rows.filter(agent_id=agent_id)
    if starts_from is not None:
        rows = rows.filter(ends_at__gt=starts_from)
    if starts_before is not None:
        rows = rows.filter(starts_at__lt=starts_before)
    if statuses:
        rows = rows.filter(status__in=statuses)
    return rows


@dataclass(frozen=True)
class AgendaDay:
    day: date
    appointments: list[Appointment]


def _by_day(rows: list[Appointment], week: Week, zone: tzinfo) -> list[AgendaDay]:
    """Each appointment under the local day it starts on (one that began the Sunday before and
    runs past midnight shows on Monday)."""
    days: dict[date, list[Appointment]] = defaultdict(list)
    for row in rows:
        day = max(timezone.localtime(row.starts_at, zone).date(), week.monday)
        days[day].append(row)
    return [AgendaDay(day=day, appointments=days.get(day, [])) for day in week.days]


def agenda_for(*, user: User, week: Week, zone: tzinfo) -> list[AgendaDay]:
    """The user's scheduled and held appointments of the week, Monday to Sunday in `zone`."""
    start, end = week.bounds(zone)
    rows = appointment_list_for(
        user=user,
        agent_id=user.pk,
        starts_from=start,
        starts_before=end,
        statuses=(AppointmentStatus.SCHEDULED, AppointmentStatus.DONE),
    )
    return _by_day(list(rows), week, zone)


@dataclass(frozen=True)
class TeamRow:
    agent: User
    days: list[AgendaDay]


@dataclass(frozen=True)
class TeamWeek:
    rows: list[TeamRow] = field(default_factory=list)
    is_truncated: bool = False  # more appointments than TEAM_CALENDAR_LIMIT: the first ones only


def team_calendar_for(*, user: Any, week: Week, zone: tzinfo, limit: int = TEAM_CALENDAR_LIMIT) -> TeamWeek:
    """Every agent's scheduled and held appointments of the week, one row per agent who has any,
    by name. One query, at most `limit` rows (one more is read to tell whether there are more)."""
    start, end = week.bounds(zone)
    rows = list(
        appointment_list_for(
            user=user,
            starts_from=start,
            starts_before=end,
            statuses=(AppointmentStatus.SCHEDULED, AppointmentStatus.DONE),
        )[: limit + 1]
    )
    is_truncated = len(rows) > limit
    per_agent: dict[int, list[Appointment]] = defaultdict(list)
    agents: dict[int, User] = {}
    for row in rows[:limit]:
        per_agent[row.agent_id].append(row)
        agents[row.agent_id] = row.agent
    ordered = sorted(agents.values(), key=lambda agent: (agent.display_name.lower(), agent.pk))
    return TeamWeek(
        rows=[TeamRow(agent=agent, days=_by_day(per_agent[agent.pk], week, zone)) for agent in ordered],
        is_truncated=is_truncated,
    )
