"""Rule conditions: checking their shape against the vocabulary (fields.py) and deciding whether
one holds for a value. Pure: the values come from facts.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from tierdesk.tickets.automation.fields import FIELDS, OPS_BY_KIND, PRESENCE_OPS, Field, Kind
from tierdesk.tickets.errors import RuleInvalid

Condition = Mapping[str, Any]

# How the operators read in the text syntax (syntax.py) and in messages; the JSON names are the keys.
OP_SYMBOLS = {
    "eq": "=",
    "ne": "!=",
    "in": "in",
    "not_in": "not in",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "contains": "contains",
    "not_contains": "not contains",
    "is_set": "is set",
    "is_not_set": "is not set",
}
_OP_ORDER = list(OP_SYMBOLS)

MAX_CONDITIONS = 20
MAX_LIST_VALUES = 50
# Larger thresholds are typing errors, and would plan timers years ahead.
MAX_NUMBER = 100_000


def clean_conditions(raw: Any) -> list[dict[str, Any]]:
    """The conditions in canonical form, or RuleInvalid naming the first bad part
    (`field` = "conditions[2].value")."""
    if not isinstance(raw, list):
        raise RuleInvalid(_("Conditions must be a list."), field="conditions")
    if len(raw) > MAX_CONDITIONS:
        raise RuleInvalid(_("A rule has at most %(count)d conditions.") % {"count": MAX_CONDITIONS}, field="conditions")
    return [_clean_one(index, item) for index, item in enumerate(raw)]


def _clean_one(index: int, item: Any) -> dict[str, Any]:
    where = f"conditions[{index}]"
    if not isinstance(item, Mapping):
        raise RuleInvalid(_("A condition is an object with field, op and value."), field=where)
    name, op = item.get("field"), item.get("op")
    spec = FIELDS.get(name) if isinstance(name, str) else None
    if spec is None:
        raise RuleInvalid(
            _("Unknown field “%(name)s”; known fields: %(known)s.") % {"name": name, "known": ", ".join(FIELDS)},
            field=f"{where}.field",
        )
    allowed = OPS_BY_KIND[spec.kind] | (PRESENCE_OPS if spec.optional else frozenset())
    if op not in allowed:
        raise RuleInvalid(
            _("%(field)s takes the operators %(ops)s.")
            % {"field": spec.name, "ops": ", ".join(OP_SYMBOLS[one] for one in sorted(allowed, key=_OP_ORDER.index))},
            field=f"{where}.op",
        )
    if op in PRESENCE_OPS:
        return {"field": spec.name, "op": op}
    value = item.get("value")
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value or len(value) > MAX_LIST_VALUES:
            raise RuleInvalid(
                _("“%(op)s” needs a list of 1 to %(count)d values.") % {"op": OP_SYMBOLS[op], "count": MAX_LIST_VALUES},
                field=f"{where}.value",
            )
        cleaned: Any = [_clean_value(spec, one, f"{where}.value") for one in value]
    else:
        cleaned = _clean_value(spec, value, f"{where}.value")
    return {"field": spec.name, "op": op, "value": cleaned}


def _clean_value(spec: Field, value: Any, where: str) -> Any:
    if spec.kind is Kind.CHOICE and spec.choices is not None:
        if value not in spec.choices.values:
            raise RuleInvalid(
                _("%(field)s is one of %(values)s.") % {"field": spec.name, "values": ", ".join(spec.choices.values)},
                field=where,
            )
        return str(value)
    if spec.kind is Kind.BOOL:
        if not isinstance(value, bool):
            raise RuleInvalid(_("%(field)s is true or false.") % {"field": spec.name}, field=where)
        return value
    if spec.kind is Kind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_NUMBER:
            raise RuleInvalid(
                _("%(field)s compares with a whole number from 0 to %(max)d.")
                % {"field": spec.name, "max": MAX_NUMBER},
                field=where,
            )
        return value
    if not isinstance(value, str) or not value.strip() or len(value) > 200 or len(value.splitlines()) > 1:
        raise RuleInvalid(_("%(field)s compares with a name.") % {"field": spec.name}, field=where)
    return value.strip()


def holds(condition: Condition, value: Any) -> bool:
    """Whether a clean condition holds for the fact's current value (None: unset or not
    applicable, e.g. the days since resolving of an open ticket, which no comparison matches)."""
    op, expected = condition["op"], condition.get("value", "")
    kind = FIELDS[condition["field"]].kind
    if op == "is_set":
        return bool(value)
    if op == "is_not_set":
        return not value
    if kind is Kind.TAGS:
        present = str(expected).casefold() in value
        return present if op == "contains" else not present
    if value is None:
        return op in ("ne", "not_in")
    if kind is Kind.TEXT:
        value = str(value).casefold()
        expected = [one.casefold() for one in expected] if isinstance(expected, list) else str(expected).casefold()
    if op == "eq":
        return bool(value == expected)
    if op == "ne":
        return bool(value != expected)
    if op == "in":
        return value in expected
    if op == "not_in":
        return value not in expected
    comparisons = {"gt": value > expected, "gte": value >= expected, "lt": value < expected, "lte": value <= expected}
    return comparisons[op]


def fields_named(conditions: Sequence[Condition]) -> list[str]:
    """The facts a rule looks at, in a stable order without repeats."""
    return sorted({condition["field"] for condition in conditions})
