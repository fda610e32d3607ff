"""Custom fields: managing the definitions (administrators) and filling in their values on a
ticket, checked together and saved all or nothing.

Setting values (`ticket_custom_fields_set`, staff; `custom_fields_initial`, in the creating
transaction, customers too) parses each value by its type, works out which fields are visible
and required under the ticket's facts and the values as they will be, and refuses the whole
change when anything is wrong, naming every bad field (`CustomFieldsInvalid.errors`). Nothing is
written then. A change writes one history row listing old → new (one more, internal, for fields
customers do not see) and bumps the ticket's version like every other edit.

A field that is not visible keeps its stored value (nothing is lost when a condition stops
holding) but takes no new one: a value sent for it is refused (`custom_field.hidden`).

Error codes: custom_field.forbidden (403), custom_field.key_invalid, custom_field.key_taken (409),
custom_field.key_immutable, custom_field.type_locked, custom_field.label_required,
custom_field.invalid_type, custom_field.choices_required, custom_field.choices_invalid,
custom_field.choices_not_allowed, custom_field.choice_in_use, custom_field.condition_invalid,
custom_field.required_conflict, custom_field.user_not_for_customers, custom_field.field_not_editable;
on values: custom_field.unknown, custom_field.invalid_value, custom_field.not_a_choice,
custom_field.too_long, custom_field.required, custom_field.hidden."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tierdesk.accounts.models import Organisation, User
from tierdesk.accounts.permissions import is_staff_member
from tierdesk.accounts.selectors import staff_users
from tierdesk.core.errors import Conflict, Forbidden, ValidationFailed
from tierdesk.tickets import history
from tierdesk.tickets.choices import Channel, HistoryAction, Impact, Level, Status, Urgency
from tierdesk.tickets.choices_custom_fields import CHOICE_TYPES, FieldType
from tierdesk.tickets.conditions_custom_fields import ConditionInvalid, check_condition
from tierdesk.tickets.locks import lock_ticket
from tierdesk.tickets.models import Category, CustomField, CustomFieldValue, Ticket
from tierdesk.tickets.models.custom_fields import (
    MAX_CHOICE_LENGTH,
    MAX_CHOICES,
    MAX_KEY_LENGTH,
    MAX_LABEL_LENGTH,
    MAX_TEXT_LENGTH,
)
from tierdesk.tickets.permissions import can_manage_custom_fields
from tierdesk.tickets.rules import priority_from
from tierdesk.tickets.selectors import priority_matrix
from tierdesk.tickets.selectors_custom_fields import (
    FieldState,
    custom_field_types,
    custom_fields_applicable,
    display_value,
    fact_value,
    field_states,
    ticket_custom_field_values,
    ticket_facts,
)
from tierdesk.tickets.services.transitions import require_staff, save_ticket

# The history rows' field for a change of custom field values.
HISTORY_FIELD = "custom_fields"
KEY_PATTERN = re.compile(rf"^[a-z][a-z0-9_]{{0,{MAX_KEY_LENGTH - 1}}}$")
# Numbers: up to 14 digits before the decimal point and 6 after (the column's precision).
MAX_NUMBER = Decimal("1e14")
DEFINITION_FIELDS = frozenset(
    {
        "key",
        "label",
        "field_type",
        "help_text",
        "choices",
        "organisation",
        "category",
        "required",
        "required_when",
        "visible_when",
        "visible_to_customer",
        "position",
        "is_active",
    }
)


@dataclass(frozen=True)
class FieldError:
    key: str
    code: str
    message: str


class CustomFieldsInvalid(ValidationFailed):
    """Some values are wrong; `errors` names each field with its own code and message. The
    exception's code and field are those of the first error, its message lists them all."""

    code = "custom_field.invalid_value"

    def __init__(self, errors: Sequence[FieldError]) -> None:
        first = errors[0]
        message = " ".join(error.message for error in errors)
        super().__init__(message, code=first.code, field=f"custom_fields.{first.key}")
        self.errors = list(errors)


