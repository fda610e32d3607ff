"""Appointments with the customer on a ticket: a remote session, an update call or a visit, at a
time, with one agent and one contact. The rules for scheduling, moving and cancelling them live in
services/appointments.py; the invitations (iCalendar) in calendar_ics.py and the mail app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import Contact
from tierdesk.core.models import TimeStampedModel
from tierdesk.tickets.choices_appointments import AppointmentKind, AppointmentStatus
from tierdesk.tickets.models.ticket import Ticket

# Bounds of an appointment's length in minutes (also a database constraint).
MIN_DURATION_MINUTES = 5
MAX_DURATION_MINUTES = 8 * 60


class Appointment(TimeStampedModel):
    """One appointment of a ticket, from `starts_at` to `ends_at` (kept with the duration so that
    the agenda and the overlap check are plain range queries in SQL).

    `uid` and `sequence` are its iCalendar identity (RFC 5545): the UID never changes, and the
    sequence goes up with every change the attendees are sent, so that their calendars replace
    the older copy. `version` is bumped by every write: the version token of the start timer
    (convention 4) and the guard against lost updates. `holds_ticket_since` is the ticket's
    `status_changed_at` when this appointment put it to wait: the timer resumes the ticket only
    while it still waits since then (nobody resumed, resolved or re-parked it by hand)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="appointments")
    kind = models.CharField(_("kind"), max_length=20, choices=AppointmentKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    ends_at = models.DateTimeField(_("ends"), editable=False)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("agent")
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("contact")
    )
    location = models.CharField(
        _("where"), max_length=500, blank=True, help_text=_("The remote session link, a phone number or an address.")
    )
    note = models.TextField(_("note for the customer"), blank=True)
    uid = models.CharField(max_length=255, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    holds_ticket_since = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["agent", "starts_at"], name="appointment_agent_start_idx"),
            models.Index(fields=["starts_at"], name="appointment_start_idx"),
            models.Index(fields=["ticket", "starts_at"], name="appointment_ticket_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=MIN_DURATION_MINUTES)
                & models.Q(duration_minutes__lte=MAX_DURATION_MINUTES),
                name="appointment_duration_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on ticket {self.ticket_id} at {self.starts_at:%Y-%m-%d %H:%M}"
