"""The desk's Appointments panel (plan, move, cancel, mark held through the ticket page), the
agent's week agenda, the team calendar (per week, capped, with query ceilings) and the feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from tierdesk.accounts.tests.factories import AgentFactory
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.agenda import week_of
from tierdesk.tickets.models import Appointment, Ticket
from tierdesk.tickets.selectors_appointments import team_calendar_for
from tierdesk.tickets.services.appointments import appointment_schedule
from tierdesk.tickets.tests.factories import make_ticket

HTMX = {"HX-Request": "true"}


def next_week_at(day: int, hour: int) -> datetime:
    """`hour` o'clock local time on weekday `day` (0 = Monday) of next week: always in the future."""
    monday = week_of(timezone.localdate()).next.monday
    local = datetime(monday.year, monday.month, monday.day, hour, tzinfo=timezone.get_current_timezone())
    return local + timedelta(days=day)


@pytest.fixture
def ticket(personas: Any) -> Ticket:
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Printer is offline")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def plan(personas: Any, ticket: Ticket, *, agent: Any = None, start: datetime | None = None) -> Appointment:
    return appointment_schedule(
        ticket=ticket,
        by=personas.agent_l1,
        agent=agent,
        kind="remote_session",
        starts_at=start or next_week_at(1, 10),
        duration_minutes=30,
    )


def test_the_ticket_page_plans_an_appointment(personas, ticket):
    client = signed_in(personas.agent_l1)
    page = client.get(f"/desk/tickets/{ticket.number}/")
    assert page.status_code == 200
    assert b'data-testid="appointments-panel"' in page.content
    assert b'data-testid="appointment-form"' in page.content
    # when the agent plans a session for next Tuesday 10:00 (their time)
    start = next_week_at(1, 10)
    response = client.post(
        f"/desk/tickets/{ticket.number}/appointment_schedule/",
        {
            "version": ticket.version,
            "kind": "remote_session",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "45",
            "location": "https://remote.example/s/9",
        },
        headers=HTMX,
    )
    # then the fragment lists it and the ticket waits
    assert response.status_code == 200
    appointment = Appointment.objects.get()
    assert (appointment.starts_at, appointment.duration_minutes) == (start, 45)
    assert (appointment.agent, appointment.contact) == (personas.agent_l1, personas.contact_a)
    assert f'data-testid="appointment-{appointment.pk}"'.encode() in response.content
    assert Ticket.objects.get(pk=ticket.pk).status == "waiting"


def test_an_overlap_is_shown_with_its_code(personas, ticket):
    plan(personas, ticket)
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_a2, subject="Scanner")
    response = signed_in(personas.agent_l1).post(
        f"/desk/tickets/{other.number}/appointment_schedule/",
        {
            "version": other.version,
            "kind": "update_call",
            "starts_at": next_week_at(1, 10).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "15",
        },
        headers=HTMX,
    )
    assert response.status_code == 409
    assert b"appointment.overlap" in response.content
    assert Appointment.objects.count() == 1


def test_move_hold_and_cancel_from_the_panel(personas, ticket):
    client = signed_in(personas.agent_l1)
    first = plan(personas, ticket)
    second = plan(personas, ticket, start=next_week_at(2, 9))
    version = Ticket.objects.get(pk=ticket.pk).version
    moved = client.post(
        f"/desk/tickets/{ticket.number}/appointment_reschedule/",
        {
            "version": version,
            "appointment": first.pk,
            "starts_at": next_week_at(3, 14).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60",
        },
        headers=HTMX,
    )
    assert moved.status_code == 200
    first.refresh_from_db()
    assert (first.starts_at, first.duration_minutes, first.sequence) == (next_week_at(3, 14), 60, 1)
    version = Ticket.objects.get(pk=ticket.pk).version
    held = client.post(
        f"/desk/tickets/{ticket.number}/appointment_done/", {"version": version, "appointment": first.pk}, headers=HTMX
    )
    assert held.status_code == 200
    version = Ticket.objects.get(pk=ticket.pk).version
    cancelled = client.post(
        f"/desk/tickets/{ticket.number}/appointment_cancel/", {"version": version, "appointment": second.pk}
    )
    assert cancelled.status_code == 302
    assert dict(Appointment.objects.values_list("pk", "status")) == {first.pk: "done", second.pk: "cancelled"}


def test_an_appointment_of_another_ticket_is_not_found(personas, ticket):
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_a2, subject="Scanner")
    theirs = plan(personas, other)
    response = signed_in(personas.agent_l1).post(
        f"/desk/tickets/{ticket.number}/appointment_cancel/",
        {"version": Ticket.objects.get(pk=ticket.pk).version, "appointment": theirs.pk},
    )
    assert response.status_code == 404
    assert Appointment.objects.get(pk=theirs.pk).status == "scheduled"


