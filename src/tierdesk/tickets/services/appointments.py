"""Appointments with the customer on a ticket: schedule, reschedule, cancel, mark done, and the
start timer that takes the ticket back into work when the appointment begins.

Scheduling parks the ticket (waiting on the customer, the SLA clock paused) until the appointment;
a durable timer (tasks.appointment_due, run_after the start) resumes it then, unless the
appointment changed meanwhile (its `version` is the timer's token) or somebody resumed, resolved
or re-parked the ticket by hand (`holds_ticket_since`). Each change locks the ticket, then the
agent (so that two schedules for one agent cannot both pass the overlap check), writes a history
row and publishes AppointmentChanged after commit (the mail app sends the iCalendar invitations).
It sends no mail itself.

Error codes: appointment.in_past, appointment.too_far, appointment.invalid_duration,
appointment.invalid_kind, appointment.not_staff, appointment.contact_required,
appointment.foreign_contact, appointment.overlap (409), appointment.not_scheduled (409),
appointment.ticket_not_active (409), appointment.version_conflict (409), appointment.not_found
(404); ticket.forbidden (403), ticket.version_conflict (409)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_tasks import default_task_backend

from tierdesk.accounts.models import Contact, User
from tierdesk.accounts.selectors import staff_users
from tierdesk.accounts.services import automation_user
from tierdesk.core.addresses import mail_domain
from tierdesk.core.errors import Conflict, NotFound, ValidationFailed
from tierdesk.core.events import publish
from tierdesk.tickets import history
from tierdesk.tickets.choices import Channel, HistoryAction, Status, WaitingOn
from tierdesk.tickets.choices_appointments import AppointmentKind, AppointmentStatus
from tierdesk.tickets.errors import TicketNotFound
from tierdesk.tickets.events import AppointmentChanged
from tierdesk.tickets.locks import lock_ticket
from tierdesk.tickets.models import Appointment, Ticket
from tierdesk.tickets.models.appointments import MAX_DURATION_MINUTES, MIN_DURATION_MINUTES
from tierdesk.tickets.rules import ACTIVE_STATUSES
from tierdesk.tickets.services.transitions import require_staff, save_ticket, ticket_resume, ticket_wait

# How far ahead an appointment may be planned: further out is more likely a typo of the year.
MAX_DAYS_AHEAD = 366
# The history rows' field for appointments.
APPOINTMENT_FIELD = "appointment"
MAX_LOCATION_LENGTH = 500
MAX_NOTE_LENGTH = 2000


@dataclass(frozen=True)
class _Plan:
    """What an appointment is to be, validated."""

    kind: AppointmentKind
    starts_at: datetime
    duration_minutes: int
    agent: User
    contact: Contact
    location: str
    note: str

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


def _uid() -> str:
    """A globally unique, never changing iCalendar UID (RFC 5545 3.8.4.7): random, at our mail domain."""
    return f"{uuid.uuid4().hex}@{mail_domain()}"


def _when(moment: datetime) -> str:
    """How history rows show a time: in the desk's zone, the way the page shows times."""
    return str(formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT"))


def _summary(plan: _Plan | Appointment) -> str:
    """The history's one-line account of an appointment: kind, time, length, agent."""
    return _("%(kind)s on %(when)s, %(minutes)d min, with %(agent)s") % {
        "kind": AppointmentKind(plan.kind).label,
        "when": _when(plan.starts_at),
        "minutes": plan.duration_minutes,
        "agent": plan.agent.display_name,
    }


def _validate(
    *,
    ticket: Ticket,
    kind: str,
    starts_at: datetime,
    duration_minutes: int,
    agent: User,
    contact: Contact | None,
    location: str,
    note: str,
    now: datetime,
) -> _Plan:
    try:
        valid_kind = AppointmentKind(kind)
    except ValueError:
        raise ValidationFailed(
            _("%(value)r is not a kind of appointment.") % {"value": kind},
            code="appointment.invalid_kind",
            field="kind",
        ) from None
    if timezone.is_naive(starts_at):
        raise ValidationFailed(_("Give the start with its time zone."), code="appointment.in_past", field="starts_at")
    if starts_at <= now:
        raise ValidationFailed(
            _("An appointment must start in the future."), code="appointment.in_past", field="starts_at"
        )
    if starts_at > now + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailed(
            _("An appointment can be planned at most %(days)d days ahead.") % {"days": MAX_DAYS_AHEAD},
            code="appointment.too_far",
            field="starts_at",
        )
    if not MIN_DURATION_MINUTES <= duration_minutes <= MAX_DURATION_MINUTES:
        raise ValidationFailed(
            _("An appointment lasts from %(min)d to %(max)d minutes.")
            % {"min": MIN_DURATION_MINUTES, "max": MAX_DURATION_MINUTES},
            code="appointment.invalid_duration",
            field="duration_minutes",
        )
    if not staff_users().filter(pk=agent.pk).exists():
        raise ValidationFailed(
            _("Only an active agent can hold an appointment."), code="appointment.not_staff", field="agent"
        )
    if contact is None:
        raise ValidationFailed(
            _("Name the contact the appointment is with; this ticket has no requester."),
            code="appointment.contact_required",
            field="contact",
        )
    if contact.organisation_id != ticket.organisation_id or not contact.is_active:
        raise ValidationFailed(
            _("Only an active contact of %(organisation)s can be invited.")
            % {"organisation": ticket.organisation.name},
            code="appointment.foreign_contact",
            field="contact",
        )
    location = location.strip()
    if len(location) > MAX_LOCATION_LENGTH:
        raise ValidationFailed(
            _("The place can be at most %(count)d characters.") % {"count": MAX_LOCATION_LENGTH},
            code="appointment.invalid_location",
            field="location",
        )
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationFailed(
            _("The note can be at most %(count)d characters.") % {"count": MAX_NOTE_LENGTH},
            code="appointment.invalid_note",
            field="note",
        )
    return _Plan(
        kind=valid_kind,
        starts_at=starts_at.astimezone(UTC),
        duration_minutes=duration_minutes,
        agent=agent,
        contact=contact,
        location=location,
        note=note,
    )


def _check_free(plan: _Plan, *, exclude_id: int | None = None) -> None:
    """The agent has no other scheduled appointment overlapping this one (touching ends are fine).
    Runs under the agent's row lock (_lock_agent)."""
    clash = (
        Appointment.objects.filter(
            agent_id=plan.agent.pk,
            status=AppointmentStatus.SCHEDULED,
            starts_at__lt=plan.ends_at,
            ends_at__gt=plan.starts_at,
        )
        .exclude(pk=exclude_id or 0)
        .select_related("ticket")
        .order_by("starts_at", "id")
        .first()
    )
    if clash is not None:
        raise Conflict(
            _("%(agent)s has another appointment then: ticket #%(number)s, %(start)s to %(end)s.")
            % {
                "agent": plan.agent.display_name,
                "number": clash.ticket.number,
                "start": _when(clash.starts_at),
                "end": _when(clash.ends_at),
            },
            code="appointment.overlap",
            field="starts_at",
        )


def _lock_agent(agent: User) -> None:
    """Serialise the schedules of one agent: two agents scheduling the same colleague at once
    must not both find the slot free. Taken after the ticket lock, always in that order."""
    list(User.objects.select_for_update().filter(pk=agent.pk).values_list("pk", flat=True))


def _require_active(ticket: Ticket) -> None:
    if ticket.status not in ACTIVE_STATUSES:
        raise Conflict(
            _("Reopen the ticket before planning an appointment on it."), code="appointment.ticket_not_active"
        )


def _park(ticket: Ticket, appointment: Appointment, *, by: User, channel: str) -> None:
    """Let the ticket wait on the customer until the appointment, and remember since when."""
    note = _("Until the appointment on %(when)s.") % {"when": _when(appointment.starts_at)}
    waiting = ticket_wait(ticket=ticket, on=WaitingOn.CUSTOMER, by=by, note=note, channel=channel)
    appointment.holds_ticket_since = waiting.status_changed_at


def _holds(appointment: Appointment, ticket: Ticket) -> bool:
    """The ticket still waits because of this appointment: nobody moved it since it was parked."""
    return (
        ticket.status == Status.WAITING
        and appointment.holds_ticket_since is not None
        and ticket.status_changed_at == appointment.holds_ticket_since
    )


def _release(ticket: Ticket, appointment: Appointment, *, by: User, channel: str, note: str) -> None:
    """Take the ticket back into work if this appointment still holds it and no other scheduled
    appointment of the ticket does (that one's timer resumes it at its own start)."""
    if not _holds(appointment, ticket):
        return
    others = Appointment.objects.filter(
        ticket_id=ticket.pk, status=AppointmentStatus.SCHEDULED, holds_ticket_since=appointment.holds_ticket_since
    ).exclude(pk=appointment.pk)
    if not others.exists():
        ticket_resume(ticket=ticket, by=by, note=note, channel=channel)


def _schedule_timer(appointment: Appointment) -> None:
    """After commit, enqueue the start timer for the appointment's current version. Nothing is
    enqueued when the task backend cannot defer (the immediate backend of the tests would resume
    the ticket at once, before its time): tests run the task function with the token instead."""
    appointment_id, token, due = appointment.pk, appointment.version, appointment.starts_at

    def enqueue() -> None:
        if not default_task_backend.supports_defer:
            return
        # Imported here: tasks -> services would otherwise import in a circle.
        from tierdesk.tickets.tasks import appointment_due

        appointment_due.using(run_after=due).enqueue(appointment_id, token)

    transaction.on_commit(enqueue)


def _lock_appointment(appointment_id: int, *, expected_version: int | None) -> Appointment:
    """The appointment under its row lock (its ticket is locked first by the caller)."""
    found = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("agent", "contact", "ticket")
        .filter(pk=appointment_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such appointment."), code="appointment.not_found")
    if expected_version is not None and found.version != expected_version:
        raise Conflict(
            _("The appointment was changed by someone else (version %(current)s, you had %(expected)s). Reload it.")
            % {"current": found.version, "expected": expected_version},
            code="appointment.version_conflict",
        )
    return found


def _publish(
    appointment: Appointment,
    *,
    by: User | None,
    former_agent_id: int | None = None,
    former_contact_id: int | None = None,
) -> None:
    publish(
        AppointmentChanged(
            appointment_id=appointment.pk,
            ticket_id=appointment.ticket_id,
            sequence=appointment.sequence,
            is_cancelled=appointment.status == AppointmentStatus.CANCELLED,
            by_id=by.pk if by is not None else None,
            former_agent_id=former_agent_id,
            former_contact_id=former_contact_id,
        )
    )


@transaction.atomic
def appointment_schedule(
    *,
    ticket: Ticket,
    by: User,
    kind: str,
    starts_at: datetime,
    duration_minutes: int,
    agent: User | None = None,
    contact: Contact | None = None,
    location: str = "",
    note: str = "",
    channel: str = Channel.WEB,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Plan an appointment on the ticket with `agent` (default: the caller) and `contact`
    (default: the requester), and let the ticket wait on the customer until it starts."""
    require_staff(by)
    now = now or timezone.now()
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    _require_active(ticket)
    plan = _validate(
        ticket=ticket,
        kind=kind,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        agent=agent or by,
        contact=contact if contact is not None else ticket.requester,
        location=location,
        note=note,
        now=now,
    )
    _lock_agent(plan.agent)
    _check_free(plan)
    appointment = Appointment.objects.create(
        ticket=ticket,
        kind=plan.kind,
        starts_at=plan.starts_at,
        duration_minutes=plan.duration_minutes,
        ends_at=plan.ends_at,
        agent=plan.agent,
        contact=plan.contact,
        location=plan.location,
        note=plan.note,
        uid=_uid(),
        created_by=by,
    )
    history.record(
        ticket=ticket,
        by=by,
        channel=channel,
        action=HistoryAction.APPOINTMENT_SCHEDULED,
        field=APPOINTMENT_FIELD,
        new=_summary(plan),
        note=plan.note,
    )
    save_ticket(ticket, [])
    _park(ticket, appointment, by=by, channel=channel)
    appointment.save(update_fields=["holds_ticket_since"])
    _schedule_timer(appointment)
    _publish(appointment, by=by)
    return appointment


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    by: User,
    starts_at: datetime | None = None,
    duration_minutes: int | None = None,
    kind: str | None = None,
    agent: User | None = None,
    contact: Contact | None = None,
    location: str | None = None,
    note: str | None = None,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
    expected_ticket_version: int | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Change a scheduled appointment (fields left None stay). The attendees get the new version
    (SEQUENCE + 1); a replaced agent or contact gets a cancellation. The old start timer no
    longer matches the version and does nothing; a new one is planned. The ticket waits again
    until the new start if it is in work."""
    require_staff(by)
    now = now or timezone.now()
    ticket = lock_ticket(appointment.ticket_id, expected_version=expected_ticket_version)
    appointment = _lock_appointment(appointment.pk, expected_version=expected_version)
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise Conflict(_("Only a scheduled appointment can be changed."), code="appointment.not_scheduled")
    _require_active(ticket)
    plan = _validate(
        ticket=ticket,
        kind=kind if kind is not None else appointment.kind,
        starts_at=starts_at if starts_at is not None else appointment.starts_at,
        duration_minutes=duration_minutes if duration_minutes is not None else appointment.duration_minutes,
        agent=agent if agent is not None else appointment.agent,
        contact=contact if contact is not None else appointment.contact,
        location=location if location is not None else appointment.location,
        note=note if note is not None else appointment.note,
        now=now,
    )
    before = _summary(appointment)
    former_agent, former_contact = appointment.agent, appointment.contact
    unchanged = (
        plan.kind == appointment.kind
        and plan.starts_at == appointment.starts_at
        and plan.duration_minutes == appointment.duration_minutes
        and plan.agent.pk == former_agent.pk
        and plan.contact.pk == former_contact.pk
        and plan.location == appointment.location
        and plan.note == appointment.note
    )
    if unchanged:
        return appointment
    _lock_agent(plan.agent)
    _check_free(plan, exclude_id=appointment.pk)
    appointment.kind, appointment.starts_at, appointment.duration_minutes = (
        plan.kind,
        plan.starts_at,
        plan.duration_minutes,
    )
    appointment.ends_at, appointment.agent, appointment.contact = plan.ends_at, plan.agent, plan.contact
    appointment.location, appointment.note = plan.location, plan.note
    appointment.sequence += 1
    appointment.version += 1
    history.record(
        ticket=ticket,
        by=by,
        channel=channel,
        action=HistoryAction.APPOINTMENT_CHANGED,
        field=APPOINTMENT_FIELD,
        old=before,
        new=_summary(plan),
        note=plan.note,
    )
    save_ticket(ticket, [])
    if ticket.status in (Status.NEW, Status.OPEN) or _holds(appointment, ticket):
        _park(ticket, appointment, by=by, channel=channel)
    appointment.save()
    _schedule_timer(appointment)
    _publish(
        appointment,
        by=by,
        former_agent_id=former_agent.pk if former_agent.pk != plan.agent.pk else None,
        former_contact_id=former_contact.pk if former_contact.pk != plan.contact.pk else None,
    )
    return appointment


def _close(
    *,
    appointment: Appointment,
    by: User,
    to: AppointmentStatus,
    reason: str,
    channel: str,
    expected_version: int | None,
    expected_ticket_version: int | None,
) -> Appointment:
    """Cancel, or mark done: the appointment leaves the agenda, and a ticket still parked by it
    goes back into work now."""
    require_staff(by)
    ticket = lock_ticket(appointment.ticket_id, expected_version=expected_ticket_version)
    appointment = _lock_appointment(appointment.pk, expected_version=expected_version)
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise Conflict(
            _("The appointment is %(status)s already.") % {"status": AppointmentStatus(appointment.status).label},
            code="appointment.not_scheduled",
        )
    appointment.status = to
    appointment.version += 1
    cancelled = to == AppointmentStatus.CANCELLED
    if cancelled:
        appointment.sequence += 1  # RFC 5546 3.2.5: a CANCEL carries a higher sequence
    reason = reason.strip()[:MAX_NOTE_LENGTH]
    history.record(
        ticket=ticket,
        by=by,
        channel=channel,
        action=HistoryAction.APPOINTMENT_CANCELLED if cancelled else HistoryAction.APPOINTMENT_CHANGED,
        field=APPOINTMENT_FIELD,
        old=_summary(appointment),
        new=AppointmentStatus(to).label,
        note=reason,
    )
    save_ticket(ticket, [])
    note = _("Appointment cancelled.") if cancelled else _("Appointment held.")
    _release(ticket, appointment, by=by, channel=channel, note=note)
    appointment.save()
    if cancelled:
        _publish(appointment, by=by)
    return appointment


@transaction.atomic
def appointment_cancel(
    *,
    appointment: Appointment,
    by: User,
    reason: str = "",
    channel: str = Channel.WEB,
    expected_version: int | None = None,
    expected_ticket_version: int | None = None,
) -> Appointment:
    """Call the appointment off: the attendees get a cancellation (METHOD:CANCEL)."""
    return _close(
        appointment=appointment,
        by=by,
        to=AppointmentStatus.CANCELLED,
        reason=reason,
        channel=channel,
        expected_version=expected_version,
        expected_ticket_version=expected_ticket_version,
    )


@transaction.atomic
def appointment_mark_done(
    *,
    appointment: Appointment,
    by: User,
    note: str = "",
    channel: str = Channel.WEB,
    expected_version: int | None = None,
    expected_ticket_version: int | None = None,
) -> Appointment:
    """Record that the appointment took place (no mail: the attendees were there)."""
    return _close(
        appointment=appointment,
        by=by,
        to=AppointmentStatus.DONE,
        reason=note,
        channel=channel,
        expected_version=expected_version,
        expected_ticket_version=expected_ticket_version,
    )


def appointment_start(*, appointment_id: int, token: int) -> bool:
    """The start timer's work: resume the ticket the appointment parked, if the appointment is
    still the one planned (`token`), still scheduled, and the ticket still waits since it parked
    it. Returns whether the ticket was resumed. Locks the ticket first, like every writer."""
    row = Appointment.objects.filter(pk=appointment_id).values_list("ticket_id", "version").first()
    if row is None or row[1] != token:
        return False  # cancelled away, or moved: the newer timer (if any) takes over
    with transaction.atomic():
        try:
            ticket = lock_ticket(row[0])
        except TicketNotFound:
            return False
        appointment = Appointment.objects.select_for_update(of=("self",)).filter(pk=appointment_id).first()
        if appointment is None or appointment.version != token or appointment.status != AppointmentStatus.SCHEDULED:
            return False
        if not _holds(appointment, ticket):
            return False  # resumed, resolved or parked again by hand meanwhile: not ours to undo
        ticket_resume(
            ticket=ticket,
            by=automation_user(),
            note=_("The appointment starts."),
            channel=Channel.SYSTEM,
        )
        return True
