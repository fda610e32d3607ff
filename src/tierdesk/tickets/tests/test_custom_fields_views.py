"""Custom fields in the desk: the ticket page's panel (values, saving, errors next to the fields
with nothing lost), the administrators' page (who may, creating and changing a field, service
errors on the form), and the board's custom field filters."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tierdesk.tickets.models import CustomField, Ticket
from tierdesk.tickets.selectors_custom_fields import custom_field_values_of
from tierdesk.tickets.services import ticket_custom_fields_set
from tierdesk.tickets.tests.cf_support import Fields, make_fields
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def fields(personas: Any) -> Fields:
    return make_fields(personas)


@pytest.fixture
def ticket(personas: Any, fields: Fields) -> Ticket:
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a)


def post_fields(client: Client, ticket: Ticket, data: dict[str, Any], **headers: Any) -> Any:
    version = Ticket.objects.get(pk=ticket.pk).version
    return client.post(
        f"/desk/tickets/{ticket.number}/custom_fields/", {"version": version, **data}, headers=headers or None
    )


def test_the_panel_shows_the_visible_fields_with_their_values(personas, fields, ticket):
    ticket_custom_fields_set(
        ticket=ticket, by=personas.agent_l1, values={"asset_tag": "PC-1", "os": "linux", "parts": ["fan"]}
    )
    html = signed_in(personas.agent_l1).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="custom-fields-panel"' in html
    assert 'name="custom_fields.asset_tag"' in html
    assert 'value="PC-1"' in html
    assert "Asset tag *" in html  # required, and said so
    assert 'name="custom_fields.parts"' in html  # visible: os is linux
    assert 'name="custom_fields.owner"' in html


def test_saving_from_the_panel(personas, fields, ticket):
    client = signed_in(personas.agent_l1)
    response = post_fields(
        client,
        ticket,
        {
            "custom_fields.asset_tag": "PC-2",
            "custom_fields.cost": "99,5",
            "custom_fields.since": "2025-02-01",
            "custom_fields.os": "macos",
            "custom_fields.owner": str(personas.case_manager.pk),
        },
        **{"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Custom fields saved." in response.content.decode()
    values = custom_field_values_of(user=personas.agent_l1, ticket=ticket)
    assert (values["asset_tag"], str(values["cost"]), values["os"], values["owner"]) == (
        "PC-2",
        "99.500000",
        "macos",
        personas.case_manager,
    )


def test_bad_input_is_shown_next_to_its_field_and_what_was_typed_stays(personas, fields, ticket):
    client = signed_in(personas.agent_l1)
    response = post_fields(
        client,
        ticket,
        {"custom_fields.asset_tag": "", "custom_fields.cost": "a lot", "custom_fields.os": "windows"},
        **{"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Cost: &#x27;a lot&#x27; is not a valid number." in html
    assert "Asset tag is required." in html
    assert 'value="a lot"' in html  # the typed value comes back in the form
    assert custom_field_values_of(user=personas.agent_l1, ticket=ticket) == {}


def test_a_field_that_stops_applying_is_listed_with_its_kept_value(personas, fields, ticket):
    ticket_custom_fields_set(
        ticket=ticket, by=personas.agent_l1, values={"asset_tag": "PC-1", "os": "linux", "parts": ["fan", "disk"]}
    )
    post_fields(
        signed_in(personas.agent_l1), ticket, {"custom_fields.asset_tag": "PC-1", "custom_fields.os": "windows"}
    )
    html = signed_in(personas.agent_l1).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert 'name="custom_fields.parts"' not in html
    assert "Parts: disk, fan" in html


def test_no_panel_when_no_field_applies(personas):
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    html = signed_in(personas.agent_l1).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="custom-fields-panel"' not in html


# --- the administrators' page -------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("agent_l1", 403), ("case_manager", 403), ("admin", 200)])
def test_only_administrators_reach_the_page(personas, fields, who, status):
    client = signed_in(getattr(personas, who))
    assert client.get("/desk/custom-fields/").status_code == status
    assert client.get("/desk/custom-fields/new/").status_code == status
    assert client.get(f"/desk/custom-fields/{fields.cost.pk}/").status_code == status
    posted = client.post("/desk/custom-fields/new/", {"key": "room", "label": "Room", "field_type": "text"})
    assert posted.status_code == (302 if status == 200 else 403)


def test_customers_and_anonymous_are_kept_out(personas, client):
    assert client.get("/desk/custom-fields/").status_code == 302
    assert signed_in(personas.customer_a).post("/desk/custom-fields/new/", {}).status_code == 403
    assert not CustomField.objects.exists()


def test_admin_creates_and_changes_a_field_with_conditions(personas, fields):
    client = signed_in(personas.admin)
    created = client.post(
        "/desk/custom-fields/new/",
        {
            "key": "site",
            "label": "Site",
            "field_type": "choice",
            "choices": "north\nsouth\n",
            "category": fields.hardware.pk,
            "visible_when": '{"fact": "cf_os", "op": "eq", "value": "linux"}',
            "visible_to_customer": "on",
            "is_active": "on",
        },
    )
    assert created.status_code == 302
    site = CustomField.objects.get(key="site")
    assert (site.choices, site.category, site.visible_when, site.visible_to_customer) == (
        ["north", "south"],
        fields.hardware,
        {"fact": "cf_os", "op": "eq", "value": "linux"},
        True,
    )
    listing = client.get("/desk/custom-fields/").content.decode()
    assert 'data-testid="custom-field-site"' in listing
    changed = client.post(
        f"/desk/custom-fields/{site.pk}/",
        {
            "key": "ignored",
            "label": "Site name",
            "field_type": "choice",
            "choices": "north\nsouth\neast",
            "is_active": "",
        },
    )
    assert changed.status_code == 302
    site.refresh_from_db()
    assert (site.key, site.label, site.choices, site.is_active, site.visible_when) == (
        "site",
        "Site name",
        ["north", "south", "east"],
        False,
        None,
    )


def test_service_errors_come_back_on_the_form(personas, fields):
    client = signed_in(personas.admin)
    bad_json = client.post(
        "/desk/custom-fields/new/", {"key": "k", "label": "K", "field_type": "text", "visible_when": "{nope"}
    )
    assert bad_json.status_code == 422
    assert "This is not valid JSON." in bad_json.content.decode()
    bad_condition = client.post(
        "/desk/custom-fields/new/",
        {"key": "k", "label": "K", "field_type": "text", "visible_when": '{"fact": "mood", "op": "set"}'},
    )
    html = bad_condition.content.decode()
    assert bad_condition.status_code == 422
    assert "Unknown fact" in html
    assert "custom_field.condition_invalid" in html
    assert 'value="k"' in html  # what was typed stays
    taken = client.post("/desk/custom-fields/new/", {"key": "cost", "label": "Cost", "field_type": "number"})
    assert taken.status_code == 409
    assert not CustomField.objects.filter(key="k").exists()


# --- the board -----------------------------------------------------------------------------------


def test_board_filters_on_custom_fields(personas, fields):
    linux = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Linux laptop")
    ticket_custom_fields_set(ticket=linux, by=personas.agent_l1, values={"asset_tag": "L-1", "os": "linux"})
    windows = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Windows laptop")
    ticket_custom_fields_set(ticket=windows, by=personas.agent_l1, values={"asset_tag": "W-1", "os": "windows"})
    client = signed_in(personas.agent_l1)
    page = client.get("/desk/").content.decode()
    assert 'data-testid="custom-field-filters"' in page
    assert 'name="cf_os"' in page
    filtered = client.get("/desk/", {"cf_os": "linux"}).content.decode()
    assert "Linux laptop" in filtered
    assert "Windows laptop" not in filtered
    # a bad value is left out (the board never fails on a filter), as for the other filters
    lenient = client.get("/desk/", {"cf_cost": "cheap", "cf_nothing": "x"})
    assert lenient.status_code == 200
    assert "Windows laptop" in lenient.content.decode()
