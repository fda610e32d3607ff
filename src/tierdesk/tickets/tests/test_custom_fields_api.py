"""The custom fields API: /custom-fields per role (staff read, administrators manage), a ticket's
values (/tickets/{number}/custom-fields: read by those who see the ticket, changed by staff, all
or nothing), custom_fields in the ticket views and on creation, the cf_* filters of the list, the
OpenAPI document, and query ceilings."""

from __future__ import annotations

from typing import Any

import pytest

from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.models import CustomField, CustomFieldValue, HistoryEvent, Ticket
from tierdesk.tickets.services import ticket_custom_fields_set
from tierdesk.tickets.tests.cf_support import Fields, make_fields
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

STAFF = ("agent_l1", "case_manager", "admin")


@pytest.fixture
def fields(personas: Any) -> Fields:
    return make_fields(personas)


@pytest.fixture
def ticket(personas: Any, fields: Fields) -> Ticket:
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    ticket_custom_fields_set(
        ticket=ticket, by=personas.agent_l1, values={"asset_tag": "PC-1", "cost": "12.5", "os": "linux"}
    )
    return Ticket.objects.get(pk=ticket.pk)


def world() -> dict[str, Any]:
    return {
        "fields": sorted(CustomField.objects.values_list("id", "key", "label", "is_active", "choices")),
        "values": sorted(CustomFieldValue.objects.values_list("ticket_id", "field_id", "ordinal", "value_text")),
        "versions": sorted(Ticket.objects.values_list("id", "version")),
        "history": HistoryEvent.objects.count(),
    }


def denied(who: str) -> int:
    return 401 if who == "anonymous" else 403


@pytest.mark.parametrize("who", ROLES)
def test_definitions_role_matrix(personas, fields, who):
    client = client_for(getattr(personas, who, None))
    before = world()
    listed = send(client, "GET", "/custom-fields")
    one = send(client, "GET", f"/custom-fields/{fields.cost.pk}")
    created = send(client, "POST", "/custom-fields", {"key": "room", "label": "Room", "field_type": "text"})
    patched = send(client, "PATCH", f"/custom-fields/{fields.cost.pk}", {"label": "Costs"})
    deleted = send(client, "DELETE", f"/custom-fields/{fields.since.pk}")
    statuses = [r.status_code for r in (listed, one, created, patched, deleted)]
    if who == "admin":
        assert statuses == [200, 200, 201, 200, 200]
        assert created.json()["key"] == "room"
        assert patched.json()["label"] == "Costs"
        assert deleted.json()["is_active"] is False
        return
    if who in STAFF:
        # agents and case managers read the definitions (forms, filters) but do not change them
        assert statuses == [200, 200, 403, 403, 403]
        assert listed.json()["count"] == 6
        assert created.json()["code"] == "custom_field.forbidden"
    else:
        assert statuses == [denied(who)] * 5
    assert world() == before


def test_definition_create_answers_with_the_checked_definition_and_codes(personas, fields):
    client = client_for(personas.admin)
    body = {
        "key": "site",
        "label": "Site",
        "field_type": "choice",
        "choices": ["north", "south"],
        "organisation": personas.org_a.pk,
        "category": fields.hardware.pk,
        "required_when": {"fact": "cf_os", "op": "in", "value": ["linux", "macos"]},
        "visible_to_customer": True,
    }
    created = send(client, "POST", "/custom-fields", body)
    assert created.status_code == 201, created.content
    out = created.json()
    assert (out["organisation"]["name"], out["category"]["name"]) == (personas.org_a.name, "Hardware")
    assert out["required_when"] == {"fact": "cf_os", "op": "in", "value": ["linux", "macos"]}
    assert out["position"] == 6
    again = send(client, "POST", "/custom-fields", body)
    assert (again.status_code, again.json()["code"]) == (409, "custom_field.key_taken")
    bad = send(client, "POST", "/custom-fields", {**body, "key": "x", "visible_when": {"fact": "mood", "op": "set"}})
    assert (bad.status_code, bad.json()["code"], bad.json()["field"]) == (
        422,
        "custom_field.condition_invalid",
        "visible_when",
    )
    assert "mood" in bad.json()["message"]
    unknown_type = send(client, "POST", "/custom-fields", {**body, "key": "y", "field_type": "colour"})
    assert unknown_type.status_code == 422
    # null clears a condition; a null label is refused
    cleared = send(client, "PATCH", f"/custom-fields/{out['id']}", {"required_when": None})
    assert cleared.json()["required_when"] is None
    assert send(client, "PATCH", f"/custom-fields/{out['id']}", {"label": None}).status_code == 422
    # inactive fields: administrators still read them, with include_inactive in the list
    send(client, "DELETE", f"/custom-fields/{out['id']}")
    assert send(client, "GET", "/custom-fields").json()["count"] == 6
    assert send(client, "GET", "/custom-fields?include_inactive=true").json()["count"] == 7
    assert send(client_for(personas.agent_l1), "GET", f"/custom-fields/{out['id']}").status_code == 404


