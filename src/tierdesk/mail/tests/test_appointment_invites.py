"""Appointment invitations against a real SMTP server on loopback (aiosmtpd), through Django's
SMTP backend: who receives what, once, with a text/calendar part carrying the iTIP method and
an invite.ics attachment, in the recipient's language; updates and cancellations."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from django.test import override_settings
from icalendar import Calendar

from tierdesk.mail.models import NotificationLog
from tierdesk.mail.tasks import notify_appointment
from tierdesk.tickets.services.appointments import appointment_cancel, appointment_reschedule, appointment_schedule
from tierdesk.tickets.tests.factories import make_ticket

controller_module = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is a dev dependency")


class Inbox:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def by_recipient(self) -> dict[str, Message]:
        return {envelope.rcpt_tos[0]: message_from_bytes(envelope.content) for envelope in self.envelopes}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox()
    port = _free_port()
    controller = controller_module.Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=5,
        ):
            yield box
    finally:
        controller.stop()


def calendar_parts(message: Message) -> tuple[Message, Message]:
    """The text/calendar alternative and the invite.ics attachment."""
    inline = [p for p in message.walk() if p.get_content_type() == "text/calendar" and p.get_filename() is None]
    attached = [p for p in message.walk() if p.get_filename() == "invite.ics"]
    assert len(inline) == 1
    assert len(attached) == 1
    return inline[0], attached[0]


def event_of(part: Message) -> Any:
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar = Calendar.from_ical(payload)
    return calendar, calendar.walk("VEVENT")[0]


def text_of(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


@pytest.fixture
def ticket(personas: Any, django_capture_on_commit_callbacks: Any) -> Any:
    with django_capture_on_commit_callbacks(execute=True):
        return make_ticket(by=personas.agent_l1, requester=personas.contact_b, subject="Scanner offline")


def when() -> datetime:
    return (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)


def test_the_contact_and_the_agent_receive_the_invitation_once(
    personas, ticket, inbox, django_capture_on_commit_callbacks
):
    personas.agent_l2.language = "de"
    personas.agent_l2.save(update_fields=["language"])
    inbox.envelopes.clear()
    start = when()
    # when an agent plans a remote session for Ola (Norwegian) with a German-speaking colleague
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_schedule(
            ticket=ticket,
            by=personas.agent_l1,
            kind="remote_session",
            starts_at=start,
            duration_minutes=45,
            agent=personas.agent_l2,
            location="https://remote.example/s/77",
        )
    # then Ola and the colleague get one invitation each (the status mail goes to Ola too)
    received = inbox.by_recipient()
    invites = {to: m for to, m in received.items() if "text/calendar" in str(m.as_string())}
    assert set(invites) == {"ola@fjordline.example", personas.agent_l2.email}
    assert len([e for e in inbox.envelopes if e.rcpt_tos == [personas.agent_l2.email]]) == 1
    for address, message in invites.items():
        inline, attached = calendar_parts(message)
        assert inline.get_param("method") == "REQUEST"
        assert attached.get_content_type() == "application/ics"
        calendar, event = event_of(inline)
        assert calendar["method"] == "REQUEST"
        assert str(event["uid"]) == appointment.uid
        assert event.decoded("sequence") == 0
        assert event.decoded("dtstart") == start
        assert event.decoded("dtend") == start + timedelta(minutes=45)
        assert str(event["organizer"]) == "mailto:support@tierdesk.invalid"
        assert {str(a) for a in event["attendee"]} == {
            "mailto:ola@fjordline.example",
            f"mailto:{personas.agent_l2.email}",
        }
        assert event_of(attached)[1]["uid"] == event["uid"]
        subject = str(make_header(decode_header(message["Subject"])))  # encoded when not ASCII
        assert subject.startswith(f"[TD#{ticket.number}] ")
        link = (
            f"/desk/tickets/{ticket.number}/"
            if address != "ola@fjordline.example"
            else f"/portal/tickets/{ticket.number}/"
        )
        assert link in str(event["description"])
        assert link in text_of(message)
    # in each one's language
    assert invites["ola@fjordline.example"]["Content-Language"] == "nb"
    assert invites[personas.agent_l2.email]["Content-Language"] == "de"
    assert "https://remote.example/s/77" in text_of(invites["ola@fjordline.example"])
    # and a rerun of the task sends nothing again
    count = len(inbox.envelopes)
    again = notify_appointment.call(appointment.pk, 0, False, None, personas.contact_b.pk)
    assert again is None
    assert len(inbox.envelopes) == count
    assert NotificationLog.objects.filter(kind="appointment", state="sent").count() == 2


def test_a_moved_appointment_sends_sequence_one_and_a_cancel_to_the_replaced_agent(
    personas, ticket, inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_schedule(
            ticket=ticket, by=personas.agent_l1, kind="update_call", starts_at=when(), duration_minutes=15
        )
    inbox.envelopes.clear()
    # when the call moves by an hour to a colleague
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(
            appointment=appointment,
            by=personas.agent_l1,
            starts_at=when() + timedelta(hours=1),
            agent=personas.agent_l2,
        )
    received = inbox.by_recipient()
    assert set(received) == {"ola@fjordline.example", personas.agent_l2.email, personas.agent_l1.email}
    methods = {to: calendar_parts(m)[0].get_param("method") for to, m in received.items()}
    assert methods == {
        "ola@fjordline.example": "REQUEST",
        personas.agent_l2.email: "REQUEST",
        personas.agent_l1.email: "CANCEL",
    }
    for message in received.values():
        _calendar, event = event_of(calendar_parts(message)[1])
        assert (str(event["uid"]), event.decoded("sequence")) == (appointment.uid, 1)


def test_a_cancellation_reaches_both(personas, ticket, inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_schedule(
            ticket=ticket, by=personas.agent_l1, kind="on_site", starts_at=when(), duration_minutes=60
        )
    inbox.envelopes.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=appointment, by=personas.agent_l1)
    invites = {to: m for to, m in inbox.by_recipient().items() if "text/calendar" in m.as_string()}
    assert set(invites) == {"ola@fjordline.example", personas.agent_l1.email}
    for message in invites.values():
        inline, _attached = calendar_parts(message)
        calendar, event = event_of(inline)
        assert (inline.get_param("method"), calendar["method"], str(event["status"])) == (
            "CANCEL",
            "CANCEL",
            "CANCELLED",
        )
        assert event.decoded("sequence") == 1


def test_a_superseded_invitation_is_not_sent(personas, ticket, inbox):
    appointment = appointment_schedule(
        ticket=ticket, by=personas.agent_l1, kind="update_call", starts_at=when(), duration_minutes=15
    )
    appointment_reschedule(appointment=appointment, by=personas.agent_l1, duration_minutes=20)
    inbox.envelopes.clear()
    # the task of the first version runs late: the second version's task sends instead
    assert notify_appointment.call(appointment.pk, 0, False, None, personas.contact_b.pk) is None
    assert notify_appointment.call(appointment.pk, 1, False, None, personas.contact_b.pk) is not None
    assert len(inbox.envelopes) == 1
