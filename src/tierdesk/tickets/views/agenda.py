"""The agent's week agenda (/desk/agenda/), the team's week calendar (/desk/calendar/) and the
agent's calendar feed (/desk/agenda.ics). A week is named ?week=2026-W49 (default: this week),
Monday to Sunday in the active time zone; each appointment links to its ticket."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tierdesk.accounts.models import User
from tierdesk.tickets.addresses import desk_ticket_url
from tierdesk.tickets.agenda import Week, parse_week
from tierdesk.tickets.calendar_appointments import appointment_event
from tierdesk.tickets.calendar_ics import Method, build_calendar
from tierdesk.tickets.choices_appointments import AppointmentStatus
from tierdesk.tickets.selectors_appointments import agenda_for, appointment_list_for, team_calendar_for
from tierdesk.tickets.views.access import staff_required

# The feed covers four weeks back and a year ahead: what a calendar app shows, not the archive.
FEED_PAST = timedelta(weeks=4)
FEED_AHEAD = timedelta(days=366)
FEED_LIMIT = 2000


def _week(request: HttpRequest) -> Week | None:
    return parse_week(request.GET.get("week"), today=timezone.localdate())


def _bad_week() -> HttpResponse:
    return HttpResponseBadRequest(_("Name a week as 2026-W49."))


@staff_required
@require_GET
def agenda(request: HttpRequest) -> HttpResponse:
    week = _week(request)
    if week is None:
        return _bad_week()
    user = cast(User, request.user)
    days = agenda_for(user=user, week=week, zone=timezone.get_current_timezone())
    context = {
        "week": week,
        "days": days,
        "today": timezone.localdate(),
        "time_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "tickets/agenda.html", context)


@staff_required
@require_GET
def team_calendar(request: HttpRequest) -> HttpResponse:
    week = _week(request)
    if week is None:
        return _bad_week()
    team = team_calendar_for(user=request.user, week=week, zone=timezone.get_current_timezone())
    context = {
        "week": week,
        "team": team,
        "today": timezone.localdate(),
        "time_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "tickets/team_calendar.html", context)


@staff_required
@require_GET
def agenda_feed(request: HttpRequest) -> HttpResponse:
    """The signed-in agent's scheduled appointments as an iCalendar feed (METHOD:PUBLISH)."""
    user = cast(User, request.user)
    now = timezone.now()
    rows = appointment_list_for(
        user=user,
        agent_id=user.pk,
        starts_from=now - FEED_PAST,
        starts_before=now + FEED_AHEAD,
        statuses=(AppointmentStatus.SCHEDULED,),
    )[:FEED_LIMIT]
    events = [appointment_event(row, url=desk_ticket_url(row.ticket), organizer=None) for row in rows]
    name = _("Tierdesk appointments of %(name)s") % {"name": user.display_name}
    data = build_calendar(events, method=Method.PUBLISH, stamp=cast(datetime, now), name=name)
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="agenda.ics"'
    return response
