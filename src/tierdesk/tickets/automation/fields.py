"""The vocabulary of rule conditions: which ticket facts a condition may name, what kind of value
each holds, which operators apply, and for the clocks, from which instant they count. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from django.db.models import TextChoices

from tierdesk.tickets.choices import Channel, Impact, Level, Priority, Status, Urgency, WaitingOn


class Kind(Enum):
    CHOICE = "choice"  # one of a TextChoices' values
    TEXT = "text"  # a name (category, organisation, assignee's username)
    BOOL = "bool"
    NUMBER = "number"
    TAGS = "tags"  # a set of tag names


class Unit(Enum):
    """How a clock counts the time since its anchor, on the ticket's business calendar."""

    BUSINESS_MINUTES = "business_minutes"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class Clock:
    """A number that grows by itself: the time since `anchor` (a Ticket field) in `unit`.
    `also_worked` makes it the larger of that time and the minutes logged since the anchor."""

    anchor: str
    unit: Unit
    also_worked: bool = False


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    choices: type[TextChoices] | None = None
    optional: bool = False  # may be unset (is_set / is_not_set apply)
    clock: Clock | None = None


OPS_BY_KIND: Mapping[Kind, frozenset[str]] = {
    Kind.CHOICE: frozenset({"eq", "ne", "in", "not_in"}),
    Kind.TEXT: frozenset({"eq", "ne", "in", "not_in"}),
    Kind.BOOL: frozenset({"eq", "ne"}),
    Kind.NUMBER: frozenset({"eq", "ne", "gt", "gte", "lt", "lte"}),
    Kind.TAGS: frozenset({"contains", "not_contains", "is_set", "is_not_set"}),
}
PRESENCE_OPS = frozenset({"is_set", "is_not_set"})

_MINUTES = Unit.BUSINESS_MINUTES

FIELDS: Mapping[str, Field] = {
    field.name: field
    for field in (
        Field("level", Kind.CHOICE, Level),
        Field("status", Kind.CHOICE, Status),
        Field("priority", Kind.CHOICE, Priority),
        Field("urgency", Kind.CHOICE, Urgency),
        Field("impact", Kind.CHOICE, Impact),
        Field("channel", Kind.CHOICE, Channel),
        Field("waiting_on", Kind.CHOICE, WaitingOn, optional=True),
        Field("category", Kind.TEXT, optional=True),
        Field("organisation", Kind.TEXT),
        Field("assignee", Kind.TEXT, optional=True),
        Field("tags", Kind.TAGS),
        Field("has_first_response", Kind.BOOL),
        Field("is_breached", Kind.BOOL),
        Field("worked_minutes_at_level", Kind.NUMBER),
        Field("minutes_at_level", Kind.NUMBER, clock=Clock("level_entered_at", _MINUTES)),
        Field("worked_or_open_minutes", Kind.NUMBER, clock=Clock("level_entered_at", _MINUTES, also_worked=True)),
        Field("minutes_since_created", Kind.NUMBER, clock=Clock("created_at", _MINUTES)),
        Field("minutes_since_status_change", Kind.NUMBER, clock=Clock("status_changed_at", _MINUTES)),
        Field("working_days_since_resolved", Kind.NUMBER, clock=Clock("resolved_at", Unit.WORKING_DAYS)),
    )
}

# The ticket fields whose change starts a new "state" of the facts named: a ticket that leaves
# a status and comes back is in a new state (automation/state.py).
EPOCH_OF: Mapping[str, str] = {"status": "status_changed_at", "level": "level_entered_at"}
