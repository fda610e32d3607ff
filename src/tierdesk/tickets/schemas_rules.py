"""Input and output shapes of the automation rules API (administrators).

Conditions and actions are loose JSON here: the rule services check them against the vocabulary
and answer with `rule.invalid` and a path such as "conditions[0].value", the same code the desk's
form shows. They may also come typed in the text syntax (`conditions_text`, `actions_text`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema

from tierdesk.accounts.api_base import OutSchema, PatchSchema
from tierdesk.tickets.automation.vocabulary import MAX_RULE_TEXT, actions_text, conditions_text
from tierdesk.tickets.models import Rule, RuleFiring

CONDITIONS_HELP = (
    'All must hold: [{"field": "level", "op": "eq", "value": "first"}, ...]; '
    "GET /rules/vocabulary lists the fields, operators and values"
)
ACTIONS_HELP = 'Carried out in order: [{"type": "escalate", "to_level": "second"}, ...]; see GET /rules/vocabulary'
CONDITIONS_TEXT_HELP = (
    "The conditions in the text syntax, one per line or joined by AND (`level = first`, "
    "`status in (new, open)`, `assignee is not set`); instead of `conditions`"
)
ACTIONS_TEXT_HELP = (
    'The actions in the text syntax, one per line (`escalate to second`, `notify case_manager "text"`); '
    "instead of `actions`"
)
TEXT_OUT_HELP = "The same in the text syntax; null when a value holds a line break, which a line cannot"
EVENTS_HELP = 'For an event rule, the changes it runs after ("created", "changed", "escalated", ...)'
TRIGGER_HELP = '"event" (after a change) or "time" (when a clock condition comes true)'

Name = Annotated[str, Field(max_length=200)]
Description = Annotated[str, Field(max_length=2000)]
Trigger = Annotated[str, Field(max_length=10, description=TRIGGER_HELP)]
EventName = Annotated[str, Field(max_length=40)]
RuleText = Annotated[str, Field(max_length=MAX_RULE_TEXT)]


class RuleOut(OutSchema):
    id: int
    key: str | None = Field(description="Set on the rules Tierdesk ships")
    name: str
    description: str
    trigger: str = Field(description=TRIGGER_HELP)
    events: list[str] = Field(description=EVENTS_HELP)
    conditions: list[dict[str, Any]] = Field(description=CONDITIONS_HELP)
    actions: list[dict[str, Any]] = Field(description=ACTIONS_HELP)
    conditions_text: str | None = Field(description=TEXT_OUT_HELP)
    actions_text: str | None = Field(description=TEXT_OUT_HELP)
    is_enabled: bool
    position: int = Field(description="Rules run in this order")
    version: int = Field(description="Send it back when changing the rule")
    firing_count: int = Field(description="How often the rule fired")
    failed_count: int = Field(description="How often its actions failed (and were rolled back)")
    last_fired_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_conditions_text(obj: Rule) -> str | None:
        return conditions_text(obj.conditions)

    @staticmethod
    def resolve_actions_text(obj: Rule) -> str | None:
        return actions_text(obj.actions)

    # The selectors annotate the figures; a rule just created has none yet.
    @staticmethod
    def resolve_firing_count(obj: Rule) -> int:
        return int(getattr(obj, "firing_count", 0))

    @staticmethod
    def resolve_failed_count(obj: Rule) -> int:
        return int(getattr(obj, "failed_count", 0))

    @staticmethod
    def resolve_last_fired_at(obj: Rule) -> datetime | None:
        return getattr(obj, "last_fired_at", None)


class RulePage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[RuleOut]


class RuleFiringOut(OutSchema):
    id: int
    ticket_number: int
    ticket_reference: str = Field(description="As people quote it, such as TD#100042")
    state_key: str = Field(description="The ticket's state the rule fired in; a rule fires once per state")
    fired_at: datetime
    outcome: str = Field(description='"done", or "failed" when an action was refused and all were rolled back')
    detail: str

    @staticmethod
    def resolve_ticket_number(obj: RuleFiring) -> int:
        return obj.ticket.number

    @staticmethod
    def resolve_ticket_reference(obj: RuleFiring) -> str:
        return obj.ticket.reference


class FiringQuery(Schema):
    limit: int = Field(50, ge=1, le=200, description="How many of the latest firings")


def _with_texts(values: dict[str, Any], sent: set[str]) -> dict[str, Any]:
    """The service's keyword arguments: a text replaces its JSON list, and of the two only what
    the client sent is passed on (sending both is the service's `rule.invalid`)."""
    for name in ("conditions", "actions"):
        text_name = f"{name}_text"
        if values.get(text_name) is None:
            values.pop(text_name, None)
        elif name not in sent:
            values.pop(name, None)
    return values


class RuleIn(Schema):
    name: Name
    description: Description = ""
    trigger: Trigger
    events: list[EventName] = Field(default_factory=list, max_length=50, description=EVENTS_HELP)
    conditions: list[dict[str, Any]] | None = Field(None, description=CONDITIONS_HELP + "; none: always")
    actions: list[dict[str, Any]] | None = Field(None, description=ACTIONS_HELP)
    conditions_text: RuleText | None = Field(None, description=CONDITIONS_TEXT_HELP)
    actions_text: RuleText | None = Field(None, description=ACTIONS_TEXT_HELP)
    is_enabled: bool = True
    position: int = Field(100, description="Rules run in this order (0 to 10000)")

    def fields(self) -> dict[str, Any]:
        """Keyword arguments for `rule_create`."""
        values = self.model_dump()
        if values["conditions"] is None and values["conditions_text"] is None:
            values["conditions"] = []  # no conditions: the rule applies to every ticket
        return _with_texts(values, set(self.model_fields_set))


class RulePatch(PatchSchema):
    name: Name | None = None
    description: Description | None = None
    trigger: Trigger | None = None
    events: list[EventName] | None = Field(None, max_length=50, description=EVENTS_HELP)
    conditions: list[dict[str, Any]] | None = Field(None, description=CONDITIONS_HELP)
    actions: list[dict[str, Any]] | None = Field(None, description=ACTIONS_HELP)
    conditions_text: RuleText | None = Field(None, description=CONDITIONS_TEXT_HELP)
    actions_text: RuleText | None = Field(None, description=ACTIONS_TEXT_HELP)
    is_enabled: bool | None = None
    position: int | None = None
    version: int | None = Field(None, description="The version you read; a newer one answers 409")

    def fields(self) -> dict[str, Any]:
        """Keyword arguments for `rule_update`: only what the client sent."""
        changes = self.changes(exclude=frozenset({"version"}))
        return _with_texts(changes, set(changes))


class FieldTermOut(Schema):
    name: str
    kind: str = Field(description="choice, text, bool, number or tags")
    ops: list[str] = Field(description="The operators of the JSON shape")
    operators: list[str] = Field(description="The same operators as typed in the text syntax")
    values: list[str] = Field(description="The values a choice field takes; empty when free")
    optional: bool = Field(description="May be unset (is_set / is_not_set apply)")
    clock: str | None = Field(description="For a number that grows by itself: its unit; a time rule needs one")
    help: str


class ActionTermOut(Schema):
    type: str
    parameter: str | None = Field(description="The name of its parameter in the JSON shape")
    values: list[str] = Field(description="The values the parameter takes; empty when free")
    examples: list[str] = Field(description="Lines of the text syntax")
    help: str


class VocabularyOut(Schema):
    fields: list[FieldTermOut]
    actions: list[ActionTermOut]
    triggers: list[str]
    events: list[str]
    notify_targets: list[str] = Field(description='Recipients of notify; "user:<username>" means any staff member')