@pytest.mark.parametrize("who", ROLES)
def test_ticket_values_role_matrix(personas, ticket, who):
    client = client_for(getattr(personas, who, None))
    before = world()
    read = send(client, "GET", f"/tickets/{ticket.number}/custom-fields")
    written = send(client, "PUT", f"/tickets/{ticket.number}/custom-fields", {"values": {"asset_tag": "PC-9"}})
    if who in STAFF:
        assert (read.status_code, written.status_code) == (200, 200)
        assert read.json()["values"] == {"asset_tag": "PC-1", "cost": 12.5, "os": "linux"}
        assert written.json()["values"]["asset_tag"] == "PC-9"
        return
    if who in ("customer_a", "customer_admin_a"):
        # the requester's side reads the fields customers see; only staff change them
        assert read.status_code == 200
        assert read.json()["values"] == {"asset_tag": "PC-1", "os": "linux"}
        assert [f["key"] for f in read.json()["fields"]] == ["asset_tag", "since", "os"]
        assert written.status_code == 403
    else:
        assert read.status_code == (401 if who == "anonymous" else 404)
        assert written.status_code == (401 if who == "anonymous" else 403)
    assert world() == before


def test_put_checks_everything_together_and_keeps_the_data_on_refusal(personas, ticket):
    client = client_for(personas.agent_l1)
    path = f"/tickets/{ticket.number}/custom-fields"
    before = world()
    refused = send(client, "PUT", path, {"values": {"cost": "a lot", "since": "31/12/2025", "parts": ["fan"]}})
    assert refused.status_code == 422
    body = refused.json()
    assert (body["code"], body["field"]) == ("custom_field.invalid_value", "custom_fields.cost")
    assert "Cost" in body["message"]
    assert "Broken since" in body["message"]
    assert world() == before
    version = ticket.version
    done = send(
        client,
        "PUT",
        path,
        {"values": {"cost": 2000, "owner": personas.case_manager.pk, "parts": ["fan", "disk"]}, "version": version},
    )
    assert done.status_code == 200, done.content
    out = done.json()
    assert out["values"] == {
        "asset_tag": "PC-1",
        "cost": 2000,
        "owner": personas.case_manager.pk,
        "os": "linux",
        "parts": ["disk", "fan"],
    }
    assert out["version"] == version + 1
    assert done["ETag"] == f'"{version + 1}"'
    owner = next(f for f in out["fields"] if f["key"] == "owner")
    assert (owner["visible"], owner["required"]) == (True, True)
    stale = send(client, "PUT", path, {"values": {"cost": 1}, "version": version})
    assert (stale.status_code, stale.json()["code"]) == (409, "ticket.version_conflict")
    with_if_match = send(client, "PUT", path, {"values": {"asset_tag": "PC-2"}}, **{"If-Match": f'"{version + 1}"'})
    assert with_if_match.status_code == 200
    # through a token, the history says the API
    assert send(token_client(personas.agent_l1), "PUT", path, {"values": {"asset_tag": "PC-3"}}).status_code == 200
    assert HistoryEvent.objects.filter(ticket=ticket, action="fields_changed").last().channel == "api"


def test_ticket_views_carry_custom_fields_by_role(personas, ticket):
    staff = send(client_for(personas.agent_l1), "GET", f"/tickets/{ticket.number}").json()
    assert staff["custom_fields"] == {"asset_tag": "PC-1", "cost": 12.5, "os": "linux"}
    customer = send(client_for(personas.customer_a), "GET", f"/tickets/{ticket.number}").json()
    assert customer["custom_fields"] == {"asset_tag": "PC-1", "os": "linux"}
    listed = send(client_for(personas.customer_a), "GET", "/tickets").json()["items"][0]
    assert listed["custom_fields"] == {"asset_tag": "PC-1", "os": "linux"}


