"""Presentation filters of the agent desk: badge tones and readable history values.

Models carry semantic values only (convention 6); the mapping to a look lives here."""

from __future__ import annotations

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db.models import TextChoices

from tierdesk.tickets.choices import Impact, Level, Priority, SecondLevelDecision, Status, Urgency, WaitingOn
from tierdesk.tickets.choices_links import HISTORY_FIELD_LABELS
from tierdesk.tickets.models import Ticket

register = template.Library()

PRIORITY_TONES: dict[str, str] = {
    Priority.P1: "critical",
    Priority.P2: "high",
    Priority.P3: "medium",
    Priority.P4: "low",
    Priority.P5: "planning",
}

STATUS_TONES: dict[str, str] = {
    Status.NEW: "new",
    Status.OPEN: "active",
    Status.WAITING: "paused",
    Status.RESOLVED: "done",
    Status.CLOSED: "closed",
}

# History rows store the raw value of a field; these fields have labels to show instead.
CHOICE_FIELDS: dict[str, type[TextChoices]] = {
    "status": Status,
    "level": Level,
    "priority": Priority,
    "urgency": Urgency,
    "impact": Impact,
    "waiting_on": WaitingOn,
    "second_level_request": SecondLevelDecision,
}


@register.filter
def priority_tone(priority: str) -> str:
    """The badge tone of a priority: p1 critical, p2 high, p3 medium, p4 low, p5 planning."""
    return PRIORITY_TONES.get(str(priority), "neutral")


@register.filter
def status_tone(status: str) -> str:
    return STATUS_TONES.get(str(status), "neutral")


@register.filter
def choice_label(value: str, field: str) -> str:
    """The label of a stored choice value for history rows ("second" -> "Second level")."""
    choices = CHOICE_FIELDS.get(field)
    if choices is None or value == "":
        return value
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@register.filter
def field_label(name: str) -> str:
    """The translated name of a ticket field named in a history row ("waiting_on" -> "waiting on")."""
    if name in HISTORY_FIELD_LABELS:
        return str(HISTORY_FIELD_LABELS[name])
    try:
        field = Ticket._meta.get_field(name)
    except FieldDoesNotExist:
        return name.replace("_", " ")
    return str(getattr(field, "verbose_name", name))
