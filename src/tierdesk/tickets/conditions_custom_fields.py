"""The small condition language of custom fields ("required when", "visible when"). Pure: no ORM.

A condition is JSON:

    {"fact": "category", "op": "eq", "value": 3}                   one clause
    {"all": [clause-or-group, ...]}                                all of them hold
    {"any": [clause-or-group, ...]}                                at least one holds
    {"not": clause-or-group}                                       it does not hold

Facts: the ticket's `category` and `organisation` (ids; a ticket without a category has none),
`level`, `status`, `priority`, `urgency`, `impact`, `channel` (their API values), and
`cf_<key>`: the value of another custom field, as it will be once the change is saved.
Operators: `eq`, `ne`, `in`, `not_in` (value: a list), `set`, `not_set` (no value), and for
numbers and dates `gt`, `gte`, `lt`, `lte`. On a multiple choice, `eq` means "this option is
chosen" and `in` "one of these is chosen". A fact without a value satisfies only `not_set`, `ne`
and `not_in`. At most 3 levels deep and 20 clauses, so that a condition stays readable."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from tierdesk.tickets.choices import Channel, Impact, Level, Priority, Status, Urgency
from tierdesk.tickets.choices_custom_fields import ORDERED_TYPES, FieldType

CUSTOM_FACT_PREFIX = "cf_"
MAX_DEPTH = 3
MAX_CLAUSES = 20

# Facts with a fixed set of values, and the facts that name a row by id.
CHOICE_FACTS: dict[str, frozenset[str]] = {
    "level": frozenset(Level.values),
    "status": frozenset(Status.values),
    "priority": frozenset(Priority.values),
    "urgency": frozenset(Urgency.values),
    "impact": frozenset(Impact.values),
    "channel": frozenset(Channel.values),
}
ID_FACTS = frozenset({"category", "organisation"})
VALUE_OPS = frozenset({"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte"})
LIST_OPS = frozenset({"in", "not_in"})
ORDER_OPS = frozenset({"gt", "gte", "lt", "lte"})
PRESENCE_OPS = frozenset({"set", "not_set"})
NEGATIVE_OPS = frozenset({"ne", "not_in", "not_set"})


class ConditionInvalid(ValueError):
    """A condition that is not in the language; the message says what is wrong, for people."""


def _scalar(value: Any, *, fact: str, kind: FieldType | None) -> Any:
    """One comparison value, checked and converted for its fact."""
    if fact in CHOICE_FACTS:
        if value not in CHOICE_FACTS[fact]:
            allowed = ", ".join(sorted(CHOICE_FACTS[fact]))
            raise ConditionInvalid(
                _("%(value)r is not a %(fact)s; use one of: %(allowed)s.")
                % {"value": value, "fact": fact, "allowed": allowed}
            )
        return value
    if fact in ID_FACTS or kind == FieldType.USER:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConditionInvalid(_("%(fact)s is compared with an id (a whole number).") % {"fact": fact})
        return value
    if kind == FieldType.NUMBER:
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ConditionInvalid(_("%(fact)s is compared with a number.") % {"fact": fact}) from None
        if isinstance(value, bool) or not number.is_finite():
            raise ConditionInvalid(_("%(fact)s is compared with a number.") % {"fact": fact})
        return value
    if kind == FieldType.DATE:
        try:
            date.fromisoformat(str(value))
        except ValueError:
            raise ConditionInvalid(_("%(fact)s is compared with a date (YYYY-MM-DD).") % {"fact": fact}) from None
        return str(value)
    if not isinstance(value, str):
        raise ConditionInvalid(_("%(fact)s is compared with a text.") % {"fact": fact})
    return value


def _clause(raw: Mapping[str, Any], custom_types: Mapping[str, FieldType]) -> dict[str, Any]:
    unknown = set(raw) - {"fact", "op", "value"}
    if unknown:
        raise ConditionInvalid(_("A clause has only fact, op and value (not %(keys)s).") % {"keys": sorted(unknown)})
    fact, op = raw.get("fact"), raw.get("op")
    kind: FieldType | None = None
    if isinstance(fact, str) and fact.startswith(CUSTOM_FACT_PREFIX):
        key = fact.removeprefix(CUSTOM_FACT_PREFIX)
        if key not in custom_types:
            raise ConditionInvalid(_("There is no custom field %(key)r.") % {"key": key})
        kind = custom_types[key]
    elif fact not in CHOICE_FACTS and fact not in ID_FACTS:
        facts = ", ".join([*sorted(CHOICE_FACTS), *sorted(ID_FACTS), "cf_<key>"])
        raise ConditionInvalid(_("Unknown fact %(fact)r; use one of: %(facts)s.") % {"fact": fact, "facts": facts})
    if op in PRESENCE_OPS:
        if "value" in raw:
            raise ConditionInvalid(_("%(op)s takes no value.") % {"op": op})
        return {"fact": fact, "op": op}
    if op not in VALUE_OPS:
        ops = ", ".join(sorted(VALUE_OPS | PRESENCE_OPS))
        raise ConditionInvalid(_("Unknown operator %(op)r; use one of: %(ops)s.") % {"op": op, "ops": ops})
    if op in ORDER_OPS and kind not in ORDERED_TYPES:
        raise ConditionInvalid(_("%(op)s compares numbers and dates only.") % {"op": op})
    if "value" not in raw:
        raise ConditionInvalid(_("%(op)s needs a value.") % {"op": op})
    value = raw["value"]
    if op in LIST_OPS:
        if not isinstance(value, list) or not value:
            raise ConditionInvalid(_("%(op)s needs a list of values.") % {"op": op})
        return {"fact": fact, "op": op, "value": [_scalar(item, fact=str(fact), kind=kind) for item in value]}
    return {"fact": fact, "op": op, "value": _scalar(value, fact=str(fact), kind=kind)}


def check_condition(raw: Any, *, custom_types: Mapping[str, FieldType]) -> dict[str, Any] | None:
    """The condition in its stored form, or None for "no condition" (null or an empty object).

    `custom_types` are the custom fields a condition may name (key → type). Raises
    ConditionInvalid with a message for people."""
    if raw is None or raw == {}:
        return None
    count = [0]

    def walk(node: Any, depth: int) -> dict[str, Any]:
        if depth > MAX_DEPTH:
            raise ConditionInvalid(_("A condition is at most %(depth)d levels deep.") % {"depth": MAX_DEPTH})
        if not isinstance(node, dict):
            raise ConditionInvalid(_("A condition is a JSON object."))
        if len(node) == 1 and ("all" in node or "any" in node):
            (group, parts) = next(iter(node.items()))
            if not isinstance(parts, list) or not parts:
                raise ConditionInvalid(_("%(group)s needs a list of conditions.") % {"group": group})
            return {group: [walk(part, depth + 1) for part in parts]}
        if len(node) == 1 and "not" in node:
            return {"not": walk(node["not"], depth + 1)}
        count[0] += 1
        if count[0] > MAX_CLAUSES:
            raise ConditionInvalid(_("A condition has at most %(count)d clauses.") % {"count": MAX_CLAUSES})
        return _clause(node, custom_types)

    return walk(raw, 1)


def referenced_fields(condition: Mapping[str, Any] | None) -> set[str]:
    """The custom field keys a condition reads."""
    if not condition:
        return set()
    if "all" in condition or "any" in condition:
        return set().union(*(referenced_fields(part) for part in next(iter(condition.values()))))
    if "not" in condition:
        return referenced_fields(condition["not"])
    fact = str(condition.get("fact", ""))
    return {fact.removeprefix(CUSTOM_FACT_PREFIX)} if fact.startswith(CUSTOM_FACT_PREFIX) else set()


def _comparable(expected: Any, actual: Any) -> Any:
    """The condition's value in the type of the fact's value."""
    if isinstance(actual, Decimal):
        return Decimal(str(expected))
    if isinstance(actual, date):
        return date.fromisoformat(str(expected))
    return expected


def _compare(op: str, expected: Any, actual: Any) -> bool:
    if isinstance(actual, list):  # a multiple choice: the options chosen
        if op in ("eq", "ne"):
            return (expected in actual) == (op == "eq")
        return any(item in actual for item in expected) == (op == "in")
    if op in LIST_OPS:
        return any(_comparable(item, actual) == actual for item in expected) == (op == "in")
    target = _comparable(expected, actual)
    result: bool
    if op == "eq":
        result = actual == target
    elif op == "ne":
        result = actual != target
    elif op == "gt":
        result = actual > target
    elif op == "gte":
        result = actual >= target
    elif op == "lt":
        result = actual < target
    else:
        result = actual <= target
    return result


def holds(condition: Mapping[str, Any] | None, facts: Mapping[str, Any]) -> bool:
    """Whether a (checked) condition holds for the facts; no condition always holds.

    `facts` maps the fact names to values: ids for category/organisation (None without one),
    strings for the choices, and for `cf_<key>`: str, Decimal, date, a user id, a list of options
    (multiple choice) or None / [] when empty."""
    if not condition:
        return True
    if "all" in condition:
        return all(holds(part, facts) for part in condition["all"])
    if "any" in condition:
        return any(holds(part, facts) for part in condition["any"])
    if "not" in condition:
        return not holds(condition["not"], facts)
    op = condition["op"]
    actual = facts.get(condition["fact"])
    empty = actual is None or actual == "" or actual == []
    if op in PRESENCE_OPS:
        return empty == (op == "not_set")
    if empty:
        return op in NEGATIVE_OPS
    try:
        return _compare(op, condition["value"], actual)
    except (TypeError, ValueError, ArithmeticError):
        return op in NEGATIVE_OPS  # a value of another type than the condition's: not equal
