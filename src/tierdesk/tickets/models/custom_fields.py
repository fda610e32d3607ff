"""Custom fields: definitions (what an administrator adds to tickets of all organisations, of one
organisation or of one category) and their values on tickets. The rules of filling them in live in
services/custom_fields.py, the condition language in conditions_custom_fields.py.

A value is stored in the column of its type (text, number, date or user), so that filters run in
SQL on an index per column. A multiple choice is one row per chosen option (`ordinal` 0, 1, ...);
every other type has one row per ticket and field (`ordinal` 0)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import Organisation
from tierdesk.tickets.choices_custom_fields import FieldType
from tierdesk.tickets.models.ticket import Category, Ticket

MAX_KEY_LENGTH = 40
MAX_LABEL_LENGTH = 100
MAX_TEXT_LENGTH = 500
MAX_CHOICES = 50
MAX_CHOICE_LENGTH = 100


class CustomField(models.Model):
    """One field an administrator added to tickets.

    Scope: every ticket (no organisation, no category), the tickets of one organisation, of one
    category, or of both at once. `required`: always required; `required_when`: required when the
    condition holds; `visible_when`: the field applies only when the condition holds (otherwise it
    is not shown, not required, and a value for it is refused). Deactivated fields keep their
    values but are no longer shown or asked for."""

    key = models.SlugField(
        _("key"),
        max_length=MAX_KEY_LENGTH,
        unique=True,
        help_text=_("Lower-case letters, digits and _; used in the API, filters (cf_<key>) and exports."),
    )
    label = models.CharField(_("label"), max_length=MAX_LABEL_LENGTH)
    field_type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="custom_fields",
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="custom_fields",
    )
    required = models.BooleanField(_("always required"), default=False)
    required_when = models.JSONField(_("required when"), null=True, blank=True)
    visible_when = models.JSONField(_("visible when"), null=True, blank=True)
    visible_to_customer = models.BooleanField(
        _("customers see and fill it"), default=False, help_text=_("Shown on the portal's form and tickets.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(required=True) & models.Q(required_when__isnull=False)),
                name="custom_field_required_or_required_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.key})"

    @property
    def is_multi(self) -> bool:
        return self.field_type == FieldType.MULTI_CHOICE


class CustomFieldValue(models.Model):
    """A ticket's value of one custom field, in the column of the field's type."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="custom_field_values")
    field = models.ForeignKey(CustomField, on_delete=models.PROTECT, related_name="values")
    ordinal = models.PositiveSmallIntegerField(default=0)
    value_text = models.CharField(max_length=MAX_TEXT_LENGTH, blank=True)
    value_number = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    value_date = models.DateField(null=True, blank=True)
    value_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["field_id", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "field", "ordinal"], name="custom_field_value_unique"),
        ]
        # Filters ask "which tickets have this value of this field": one index per value column.
        indexes = [
            models.Index(fields=["field", "value_text"], name="cf_value_text_idx"),
            models.Index(fields=["field", "value_number"], name="cf_value_number_idx"),
            models.Index(fields=["field", "value_date"], name="cf_value_date_idx"),
            models.Index(fields=["field", "value_user"], name="cf_value_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.field_id}={self.raw!r} on ticket {self.ticket_id}"

    @property
    def raw(self) -> Any:
        """The stored scalar of this row (one option of a multiple choice)."""
        kind = self.field.field_type
        if kind == FieldType.NUMBER:
            return self.value_number
        if kind == FieldType.DATE:
            return self.value_date
        if kind == FieldType.USER:
            return self.value_user_id
        return self.value_text
