"""Enumerations of the tickets domain (string values, stable in the API)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import Channel, Level

__all__ = [
    "Channel",
    "HistoryAction",
    "Impact",
    "Level",
    "Priority",
    "SecondLevelDecision",
    "Status",
    "Urgency",
    "WaitingOn",
]


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class WaitingOn(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    THIRD_PARTY = "third_party", _("Third party")


class Urgency(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Impact(models.TextChoices):
    HIGH = "high", _("High: all users")
    MEDIUM = "medium", _("Medium: some users")
    LOW = "low", _("Low: one user")


class Priority(models.TextChoices):
    """P1 is the most urgent; the string values sort in priority order."""

    P1 = "p1", _("P1 Critical")
    P2 = "p2", _("P2 High")
    P3 = "p3", _("P3 Medium")
    P4 = "p4", _("P4 Low")
    P5 = "p5", _("P5 Planning")


class HistoryAction(models.TextChoices):
    CREATED = "created", _("Created")
    CHANGED = "changed", _("Changed")
    COMMENTED = "commented", _("Public reply")
    NOTE_ADDED = "note_added", _("Internal note")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    TIME_LOGGED = "time_logged", _("Time logged")
    ESCALATED = "escalated", _("Escalated")
    SENT_TO_DEVELOPMENT = "sent_to_development", _("Sent to development")
    WAITING = "waiting", _("Waiting")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Confirmed by customer")
    REOPENED = "reopened", _("Reopened")
    SECOND_LEVEL_REQUESTED = "second_level_requested", _("Second level requested")
    SECOND_LEVEL_DECIDED = "second_level_decided", _("Second-level request decided")
    MACRO_APPLIED = "macro_applied", _("Macro applied")
    SLA_WARNING = "sla_warning", _("SLA deadline near")
    SLA_BREACHED = "sla_breached", _("SLA deadline missed")
    CLOSED = "closed", _("Closed")
    RULE_APPLIED = "rule_applied", _("Rule applied")
    LINKED = "linked", _("Linked")
    UNLINKED = "unlinked", _("Link removed")
    CHILD_ADDED = "child_added", _("Child ticket added")
    CHILD_REMOVED = "child_removed", _("Child ticket removed")
    WATCHER_ADDED = "watcher_added", _("Follower added")
    WATCHER_REMOVED = "watcher_removed", _("Follower removed")
    CHECKLIST_ITEM_ADDED = "checklist_item_added", _("Checklist item added")
    CHECKLIST_ITEM_DONE = "checklist_item_done", _("Checklist item done")
    CHECKLIST_ITEM_REOPENED = "checklist_item_reopened", _("Checklist item reopened")
    CHECKLIST_ITEM_REMOVED = "checklist_item_removed", _("Checklist item removed")
    MERGED = "merged", _("Merged into another ticket")
    MERGED_FROM = "merged_from", _("Another ticket merged into this one")
    SPLIT_FROM = "split_from", _("Split off from another ticket")
    SPLIT_OFF = "split_off", _("Comment split off")
    ASSIGNED_AUTOMATICALLY = "assigned_automatically", _("Assigned automatically")
    FIELDS_CHANGED = "fields_changed", _("Custom fields changed")
    APPOINTMENT_SCHEDULED = "appointment_scheduled", _("Appointment scheduled")
    APPOINTMENT_CHANGED = "appointment_changed", _("Appointment changed")
    APPOINTMENT_CANCELLED = "appointment_cancelled", _("Appointment cancelled")


class SecondLevelDecision(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
