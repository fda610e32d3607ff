"""The macros API: /api/v1/macros (list, create, read, change, deactivate) with a role matrix
each, and POST /api/v1/tickets/{number}/macros/{id}/apply (roles, versions, refusals)."""

from __future__ import annotations

from typing import Any

import pytest

from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.choices import HistoryAction
from tierdesk.tickets.models import Comment, HistoryEvent, Macro, Ticket
from tierdesk.tickets.services import macro_create, macro_deactivate
from tierdesk.tickets.tests.api_support import ticket_state
from tierdesk.tickets.tests.factories import make_ticket

CUSTOMERS = ("customer_b", "customer_a2", "customer_admin_a", "customer_a")
MANAGERS = ("case_manager", "admin")


def new_macro(personas: Any, **fields: Any) -> Macro:
    return macro_create(
        by=personas.admin, **{"name": "Photo please", "language": "en", "body": "Hi {customer_name}.", **fields}
    )


def macro_rows() -> list[tuple[Any, ...]]:
    return list(Macro.objects.order_by("id").values_list("name", "language", "body", "is_active", "updated_at"))


@pytest.fixture
def macro(personas) -> Macro:
    return new_macro(personas, set_status="waiting_customer", add_tags=["photo"])


@pytest.fixture
def ticket(personas) -> Ticket:
    return make_ticket(by=personas.customer_a, requester=personas.contact_a)


def _status(who: str, *, staff: int, manager: int | None = None, customer: int) -> int:
    if who == "anonymous":
        return 401
    if who in CUSTOMERS:
        return customer
    return manager if manager is not None and who in MANAGERS else staff


# --- the role matrix of /macros -------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_list_roles(personas, macro, who):
    # when
    response = send(client_for(getattr(personas, who)), "GET", "/macros")
    # then
    expected = _status(who, staff=200, customer=403)
    assert response.status_code == expected, response.json()
    if expected == 200:
        assert [item["name"] for item in response.json()["items"]] == ["Photo please"]
    elif expected == 403:
        assert response.json()["code"] == "auth.staff_only"


@pytest.mark.parametrize("who", ROLES)
def test_create_roles(personas, who):
    # given
    body = {"name": "Photo please", "language": "nl", "body": "Beste {customer_name}.", "add_tags": ["Photo"]}
    # when
    response = send(client_for(getattr(personas, who)), "POST", "/macros", body)
    # then
    expected = _status(who, staff=403, manager=201, customer=403)
    assert response.status_code == expected, response.json()
    if expected == 201:
        user = getattr(personas, who)
        assert response.json() == {
            "id": Macro.objects.get().pk,
            "name": "Photo please",
            "language": "nl",
            "body": "Beste {customer_name}.",
            "is_internal": False,
            "set_status": "",
            "set_urgency": "",
            "set_impact": "",
            "add_tags": ["photo"],
            "is_active": True,
            "created_by": {"id": user.pk, "username": user.username, "display_name": user.display_name},
            "created_at": response.json()["created_at"],
            "updated_at": response.json()["updated_at"],
        }
    else:
        assert Macro.objects.count() == 0
    if expected == 403:
        assert response.json()["code"] == "macro.forbidden"


@pytest.mark.parametrize("who", ROLES)
def test_get_roles(personas, macro, who):
    # when
    response = send(client_for(getattr(personas, who)), "GET", f"/macros/{macro.pk}")
    # then
    expected = _status(who, staff=200, customer=404)
    assert response.status_code == expected, response.json()
    if expected == 200:
        assert (response.json()["id"], response.json()["set_status"]) == (macro.pk, "waiting_customer")
    if expected == 404:
        assert response.json()["code"] == "macro.not_found"


@pytest.mark.parametrize("who", ROLES)
def test_update_roles(personas, macro, who):
    # given
    before = macro_rows()
    # when
    response = send(client_for(getattr(personas, who)), "PATCH", f"/macros/{macro.pk}", {"body": "Hello {agent_name}."})
    # then
    expected = _status(who, staff=403, manager=200, customer=404)
    assert response.status_code == expected, response.json()
    if expected == 200:
        assert (response.json()["body"], response.json()["name"]) == ("Hello {agent_name}.", "Photo please")
        assert Macro.objects.get().body == "Hello {agent_name}."
    else:
        assert macro_rows() == before


