"""The condition language of custom fields (pure): how each operator reads the facts, multiple
choices, empty facts, groups, and values of another type than the condition's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tierdesk.tickets.choices_custom_fields import FieldType
from tierdesk.tickets.conditions_custom_fields import ConditionInvalid, check_condition, holds, referenced_fields

TYPES = {"cost": FieldType.NUMBER, "since": FieldType.DATE, "parts": FieldType.MULTI_CHOICE, "os": FieldType.CHOICE}
FACTS = {
    "level": "first",
    "category": 3,
    "cf_cost": Decimal("1500"),
    "cf_since": date(2025, 3, 1),
    "cf_parts": ["disk", "fan"],
    "cf_os": None,
}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"fact": "level", "op": "eq", "value": "first"}, True),
        ({"fact": "level", "op": "ne", "value": "first"}, False),
        ({"fact": "category", "op": "in", "value": [1, 3]}, True),
        ({"fact": "category", "op": "not_in", "value": [1, 3]}, False),
        ({"fact": "cf_cost", "op": "gte", "value": 1500}, True),
        ({"fact": "cf_cost", "op": "gt", "value": "1500"}, False),
        ({"fact": "cf_since", "op": "lt", "value": "2025-04-01"}, True),
        ({"fact": "cf_parts", "op": "eq", "value": "fan"}, True),
        ({"fact": "cf_parts", "op": "ne", "value": "fan"}, False),
        ({"fact": "cf_parts", "op": "in", "value": ["screen", "disk"]}, True),
        ({"fact": "cf_parts", "op": "not_in", "value": ["screen"]}, True),
        ({"fact": "cf_os", "op": "not_set"}, True),
        ({"fact": "cf_os", "op": "eq", "value": "linux"}, False),  # empty: only negative ops hold
        ({"fact": "cf_os", "op": "ne", "value": "linux"}, True),
        ({"all": [{"fact": "level", "op": "set"}, {"fact": "cf_os", "op": "set"}]}, False),
        ({"any": [{"fact": "level", "op": "set"}, {"fact": "cf_os", "op": "set"}]}, True),
        ({"not": {"fact": "cf_os", "op": "set"}}, True),
        (None, True),
    ],
)
def test_holds(condition, expected):
    checked = check_condition(condition, custom_types=TYPES)
    assert holds(checked, FACTS) is expected


def test_a_value_of_another_type_is_not_equal_and_never_crashes():
    condition = check_condition({"fact": "cf_cost", "op": "gte", "value": 5}, custom_types=TYPES)
    assert holds(condition, {"cf_cost": "not a number"}) is False


def test_limits_and_references():
    deep = {"all": [{"any": [{"not": {"fact": "level", "op": "set"}}]}]}
    with pytest.raises(ConditionInvalid):
        check_condition(deep, custom_types=TYPES)
    many = {"any": [{"fact": "level", "op": "set"}] * 21}
    with pytest.raises(ConditionInvalid):
        check_condition(many, custom_types=TYPES)
    with pytest.raises(ConditionInvalid):
        check_condition({"fact": "level", "op": "eq", "value": "first", "extra": 1}, custom_types=TYPES)
    both = {"all": [{"fact": "cf_cost", "op": "set"}, {"not": {"fact": "cf_os", "op": "set"}}]}
    assert referenced_fields(check_condition(both, custom_types=TYPES)) == {"cost", "os"}
