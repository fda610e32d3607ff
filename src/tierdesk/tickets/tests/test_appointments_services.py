"""Appointment services: validation with codes, the overlap rule, history rows, the ticket waiting
until the appointment, and the start timer (run directly with its token) that resumes it only
while nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tierdesk.accounts.tests.factories import ContactFactory
from tierdesk.core.errors import DomainError
from tierdesk.tickets.choices import Status, WaitingOn
from tierdesk.tickets.models import Appointment, HistoryEvent, Ticket
from tierdesk.tickets.services import ticket_resolve, ticket_resume, ticket_wait
from tierdesk.tickets.services.appointments import (
    appointment_cancel,
    appointment_mark_done,
    appointment_reschedule,
    appointment_schedule,
)
from tierdesk.tickets.tasks import appointment_due
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture
def ticket(personas: Any) -> Ticket:
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a)


def soon(hours: float = 24) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0)


def schedule(personas: Any, ticket: Ticket, **kwargs: Any) -> Appointment:
    values: dict[str, Any] = {"kind": "remote_session", "starts_at": soon(), "duration_minutes": 30}
    values.update(kwargs)
    return appointment_schedule(ticket=ticket, by=personas.agent_l1, **values)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_scheduling_parks_the_ticket_and_records_it(personas, ticket):
    # when an agent plans a remote session with the requester for tomorrow
    start = soon()
    appointment = schedule(personas, ticket, starts_at=start, location="https://remote.example/s/42")
    # then the appointment holds the defaults: the caller as agent, the requester as contact
    assert (appointment.agent, appointment.contact) == (personas.agent_l1, personas.contact_a)
    assert appointment.ends_at == start + timedelta(minutes=30)
    assert (appointment.sequence, appointment.version, appointment.status) == (0, 1, "scheduled")
    assert appointment.uid.endswith("@tierdesk.invalid")
    assert len(appointment.uid) > 32
    # and the ticket waits on the customer (clock paused) until then
    ticket = fresh(ticket)
    assert (ticket.status, ticket.waiting_on) == (Status.WAITING, WaitingOn.CUSTOMER)
    assert ticket.paused_at is not None
    assert appointment.holds_ticket_since == ticket.status_changed_at
    row = HistoryEvent.objects.get(ticket=ticket, action="appointment_scheduled")
    assert "Remote session" in row.new_value
    assert row.actor == personas.agent_l1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"starts_at": "past"}, "appointment.in_past"),
        ({"starts_at": "far"}, "appointment.too_far"),
        ({"duration_minutes": 4}, "appointment.invalid_duration"),
        ({"duration_minutes": 481}, "appointment.invalid_duration"),
        ({"kind": "dinner"}, "appointment.invalid_kind"),
        ({"agent": "customer"}, "appointment.not_staff"),
        ({"contact": "other_org"}, "appointment.foreign_contact"),
    ],
)
def test_invalid_appointments_are_refused_with_their_code(personas, ticket, change, code):
    values = dict(change)
    if values.get("starts_at") == "past":
        values["starts_at"] = soon(-1)
    if values.get("starts_at") == "far":
        values["starts_at"] = soon(24 * 400)
    if values.get("agent") == "customer":
        values["agent"] = personas.customer_a
    if values.get("contact") == "other_org":
        values["contact"] = personas.contact_b
    before = fresh(ticket).version
    with pytest.raises(DomainError) as refused:
        schedule(personas, ticket, **values)
    assert refused.value.code == code
    assert not Appointment.objects.exists()
    assert fresh(ticket).version == before


def test_a_customer_cannot_schedule(personas, ticket):
    with pytest.raises(DomainError) as refused:
        appointment_schedule(
            ticket=ticket, by=personas.customer_a, kind="update_call", starts_at=soon(), duration_minutes=15
        )
    assert refused.value.code == "ticket.forbidden"


def test_a_ticket_without_requester_needs_a_contact(personas):
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    Ticket.objects.filter(pk=ticket.pk).update(requester=None)
    with pytest.raises(DomainError) as refused:
        schedule(personas, fresh(ticket))
    assert refused.value.code == "appointment.contact_required"
    appointment = schedule(personas, fresh(ticket), contact=personas.contact_a2)
    assert appointment.contact == personas.contact_a2


def test_overlapping_appointments_of_one_agent_are_refused(personas, ticket):
    # given the agent is busy 10:00-11:00 tomorrow
    start = soon()
    schedule(personas, ticket, starts_at=start, duration_minutes=60)
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_a2, subject="Scanner")
    # when the same agent is planned at 10:30 on another ticket
    with pytest.raises(DomainError) as refused:
        schedule(personas, other, starts_at=start + timedelta(minutes=30))
    # then it is refused, naming the other ticket
    assert refused.value.code == "appointment.overlap"
    assert refused.value.http_status == 409
    assert f"#{ticket.number}" in refused.value.message
    # touching ends are fine, and another agent is free
    schedule(personas, other, starts_at=start + timedelta(minutes=60))
    schedule(personas, other, starts_at=start, agent=personas.agent_l2)
    # a cancelled appointment frees its slot
    first = Appointment.objects.get(ticket=ticket)
    appointment_cancel(appointment=first, by=personas.agent_l1)
    schedule(personas, other, starts_at=start + timedelta(minutes=10), duration_minutes=20)


def test_reschedule_bumps_sequence_and_version_and_keeps_the_uid(personas, ticket):
    appointment = schedule(personas, ticket)
    uid = appointment.uid
    moved = appointment_reschedule(appointment=appointment, by=personas.agent_l1, starts_at=soon(48))
    assert (moved.uid, moved.sequence, moved.version) == (uid, 1, 2)
    assert moved.ends_at == moved.starts_at + timedelta(minutes=30)
    assert HistoryEvent.objects.filter(ticket=ticket, action="appointment_changed").count() == 1
    # nothing changed: no new version, no history
    again = appointment_reschedule(appointment=moved, by=personas.agent_l1, starts_at=moved.starts_at)
    assert (again.sequence, again.version) == (1, 2)
    # a stale version is a conflict
    with pytest.raises(DomainError) as refused:
        appointment_reschedule(appointment=moved, by=personas.agent_l1, starts_at=soon(50), expected_version=1)
    assert refused.value.code == "appointment.version_conflict"


def test_the_timer_resumes_the_ticket_at_the_start(personas, ticket):
    appointment = schedule(personas, ticket)
    # when the timer runs with the appointment's token
    assert appointment_due.call(appointment.pk, appointment.version) is True
    # then the ticket is back in work, by the automation, in the history
    ticket = fresh(ticket)
    assert (ticket.status, ticket.waiting_on, ticket.paused_at) == (Status.OPEN, "", None)
    row = HistoryEvent.objects.filter(ticket=ticket, field="status").latest("id")
    assert (row.new_value, row.channel) == ("open", "system")
    # and a second run does nothing
    assert appointment_due.call(appointment.pk, appointment.version) is False


def test_the_old_timer_of_a_moved_appointment_does_nothing(personas, ticket):
    appointment = schedule(personas, ticket)
    old_token = appointment.version
    moved = appointment_reschedule(appointment=appointment, by=personas.agent_l1, starts_at=soon(72))
    assert appointment_due.call(appointment.pk, old_token) is False
    assert fresh(ticket).status == Status.WAITING
    assert appointment_due.call(appointment.pk, moved.version) is True
    assert fresh(ticket).status == Status.OPEN


def test_the_timer_of_a_cancelled_appointment_does_nothing(personas, ticket):
    appointment = schedule(personas, ticket)
    token = appointment.version
    # cancelling takes the parked ticket back into work at once
    appointment_cancel(appointment=appointment, by=personas.agent_l1, reason="Customer is ill")
    assert fresh(ticket).status == Status.OPEN
    row = HistoryEvent.objects.get(ticket=ticket, action="appointment_cancelled")
    assert row.note == "Customer is ill"
    # and the ticket parked again by hand is not resumed by the old timer
    ticket_wait(ticket=fresh(ticket), on="customer", by=personas.agent_l1)
    assert appointment_due.call(appointment.pk, token) is False
    assert fresh(ticket).status == Status.WAITING


def test_the_timer_leaves_a_ticket_resumed_or_resolved_by_hand(personas, ticket):
    appointment = schedule(personas, ticket)
    # resumed by hand, then parked again for another reason
    ticket_resume(ticket=fresh(ticket), by=personas.agent_l1)
    ticket_wait(ticket=fresh(ticket), on="third_party", by=personas.agent_l1)
    assert appointment_due.call(appointment.pk, appointment.version) is False
    assert (fresh(ticket).status, fresh(ticket).waiting_on) == (Status.WAITING, WaitingOn.THIRD_PARTY)
    # resolved by hand
    ticket_resolve(ticket=fresh(ticket), resolution="Fixed by phone", by=personas.agent_l1)
    assert appointment_due.call(appointment.pk, appointment.version) is False
    assert fresh(ticket).status == Status.RESOLVED


def test_a_second_appointment_keeps_the_ticket_parked_when_one_is_cancelled(personas, ticket):
    first = schedule(personas, ticket, starts_at=soon(24))
    second = schedule(personas, ticket, starts_at=soon(48))
    assert second.holds_ticket_since == first.holds_ticket_since
    appointment_cancel(appointment=first, by=personas.agent_l1)
    assert fresh(ticket).status == Status.WAITING
    assert appointment_due.call(second.pk, second.version) is True
    assert fresh(ticket).status == Status.OPEN


def test_mark_done_and_no_changes_after(personas, ticket):
    appointment = schedule(personas, ticket)
    done = appointment_mark_done(appointment=appointment, by=personas.agent_l1)
    assert (done.status, done.sequence) == ("done", 0)
    assert fresh(ticket).status == Status.OPEN
    for change in (
        lambda: appointment_cancel(appointment=done, by=personas.agent_l1),
        lambda: appointment_reschedule(appointment=done, by=personas.agent_l1, starts_at=soon(5)),
    ):
        with pytest.raises(DomainError) as refused:
            change()
        assert refused.value.code == "appointment.not_scheduled"


def test_a_resolved_ticket_gets_no_appointment(personas, ticket):
    ticket_resolve(ticket=ticket, resolution="Done", by=personas.agent_l1)
    with pytest.raises(DomainError) as refused:
        schedule(personas, fresh(ticket))
    assert refused.value.code == "appointment.ticket_not_active"


def test_a_new_contact_of_another_org_cannot_be_set_by_reschedule(personas, ticket):
    appointment = schedule(personas, ticket)
    stranger = ContactFactory.create(organisation=personas.org_b, name="Kari Lund")
    with pytest.raises(DomainError) as refused:
        appointment_reschedule(appointment=appointment, by=personas.agent_l1, contact=stranger)
    assert refused.value.code == "appointment.foreign_contact"
    assert Appointment.objects.get(pk=appointment.pk).contact == personas.contact_a
