"""Saved views of the desk's ticket list: a named filter with its columns and sort, personal or
shared with every staff member. What a view may hold is checked by view_spec.py; who may change
it by permissions_views.py; the changes themselves live in services/views.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.core.models import TimeStampedModel

MAX_VIEW_NAME_LENGTH = 100


class SortDirection(models.TextChoices):
    ASC = "asc", _("Ascending")
    DESC = "desc", _("Descending")


def default_columns() -> list[str]:
    # Mirrors view_spec.DEFAULT_COLUMNS; a callable so that rows never share one list.
    return ["number", "subject", "organisation", "status", "priority", "assignee", "due_at"]


class SavedView(TimeStampedModel):
    """One saved filter. `filters` holds cleaned TicketFilter fields and `cf_<key>` custom-field
    filters; `columns` an ordered list of column keys; `position` its place in its owner's list.
    A shared view is listed for every staff member; only its owner or an administrator changes it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(_("name"), max_length=MAX_VIEW_NAME_LENGTH)
    is_shared = models.BooleanField(_("shared with all staff"), default=False)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    columns = models.JSONField(_("columns"), default=default_columns)
    sort_field = models.CharField(_("sort by"), max_length=20, default="priority")
    sort_direction = models.CharField(
        _("sort direction"), max_length=4, choices=SortDirection.choices, default=SortDirection.ASC
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="saved_view_owner_name_unique")]
        indexes = [
            models.Index(fields=["owner", "position", "id"], name="saved_view_owner_pos"),
            models.Index(fields=["is_shared", "position", "id"], name="saved_view_shared_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (user {self.owner_id}{', shared' if self.is_shared else ''})"
