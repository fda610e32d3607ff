"""The record of customer notifications, one row per (ticket, event): the guard that keeps a
retried task from mailing twice."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tierdesk.tickets.models import Ticket


class NotificationKind(models.TextChoices):
    """What a customer notification is about."""

    TICKET_CREATED = "ticket_created", _("Ticket received")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PUBLIC_REPLY = "public_reply", _("Public reply")
    RULE_ALERT = "rule_alert", _("Rule alert")
    CLOSE_REMINDER = "close_reminder", _("Closing reminder")
    MENTION = "mention", _("Mention")
    WATCHER_UPDATE = "watcher_update", _("Update for a follower")
    APPOINTMENT = "appointment", _("Appointment invitation")


class NotificationState(models.TextChoices):
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class NotificationLog(models.Model):
    """One customer e-mail about one ticket event, and how far its sending got.

    The unique (ticket, event_key) pair is the idempotency guard: a run first claims the row
    (insert, or take over a FAILED one, or a SENDING one whose lease ran out), then sends outside
    any transaction, then marks it SENT. A second run finds the row claimed and sends nothing, or,
    if the claim is older than the lease (TIERDESK_NOTIFICATION_LEASE_SECONDS), sends it again
    under the same Message-ID: its run died mid-send (docs/adr/0004)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notifications")
    event_key = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    state = models.CharField(max_length=10, choices=NotificationState.choices, default=NotificationState.SENDING)
    recipient = models.EmailField()
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=300)
    message_id = models.CharField(max_length=255)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the current run claimed the row: the lease on a SENDING row counts from here.
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "event_key"], name="notification_log_ticket_event_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_key} for ticket {self.ticket_id}: {self.state}"
