"""The words of automation rules as people and rule builders read them: each condition field with its
operators (JSON and typed) and allowed values, each action with an example line, the events and the
triggers, and the text form of a stored rule. Built from fields.py, actions.py and syntax.py, so the
API's vocabulary and the desk's help panel can never list a word the validators refuse. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.choices import STAFF_ROLES, Role
from tierdesk.tickets.automation.actions import ACTION_TYPES, NOTIFY_GROUPS
from tierdesk.tickets.automation.fields import FIELDS, OPS_BY_KIND, PRESENCE_OPS, Field
from tierdesk.tickets.automation.syntax import OPERATOR_TEXT, format_actions, format_conditions
from tierdesk.tickets.choices import HistoryAction, Level, Priority
from tierdesk.tickets.models import RuleTrigger

# The longest text of conditions or of actions the API and the desk accept: ample for 20
# conditions or 10 actions with their messages, and a bound on the parser's work.
MAX_RULE_TEXT = 30_000

# What each fact means, for the help panel and the API's readers.
FIELD_HELP: Mapping[str, Promise] = {
    "level": _("The level the ticket is at."),
    "status": _("The ticket's status."),
    "priority": _("The ticket's priority."),
    "urgency": _("The urgency the ticket was given."),
    "impact": _("The impact the ticket was given."),
    "channel": _("How the ticket came in."),
    "waiting_on": _("Whom a waiting ticket waits for."),
    "category": _("The name of the ticket's category."),
    "organisation": _("The name of the requester's organisation."),
    "assignee": _("The username of the assigned agent."),
    "tags": _("The ticket's tags."),
    "has_first_response": _("Whether staff have answered the customer."),
    "is_breached": _("Whether an SLA deadline was missed."),
    "worked_minutes_at_level": _("Minutes logged at the current level."),
    "minutes_at_level": _("Business minutes since the ticket reached its level."),
    "worked_or_open_minutes": _("Business minutes at the level, or the minutes logged there if more."),
    "minutes_since_created": _("Business minutes since the ticket was opened."),
    "minutes_since_status_change": _("Business minutes since the status last changed."),
    "working_days_since_resolved": _("Working days since the ticket was resolved."),
}

ACTION_HELP: Mapping[str, Promise] = {
    "escalate": _("Escalate to a higher level, with a handover note of what was done."),
    "assign": _("Assign to a staff member, or take the assignee away."),
    "set_priority": _("Set the priority."),
    "notify": _("Alert staff, with an optional message."),
    "add_tag": _("Add a tag."),
    "add_note": _("Add an internal note."),
    "remind_requester": _("Remind the requester to confirm the solution."),
    "close": _("Close the ticket."),
}

# One JSON example per action line (assign has two: to a user and unassign).
ACTION_EXAMPLES: Mapping[str, Sequence[Mapping[str, Any]]] = {
    "escalate": ({"type": "escalate", "to_level": "second"},),
    "assign": ({"type": "assign", "user": "username"}, {"type": "assign", "user": None}),
    "set_priority": ({"type": "set_priority", "priority": "p1"},),
    "notify": ({"type": "notify", "to": "case_manager", "message": "P1 without answer"},),
    "add_tag": ({"type": "add_tag", "tag": "vip"},),
    "add_note": ({"type": "add_note", "text": "Checked by the rule"},),
    "remind_requester": ({"type": "remind_requester"},),
    "close": ({"type": "close"},),
}

# The values a parameter takes where the validator (actions.py) allows a fixed set.
ESCALATION_LEVELS = (str(Level.SECOND), str(Level.DEVELOPMENT))


@dataclass(frozen=True)
class FieldTerm:
    name: str
    kind: str
    ops: tuple[str, ...]  # JSON operators, in the order the text syntax lists them
    operators: tuple[str, ...]  # the same, as typed
    values: tuple[str, ...]  # allowed values of a choice field; empty: free (a name, a number, true/false)
    optional: bool
    clock: str | None  # the unit of a clock field ("business_minutes", "working_days"), else None
    help: str


@dataclass(frozen=True)
class ActionTerm:
    type: str
    parameter: str | None
    values: tuple[str, ...]  # allowed values of the parameter; empty: free
    examples: tuple[str, ...]  # lines of the text syntax
    help: str


@dataclass(frozen=True)
class Vocabulary:
    fields: tuple[FieldTerm, ...]
    actions: tuple[ActionTerm, ...]
    triggers: tuple[str, ...]
    events: tuple[str, ...]  # the changes an event rule may run after
    notify_targets: tuple[str, ...]  # "user:<username>" stands for any active staff member


def _field_term(field: Field) -> FieldTerm:
    allowed = OPS_BY_KIND[field.kind] | (PRESENCE_OPS if field.optional else frozenset())
    ops = tuple(op for op in OPERATOR_TEXT if op in allowed)
    return FieldTerm(
        name=field.name,
        kind=field.kind.value,
        ops=ops,
        operators=tuple(OPERATOR_TEXT[op] for op in ops),
        values=tuple(field.choices.values) if field.choices is not None else (),
        optional=field.optional,
        clock=field.clock.unit.value if field.clock else None,
        help=str(FIELD_HELP.get(field.name, "")),
    )


def notify_targets() -> tuple[str, ...]:
    """Who a notify action may reach; "user:<username>" stands for any active staff member."""
    roles = (f"role:{role.value}" for role in Role if role in STAFF_ROLES)  # in the order of Role
    return (*NOTIFY_GROUPS, *roles, "user:<username>")


def _action_term(kind: str) -> ActionTerm:
    parameters: Mapping[str, tuple[str | None, tuple[str, ...]]] = {
        "escalate": ("to_level", ESCALATION_LEVELS),
        "assign": ("user", ()),
        "set_priority": ("priority", tuple(Priority.values)),
        "notify": ("to", notify_targets()),
        "add_tag": ("tag", ()),
        "add_note": ("text", ()),
    }
    parameter, values = parameters.get(kind, (None, ()))
    return ActionTerm(
        type=kind,
        parameter=parameter,
        values=values,
        examples=tuple(format_actions([example]) for example in ACTION_EXAMPLES[kind]),
        help=str(ACTION_HELP.get(kind, "")),
    )


def vocabulary() -> Vocabulary:
    """Everything a rule may say, in the language active now (help texts are translated)."""
    return Vocabulary(
        fields=tuple(_field_term(field) for field in FIELDS.values()),
        actions=tuple(_action_term(kind) for kind in ACTION_TYPES),
        triggers=tuple(RuleTrigger.values),
        events=tuple(HistoryAction.values),
        notify_targets=notify_targets(),
    )


def _text_or_none(format_: Callable[[Sequence[Mapping[str, Any]]], str], items: Any) -> str | None:
    try:
        return format_(items)
    except ValueError:
        return None


def conditions_text(conditions: Any) -> str | None:
    """The stored conditions in the text syntax; None when they have no text form (a value with a
    line break, which the JSON API accepts but a line of text cannot hold)."""
    return _text_or_none(format_conditions, conditions)


def actions_text(actions: Any) -> str | None:
    """The stored actions in the text syntax; None when they have no text form (a note or message
    with a line break)."""
    return _text_or_none(format_actions, actions)
