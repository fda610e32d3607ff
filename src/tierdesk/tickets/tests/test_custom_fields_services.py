"""Custom field services: every type parsed and stored in its column, required / required-when /
visible-when, all-or-nothing with every bad field named, history and version, values on creation
(staff and customers), scope by organisation and category, and the rules of definitions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tierdesk.core.errors import Conflict, Forbidden, ValidationFailed
from tierdesk.tickets.choices import HistoryAction
from tierdesk.tickets.models import Category, CustomField, CustomFieldValue, HistoryEvent, Ticket
from tierdesk.tickets.selectors_custom_fields import custom_field_values_of
from tierdesk.tickets.services import (
    custom_field_create,
    custom_field_update,
    ticket_create,
    ticket_custom_fields_set,
)
from tierdesk.tickets.services.custom_fields import CustomFieldsInvalid
from tierdesk.tickets.tests.cf_support import Fields, make_fields
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields(personas: Any) -> Fields:
    return make_fields(personas)


@pytest.fixture
def ticket(personas: Any, fields: Fields) -> Ticket:
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a)


def values(personas: Any, ticket: Ticket) -> dict[str, Any]:
    return custom_field_values_of(user=personas.agent_l1, ticket=ticket)


def rows(ticket: Ticket) -> list[tuple[Any, ...]]:
    return sorted(
        CustomFieldValue.objects.filter(ticket=ticket).values_list(
            "field__key", "ordinal", "value_text", "value_number", "value_date", "value_user_id"
        )
    )


def test_every_type_is_stored_in_its_column(personas, fields, ticket):
    ticket_custom_fields_set(
        ticket=ticket,
        by=personas.agent_l1,
        values={
            "asset_tag": "  PC-0042 ",
            "cost": "1250,50",  # a decimal comma
            "since": "2025-03-04",
            "os": "linux",
            "parts": ["screen", "disk"],
            "owner": personas.case_manager.pk,
        },
    )
    assert rows(ticket) == [
        ("asset_tag", 0, "PC-0042", None, None, None),
        ("cost", 0, "", Decimal("1250.5"), None, None),
        ("os", 0, "linux", None, None, None),
        ("owner", 0, "", None, None, personas.case_manager.pk),
        ("parts", 0, "disk", None, None, None),  # in the definition's order
        ("parts", 1, "screen", None, None, None),
        ("since", 0, "", None, date(2025, 3, 4), None),
    ]
    assert values(personas, ticket) == {
        "asset_tag": "PC-0042",
        "cost": Decimal("1250.5"),
        "since": date(2025, 3, 4),
        "os": "linux",
        "parts": ["disk", "screen"],
        "owner": personas.case_manager,
    }


@pytest.mark.parametrize(
    ("key", "raw", "code"),
    [
        ("asset_tag", 12, "custom_field.invalid_value"),
        ("asset_tag", "x" * 501, "custom_field.too_long"),
        ("cost", "twelve", "custom_field.invalid_value"),
        ("cost", True, "custom_field.invalid_value"),
        ("cost", "1e20", "custom_field.invalid_value"),
        ("cost", "1.0000001", "custom_field.invalid_value"),
        ("cost", "NaN", "custom_field.invalid_value"),
        ("since", "04/03/2025", "custom_field.invalid_value"),
        ("since", "2025-02-30", "custom_field.invalid_value"),
        ("os", "beos", "custom_field.not_a_choice"),
        ("os", ["linux"], "custom_field.not_a_choice"),
        ("parts", ["disk", "tape"], "custom_field.not_a_choice"),
        ("parts", [1], "custom_field.invalid_value"),
        ("owner", "someone", "custom_field.invalid_value"),
        ("owner", 10**6, "custom_field.invalid_value"),
        ("nonsense", "x", "custom_field.unknown"),
    ],
)
def test_bad_input_of_each_type_is_refused_with_its_code(personas, fields, ticket, key, raw, code):
    ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={"asset_tag": "PC-1", "os": "linux"})
    before = (rows(ticket), Ticket.objects.get(pk=ticket.pk).version, HistoryEvent.objects.count())
    with pytest.raises(CustomFieldsInvalid) as refused:
        ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={key: raw})
    assert refused.value.code == code
    assert refused.value.field == f"custom_fields.{key}"
    assert refused.value.http_status == 422
    assert (rows(ticket), Ticket.objects.get(pk=ticket.pk).version, HistoryEvent.objects.count()) == before


def test_a_customer_is_not_a_staff_member_for_a_user_field(personas, fields, ticket):
    with pytest.raises(CustomFieldsInvalid) as refused:
        ticket_custom_fields_set(
            ticket=ticket, by=personas.agent_l1, values={"asset_tag": "A", "owner": personas.customer_a.pk}
        )
    assert refused.value.code == "custom_field.invalid_value"


def test_every_bad_field_is_named_and_nothing_is_saved(personas, fields, ticket):
    with pytest.raises(CustomFieldsInvalid) as refused:
        ticket_custom_fields_set(
            ticket=ticket,
            by=personas.agent_l1,
            values={"cost": "lots", "since": "yesterday", "os": "windows", "asset_tag": ""},
        )
    assert [(error.key, error.code) for error in refused.value.errors] == [
        ("cost", "custom_field.invalid_value"),
        ("since", "custom_field.invalid_value"),
        ("asset_tag", "custom_field.required"),
    ]
    assert "Cost" in refused.value.message
    assert "Asset tag is required." in refused.value.message
    assert rows(ticket) == []  # the valid "os" was not saved either


def test_required_field_must_stay_filled(personas, fields, ticket):
    ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={"asset_tag": "PC-1"})
    with pytest.raises(CustomFieldsInvalid) as refused:
        ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={"asset_tag": None})
    assert refused.value.code == "custom_field.required"
    assert values(personas, ticket) == {"asset_tag": "PC-1"}


def test_required_when_follows_another_fields_value(personas, fields, ticket):
    base = {"asset_tag": "PC-1"}
    ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={**base, "cost": 999})  # below: optional
    with pytest.raises(CustomFieldsInvalid) as refused:
        ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={"cost": "1000"})
    assert [(e.key, e.code) for e in refused.value.errors] == [("owner", "custom_field.required")]
    assert values(personas, ticket)["cost"] == Decimal(999)
    ticket_custom_fields_set(
        ticket=ticket, by=personas.agent_l1, values={"cost": "1000", "owner": personas.case_manager}
    )
    assert values(personas, ticket)["owner"] == personas.case_manager


def test_visible_when_hides_a_field_and_refuses_values_for_it_but_keeps_the_stored_one(personas, fields, ticket):
    base = {"asset_tag": "PC-1"}
    with pytest.raises(CustomFieldsInvalid) as refused:
        ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={**base, "parts": ["fan"]})
    assert refused.value.code == "custom_field.hidden"
    # made visible in the same change: accepted
    ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={**base, "os": "linux", "parts": ["fan"]})
    # the condition stops holding: the stored value stays, nothing is lost
    ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={"os": "windows"})
    assert values(personas, ticket)["parts"] == ["fan"]
    # clearing a hidden field is allowed
    ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={"parts": []})
    assert "parts" not in values(personas, ticket)


def test_conditions_on_ticket_facts(personas, fields, ticket):
    custom_field_create(
        by=personas.admin,
        key="impact_note",
        label="Who is affected",
        field_type="text",
        required_when={
            "all": [
                {"fact": "priority", "op": "in", "value": ["p1", "p2"]},
                {"fact": "level", "op": "eq", "value": "first"},
            ]
        },
        visible_when={"not": {"fact": "channel", "op": "eq", "value": "monitoring"}},
    )
    ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={"asset_tag": "PC-1"})  # p5: not required
    urgent = make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency="high", impact="high")
    with pytest.raises(CustomFieldsInvalid) as refused:
        ticket_custom_fields_set(ticket=urgent, by=personas.agent_l1, values={"asset_tag": "PC-2"})
    assert [(e.key, e.code) for e in refused.value.errors] == [("impact_note", "custom_field.required")]


def test_a_change_writes_one_history_row_per_audience_and_bumps_the_version(personas, fields, ticket):
    version = Ticket.objects.get(pk=ticket.pk).version
    ticket_custom_fields_set(
        ticket=ticket,
        by=personas.agent_l1,
        values={"asset_tag": "PC-1", "os": "linux", "cost": "12.50"},
        expected_version=version,
    )
    events = list(HistoryEvent.objects.filter(ticket=ticket, action=HistoryAction.FIELDS_CHANGED).order_by("id"))
    assert [(e.field, e.old_value, e.new_value, e.is_internal) for e in events] == [
        ("custom_fields", "Asset tag: —; Operating system: —", "Asset tag: PC-1; Operating system: linux", False),
        ("custom_fields", "Cost: —", "Cost: 12.5", True),
    ]
    assert events[0].actor == personas.agent_l1
    assert Ticket.objects.get(pk=ticket.pk).version == version + 1
    # the same values again change nothing: no row, no version
    ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={"cost": "12.5", "os": "linux"})
    assert Ticket.objects.get(pk=ticket.pk).version == version + 1
    assert HistoryEvent.objects.filter(action=HistoryAction.FIELDS_CHANGED).count() == 2


def test_stale_version_and_customers_are_refused(personas, fields, ticket):
    with pytest.raises(Conflict):
        ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={"asset_tag": "X"}, expected_version=99)
    with pytest.raises(Forbidden):
        ticket_custom_fields_set(ticket=ticket, by=personas.customer_a, values={"asset_tag": "X"})
    assert rows(ticket) == []


def test_scope_by_organisation_and_category(personas, fields):
    for_a = custom_field_create(
        by=personas.admin, key="contract", label="Contract", field_type="text", organisation=personas.org_a
    )
    for_hardware = custom_field_create(
        by=personas.admin, key="serial", label="Serial", field_type="text", category=fields.hardware
    )
    in_b = make_ticket(by=personas.agent_l1, requester=personas.contact_b)
    with pytest.raises(CustomFieldsInvalid) as refused:
        ticket_custom_fields_set(ticket=in_b, by=personas.agent_l1, values={"asset_tag": "B", for_a.key: "gold"})
    assert [(e.key, e.code) for e in refused.value.errors] == [("contract", "custom_field.unknown")]
    in_a = make_ticket(by=personas.agent_l1, requester=personas.contact_a, category=fields.hardware)
    ticket_custom_fields_set(
        ticket=in_a, by=personas.agent_l1, values={"asset_tag": "A", for_a.key: "gold", for_hardware.key: "SN-1"}
    )
    assert values(personas, in_a) == {"asset_tag": "A", "contract": "gold", "serial": "SN-1"}


def test_values_on_creation_are_checked_in_the_same_transaction(personas, fields):
    with pytest.raises(CustomFieldsInvalid) as refused:
        ticket_create(by=personas.customer_a, subject="Broken", custom_fields={"os": "linux"})
    assert refused.value.code == "custom_field.required"
    assert not Ticket.objects.exists()  # no ticket without its required field
    ticket = ticket_create(
        by=personas.customer_a, subject="Broken", custom_fields={"asset_tag": "PC-7", "since": "2025-01-02"}
    )
    assert values(personas, ticket) == {"asset_tag": "PC-7", "since": date(2025, 1, 2)}
    assert ticket.version == 1
    assert HistoryEvent.objects.filter(ticket=ticket, action=HistoryAction.FIELDS_CHANGED, is_internal=False).exists()


def test_customers_name_only_the_fields_they_fill(personas, fields):
    with pytest.raises(CustomFieldsInvalid) as refused:
        ticket_create(by=personas.customer_a, subject="Broken", custom_fields={"asset_tag": "PC-7", "cost": 5})
    assert [(e.key, e.code) for e in refused.value.errors] == [("cost", "custom_field.unknown")]
    # a mail or a rule opens tickets without custom fields at all
    assert ticket_create(by=personas.customer_a, subject="By mail").pk


def test_deactivated_fields_keep_values_but_take_none(personas, fields, ticket):
    ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={"asset_tag": "PC-1", "cost": 3})
    custom_field_update(field=fields.cost, by=personas.admin, is_active=False)
    with pytest.raises(CustomFieldsInvalid) as refused:
        ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={"cost": 4})
    assert refused.value.code == "custom_field.unknown"
    assert values(personas, ticket)["cost"] == Decimal(3)


# --- definitions --------------------------------------------------------------------------------


def test_only_administrators_define_fields(personas):
    for who in (personas.agent_l1, personas.case_manager, personas.customer_a):
        with pytest.raises(Forbidden) as refused:
            custom_field_create(by=who, key="x", label="X", field_type="text")
        assert refused.value.code == "custom_field.forbidden"
    assert not CustomField.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"key": "Bad Key"}, "custom_field.key_invalid"),
        ({"key": "9lives"}, "custom_field.key_invalid"),
        ({"label": "  "}, "custom_field.label_required"),
        ({"field_type": "colour"}, "custom_field.invalid_type"),
        ({"field_type": "choice"}, "custom_field.choices_required"),
        ({"field_type": "choice", "choices": ["a", "a"]}, "custom_field.choices_invalid"),
        ({"choices": ["a"]}, "custom_field.choices_not_allowed"),
        (
            {"required": True, "required_when": {"fact": "level", "op": "eq", "value": "first"}},
            "custom_field.required_conflict",
        ),
        ({"field_type": "user", "visible_to_customer": True}, "custom_field.user_not_for_customers"),
        ({"visible_when": {"fact": "colour", "op": "eq", "value": "red"}}, "custom_field.condition_invalid"),
        ({"visible_when": {"fact": "level", "op": "eq", "value": "fourth"}}, "custom_field.condition_invalid"),
        ({"visible_when": {"fact": "cf_nothing", "op": "set"}}, "custom_field.condition_invalid"),
        ({"visible_when": {"fact": "cf_key", "op": "set"}}, "custom_field.condition_invalid"),  # itself
        ({"visible_when": {"fact": "level", "op": "gt", "value": "first"}}, "custom_field.condition_invalid"),
        ({"visible_when": {"fact": "category", "op": "in", "value": []}}, "custom_field.condition_invalid"),
        ({"visible_when": {"fact": "level", "op": "set", "value": 1}}, "custom_field.condition_invalid"),
        (
            {"visible_when": {"any": [{"not": {"all": [{"fact": "level", "op": "set"}]}}]}},
            "custom_field.condition_invalid",
        ),
        ({"visible_when": "level = first"}, "custom_field.condition_invalid"),
    ],
)
def test_definition_rules(personas, kwargs, code):
    arguments = {"key": "key", "label": "Label", "field_type": "text", **kwargs}
    with pytest.raises(ValidationFailed) as refused:
        custom_field_create(by=personas.admin, **arguments)
    assert refused.value.code == code
    assert refused.value.message
    assert not CustomField.objects.exists()


def test_keys_are_unique_and_fixed_types_locked_while_used_and_choices_in_use_stay(personas, fields, ticket):
    with pytest.raises(Conflict) as taken:
        custom_field_create(by=personas.admin, key="cost", label="Cost again", field_type="text")
    assert taken.value.code == "custom_field.key_taken"
    with pytest.raises(ValidationFailed) as immutable:
        custom_field_update(field=fields.cost, by=personas.admin, key="price")
    assert immutable.value.code == "custom_field.key_immutable"
    ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={"asset_tag": "A", "cost": 1, "os": "macos"})
    with pytest.raises(ValidationFailed) as locked:
        custom_field_update(field=fields.cost, by=personas.admin, field_type="text")
    assert locked.value.code == "custom_field.type_locked"
    with pytest.raises(ValidationFailed) as in_use:
        custom_field_update(field=fields.os, by=personas.admin, choices=["windows", "linux"])
    assert in_use.value.code == "custom_field.choice_in_use"
    updated = custom_field_update(field=fields.os, by=personas.admin, choices=["macos", "linux", "bsd"], label="OS")
    assert (updated.label, updated.choices) == ("OS", ["macos", "linux", "bsd"])
    assert custom_field_update(field=fields.since, by=personas.admin, field_type="text").field_type == "text"


def test_a_condition_is_stored_in_its_checked_form(personas):
    field = custom_field_create(
        by=personas.admin, key="k", label="K", field_type="text", visible_when={}, required_when=None
    )
    assert (field.visible_when, field.required_when, field.position) == (None, None, 0)
    second = custom_field_create(
        by=personas.admin,
        key="k2",
        label="K2",
        field_type="number",
        visible_when={"any": [{"fact": "cf_k", "op": "not_set"}, {"fact": "category", "op": "eq", "value": 3}]},
    )
    assert second.position == 1
    assert second.visible_when == {
        "any": [{"fact": "cf_k", "op": "not_set"}, {"fact": "category", "op": "eq", "value": 3}]
    }


def test_a_category_with_fields_is_not_deleted_under_them(personas, fields):
    from django.db.models import ProtectedError

    custom_field_create(by=personas.admin, key="serial", label="Serial", field_type="text", category=fields.hardware)
    with pytest.raises(ProtectedError):
        Category.objects.filter(pk=fields.hardware.pk).delete()
