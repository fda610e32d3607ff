"""Appointment rows as calendar events (calendar_ics.InviteEvent): the one place that decides
what an invitation says, for the mails and the desk's feed alike. Reads only the row and the
relations its caller loaded (ticket, agent, contact)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from tierdesk.tickets.calendar_ics import InviteEvent, Person
from tierdesk.tickets.choices_appointments import AppointmentKind, AppointmentStatus
from tierdesk.tickets.models import Appointment


def appointment_summary(appointment: Appointment) -> str:
    """`[TD#100042] Remote session: Printer is offline`, in the active language."""
    ticket = appointment.ticket
    kind = AppointmentKind(appointment.kind).label
    subject = " ".join(ticket.subject.split())
    return f"[{settings.TIERDESK_TICKET_PREFIX}#{ticket.number}] {kind}: {subject}"


def appointment_event(
    appointment: Appointment, *, url: str, organizer: Person | None, sequence: int | None = None
) -> InviteEvent:
    """The appointment as an event; `url` is the ticket's page for the reader (the portal for the
    customer, the desk for staff), also named in the description. `sequence` overrides the row's
    (a cancellation sent to a replaced attendee keeps the sequence of its change)."""
    lines = [appointment.note] if appointment.note else []
    if appointment.location:
        lines.append(_("Where: %(location)s") % {"location": appointment.location})
    lines.append(_("Ticket: %(url)s") % {"url": url})
    attendees = [Person(name=appointment.contact.name, email=appointment.contact.email)]
    if appointment.agent.email:
        attendees.append(Person(name=appointment.agent.display_name, email=appointment.agent.email))
    return InviteEvent(
        uid=appointment.uid,
        sequence=appointment.sequence if sequence is None else sequence,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        summary=appointment_summary(appointment),
        description="\n\n".join(lines),
        location=appointment.location,
        url=url,
        organizer=organizer,
        attendees=[person for person in attendees if person.email],
        is_cancelled=appointment.status == AppointmentStatus.CANCELLED,
        created_at=appointment.created_at,
        updated_at=appointment.updated_at,
    )