# --- values: parsing and showing -----------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def parse_value(field: CustomField, raw: Any) -> Any:
    """The value as stored for the field's type (None to clear), or a FieldError.

    text → str (≤ 500 characters), number → Decimal (a number, or text with . or , as the
    decimal mark), date → date (or YYYY-MM-DD), choice → one of the choices, multiple choice →
    a list of choices in the definition's order, user → an active staff member (or their id)."""
    if isinstance(raw, str):
        raw = raw.strip()
    if _blank(raw):
        return None
    kind = field.field_type
    invalid = FieldError(
        field.key,
        "custom_field.invalid_value",
        _("%(label)s: %(value)r is not a valid %(type)s.")
        % {"label": field.label, "value": raw, "type": FieldType(kind).label.lower()},
    )
    if kind == FieldType.TEXT:
        if not isinstance(raw, str):
            return invalid
        if len(raw) > MAX_TEXT_LENGTH:
            return FieldError(
                field.key,
                "custom_field.too_long",
                _("%(label)s: at most %(count)d characters.") % {"label": field.label, "count": MAX_TEXT_LENGTH},
            )
        return raw
    if kind == FieldType.NUMBER:
        if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal | str):
            return invalid
        text = str(raw)
        if isinstance(raw, str) and "," in text and "." not in text:
            text = text.replace(",", ".")  # a decimal comma (nl, de, pl, nb)
        try:
            number = Decimal(text)
        except InvalidOperation:
            return invalid
        if not number.is_finite() or abs(number) >= MAX_NUMBER or number != number.quantize(Decimal("0.000001")):
            return invalid
        return number
    if kind == FieldType.DATE:
        if isinstance(raw, date):
            return raw
        try:
            return date.fromisoformat(str(raw))
        except ValueError:
            return invalid
    if kind == FieldType.CHOICE:
        if not isinstance(raw, str) or raw not in field.choices:
            return _not_a_choice(field, raw)
        return raw
    if kind == FieldType.MULTI_CHOICE:
        chosen = [raw] if isinstance(raw, str) else raw
        if not isinstance(chosen, list | tuple) or not all(isinstance(item, str) for item in chosen):
            return invalid
        wrong = [item for item in chosen if item not in field.choices]
        if wrong:
            return _not_a_choice(field, wrong[0])
        picked = set(chosen)
        return [choice for choice in field.choices if choice in picked] or None
    if kind == FieldType.USER:
        if isinstance(raw, User):
            raw = raw.pk
        if isinstance(raw, bool) or not str(raw).isdigit():
            return invalid
        user = staff_users().filter(pk=int(str(raw))).first()
        if user is None:
            return FieldError(
                field.key, "custom_field.invalid_value", _("%(label)s: no such staff member.") % {"label": field.label}
            )
        return user
    return invalid


def _not_a_choice(field: CustomField, raw: Any) -> FieldError:
    return FieldError(
        field.key,
        "custom_field.not_a_choice",
        _("%(label)s: %(value)r is not one of %(choices)s.")
        % {"label": field.label, "value": raw, "choices": ", ".join(field.choices)},
    )


def _same(value: Any) -> Any:
    """What two values are compared by to tell a change (users by id, numbers by amount)."""
    if _blank(value):
        return None
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, Decimal):
        return value.normalize()
    return fact_value(value)


# --- values: checking and saving ----------------------------------------------------------------


