"""Creating tickets: scoping of the requester, priority, deadline, numbering, history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tierdesk.core.errors import ValidationFailed
from tierdesk.tickets.errors import TicketActionForbidden
from tierdesk.tickets.models import HistoryEvent, PriorityMatrixCell, Ticket
from tierdesk.tickets.services import ticket_create


def test_customer_ticket_is_always_their_own(personas):
    # given a customer of org A who tries to open a ticket for org B's contact
    # when they create a ticket
    ticket = ticket_create(
        by=personas.customer_a,
        subject="VPN drops",
        organisation=personas.org_b,
        requester=personas.contact_b,
        urgency="high",
        impact="low",
    )
    # then it is theirs and in their organisation, whatever the input said
    assert ticket.requester == personas.contact_a
    assert ticket.organisation == personas.org_a
    assert (ticket.status, ticket.level, ticket.priority) == ("new", "first", "p3")


def test_staff_create_for_contact_takes_its_organisation(personas):
    ticket = ticket_create(by=personas.agent_l1, subject="Call: printer", requester=personas.contact_b, channel="phone")
    assert ticket.organisation == personas.org_b
    assert ticket.channel == "phone"


def test_staff_cannot_mix_requester_and_other_organisation(personas):
    with pytest.raises(ValidationFailed) as err:
        ticket_create(by=personas.agent_l1, subject="x", requester=personas.contact_b, organisation=personas.org_a)
    assert err.value.code == "ticket.requester_mismatch"
    assert Ticket.objects.count() == 0


def test_staff_need_organisation_or_requester(personas):
    with pytest.raises(ValidationFailed) as err:
        ticket_create(by=personas.agent_l1, subject="x")
    assert err.value.code == "ticket.organisation_required"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("subject", "   ", "ticket.subject_required"),
        ("urgency", "now!", "ticket.invalid_choice"),
        ("impact", "galaxy", "ticket.invalid_choice"),
        ("channel", "fax", "ticket.invalid_choice"),
    ],
)
def test_invalid_input_is_rejected_and_creates_nothing(personas, field, value, code):
    kwargs = {"subject": "Printer", field: value}
    with pytest.raises(ValidationFailed) as err:
        ticket_create(by=personas.customer_a, **kwargs)
    assert err.value.code == code
    assert err.value.field == field
    assert Ticket.objects.count() == 0
    assert HistoryEvent.objects.count() == 0


def test_anonymous_and_unlinked_users_cannot_create(personas):
    with pytest.raises(TicketActionForbidden):
        ticket_create(by=personas.anonymous, subject="x")


def test_numbers_are_unique_and_increasing(personas):
    numbers = [ticket_create(by=personas.customer_a, subject=f"t{i}").number for i in range(5)]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 5
    assert numbers[0] >= 100001


def test_deadline_follows_priority(personas, monkeypatch):
    # given Friday 20 November 2026, 15:00 in Amsterdam (the default calendar closes at 16:00)
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 11, 20, 14, 0, tzinfo=UTC))
    p1 = ticket_create(by=personas.customer_a, subject="Down", urgency="high", impact="high")
    p5 = ticket_create(by=personas.customer_a, subject="Wish", urgency="low", impact="low")
    assert p1.priority == "p1"
    assert p5.priority == "p5"
    # then the P1 is due in 15 business minutes (its first response), the P5 later
    assert p1.due_at == datetime(2026, 11, 20, 14, 15, tzinfo=UTC)
    assert p5.due_at > p1.due_at


def test_configured_matrix_override_is_used(personas):
    PriorityMatrixCell.objects.create(urgency="low", impact="low", priority="p3")
    ticket = ticket_create(by=personas.customer_a, subject="Wish", urgency="low", impact="low")
    assert ticket.priority == "p3"


def test_creation_is_recorded_with_channel_and_actor(personas):
    ticket = ticket_create(
        by=personas.agent_l1,
        subject="Call",
        requester=personas.contact_a,
        channel="phone",
        tags=["VPN", "vpn", " Remote "],
    )
    event = HistoryEvent.objects.get(ticket=ticket)
    assert (event.action, event.actor, event.channel, event.new_value) == (
        "created",
        personas.agent_l1,
        "phone",
        str(ticket.number),
    )
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["remote", "vpn"]


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}})
def test_creation_loads_the_sla_policy_once(personas, django_capture_on_commit_callbacks):
    # given a desk that has created a ticket before (warm caches)
    ticket_create(by=personas.agent_l1, subject="warm", requester=personas.contact_a)
    # when a ticket is created and its breach check is planned after commit
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
        ticket_create(by=personas.agent_l1, subject="Printer", requester=personas.contact_a)
    # then the policy (with targets and calendar) is read once, not again for the timer
    policy_reads = [q for q in ctx.captured_queries if q["sql"].startswith('SELECT "sla_slapolicy"')]
    assert len(policy_reads) == 2  # the organisation's own policy (none), then the default
    # 15, one for the webhooks subscribed to new tickets, one for whether any assignment policy is on
    assert len(ctx.captured_queries) <= 17