def test_a_customer_cannot_post_to_the_panel(personas, ticket):
    response = signed_in(personas.customer_a).post(
        f"/desk/tickets/{ticket.number}/appointment_schedule/",
        {"version": 1, "kind": "update_call", "starts_at": "2030-01-01T10:00", "duration_minutes": "15"},
    )
    assert response.status_code == 403
    assert not Appointment.objects.exists()


def test_the_agenda_shows_the_agents_own_week(personas, ticket):
    mine = plan(personas, ticket, start=next_week_at(2, 9))
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_a2, subject="Scanner")
    theirs = plan(personas, other, agent=personas.agent_l2, start=next_week_at(2, 9))
    week = week_of(timezone.localdate()).next
    client = signed_in(personas.agent_l1)
    page = client.get(f"/desk/agenda/?week={week.name}")
    assert page.status_code == 200
    day = (week.monday + timedelta(days=2)).isoformat()
    content = page.content.decode()
    assert f'data-testid="agenda-day-{day}"' in content
    assert f'data-testid="agenda-item-{mine.pk}"' in content
    assert f'href="/desk/tickets/{ticket.number}/"' in content
    assert f'data-testid="agenda-item-{theirs.pk}"' not in content
    # this week holds nothing of it; a malformed week is a 400
    assert f'data-testid="agenda-item-{mine.pk}"' not in client.get("/desk/agenda/").content.decode()
    assert client.get("/desk/agenda/?week=2026-W54").status_code == 400


def test_customers_and_visitors_do_not_reach_the_agenda(personas):
    assert signed_in(personas.customer_a).get("/desk/agenda/").status_code == 302
    assert Client().get("/desk/calendar/").status_code == 302
    assert Client().get("/desk/agenda.ics").status_code == 302


def test_the_team_calendar_lists_every_agent_with_a_query_ceiling(personas):
    client = signed_in(personas.case_manager)
    week = week_of(timezone.localdate()).next
    for round_, size in enumerate((1, 10)):
        for i in range(size):
            agent = AgentFactory.create(username=f"agent{round_}x{i}")
            t = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject=f"Case {round_}-{i}")
            plan(personas, t, agent=agent, start=next_week_at(i % 7, 8 + round_))
        # session, user, the week's appointments with tickets, agents and contacts
        with assert_max_queries(3):
            page = client.get(f"/desk/calendar/?week={week.name}")
        assert page.status_code == 200
        assert page.content.decode().count('data-testid="calendar-agent-') == 1 + 10 * round_
    assert b"calendar-truncated" not in page.content


def test_the_team_calendar_is_capped(personas):
    week = week_of(timezone.localdate()).next
    for i in range(3):
        t = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject=f"Case {i}")
        plan(personas, t, start=next_week_at(i, 10))
    capped = team_calendar_for(user=personas.agent_l1, week=week, zone=timezone.get_current_timezone(), limit=2)
    assert capped.is_truncated
    assert sum(len(day.appointments) for day in capped.rows[0].days) == 2
    full = team_calendar_for(user=personas.agent_l1, week=week, zone=timezone.get_current_timezone(), limit=3)
    assert not full.is_truncated
    assert team_calendar_for(user=personas.customer_a, week=week, zone=UTC).rows == []


def test_the_feed_holds_the_agents_scheduled_appointments(personas, ticket):
    mine = plan(personas, ticket)
    response = signed_in(personas.agent_l1).get("/desk/agenda.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["method"] == "PUBLISH"
    assert [str(event["uid"]) for event in calendar.walk("VEVENT")] == [mine.uid]
    assert signed_in(personas.agent_l2).get("/desk/agenda.ics").content.count(b"BEGIN:VEVENT") == 0


def test_the_desk_nav_links_the_agenda_and_the_calendar(personas):
    page = signed_in(personas.agent_l1).get("/desk/agenda/")
    assert b'data-testid="nav-agenda"' in page.content
    assert b'data-testid="nav-calendar"' in page.content


def test_the_portal_shows_the_customer_the_upcoming_appointments(personas, ticket):
    upcoming = plan(personas, ticket)
    cancelled = plan(personas, ticket, start=next_week_at(4, 9))
    Appointment.objects.filter(pk=cancelled.pk).update(status="cancelled")
    page = signed_in(personas.customer_a).get(f"/portal/tickets/{ticket.number}/")
    assert page.status_code == 200
    content = page.content.decode()
    assert f'data-testid="portal-appointment-{upcoming.pk}"' in content
    assert f'data-testid="portal-appointment-{cancelled.pk}"' not in content
    assert upcoming.uid not in content
