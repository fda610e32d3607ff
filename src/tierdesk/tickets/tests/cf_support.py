"""Custom field definitions shared by the custom field tests: one field of every type, with a
condition each kind, built through the service like an administrator would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tierdesk.tickets.models import Category, CustomField
from tierdesk.tickets.services import custom_field_create


@dataclass
class Fields:
    asset: CustomField  # text, customers fill it, required
    cost: CustomField  # number, staff only
    since: CustomField  # date, customers fill it
    os: CustomField  # choice, customers fill it
    parts: CustomField  # multi-choice, staff only, visible when os = linux
    owner: CustomField  # user, staff only, required when cost >= 1000
    hardware: Category


def make_fields(personas: Any) -> Fields:
    admin = personas.admin
    hardware = Category.objects.create(name="Hardware")
    return Fields(
        asset=custom_field_create(
            by=admin, key="asset_tag", label="Asset tag", field_type="text", required=True, visible_to_customer=True
        ),
        cost=custom_field_create(by=admin, key="cost", label="Cost", field_type="number"),
        since=custom_field_create(
            by=admin, key="since", label="Broken since", field_type="date", visible_to_customer=True
        ),
        os=custom_field_create(
            by=admin,
            key="os",
            label="Operating system",
            field_type="choice",
            choices=["windows", "linux", "macos"],
            visible_to_customer=True,
        ),
        parts=custom_field_create(
            by=admin,
            key="parts",
            label="Parts",
            field_type="multi_choice",
            choices=["disk", "fan", "screen"],
            visible_when={"fact": "cf_os", "op": "eq", "value": "linux"},
        ),
        owner=custom_field_create(
            by=admin,
            key="owner",
            label="Budget owner",
            field_type="user",
            required_when={"fact": "cf_cost", "op": "gte", "value": 1000},
        ),
        hardware=hardware,
    )
