"""Input and output shapes of custom fields in the API: definitions, a ticket's values, the
`custom_fields` object of the ticket views, and the OpenAPI description of the `cf_*` filters.

Values in JSON: text and choice as strings, number as a number, date as "YYYY-MM-DD", multiple
choice as a list of strings, user as the staff member's id. In input, null, "" or [] clear a value,
and a number may also be sent as text ("12,5" too)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from ninja import Field, Schema

from tierdesk.accounts.api_base import OutSchema, PageParams, PatchSchema
from tierdesk.accounts.models import User
from tierdesk.tickets import conditions_custom_fields
from tierdesk.tickets.choices_custom_fields import FieldType
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.models.custom_fields import (
    MAX_CHOICE_LENGTH,
    MAX_CHOICES,
    MAX_KEY_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_TEXT_LENGTH,
)
from tierdesk.tickets.selectors_custom_fields import VALUES_ATTR, FieldState, values_from_rows

ValueOut = str | int | float | list[str]
ValueIn = Annotated[str, Field(max_length=MAX_TEXT_LENGTH + 100)] | int | float | list[str] | None
Choice = Annotated[str, Field(max_length=MAX_CHOICE_LENGTH)]
CONDITION_HELP = "A condition in JSON, or null for none. " + " ".join((conditions_custom_fields.__doc__ or "").split())
VALUES_HELP = (
    "key → value: text and choice as strings, number as a number (or text), date as YYYY-MM-DD, "
    'multiple choice as a list, user as a staff member\'s id; null, "" or [] clears'
)

CUSTOM_FIELDS_HELP = "Custom field values by key (set ones only; customers: the fields they see)"

# The custom field filters of GET /tickets and /tickets/export.csv, shown in the OpenAPI
# document as one free-form query object (its keys are the parameter names).
FILTER_PARAMETER: dict[str, Any] = {
    "name": "custom_field_filters",
    "in": "query",
    "required": False,
    "style": "form",
    "explode": True,
    "description": (
        "Custom field filters, each a parameter of its own: `cf_<key>=value` (repeat it for any of "
        "several values; on a multiple choice: that option is chosen), `cf_<key>__gte=` and "
        "`cf_<key>__lte=` (numbers, dates YYYY-MM-DD), `cf_<key>__contains=` (text, any case), "
        "`cf_<key>__isset=true|false`; users by id. All filters must hold. An unknown field or a "
        "bad value answers 422 `custom_field.invalid_filter` naming the parameter. Customers filter "
        "on the fields they see only."
    ),
    "schema": {"type": "object", "additionalProperties": {"type": "string"}},
}


def value_json(value: Any) -> ValueOut | None:
    """A stored value (selectors_custom_fields.values_from_rows) in its JSON form."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, User):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    return value  # type: ignore[no-any-return]


def ticket_values_json(ticket: Ticket, *, customer: bool) -> dict[str, ValueOut]:
    """The `custom_fields` object of a ticket view: the stored values, of the fields customers
    see for a customer. Uses the values prefetched with the list (with_custom_field_values)."""
    rows = getattr(ticket, VALUES_ATTR, None)
    if rows is None:
        rows = list(ticket.custom_field_values.select_related("field", "value_user").order_by("field_id", "ordinal"))
    if customer:
        rows = [row for row in rows if row.field.visible_to_customer and row.field.is_active]
    return {
        key: value
        for key, value in ((k, value_json(v)) for k, v in values_from_rows(rows).items())
        if value is not None
    }


# --- definitions ---------------------------------------------------------------------------------


class ScopeRef(OutSchema):
    id: int
    name: str


class CustomFieldOut(OutSchema):
    id: int
    key: str
    label: str
    field_type: FieldType
    help_text: str
    choices: list[str]
    organisation: ScopeRef | None = Field(description="Only tickets of this organisation; null: any")
    category: ScopeRef | None = Field(description="Only tickets of this category; null: any")
    required: bool = Field(description="Always required (where visible)")
    required_when: dict[str, Any] | None = Field(description="Required when this condition holds")
    visible_when: dict[str, Any] | None = Field(description="Applies only when this condition holds")
    visible_to_customer: bool
    position: int
    is_active: bool
    created_at: datetime
    updated_at: datetime


class CustomFieldPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[CustomFieldOut]


class CustomFieldQuery(PageParams):
    include_inactive: bool = Field(False, description="Also deactivated fields (administrators)")


Key = Annotated[str, Field(max_length=MAX_KEY_LENGTH, description="a-z, 0-9 and _, starting with a letter")]
Label = Annotated[str, Field(max_length=MAX_LABEL_LENGTH)]
HelpText = Annotated[str, Field(max_length=300)]
Choices = Annotated[list[Choice], Field(max_length=MAX_CHOICES, description="The options of a (multiple) choice")]
Condition = Annotated[dict[str, Any] | None, Field(description=CONDITION_HELP)]


class CustomFieldIn(Schema):
    key: Key
    label: Label
    field_type: FieldType
    help_text: HelpText = ""
    choices: Choices = Field(default_factory=list)
    organisation: int | None = Field(None, ge=1, description="An organisation's id: only its tickets")
    category: int | None = Field(None, ge=1, description="A category's id: only its tickets")
    required: bool = False
    required_when: Condition = None
    visible_when: Condition = None
    visible_to_customer: bool = False
    position: int | None = Field(None, ge=0, description="Order in forms; default: last")
    is_active: bool = True


class CustomFieldPatch(PatchSchema):
    nullable: ClassVar[frozenset[str]] = frozenset({"organisation", "category", "required_when", "visible_when"})

    label: Label | None = None
    field_type: FieldType | None = Field(None, description="Only while no ticket has a value")
    help_text: HelpText | None = None
    choices: Choices | None = None
    organisation: int | None = Field(None, ge=1)
    category: int | None = Field(None, ge=1)
    required: bool | None = None
    required_when: Condition = None
    visible_when: Condition = None
    visible_to_customer: bool | None = None
    position: int | None = Field(None, ge=0)
    is_active: bool | None = None


# --- a ticket's values ---------------------------------------------------------------------------


class FieldStateOut(Schema):
    key: str
    label: str
    field_type: FieldType
    visible: bool = Field(description="Its visible-when condition holds now")
    required: bool = Field(description="Required now (always, or its required-when condition holds)")


class TicketCustomFieldsOut(Schema):
    """A ticket's values and the fields that apply to it, with the ticket's version."""

    values: dict[str, ValueOut]
    fields: list[FieldStateOut]
    version: int


def ticket_custom_fields_out(
    *, ticket: Ticket, states: list[FieldState], values: dict[str, Any]
) -> TicketCustomFieldsOut:
    return TicketCustomFieldsOut(
        values={key: json for key, json in ((k, value_json(v)) for k, v in values.items()) if json is not None},
        fields=[
            FieldStateOut(
                key=state.field.key,
                label=state.field.label,
                field_type=FieldType(state.field.field_type),
                visible=state.visible,
                required=state.required,
            )
            for state in states
        ],
        version=ticket.version,
    )


class TicketCustomFieldsIn(Schema):
    values: dict[Annotated[str, Field(max_length=MAX_KEY_LENGTH)], ValueIn] = Field(description=VALUES_HELP)
    version: int | None = Field(None, ge=1, description="The version you read; a changed ticket answers 409")
