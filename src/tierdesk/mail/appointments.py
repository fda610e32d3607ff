"""Appointment invitations: the iCalendar invitation (iTIP METHOD:REQUEST), its updates and its
cancellation (METHOD:CANCEL) to the customer contact and the agent of an appointment, each in
their language, once per (appointment, sequence, recipient) through the NotificationLog guard.

The mail is multipart: a text part, a text/calendar part with the method (what mail clients
show as an invitation with its buttons) and the same calendar as an invite.ics attachment (for
the clients that only import files). It never changes appointments or tickets."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.utils import timezone, translation

from tierdesk.accounts.models import Contact, User
from tierdesk.core.addresses import mail_domain
from tierdesk.mail.models import NotificationKind, NotificationLog
from tierdesk.mail.services import (
    Recipient,
    _claim,
    _language_of,
    _staff_recipient,
    deliver,
    header_safe,
    notification_headers,
    notification_subject,
    portal_ticket_url,
)
from tierdesk.tickets.addresses import desk_ticket_url
from tierdesk.tickets.calendar_appointments import appointment_event
from tierdesk.tickets.calendar_ics import Method, Person, build_calendar
from tierdesk.tickets.choices_appointments import AppointmentKind, AppointmentStatus
from tierdesk.tickets.models import Appointment

logger = logging.getLogger(__name__)

ATTACHMENT_NAME = "invite.ics"


class InvitationMessage(EmailMultiAlternatives):
    """An e-mail whose text/calendar alternative carries the iTIP method as a parameter
    (RFC 6047 2.4: `Content-Type: text/calendar; method=REQUEST`), which Django cannot set."""

    def __init__(self, *args: Any, method: Method, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.itip_method = method

    def message(self, **kwargs: Any) -> Any:
        built = super().message(**kwargs)
        for part in built.walk():
            if part.get_content_type() == "text/calendar" and part.get_filename() is None:
                part.set_param("method", self.itip_method.value)
        return built


def organizer() -> Person:
    """The desk's sending address is the organiser of every appointment."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return Person(name=name or "Tierdesk", email=address)


@dataclass(frozen=True)
class Attendee:
    """One person to send an appointment's mail: a staff member or a contact."""

    user_id: int | None = None
    contact_id: int | None = None
    is_cancelled: bool = False


def appointment_attendees(
    *, appointment_id: int, is_cancelled: bool, former_agent_id: int | None, former_contact_id: int | None
) -> list[Attendee]:
    """Who gets the mail of one change: the contact and the agent (the invitation, or the
    cancellation), and a cancellation for a former agent or contact the change replaced."""
    row = Appointment.objects.filter(pk=appointment_id).values_list("contact_id", "agent_id").first()
    if row is None:
        return []
    contact_id, agent_id = row
    attendees = [
        Attendee(contact_id=contact_id, is_cancelled=is_cancelled),
        Attendee(user_id=agent_id, is_cancelled=is_cancelled),
    ]
    if former_contact_id is not None and former_contact_id != contact_id:
        attendees.append(Attendee(contact_id=former_contact_id, is_cancelled=True))
    if former_agent_id is not None and former_agent_id != agent_id:
        attendees.append(Attendee(user_id=former_agent_id, is_cancelled=True))
    return attendees


def _contact_recipient(contact: Contact | None) -> Contact | None:
    if contact is None or not contact.is_active or not contact.email:
        return None
    try:
        validate_email(contact.email)
    except ValidationError:
        return None
    return contact


def notification_send_appointment(
    *,
    appointment_id: int,
    sequence: int,
    is_cancelled: bool,
    user_id: int | None = None,
    contact_id: int | None = None,
) -> NotificationLog | None:
    """The invitation (or its cancellation) of the appointment at `sequence` to one person: a staff
    member (`user_id`) or a customer contact (`contact_id`). An invitation whose appointment has
    changed again since is skipped: the newer change sends its own. A cancellation always goes
    (also to an agent or contact the appointment no longer names)."""
    appointment = (
        Appointment.objects.select_related("ticket__organisation", "agent", "contact").filter(pk=appointment_id).first()
    )
    who = f"user:{user_id}" if user_id is not None else f"contact:{contact_id}"
    event_key = f"appointment:{appointment_id}:{sequence}:{who}"
    if appointment is None:
        logger.info("appointment %s is gone: no invitation to %s", appointment_id, who)
        return None
    if not is_cancelled and (appointment.sequence != sequence or appointment.status != AppointmentStatus.SCHEDULED):
        logger.info("ticket %s, %s: superseded by a later change, not sent", appointment.ticket.number, event_key)
        return None
    is_staff = user_id is not None
    recipient: Recipient | None
    if is_staff:
        recipient = _staff_recipient(User.objects.filter(pk=user_id or 0).first())
    else:
        recipient = _contact_recipient(Contact.objects.filter(pk=contact_id or 0).first())
    if recipient is None:
        logger.info(
            "ticket %s, %s: no invitation (inactive or without a valid address)", appointment.ticket_id, event_key
        )
        return None
    return _send_invitation(
        appointment,
        recipient=recipient,
        is_staff=is_staff,
        sequence=sequence,
        method=Method.CANCEL if is_cancelled else Method.REQUEST,
        event_key=event_key,
    )


def _send_invitation(
    appointment: Appointment, *, recipient: Recipient, is_staff: bool, sequence: int, method: Method, event_key: str
) -> NotificationLog | None:
    ticket = appointment.ticket
    language = _language_of(recipient)
    url = desk_ticket_url(ticket) if is_staff else portal_ticket_url(ticket)
    with translation.override(language):
        event = appointment_event(appointment, url=url, organizer=organizer(), sequence=sequence)
        calendar = build_calendar([event], method=method, stamp=timezone.now())
        local_start = timezone.localtime(appointment.starts_at)
        context = {
            "contact_name": recipient.name,
            "reference": ticket.reference,
            "subject": ticket.subject,
            "kind": AppointmentKind(appointment.kind).label,
            "starts_at": local_start,
            "ends_at": timezone.localtime(appointment.ends_at),
            "time_zone": timezone.get_current_timezone_name(),
            "duration": appointment.duration_minutes,
            "agent_name": appointment.agent.display_name,
            "with_name": appointment.contact.name if is_staff else appointment.agent.display_name,
            "location": appointment.location,
            "note": appointment.note,
            "is_cancelled": method == Method.CANCEL,
            "is_update": method == Method.REQUEST and sequence > 0,
            "url": url,
        }
        body = render_to_string("mail/appointment.txt", context)
        what = render_to_string("mail/appointment_subject.txt", context)
        content_language = translation.get_language() or language
    subject = f"{notification_subject(ticket)} {header_safe(what)}"[:300]
    domain = mail_domain()
    log = _claim(
        ticket=ticket,
        contact=recipient,
        kind=NotificationKind.APPOINTMENT,
        event_key=event_key,
        language=content_language,
        subject=subject,
        message_id=make_msgid(idstring=f"ticket.{ticket.number}", domain=domain),
    )
    if log is None:
        return None
    message = InvitationMessage(
        subject=subject,
        body=body.strip() + "\n",
        to=[formataddr((header_safe(recipient.name), recipient.email))],
        headers=notification_headers(log=log, ticket=ticket, domain=domain, language=content_language),
        method=method,
    )
    message.attach_alternative(calendar.decode(), "text/calendar")
    message.attach(ATTACHMENT_NAME, calendar, "application/ics")
    deliver(log, message)
    logger.info("ticket %s, %s: appointment %s sent", ticket.number, event_key, method.value)
    return log
