"""The next-update target: each public reply from staff owes the customer the next update within
`next_update_minutes` of business time; the SLA check records its warning and breach once per
period; a wait on the customer moves it; resolving clears it; the API shows it and the breach.

A policy "Harbour gold" (Monday to Friday 08:00-16:00 Amsterdam, UTC+1 in November 2026): every
priority 30 minutes to first response, 480 to resolution and 60 between updates, warning at 80 %."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tierdesk.accounts.tests.api_support import client_for
from tierdesk.sla.services import TargetValues, policy_create
from tierdesk.sla.tests.factories import office_calendar
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import ticket_comment_add, ticket_resolve, ticket_resume, ticket_wait
from tierdesk.tickets.services.sla import ticket_sla_check
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def local(hour: int, minute: int = 0) -> datetime:
    """Monday 23 November 2026, Amsterdam time."""
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC) - timedelta(hours=1)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    now = [local(9)]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    return now


@pytest.fixture
def ticket(personas, clock) -> Ticket:
    policy_create(
        by=personas.admin,
        name="Harbour gold",
        calendar_id=office_calendar().pk,
        organisation_id=personas.org_a.pk,
        targets=[TargetValues(priority, 30, 480, 60) for priority in ("p1", "p2", "p3", "p4", "p5")],
    )
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def reply(personas, ticket: Ticket, clock: list[datetime], at: datetime) -> Ticket:
    clock[0] = at
    ticket_comment_add(ticket=ticket, body="Update: still testing.", by=personas.agent_l1)
    return fresh(ticket)


def test_no_update_is_owed_before_the_first_reply(ticket):
    assert ticket.next_update_due is None
    assert ticket.due_at == local(9, 30)


def test_each_public_reply_owes_the_next_update_within_the_target(personas, ticket, clock):
    ticket = reply(personas, ticket, clock, local(9, 10))
    assert ticket.next_update_due == local(10, 10)
    assert ticket.due_at == local(10, 10)  # sooner than the resolution at 17:00 the next day
    ticket = reply(personas, ticket, clock, local(9, 40))
    assert ticket.next_update_due == local(10, 40)
    # an internal note is no update for the customer
    clock[0] = local(10)
    ticket_comment_add(ticket=ticket, body="Vendor ticket opened.", by=personas.agent_l1, is_internal=True)
    assert fresh(ticket).next_update_due == local(10, 40)


def test_a_missed_update_is_recorded_once_at_the_minute_and_a_new_reply_starts_over(personas, ticket, clock):
    ticket = reply(personas, ticket, clock, local(9, 10))
    # the warning comes when 80 % of the hour (48 minutes) is used: at 09:58
    assert ticket_sla_check(ticket_id=ticket.pk, sla_version=ticket.sla_version, now=local(9, 57)) == []
    assert ticket_sla_check(ticket_id=ticket.pk, sla_version=ticket.sla_version, now=local(9, 58)) == [
        "next_update_warned_at"
    ]
    assert ticket_sla_check(ticket_id=ticket.pk, sla_version=ticket.sla_version, now=local(10, 10)) == [
        "next_update_breached_at"
    ]
    assert ticket_sla_check(ticket_id=ticket.pk, sla_version=ticket.sla_version, now=local(10, 11)) == []
    ticket = fresh(ticket)
    assert ticket.next_update_breached_at == local(10, 10)
    # the API shows the deadline and the breach
    body = client_for(personas.agent_l1).get(f"/api/v1/tickets/{ticket.number}").json()
    assert body["next_update_due"] is not None
    assert body["next_update_breached_at"] is not None
    assert body["is_breached"] is True
    # when staff reply again, a new period starts with nothing recorded yet
    ticket = reply(personas, ticket, clock, local(10, 20))
    assert (ticket.next_update_due, ticket.next_update_warned_at, ticket.next_update_breached_at) == (
        local(11, 20),
        None,
        None,
    )


def test_a_wait_on_the_customer_moves_the_update_and_resolving_clears_it(personas, ticket, clock):
    ticket = reply(personas, ticket, clock, local(9, 10))
    clock[0] = local(9, 20)
    ticket_wait(ticket=ticket, on="customer", by=personas.agent_l1)
    clock[0] = local(9, 50)
    ticket_resume(ticket=ticket, by=personas.agent_l1)
    assert fresh(ticket).next_update_due == local(10, 40)  # 30 paused minutes later
    clock[0] = local(10)
    ticket_resolve(ticket=fresh(ticket), resolution="Fixed the mapping.", by=personas.agent_l1)
    assert fresh(ticket).next_update_due is None