def _resolve(
    *, ticket: Ticket, fields: Sequence[CustomField], stored: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The values that change (key → new value), after checking every rule; raises
    CustomFieldsInvalid naming every bad field, before anything is written."""
    by_key = {field.key: field for field in fields}
    errors: list[FieldError] = []
    parsed: dict[str, Any] = {}
    for key, raw in changes.items():
        field = by_key.get(key)
        if field is None:
            errors.append(
                FieldError(key, "custom_field.unknown", _("%(key)s: no such field on this ticket.") % {"key": key})
            )
            continue
        value = parse_value(field, raw)
        if isinstance(value, FieldError):
            errors.append(value)
        else:
            parsed[key] = value
    after = {key: value for key, value in {**stored, **parsed}.items() if not _blank(value)}
    for state in field_states(fields, facts=ticket_facts(ticket), values=after):
        key = state.field.key
        if not state.visible and key in parsed and not _blank(parsed[key]):
            errors.append(
                FieldError(
                    key,
                    "custom_field.hidden",
                    _("%(label)s does not apply to this ticket as it is.") % {"label": state.field.label},
                )
            )
        elif state.required and _blank(after.get(key)) and not any(error.key == key for error in errors):
            errors.append(
                FieldError(key, "custom_field.required", _("%(label)s is required.") % {"label": state.field.label})
            )
    if errors:
        raise CustomFieldsInvalid(errors)
    return {key: value for key, value in parsed.items() if _same(value) != _same(stored.get(key))}


def _rows(ticket: Ticket, field: CustomField, value: Any) -> list[CustomFieldValue]:
    if _blank(value):
        return []
    if field.field_type == FieldType.MULTI_CHOICE:
        return [
            CustomFieldValue(ticket=ticket, field=field, ordinal=index, value_text=option)
            for index, option in enumerate(value)
        ]
    row = CustomFieldValue(ticket=ticket, field=field)
    if field.field_type == FieldType.NUMBER:
        row.value_number = value
    elif field.field_type == FieldType.DATE:
        row.value_date = value
    elif field.field_type == FieldType.USER:
        row.value_user = value
    else:
        row.value_text = value
    return [row]


def _write(
    *,
    ticket: Ticket,
    fields: Sequence[CustomField],
    stored: Mapping[str, Any],
    changed: Mapping[str, Any],
    by: User | None,
    channel: str,
) -> None:
    """Replace the rows of the changed fields and record old → new (public and internal rows
    apart, so that customers never read the values of fields they do not see)."""
    by_key = {field.key: field for field in fields}
    CustomFieldValue.objects.filter(ticket=ticket, field__key__in=list(changed)).delete()
    CustomFieldValue.objects.bulk_create(
        [row for key, value in changed.items() for row in _rows(ticket, by_key[key], value)]
    )
    for internal in (False, True):
        keys = [key for key in changed if by_key[key].visible_to_customer != internal]
        if not keys:
            continue
        old = "; ".join(f"{by_key[key].label}: {display_value(stored.get(key)) or '—'}" for key in keys)
        new = "; ".join(f"{by_key[key].label}: {display_value(changed[key]) or '—'}" for key in keys)
        history.record(
            ticket=ticket,
            by=by,
            channel=channel,
            action=HistoryAction.FIELDS_CHANGED,
            field=HISTORY_FIELD,
            old=old,
            new=new,
            is_internal=internal,
        )


@transaction.atomic
def ticket_custom_fields_set(
    *,
    ticket: Ticket,
    values: Mapping[str, Any],
    by: User,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> Ticket:
    """Change some of the ticket's custom field values (staff): `values` maps keys to new values
    (None, "" or [] clears one); fields not named keep theirs. All the rules are checked on the
    ticket's values as they will be (required, visible, types): all are saved, or none."""
    require_staff(by)
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    fields = custom_fields_applicable(organisation_id=ticket.organisation_id, category_id=ticket.category_id)
    stored = ticket_custom_field_values(ticket)
    changed = _resolve(ticket=ticket, fields=fields, stored=stored, changes=values)
    if changed:
        _write(ticket=ticket, fields=fields, stored=stored, changed=changed, by=by, channel=channel)
        save_ticket(ticket, [])
    return ticket


def custom_fields_initial(*, ticket: Ticket, values: Mapping[str, Any], by: User, channel: str) -> None:
    """The values a new ticket is opened with, in the creating transaction (ticket_create).

    A customer names only the fields customers fill, and must fill those required; staff fill
    any. Fields the creator does not know of (required or not) are left for staff."""
    fields = custom_fields_applicable(
        organisation_id=ticket.organisation_id, category_id=ticket.category_id, customer=not is_staff_member(by)
    )
    changed = _resolve(ticket=ticket, fields=fields, stored={}, changes=values)
    if changed:
        _write(ticket=ticket, fields=fields, stored={}, changed=changed, by=by, channel=channel)


# --- definitions (administrators) ---------------------------------------------------------------


def _require_manager(by: User) -> None:
    if not can_manage_custom_fields(by):
        raise Forbidden(_("Only administrators manage custom fields."), code="custom_field.forbidden")


def _invalid(message: str, code: str, field: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, field=field)


def _clean_choices(kind: str, choices: Iterable[Any] | None) -> list[str]:
    options = [str(option).strip() for option in (choices or [])]
    if kind not in CHOICE_TYPES:
        if options:
            raise _invalid(_("Only choice fields have choices."), "custom_field.choices_not_allowed", "choices")
        return []
    if not options:
        raise _invalid(_("A choice field needs at least one choice."), "custom_field.choices_required", "choices")
    if len(options) > MAX_CHOICES or len(set(options)) != len(options):
        raise _invalid(
            _("At most %(count)d choices, each once.") % {"count": MAX_CHOICES},
            "custom_field.choices_invalid",
            "choices",
        )
    if any(not option or len(option) > MAX_CHOICE_LENGTH for option in options):
        raise _invalid(
            _("Each choice has 1 to %(count)d characters.") % {"count": MAX_CHOICE_LENGTH},
            "custom_field.choices_invalid",
            "choices",
        )
    return options


def _clean_condition(raw: Any, *, name: str, key: str) -> dict[str, Any] | None:
    types = {other: kind for other, kind in custom_field_types().items() if other != key}
    try:
        return check_condition(raw, custom_types=types)
    except ConditionInvalid as error:
        raise _invalid(str(error), "custom_field.condition_invalid", name) from None


def _check(field: CustomField) -> None:
    """Every single-row rule of a definition, before it is saved."""
    if not field.label.strip() or len(field.label) > MAX_LABEL_LENGTH:
        raise _invalid(
            _("A label has 1 to %(count)d characters.") % {"count": MAX_LABEL_LENGTH},
            "custom_field.label_required",
            "label",
        )
    field.label = field.label.strip()
    if field.field_type not in FieldType.values:
        raise _invalid(
            _("Unknown type; use one of: %(types)s.") % {"types": ", ".join(FieldType.values)},
            "custom_field.invalid_type",
            "field_type",
        )
    field.choices = _clean_choices(field.field_type, field.choices)
    field.required_when = _clean_condition(field.required_when, name="required_when", key=field.key)
    field.visible_when = _clean_condition(field.visible_when, name="visible_when", key=field.key)
    if field.required and field.required_when is not None:
        raise _invalid(
            _("Either always required, or required when a condition holds: not both."),
            "custom_field.required_conflict",
            "required_when",
        )
    if field.visible_to_customer and field.field_type == FieldType.USER:
        raise _invalid(
            _("Customers cannot pick staff members: a user field is for staff only."),
            "custom_field.user_not_for_customers",
            "visible_to_customer",
        )


@transaction.atomic
def custom_field_create(
    *,
    by: User,
    key: str,
    label: str,
    field_type: str,
    help_text: str = "",
    choices: Iterable[str] = (),
    organisation: Organisation | None = None,
    category: Category | None = None,
    required: bool = False,
    required_when: Any = None,
    visible_when: Any = None,
    visible_to_customer: bool = False,
    position: int | None = None,
    is_active: bool = True,
) -> CustomField:
    """Define a field (administrators). `key` is fixed once created: filters, exports and
    conditions name it. Without a position the field goes last."""
    _require_manager(by)
    key = str(key).strip()
    if not KEY_PATTERN.match(key):
        raise _invalid(
            _("A key starts with a letter and has only a-z, 0-9 and _ (at most %(count)d).")
            % {"count": MAX_KEY_LENGTH},
            "custom_field.key_invalid",
            "key",
        )
    if CustomField.objects.filter(key=key).exists():
        raise Conflict(_("A custom field with key %(key)r exists.") % {"key": key}, code="custom_field.key_taken")
    if position is None:
        last = CustomField.objects.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    field = CustomField(
        key=key,
        label=str(label),
        field_type=str(field_type),
        help_text=str(help_text)[:300],
        choices=list(choices or []),
        organisation=organisation,
        category=category,
        required=required,
        required_when=required_when,
        visible_when=visible_when,
        visible_to_customer=visible_to_customer,
        position=position,
        is_active=is_active,
    )
    _check(field)
    field.save()
    return field


@transaction.atomic
def custom_field_update(*, field: CustomField, by: User, **changes: Any) -> CustomField:
    """Change a definition (administrators). The key never changes; the type only while no ticket
    has a value; a choice in use on some ticket cannot be removed (the value would be lost)."""
    _require_manager(by)
    unknown = set(changes) - DEFINITION_FIELDS
    if unknown:
        raise _invalid(
            _("Cannot change %(fields)s here.") % {"fields": ", ".join(sorted(unknown))},
            "custom_field.field_not_editable",
            sorted(unknown)[0],
        )
    field = CustomField.objects.select_for_update().get(pk=field.pk)
    if changes.get("position", 0) is None:
        del changes["position"]  # no position given: it keeps its place
    if "key" in changes and changes.pop("key") != field.key:
        raise _invalid(_("The key of a field cannot change."), "custom_field.key_immutable", "key")
    used = CustomFieldValue.objects.filter(field=field)
    if "field_type" in changes and changes["field_type"] != field.field_type and used.exists():
        raise _invalid(
            _("Tickets hold values of this field: its type cannot change."), "custom_field.type_locked", "field_type"
        )
    for name, value in changes.items():
        setattr(field, name, value)
    _check(field)
    if field.field_type in CHOICE_TYPES:
        in_use = used.exclude(value_text__in=field.choices).values_list("value_text", flat=True).first()
        if in_use is not None:
            raise _invalid(
                _("%(choice)r is chosen on some tickets: it cannot be removed.") % {"choice": in_use},
                "custom_field.choice_in_use",
                "choices",
            )
    field.save()
    return field


def new_ticket_field_states(
    *,
    by: User,
    organisation_id: int,
    category_id: int | None,
    urgency: str,
    impact: str,
    channel: str,
    values: Mapping[str, Any],
) -> list[FieldState]:
    """The fields a form for a new ticket shows (customers: the ones they fill), each visible and
    required under the facts the ticket will have and the values typed so far (a value that does
    not parse counts as empty here; creating the ticket names it)."""
    fields = custom_fields_applicable(
        organisation_id=organisation_id, category_id=category_id, customer=not is_staff_member(by)
    )
    parsed = {}
    for field in fields:
        value = parse_value(field, values.get(field.key))
        if value is not None and not isinstance(value, FieldError):
            parsed[field.key] = value
    try:
        priority = priority_from(Urgency(urgency), Impact(impact), priority_matrix())
    except ValueError:
        priority = None
    facts = {
        "category": category_id,
        "organisation": organisation_id,
        "level": Level.FIRST,
        "status": Status.NEW,
        "priority": priority,
        "urgency": urgency,
        "impact": impact,
        "channel": channel,
    }
    return field_states(fields, facts=facts, values=parsed)
