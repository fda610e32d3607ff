"""HTTP endpoints of appointments: a ticket's appointments (staff plan them; a customer who sees
the ticket reads its upcoming ones), one appointment, a filtered list for agendas, and its
changes (reschedule, cancel, done). Changes answer with the appointment and its version as the
ETag; the version sent (body or If-Match) is the appointment's, except when planning, where it is
the ticket's."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from tierdesk.accounts import selectors as account_selectors
from tierdesk.accounts.api_auth import caller, request_channel, require_staff
from tierdesk.accounts.api_base import ERRORS, paginate
from tierdesk.accounts.models import Contact, User
from tierdesk.accounts.permissions import is_staff_member
from tierdesk.tickets.api import _expected_version, _ticket
from tierdesk.tickets.models import Appointment
from tierdesk.tickets.schemas_appointments import (
    AppointmentCloseIn,
    AppointmentIn,
    AppointmentOut,
    AppointmentPage,
    AppointmentPatch,
    AppointmentQuery,
    CustomerAppointmentOut,
)
from tierdesk.tickets.selectors_appointments import (
    appointment_get_for,
    appointment_list_for,
    ticket_appointments_for,
)
from tierdesk.tickets.services import appointments as services

router = Router(tags=["appointments"])

ONE = {200: AppointmentOut, **ERRORS}


def _agent(user_id: int | None) -> User | None:
    return None if user_id is None else account_selectors.staff_user_get(user_id=user_id)


def _contact(user: User, contact_id: int | None) -> Contact | None:
    return None if contact_id is None else account_selectors.contact_get_for(user=user, contact_id=contact_id)


def _answer(request: HttpRequest, response: HttpResponse, appointment_id: int) -> Appointment:
    """Re-read the appointment (its new version) for the answer, with the version as the ETag."""
    appointment = appointment_get_for(user=caller(request), appointment_id=appointment_id)
    response["ETag"] = f'"{appointment.version}"'
    return appointment


@router.get(
    "/tickets/{number}/appointments",
    response={200: list[AppointmentOut] | list[CustomerAppointmentOut], **ERRORS},
    summary="The ticket's appointments (customers: the upcoming ones)",
)
def ticket_appointment_list(request: HttpRequest, number: str) -> Any:
    user = caller(request)
    rows = ticket_appointments_for(user=user, ticket=_ticket(request, number))
    schema = AppointmentOut if is_staff_member(user) else CustomerAppointmentOut
    return [schema.model_validate(row) for row in rows]


@router.post(
    "/tickets/{number}/appointments",
    response={201: AppointmentOut, **ERRORS},
    summary="Plan an appointment; the ticket waits until it starts (staff)",
)
def appointment_create(request: HttpRequest, response: HttpResponse, number: str, payload: AppointmentIn) -> Any:
    ticket = _ticket(request, number)
    user = require_staff(request)
    appointment = services.appointment_schedule(
        ticket=ticket,
        by=user,
        kind=payload.kind,
        starts_at=payload.starts_at,
        duration_minutes=payload.duration_minutes,
        agent=_agent(payload.agent),
        contact=_contact(user, payload.contact),
        location=payload.location,
        note=payload.note,
        channel=request_channel(request),
        expected_version=_expected_version(request, payload.version),
    )
    return Status(201, _answer(request, response, appointment.pk))


@router.get("/appointments", response={200: AppointmentPage, **ERRORS}, summary="Appointments, e.g. a week (staff)")
def appointment_list(request: HttpRequest, query: Query[AppointmentQuery]) -> Any:
    user = require_staff(request)
    rows = appointment_list_for(
        user=user,
        agent_id=query.agent,
        starts_from=query.starts_from,
        starts_before=query.starts_before,
        statuses=tuple(query.status),
    )
    return paginate(rows, query)


@router.get("/appointments/{appointment_id}", response=ONE, summary="One appointment (staff)")
def appointment_detail(request: HttpRequest, response: HttpResponse, appointment_id: int) -> Any:
    require_staff(request)
    return _answer(request, response, appointment_id)


@router.patch("/appointments/{appointment_id}", response=ONE, summary="Move or change an appointment (staff)")
def appointment_update(
    request: HttpRequest, response: HttpResponse, appointment_id: int, payload: AppointmentPatch
) -> Any:
    user = require_staff(request)
    appointment = appointment_get_for(user=user, appointment_id=appointment_id)
    changes = payload.changes(exclude=frozenset({"version"}))
    services.appointment_reschedule(
        appointment=appointment,
        by=user,
        kind=changes.get("kind"),
        starts_at=changes.get("starts_at"),
        duration_minutes=changes.get("duration_minutes"),
        agent=_agent(changes.get("agent")),
        contact=_contact(user, changes.get("contact")),
        location=changes.get("location"),
        note=changes.get("note"),
        channel=request_channel(request),
        expected_version=_expected_version(request, payload.version),
    )
    return _answer(request, response, appointment_id)


@router.post("/appointments/{appointment_id}/cancel", response=ONE, summary="Cancel an appointment (staff)")
def appointment_cancel(
    request: HttpRequest, response: HttpResponse, appointment_id: int, payload: AppointmentCloseIn
) -> Any:
    user = require_staff(request)
    services.appointment_cancel(
        appointment=appointment_get_for(user=user, appointment_id=appointment_id),
        by=user,
        reason=payload.reason,
        channel=request_channel(request),
        expected_version=_expected_version(request, payload.version),
    )
    return _answer(request, response, appointment_id)


@router.post("/appointments/{appointment_id}/done", response=ONE, summary="Record that it took place (staff)")
def appointment_done(
    request: HttpRequest, response: HttpResponse, appointment_id: int, payload: AppointmentCloseIn
) -> Any:
    user = require_staff(request)
    services.appointment_mark_done(
        appointment=appointment_get_for(user=user, appointment_id=appointment_id),
        by=user,
        note=payload.reason,
        channel=request_channel(request),
        expected_version=_expected_version(request, payload.version),
    )
    return _answer(request, response, appointment_id)
