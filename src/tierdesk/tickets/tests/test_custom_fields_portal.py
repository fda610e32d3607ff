"""Custom fields on the portal's new-ticket form: the fields customers fill for their organisation
and the chosen category, conditions on the answers, the same checks as the API (nothing saved on a
refusal, every answer kept), and no staff-only field ever offered or accepted."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tierdesk.tickets.models import Ticket
from tierdesk.tickets.selectors_custom_fields import custom_field_values_of
from tierdesk.tickets.services import custom_field_create
from tierdesk.tickets.tests.cf_support import Fields, make_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def fields(personas: Any) -> Fields:
    fields = make_fields(personas)
    custom_field_create(
        by=personas.admin,
        key="printer",
        label="Printer model",
        field_type="text",
        category=fields.hardware,
        visible_to_customer=True,
        required_when={"fact": "urgency", "op": "eq", "value": "high"},
    )
    custom_field_create(
        by=personas.admin,
        key="distro",
        label="Distribution",
        field_type="choice",
        choices=["debian", "fedora"],
        visible_to_customer=True,
        visible_when={"fact": "cf_os", "op": "eq", "value": "linux"},
        required=True,
    )
    custom_field_create(
        by=personas.admin,
        key="contract",
        label="Contract",
        field_type="text",
        organisation=personas.org_b,
        visible_to_customer=True,
    )
    return fields


@pytest.fixture
def customer(personas: Any) -> Client:
    client = Client()
    client.force_login(personas.customer_a)
    return client


def answers(**extra: Any) -> dict[str, Any]:
    return {
        "subject": "Laptop does not start",
        "description": "Black screen.",
        "urgency": "medium",
        "impact": "low",
        **extra,
    }


def test_the_form_offers_the_customer_fields_of_the_organisation(fields, customer):
    html = customer.get("/portal/new/").content.decode()
    for shown in ("custom_fields.asset_tag", "custom_fields.since", "custom_fields.os", 'name="category"'):
        assert shown in html
    for hidden in ("custom_fields.cost", "custom_fields.parts", "custom_fields.owner"):  # staff only
        assert hidden not in html
    assert "custom_fields.contract" not in html  # another organisation's field
    assert "custom_fields.printer" not in html  # no category chosen yet
    assert "custom_fields.distro" not in html  # visible when os is linux
    assert 'hx-get="/portal/new/"' in html


def test_choosing_a_category_or_an_answer_brings_their_fields(fields, customer):
    # what htmx asks after a choice: the same page with the answers so far
    html = customer.get("/portal/new/", {"category": fields.hardware.pk, "custom_fields.os": "linux"}).content.decode()
    assert "custom_fields.printer" in html
    assert "custom_fields.distro" in html
    assert "Distribution *" in html


def test_submit_with_custom_fields(personas, fields, customer):
    response = customer.post(
        "/portal/new/",
        answers(
            category=fields.hardware.pk,
            **{"custom_fields.asset_tag": "PC-1", "custom_fields.since": "2025-05-06", "custom_fields.printer": "LP-2"},
        ),
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.category == fields.hardware
    values = custom_field_values_of(user=personas.agent_l1, ticket=ticket)
    assert {key: str(value) for key, value in values.items()} == {
        "asset_tag": "PC-1",
        "since": "2025-05-06",
        "printer": "LP-2",
    }


def test_a_refusal_names_the_fields_keeps_the_answers_and_saves_nothing(fields, customer):
    response = customer.post(
        "/portal/new/",
        answers(
            urgency="high",
            category=fields.hardware.pk,
            **{"custom_fields.since": "last week", "custom_fields.os": "linux"},
        ),
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Asset tag is required." in html
    assert "Broken since: &#x27;last week&#x27; is not a valid date." in html
    assert "Printer model is required." in html  # required when urgency is high
    assert "Distribution is required." in html  # shown now that os is linux, and required
    assert 'value="last week"' in html
    assert "Laptop does not start" in html
    assert not Ticket.objects.exists()


def test_staff_only_and_hidden_fields_posted_by_hand_are_not_taken(personas, fields, customer):
    response = customer.post(
        "/portal/new/",
        answers(
            **{
                "custom_fields.asset_tag": "PC-1",
                "custom_fields.cost": "1",  # staff only
                "custom_fields.contract": "gold",  # another organisation's
                "custom_fields.distro": "debian",  # hidden: os is not linux
            }
        ),
    )
    assert response.status_code == 302
    values = custom_field_values_of(user=personas.agent_l1, ticket=Ticket.objects.get())
    assert values == {"asset_tag": "PC-1"}


def test_without_custom_fields_the_form_is_as_before(personas, customer):
    html = customer.get("/portal/new/").content.decode()
    assert 'name="category"' not in html
    assert customer.post("/portal/new/", answers()).status_code == 302