@pytest.mark.parametrize("who", ROLES)
def test_delete_roles(personas, macro, who):
    # given
    before = macro_rows()
    # when
    response = send(client_for(getattr(personas, who)), "DELETE", f"/macros/{macro.pk}")
    # then
    expected = _status(who, staff=403, manager=200, customer=404)
    assert response.status_code == expected, response.json()
    if expected == 200:
        assert response.json()["is_active"] is False
        assert Macro.objects.get().is_active is False  # kept, only deactivated
    else:
        assert macro_rows() == before


# --- input and filters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"name": "", "language": "en", "body": "Hi"}, "macro.name_required", "name"),
        ({"name": "A", "language": "fr", "body": "Hi"}, "macro.invalid_language", "language"),
        ({"name": "A", "language": "en", "body": "Hi", "set_status": "closed"}, "macro.invalid_status", "set_status"),
        ({"name": "A", "language": "en", "body": "Hi", "set_urgency": "p1"}, "macro.invalid_urgency", "set_urgency"),
        (
            {"name": "A", "language": "en", "body": "Hi", "is_internal": True, "set_status": "resolved"},
            "macro.internal_cannot_resolve",
            "set_status",
        ),
        ({"name": "A", "language": "en"}, "invalid", "body"),
        ({"name": "A", "language": "en", "body": "Hi", "add_tags": "vip"}, "invalid", "add_tags"),
    ],
)
def test_create_refuses_invalid_input(personas, body, code, field):
    # when
    response = send(client_for(personas.case_manager), "POST", "/macros", body)
    # then
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert Macro.objects.count() == 0


def test_create_refuses_a_duplicate(personas, macro):
    # when
    response = send(
        client_for(personas.admin), "POST", "/macros", {"name": "PHOTO please", "language": "en", "body": "x"}
    )
    # then
    assert (response.status_code, response.json()["code"]) == (422, "macro.duplicate")


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"name": None}, "invalid", "name"),
        ({"created_by": 1}, "invalid", "created_by"),
        ({"is_internal": True, "set_status": "resolved"}, "macro.internal_cannot_resolve", "set_status"),
    ],
)
def test_update_refuses_invalid_input(personas, macro, body, code, field):
    # given
    before = macro_rows()
    # when
    response = send(client_for(personas.admin), "PATCH", f"/macros/{macro.pk}", body)
    # then
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert macro_rows() == before


def test_patch_reactivates(personas, macro):
    # given
    macro_deactivate(macro=macro, by=personas.admin)
    # when
    response = send(client_for(personas.case_manager), "PATCH", f"/macros/{macro.pk}", {"is_active": True})
    # then
    assert (response.status_code, response.json()["is_active"]) == (200, True)


def test_list_filters_by_language_and_shows_inactive_to_managers(personas, macro):
    # given
    new_macro(personas, language="nl", name="Foto graag")
    old = new_macro(personas, name="Old reply")
    macro_deactivate(macro=old, by=personas.admin)
    agent, manager = client_for(personas.agent_l1), client_for(personas.case_manager)
    # when / then
    names = [item["name"] for item in send(agent, "GET", "/macros?language=nl").json()["items"]]
    assert names == ["Foto graag"]
    names = [item["name"] for item in send(agent, "GET", "/macros?include_inactive=true").json()["items"]]
    assert names == ["Photo please", "Foto graag"]
    names = [item["name"] for item in send(manager, "GET", "/macros?include_inactive=true").json()["items"]]
    assert names == ["Old reply", "Photo please", "Foto graag"]
    response = send(agent, "GET", "/macros?language=xx")
    assert (response.status_code, response.json()["code"]) == (422, "macro.invalid_language")


def test_unknown_macro_is_404(personas):
    # when
    response = send(client_for(personas.admin), "PATCH", "/macros/999999", {"body": "x"})
    # then
    assert (response.status_code, response.json()["code"]) == (404, "macro.not_found")


def test_list_query_count_does_not_grow_with_the_macros(personas, macro):
    # given
    client = client_for(personas.agent_l1)
    with assert_max_queries(6) as few:
        assert send(client, "GET", "/macros").status_code == 200
    for i in range(30):
        macro_create(by=personas.case_manager if i % 2 else personas.admin, name=f"Reply {i}", language="de", body="x")
    # when
    with assert_max_queries(6) as many:
        response = send(client, "GET", "/macros?limit=200")
    # then
    assert response.json()["count"] == 31
    assert len(many.captured_queries) == len(few.captured_queries)


