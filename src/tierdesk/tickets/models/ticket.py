"""Tickets, their comments, attachments, time entries, history, second-level requests and macros."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import Contact, Organisation
from tierdesk.core.models import TimeStampedModel
from tierdesk.tickets.choices import (
    Channel,
    HistoryAction,
    Impact,
    Level,
    Priority,
    SecondLevelDecision,
    Status,
    Urgency,
    WaitingOn,
)
from tierdesk.tickets.macros import PLACEHOLDER_HELP, MacroStatusChange


class TicketCounter(models.Model):
    """One row per sequence; `ticket_number_next` bumps it under the row lock so that
    concurrent creators never get the same number (on SQLite the write lock serialises them)."""

    name = models.CharField(max_length=40, unique=True)
    value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Category(models.Model):
    """What a ticket is about (e.g. Printing, Network, Application error)."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.SlugField(_("name"), max_length=50, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PriorityMatrixCell(models.Model):
    """An override of the ITIL default for one urgency x impact pair."""

    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    impact = models.CharField(max_length=10, choices=Impact.choices)
    priority = models.CharField(max_length=2, choices=Priority.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["urgency", "impact"], name="priority_matrix_cell_unique")]

    def __str__(self) -> str:
        return f"{self.urgency} x {self.impact} = {self.priority}"