def test_create_with_custom_fields(personas, fields):
    customer = client_for(personas.customer_a)
    missing = send(customer, "POST", "/tickets", {"subject": "Screen flickers", "custom_fields": {"os": "linux"}})
    assert (missing.status_code, missing.json()["code"]) == (422, "custom_field.required")
    assert missing.json()["field"] == "custom_fields.asset_tag"
    staff_only = send(customer, "POST", "/tickets", {"subject": "S", "custom_fields": {"asset_tag": "A", "cost": 1}})
    assert (staff_only.status_code, staff_only.json()["code"]) == (422, "custom_field.unknown")
    assert not Ticket.objects.exists()
    created = send(
        customer, "POST", "/tickets", {"subject": "S", "custom_fields": {"asset_tag": "PC-5", "since": "2025-06-01"}}
    )
    assert created.status_code == 201, created.content
    assert created.json()["custom_fields"] == {"asset_tag": "PC-5", "since": "2025-06-01"}
    by_staff = send(
        client_for(personas.agent_l1),
        "POST",
        "/tickets",
        {"subject": "Call", "requester": personas.contact_b.pk, "custom_fields": {"asset_tag": "B-1", "cost": "7"}},
    )
    assert by_staff.json()["custom_fields"] == {"asset_tag": "B-1", "cost": 7}


def test_list_filters_on_custom_fields(personas, fields, ticket):
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    ticket_custom_fields_set(
        ticket=other, by=personas.agent_l1, values={"asset_tag": "LAB-7", "cost": 3000, "owner": personas.admin.pk}
    )
    empty = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    client = client_for(personas.agent_l1)

    def numbers(query: str) -> set[int]:
        response = send(client, "GET", f"/tickets?{query}")
        assert response.status_code == 200, response.content
        return {item["number"] for item in response.json()["items"]}

    assert numbers("cf_os=linux") == {ticket.number}
    assert numbers("cf_asset_tag=PC-1&cf_asset_tag=LAB-7") == {ticket.number, other.number}
    assert numbers("cf_cost__gte=100") == {other.number}
    assert numbers("cf_cost__lte=12,5") == {ticket.number}
    assert numbers("cf_asset_tag__contains=lab") == {other.number}
    assert numbers("cf_owner=" + str(personas.admin.pk)) == {other.number}
    assert numbers("cf_asset_tag__isset=false") == {empty.number}
    assert numbers("cf_os=linux&status=closed") == set()
    bad = send(client, "GET", "/tickets?cf_cost=cheap")
    assert (bad.status_code, bad.json()["code"], bad.json()["field"]) == (422, "custom_field.invalid_filter", "cf_cost")
    unknown = send(client, "GET", "/tickets?cf_mood=happy")
    assert (unknown.status_code, unknown.json()["code"]) == (422, "custom_field.invalid_filter")
    ordered = send(client, "GET", "/tickets?cf_os__gte=a")
    assert ordered.status_code == 422
    # customers filter on the fields they see only: a staff-only field is unknown to them
    customer = client_for(personas.customer_a)
    assert send(customer, "GET", "/tickets?cf_cost__gte=1").status_code == 422
    assert {i["number"] for i in send(customer, "GET", "/tickets?cf_os=linux").json()["items"]} == {ticket.number}


def test_openapi_documents_custom_fields(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/custom-fields"])
    assert {"get", "patch", "delete"} <= set(paths["/api/v1/custom-fields/{field_id}"])
    assert {"get", "put"} <= set(paths["/api/v1/tickets/{number}/custom-fields"])
    assert "text/csv" in paths["/api/v1/tickets/export.csv"]["get"]["responses"]["200"]["content"]
    parameters = {p["name"] for p in paths["/api/v1/tickets"]["get"]["parameters"]}
    assert "custom_field_filters" in parameters
    components = schema["components"]["schemas"]
    assert "custom_fields" in components["TicketOut"]["properties"]
    assert "custom_fields" in components["CustomerTicketOut"]["properties"]
    assert "custom_fields" in components["TicketIn"]["properties"]
    assert "cf_<key>" in components["CustomFieldIn"]["properties"]["visible_when"]["description"]


@pytest.mark.parametrize("who", ["agent_l1", "customer_admin_a"])
def test_list_with_custom_fields_has_a_query_ceiling(personas, fields, who):
    client = client_for(getattr(personas, who))
    for rows in (2, 20):
        for index in range(rows):
            ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
            ticket_custom_fields_set(
                ticket=ticket,
                by=personas.agent_l1,
                values={"asset_tag": f"PC-{index}", "os": "linux", "parts": ["fan"], "owner": personas.admin.pk},
            )
        with assert_max_queries(14 if who == "agent_l1" else 9):
            response = send(client, "GET", "/tickets?limit=200&cf_os=linux")
        assert response.status_code == 200
        assert all(item["custom_fields"]["asset_tag"].startswith("PC-") for item in response.json()["items"])