# --- applying -------------------------------------------------------------------------------


def apply_path(ticket: Ticket, macro: Macro) -> str:
    return f"/tickets/{ticket.number}/macros/{macro.pk}/apply"


@pytest.mark.parametrize("who", ROLES)
def test_apply_roles(personas, ticket, macro, who):
    # given
    before = ticket_state(ticket)
    # when
    response = send(client_for(getattr(personas, who)), "POST", apply_path(ticket, macro), {"version": 1})
    # then
    expected = _status(who, staff=200, customer=403)
    assert response.status_code == expected, response.json()
    if expected == 200:
        data = response.json()
        assert (data["status"], data["waiting_on"], data["tags"], data["version"]) == (
            "waiting",
            "customer",
            ["photo"],
            ticket_state(ticket)["version"],
        )
        assert response["ETag"] == f'"{data["version"]}"'
        assert Comment.objects.get(ticket=ticket).body == "Hi Anna Vermeulen."
    else:
        assert ticket_state(ticket) == before
    if expected == 403:
        assert response.json()["code"] == "auth.staff_only"


def test_apply_with_a_stale_version_is_409_and_changes_nothing(personas, ticket, macro):
    # given
    before = ticket_state(ticket)
    # when
    response = send(client_for(personas.agent_l1), "POST", apply_path(ticket, macro), {"version": 7})
    # then
    assert (response.status_code, response.json()["code"]) == (409, "ticket.version_conflict")
    assert ticket_state(ticket) == before


def test_apply_takes_the_version_from_if_match_or_none_at_all(personas, ticket, macro):
    # given
    client = client_for(personas.agent_l1)
    # when
    stale = send(client, "POST", apply_path(ticket, macro), None, **{"If-Match": '"9"'})
    fresh = send(client, "POST", apply_path(ticket, macro), None, **{"If-Match": 'W/"1"'})
    # then
    assert (stale.status_code, fresh.status_code) == (409, 200)
    reply = new_macro(personas, name="Reply")
    assert send(client, "POST", apply_path(ticket, reply)).status_code == 200


def test_apply_through_a_token_records_the_api_channel(personas, ticket, macro):
    # when
    response = send(token_client(personas.agent_l2), "POST", apply_path(ticket, macro), {})
    # then
    assert response.status_code == 200
    row = HistoryEvent.objects.get(ticket=ticket, action=HistoryAction.MACRO_APPLIED)
    assert (row.channel, row.new_value, row.actor) == ("api", "Photo please", personas.agent_l2)


def test_apply_refusals(personas, ticket, macro):
    # given
    client = client_for(personas.agent_l1)
    inactive = new_macro(personas, name="Old reply")
    macro_deactivate(macro=inactive, by=personas.admin)
    before = ticket_state(ticket)
    # when
    unknown_macro = send(client, "POST", f"/tickets/{ticket.number}/macros/999999/apply", {})
    unknown_ticket = send(client, "POST", f"/tickets/999999/macros/{macro.pk}/apply", {})
    deactivated = send(client, "POST", apply_path(ticket, inactive), {})
    # then
    assert (unknown_macro.status_code, unknown_macro.json()["code"]) == (404, "macro.not_found")
    assert (unknown_ticket.status_code, unknown_ticket.json()["code"]) == (404, "ticket.not_found")
    assert (deactivated.status_code, deactivated.json()["code"]) == (422, "macro.inactive")
    assert ticket_state(ticket) == before


def test_apply_to_a_resolved_ticket_answers_409_and_undoes_everything(personas, ticket):
    # given
    resolving = new_macro(personas, name="Solved", set_status="resolved", set_urgency="high", add_tags=["done"])
    client = client_for(personas.agent_l1)
    assert send(client, "POST", apply_path(ticket, resolving), {}).status_code == 200
    before = ticket_state(ticket)
    # when
    response = send(client, "POST", apply_path(ticket, resolving), {})
    # then
    assert (response.status_code, response.json()["code"]) == (409, "ticket.transition_not_allowed")
    assert ticket_state(ticket) == before
