"""The Appointments panel's entries of the ticket page's actions (merged into actions.ACTIONS):
plan, move, cancel, mark done. Each names its form, the function that calls one service, and
the form's arguments; the view around them (ticket.py) answers success and refusals as for
every other action. Kept apart from actions.py, which builds the TicketAction of each entry."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from django import forms
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from tierdesk.accounts.models import Contact, User
from tierdesk.accounts.selectors import staff_users
from tierdesk.core.errors import NotFound
from tierdesk.tickets import forms_appointments
from tierdesk.tickets.models import Appointment, Ticket
from tierdesk.tickets.selectors_appointments import appointment_get_for
from tierdesk.tickets.services.appointments import (
    appointment_cancel,
    appointment_mark_done,
    appointment_reschedule,
    appointment_schedule,
)

Data = Mapping[str, Any]
Entry = tuple[type[forms.Form], Callable[[HttpRequest, Ticket, Data], str], Callable[[Ticket, bool], dict[str, Any]]]


def _user(request: HttpRequest) -> User:
    # staff_required lets only signed-in staff members reach these views.
    return cast(User, request.user)


def _appointment(request: HttpRequest, ticket: Ticket, data: Data) -> Appointment:
    """The appointment the form names, of this ticket (another ticket's is not found)."""
    try:
        appointment = appointment_get_for(user=request.user, appointment_id=data["appointment"])
    except NotFound:
        raise Http404 from None
    if appointment.ticket_id != ticket.pk:
        raise Http404
    return appointment


def _schedule_kwargs(ticket: Ticket, bound: bool) -> dict[str, Any]:
    # A posted form accepts any contact, so that one of another organisation is answered by the
    # service (appointment.foreign_contact), not by "invalid choice".
    contacts = Contact.objects.all() if bound else Contact.objects.filter(organisation_id=ticket.organisation_id)
    return {"staff": staff_users(), "contacts": contacts.filter(is_active=True).order_by("name", "id")}


def _no_kwargs(ticket: Ticket, bound: bool) -> dict[str, Any]:
    return {}


def _schedule(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    appointment = appointment_schedule(
        ticket=ticket,
        by=_user(request),
        kind=data["kind"],
        starts_at=data["starts_at"],
        duration_minutes=data["duration_minutes"],
        agent=data["agent"],
        contact=data["contact"],
        location=data["location"],
        note=data["note"],
        expected_version=data["version"],
    )
    return _("Appointment planned; %(name)s gets the invitation.") % {"name": appointment.contact.name}


def _reschedule(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    appointment_reschedule(
        appointment=_appointment(request, ticket, data),
        by=_user(request),
        starts_at=data["starts_at"],
        duration_minutes=data["duration_minutes"],
        expected_ticket_version=data["version"],
    )
    return _("Appointment moved; the attendees get the new time.")


def _cancel(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    appointment_cancel(
        appointment=_appointment(request, ticket, data), by=_user(request), expected_ticket_version=data["version"]
    )
    return _("Appointment cancelled; the attendees are told.")


def _done(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    appointment_mark_done(
        appointment=_appointment(request, ticket, data), by=_user(request), expected_ticket_version=data["version"]
    )
    return _("Appointment recorded as held.")


APPOINTMENT_ACTIONS: dict[str, Entry] = {
    "appointment_schedule": (forms_appointments.AppointmentScheduleForm, _schedule, _schedule_kwargs),
    "appointment_reschedule": (forms_appointments.AppointmentRescheduleForm, _reschedule, _no_kwargs),
    "appointment_cancel": (forms_appointments.AppointmentCloseForm, _cancel, _no_kwargs),
    "appointment_done": (forms_appointments.AppointmentCloseForm, _done, _no_kwargs),
}
