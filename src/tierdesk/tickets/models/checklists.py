"""Checklists inside a ticket (internal work: staff only) and the templates per category they
can be filled from. The rules for changing them live in services/checklists.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tierdesk.tickets.models.ticket import Category, Ticket

MAX_ITEM_LENGTH = 500


class ChecklistItem(models.Model):
    """One step of a ticket's checklist. `done_at`/`done_by` say who ticked it and when; both are
    cleared when it is reopened (the history keeps the earlier ticks)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="checklist_items")
    text = models.CharField(max_length=MAX_ITEM_LENGTH)
    position = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        # The list in order and the board's per-ticket counts read this index only by ticket.
        indexes = [models.Index(fields=["ticket", "position", "id"], name="checklist_item_ticket_pos")]

    def __str__(self) -> str:
        return f"{self.text[:40]} (ticket {self.ticket_id})"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class ChecklistTemplate(models.Model):
    """A named list of steps; active templates of a ticket's category (or of any category, when
    `category` is empty) are copied onto a new ticket of that category."""

    name = models.CharField(max_length=100, unique=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="checklist_templates"
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ChecklistTemplateItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(max_length=MAX_ITEM_LENGTH)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:40]