class Ticket(TimeStampedModel):
    """A case: one contact's request with its number, level, status, priority and deadline."""

    number = models.BigIntegerField(_("number"), unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tickets")
    requester = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.PORTAL)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.FIRST)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    waiting_on = models.CharField(_("waiting on"), max_length=12, choices=WaitingOn.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.MEDIUM)
    impact = models.CharField(_("impact"), max_length=10, choices=Impact.choices, default=Impact.LOW)
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices, default=Priority.P4)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tickets"
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # When the ticket entered its level and its status: the anchors of time rules ("30 minutes at
    # first level") and part of the state a rule fires once for (automation/state.py).
    level_entered_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The deadline clock is paused while the ticket waits on the customer.
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The SLA the deadlines run on (sla_clock.py); due_at is the nearest of them still open.
    sla_policy = models.ForeignKey(
        "sla.SlaPolicy", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets", editable=False
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    # The next public update owed to the customer (policies with a next-update target): set by
    # each public reply from staff, cleared when the ticket is resolved.
    next_update_due = models.DateTimeField(_("next update due"), null=True, blank=True)
    # Business seconds the clock stood still (waits on the customer) so far.
    sla_paused_seconds = models.PositiveIntegerField(default=0, editable=False)
    # The timer's version token: bumped whenever the deadlines are (re)planned, so that a
    # scheduled SLA check of an older plan finds it changed and does nothing (convention 4).
    sla_version = models.PositiveIntegerField(default=0, editable=False)
    # When the SLA checks recorded a near-breach (warning) or breach of each deadline: once each.
    first_response_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_update_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_update_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    bug_key = models.CharField(_("bug reference"), max_length=100, blank=True)
    bug_url = models.URLField(_("bug URL"), max_length=500, blank=True)
    # A child ticket (e.g. one per affected workstation) under its parent, one level deep
    # (services/links.py). PROTECT: a child never loses its parent silently; detach it first.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent ticket"),
    )
    # Set when this ticket was merged into another (services/merge.py): its conversation moved
    # there and its number keeps leading there (selectors.ticket_get_for, mail threading). Always
    # a ticket that is not merged itself: merging the target later re-points these too.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_tickets",
        editable=False,
        verbose_name=_("merged into"),
    )
    merged_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Bumped by every write; a writer that read an older version gets a conflict.
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["priority", "due_at", "created_at", "id"]
        indexes = [
            models.Index(fields=["priority", "due_at", "created_at", "id"], name="ticket_queue_idx"),
            models.Index(fields=["status", "level", "priority", "due_at", "created_at"], name="ticket_board_idx"),
            models.Index(fields=["organisation", "priority", "due_at", "created_at"], name="ticket_org_queue_idx"),
            models.Index(fields=["requester", "priority", "due_at", "created_at"], name="ticket_requester_queue_idx"),
            models.Index(fields=["assignee", "priority", "due_at", "created_at"], name="ticket_assignee_queue_idx"),
            # Open tickets per agent (routing: the maximum per agent, least loaded) by index alone.
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status_idx"),
            # The sorts of the desk's ticket list (view_spec.SORTS), paginated in SQL.
            models.Index(fields=["created_at", "id"], name="ticket_created_idx"),
            models.Index(fields=["updated_at", "id"], name="ticket_updated_idx"),
            models.Index(fields=["due_at", "id"], name="ticket_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | ~models.Q(parent=models.F("id")), name="ticket_not_own_parent"
            ),
            models.CheckConstraint(
                condition=models.Q(merged_into__isnull=True) | ~models.Q(merged_into=models.F("id")),
                name="ticket_not_merged_into_self",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def reference(self) -> str:
        return f"{settings.TIERDESK_TICKET_PREFIX}#{self.number}"


class Comment(models.Model):
    """A public reply (seen by the customer) or an internal note (staff only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("text"))
    is_internal = models.BooleanField(_("internal note"), default=False)
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="comment_ticket_idx")]

    def __str__(self) -> str:
        return f"comment {self.pk} on ticket {self.ticket_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """A server-chosen path: the uploader's name never reaches the file system."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    safe_suffix = suffix if suffix[1:].isalnum() else ""
    return f"attachments/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{safe_suffix}"


class Attachment(models.Model):
    """A file on a ticket; downloaded only through the owner-checked view, as an attachment."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    is_internal = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename


class TimeEntry(models.Model):
    """Minutes spent on a ticket, billable or not."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="time_entries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveIntegerField()
    note = models.CharField(max_length=500, blank=True)
    is_billable = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "time entries"
        constraints = [models.CheckConstraint(condition=models.Q(minutes__gt=0), name="time_entry_minutes_positive")]

    def __str__(self) -> str:
        return f"{self.minutes} min on ticket {self.ticket_id}"


class AppendOnlyQuerySet(models.QuerySet["HistoryEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("ticket history is append-only")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise PermissionError("ticket history is append-only")


class HistoryEvent(models.Model):
    """One change of a ticket: who, when, through which channel, which field, old and new.

    Append-only: the model, its queryset and (by migration) a database trigger refuse updates
    and deletes."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="history")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    action = models.CharField(max_length=30, choices=HistoryAction.choices)
    field = models.CharField(max_length=40, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    note = models.TextField(blank=True)
    is_internal = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at", "id"], name="history_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.field} on ticket {self.ticket_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("ticket history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("ticket history is append-only")


class SecondLevelRequest(models.Model):
    """A customer's request that second level take over, decided by an agent."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="second_level_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    decision = models.CharField(max_length=10, choices=SecondLevelDecision.choices, default=SecondLevelDecision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(decision="pending"),
                name="one_pending_second_level_request",
            )
        ]

    def __str__(self) -> str:
        return f"second-level request on ticket {self.ticket_id} ({self.decision})"


class Macro(TimeStampedModel):
    """A canned reply in one language: a body with placeholders, posted as a public reply or an
    internal note, and optional field changes (status, urgency, impact, tags) made with it.

    The same name may exist once per language. Deactivated macros are kept (history names them)."""

    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    body = models.TextField(_("text"), help_text=PLACEHOLDER_HELP)
    is_internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Post the text as an internal note instead of a public reply.")
    )
    set_status = models.CharField(_("set status"), max_length=20, choices=MacroStatusChange.choices, blank=True)
    set_urgency = models.CharField(_("set urgency"), max_length=10, choices=Urgency.choices, blank=True)
    set_impact = models.CharField(_("set impact"), max_length=10, choices=Impact.choices, blank=True)
    add_tags = models.JSONField(_("add tags"), default=list, blank=True, help_text=_("A list of tag names."))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["language", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="macro_name_language_unique"),
            # The resolution text is sent to the customer: an internal note cannot be one.
            models.CheckConstraint(
                condition=~(models.Q(is_internal=True) & models.Q(set_status=MacroStatusChange.RESOLVED)),
                name="macro_internal_does_not_resolve",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"
