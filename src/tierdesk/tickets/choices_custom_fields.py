"""Kinds of custom fields and the operators of their conditions. Pure: no ORM."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldType(models.TextChoices):
    """What a custom field holds; the value column it is stored in follows from it."""

    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    USER = "user", _("Staff member")


# Types whose value is one of the definition's `choices`.
CHOICE_TYPES = frozenset({FieldType.CHOICE, FieldType.MULTI_CHOICE})
# Types that can be compared with "at least" / "at most" (filters and conditions).
ORDERED_TYPES = frozenset({FieldType.NUMBER, FieldType.DATE})
