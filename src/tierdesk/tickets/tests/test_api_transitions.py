"""The tickets API, part 3: assign, take, escalate, wait, resume, resolve, confirm, reopen and
second-level requests: a role matrix per verb, the state rules (409), version checks and input
errors (422), and a whole ticket life through a token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.models import SecondLevelRequest, Ticket
from tierdesk.tickets.services import (
    ticket_request_second_level,
    ticket_resolve,
    ticket_wait,
)
from tierdesk.tickets.tests.api_support import expected_status, ticket_state
from tierdesk.tickets.tests.factories import make_ticket

NOTE = "Printer driver crashes after the update."


@pytest.fixture
def ticket(personas):
    return make_ticket(by=personas.customer_a, requester=personas.contact_a)


def _waiting(personas: Any, ticket: Ticket) -> None:
    ticket_wait(ticket=ticket, on="customer", by=personas.agent_l2)


def _resolved(personas: Any, ticket: Ticket) -> None:
    ticket_resolve(ticket=ticket, resolution="Driver rolled back.", by=personas.agent_l2)


def _nothing(personas: Any, ticket: Ticket) -> None:
    return None


# verb -> (set-up, body, status for customers who see the ticket, status for staff, check on success)
VERBS: dict[str, tuple[Callable[[Any, Ticket], None], Callable[[Any], dict[str, Any]], int, int, dict[str, Any]]] = {
    "take": (_nothing, lambda p: {}, 403, 200, {"status": "open"}),
    "assign": (_nothing, lambda p: {"assignee": p.agent_l1.pk}, 403, 200, {"status": "open"}),
    "escalate": (_nothing, lambda p: {"to_level": "second", "handover_note": NOTE}, 403, 200, {"level": "second"}),
    "wait": (_nothing, lambda p: {"on": "third_party", "note": "Vendor"}, 403, 200, {"status": "waiting"}),
    "resume": (_waiting, lambda p: {}, 403, 200, {"status": "open"}),
    "resolve": (_nothing, lambda p: {"resolution": "Replaced toner."}, 403, 200, {"status": "resolved"}),
    "confirm": (_resolved, lambda p: {}, 200, 200, {"status": "closed"}),
    "reopen": (_resolved, lambda p: {"reason": "Still broken."}, 200, 200, {"status": "open"}),
}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("verb", list(VERBS))
def test_transition_roles(personas, ticket, verb, who):
    set_up, body, customer, staff, after = VERBS[verb]
    set_up(personas, ticket)
    expected = expected_status(who, ok=staff, customer=customer)
    before = ticket_state(ticket)
    # when
    response = send(client_for(getattr(personas, who)), "POST", f"/tickets/{ticket.number}/{verb}", body(personas))
    # then
    assert response.status_code == expected, response.json()
    if expected == 200:
        assert {key: response.json()[key] for key in after} == after
        assert response.json()["version"] > before["version"]
    else:
        assert ticket_state(ticket) == before
    if expected == 403:
        assert response.json()["code"] == "ticket.forbidden"


@pytest.mark.parametrize("verb", list(VERBS))
def test_transition_with_stale_version_is_409_and_changes_nothing(personas, ticket, verb):
    set_up, body, _, _, _ = VERBS[verb]
    set_up(personas, ticket)
    before = ticket_state(ticket)
    stale = before["version"] - 1 if before["version"] > 1 else before["version"] + 1
    # when
    payload = {**body(personas), "version": stale}
    response = send(client_for(personas.case_manager), "POST", f"/tickets/{ticket.number}/{verb}", payload)
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "ticket.version_conflict"
    assert ticket_state(ticket) == before


@pytest.mark.parametrize("verb", list(VERBS))
def test_transition_with_current_version_in_if_match_succeeds(personas, ticket, verb):
    set_up, body, _, _, after = VERBS[verb]
    set_up(personas, ticket)
    ticket.refresh_from_db()
    # when
    response = send(
        client_for(personas.case_manager),
        "POST",
        f"/tickets/{ticket.number}/{verb}",
        body(personas),
        If_Match=f'"{ticket.version}"',
    )
    # then
    assert response.status_code == 200
    assert {key: response.json()[key] for key in after} == after
    assert response.headers["ETag"] == f'"{response.json()["version"]}"'


@pytest.mark.parametrize(
    ("verb", "set_up", "code"),
    [
        ("resume", _nothing, "ticket.transition_not_allowed"),
        ("resolve", _resolved, "ticket.transition_not_allowed"),
        ("confirm", _nothing, "ticket.transition_not_allowed"),
        ("reopen", _nothing, "ticket.transition_not_allowed"),
        ("escalate", _resolved, "ticket.transition_not_allowed"),
        ("wait", _resolved, "ticket.transition_not_allowed"),
    ],
)
def test_transition_the_state_forbids_is_409(personas, ticket, verb, set_up, code):
    set_up(personas, ticket)
    body = VERBS[verb][1](personas)
    before = ticket_state(ticket)
    # when
    response = send(client_for(personas.agent_l1), "POST", f"/tickets/{ticket.number}/{verb}", body)
    # then
    assert response.status_code == 409
    assert response.json()["code"] == code
    assert ticket_state(ticket) == before


def test_escalate_to_the_current_level_is_409(personas, ticket):
    payload = {"to_level": "first", "handover_note": NOTE}
    response = send(client_for(personas.agent_l1), "POST", f"/tickets/{ticket.number}/escalate", payload)
    assert response.status_code == 409
    assert response.json()["code"] == "ticket.transition_not_allowed"


def test_closed_ticket_cannot_be_assigned(personas, ticket):
    _resolved(personas, ticket)
    send(client_for(personas.customer_a), "POST", f"/tickets/{ticket.number}/confirm")
    response = send(client_for(personas.agent_l1), "POST", f"/tickets/{ticket.number}/take")
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("verb", "payload", "status", "code", "field"),
    [
        ("escalate", {"to_level": "second", "handover_note": "short"}, 422, "ticket.handover_note_required", None),
        ("escalate", {"to_level": "development", "handover_note": NOTE}, 422, "ticket.bug_reference_required", None),
        (
            "escalate",
            {"to_level": "development", "handover_note": NOTE, "bug_key": "DEV-1", "bug_url": "javascript:alert(1)"},
            422,
            "ticket.bug_reference_required",
            "bug_url",
        ),
        ("escalate", {"to_level": "third", "handover_note": NOTE}, 422, "invalid", "to_level"),
        ("escalate", {"handover_note": NOTE}, 422, "invalid", "to_level"),
        ("escalate", {"to_level": "second", "handover_note": NOTE, "assignee": 999999}, 404, "user.not_found", None),
        ("assign", {}, 422, "invalid", "assignee"),
        ("assign", {"assignee": "l2"}, 422, "invalid", "assignee"),
        ("wait", {"on": "godot"}, 422, "invalid", "on"),
        ("resolve", {"resolution": "  "}, 422, "ticket.resolution_required", "resolution"),
        ("resolve", {}, 422, "invalid", "resolution"),
        ("take", {"version": -1}, 422, "invalid", "version"),
    ],
)
def test_transition_invalid_input_changes_nothing(personas, ticket, verb, payload, status, code, field):
    before = ticket_state(ticket)
    # when
    response = send(client_for(personas.agent_l2), "POST", f"/tickets/{ticket.number}/{verb}", payload)
    # then
    assert response.status_code == status
    assert response.json()["code"] == code
    if field is not None:
        assert response.json()["field"] == field
    assert ticket_state(ticket) == before


def test_reopen_needs_a_reason(personas, ticket):
    _resolved(personas, ticket)
    before = ticket_state(ticket)
    response = send(client_for(personas.customer_a), "POST", f"/tickets/{ticket.number}/reopen", {"reason": " "})
    assert response.status_code == 422
    assert response.json()["code"] == "ticket.reason_required"
    assert ticket_state(ticket) == before


def test_escalate_to_development_with_bug_and_assignee(personas, ticket):
    payload = {
        "to_level": "development",
        "handover_note": NOTE,
        "bug_key": "DEV-42",
        "bug_url": "https://bugs.example.org/DEV-42",
        "assignee": personas.developer.pk,
    }
    # when
    body = send(client_for(personas.agent_l2), "POST", f"/tickets/{ticket.number}/escalate", payload).json()
    # then
    assert body["level"] == "development"
    assert body["bug_key"] == "DEV-42"
    assert body["bug_url"] == "https://bugs.example.org/DEV-42"
    assert body["assignee"]["id"] == personas.developer.pk


def test_agent_cannot_assign_a_colleague(personas, ticket):
    before = ticket_state(ticket)
    payload = {"assignee": personas.agent_l2.pk}
    response = send(client_for(personas.agent_l1), "POST", f"/tickets/{ticket.number}/assign", payload)
    assert response.status_code == 403
    assert ticket_state(ticket) == before


def test_case_manager_assigns_and_owner_releases(personas, ticket):
    cm = client_for(personas.case_manager)
    assigned = send(cm, "POST", f"/tickets/{ticket.number}/assign", {"assignee": personas.agent_l2.pk}).json()
    released = send(client_for(personas.agent_l2), "POST", f"/tickets/{ticket.number}/assign", {"assignee": None})
    assert assigned["assignee"]["id"] == personas.agent_l2.pk
    assert released.status_code == 200
    assert released.json()["assignee"] is None


def test_assigning_a_customer_is_not_found(personas, ticket):
    before = ticket_state(ticket)
    payload = {"assignee": personas.customer_a.pk}
    response = send(client_for(personas.case_manager), "POST", f"/tickets/{ticket.number}/assign", payload)
    assert response.status_code == 404
    assert response.json() == {"code": "user.not_found", "message": "No such agent.", "field": "assignee"}
    assert ticket_state(ticket) == before


def test_a_whole_ticket_life_through_a_token(personas):
    # given an integration of the service desk and the customer's browser
    desk, customer = token_client(personas.agent_l1), client_for(personas.customer_a)
    # when the desk opens a ticket for a caller and works it through two levels
    number = send(desk, "POST", "/tickets", {"subject": "VPN drops", "requester": personas.contact_a.pk}).json()[
        "number"
    ]
    assert send(desk, "POST", f"/tickets/{number}/take").json()["assignee"]["id"] == personas.agent_l1.pk
    escalated = send(desk, "POST", f"/tickets/{number}/escalate", {"to_level": "second", "handover_note": NOTE})
    assert escalated.json()["assignee"] is None
    l2 = token_client(personas.agent_l2)
    assert send(l2, "POST", f"/tickets/{number}/take").status_code == 200
    waiting = send(l2, "POST", f"/tickets/{number}/wait", {"on": "customer", "note": "Please send logs"}).json()
    assert (waiting["status"], waiting["waiting_on"]) == ("waiting", "customer")
    assert waiting["paused_at"] is not None
    # and the customer answers, which reopens it
    assert send(customer, "POST", f"/tickets/{number}/comments", {"body": "Logs attached"}).status_code == 201
    resolved = send(l2, "POST", f"/tickets/{number}/resolve", {"resolution": "New VPN profile."}).json()
    closed = send(customer, "POST", f"/tickets/{number}/confirm", {"note": "Works, thanks"}).json()
    # then
    assert resolved["status"] == "resolved"
    assert resolved["resolution"] == "New VPN profile."
    assert closed["status"] == "closed"
    assert closed["closed_at"] is not None
    assert Ticket.objects.get(number=number).channel == "api"
    history = send(customer, "GET", f"/tickets/{number}/history").json()
    assert [row["action"] for row in history][-1] == "confirmed"


# --- second-level requests ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_request_second_level_roles(personas, ticket, who):
    expected = expected_status(who, ok=403, customer=201)
    before = ticket_state(ticket)
    # when
    payload = {"reason": "First level keeps asking the same."}
    response = send(
        client_for(getattr(personas, who)), "POST", f"/tickets/{ticket.number}/second-level-requests", payload
    )
    # then
    assert response.status_code == expected
    if expected == 201:
        body = response.json()
        assert body["decision"] == "pending"
        assert body["ticket_number"] == ticket.number
        assert body["organisation"] == {"id": personas.org_a.pk, "name": "Harbour Freight Systems"}
    else:
        assert ticket_state(ticket) == before


def test_second_pending_request_is_409(personas, ticket):
    client = client_for(personas.customer_a)
    path = f"/tickets/{ticket.number}/second-level-requests"
    first = send(client, "POST", path, {"reason": "Please"})
    second = send(client, "POST", path, {"reason": "Please, again"})
    assert first.status_code == 201
    assert second.status_code == 409
    assert second.json()["code"] == "ticket.second_level_pending"
    assert SecondLevelRequest.objects.count() == 1


def test_second_level_request_needs_a_reason(personas, ticket):
    response = send(client_for(personas.customer_a), "POST", f"/tickets/{ticket.number}/second-level-requests", {})
    assert response.status_code == 422
    assert not SecondLevelRequest.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("customer_b", 403),
        ("customer_a2", 403),
        ("customer_admin_a", 403),
        ("customer_a", 403),
        ("agent_l1", 200),
        ("case_manager", 200),
        ("admin", 200),
    ],
)
def test_pending_list_is_for_staff(personas, ticket, who, status):
    ticket_request_second_level(ticket=ticket, reason="Please", by=personas.customer_a)
    response = send(client_for(getattr(personas, who)), "GET", "/second-level-requests")
    assert response.status_code == status
    if status == 200:
        assert response.json()["count"] == 1
        assert response.json()["items"][0]["requested_by_name"] == "anna"
    elif status == 403:
        assert response.json()["code"] == "auth.staff_only"


def test_pending_list_has_a_query_ceiling(personas):
    client = client_for(personas.agent_l1)
    for rows in (3, 30):
        for _ in range(rows):
            ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a)
            ticket_request_second_level(ticket=ticket, reason="Please", by=personas.customer_a)
        with assert_max_queries(4):
            response = send(client, "GET", "/second-level-requests?limit=200")
        assert response.status_code == 200


@pytest.mark.parametrize("who", ROLES)
def test_decide_roles(personas, ticket, who):
    request = ticket_request_second_level(ticket=ticket, reason="Please", by=personas.customer_a)
    expected = expected_status(who, ok=200, customer=403)
    before = ticket_state(ticket)
    # when
    payload = {"approve": True, "note": "Agreed: L2 takes the driver issue."}
    response = send(
        client_for(getattr(personas, who)), "POST", f"/second-level-requests/{request.pk}/decision", payload
    )
    # then
    assert response.status_code == expected
    request.refresh_from_db()
    if expected == 200:
        assert response.json()["decision"] == "approved"
        assert response.json()["decided_by_name"] == getattr(personas, who).display_name
        assert Ticket.objects.get(pk=ticket.pk).level == "second"
    else:
        assert request.decision == "pending"
        assert ticket_state(ticket) == before


def test_decline_tells_the_customer_and_cannot_be_decided_twice(personas, ticket):
    request = ticket_request_second_level(ticket=ticket, reason="Please", by=personas.customer_a)
    client = client_for(personas.agent_l1)
    path = f"/second-level-requests/{request.pk}/decision"
    # when
    declined = send(client, "POST", path, {"approve": False, "note": "First level has the fix ready."})
    again = send(client, "POST", path, {"approve": True, "note": "Changed my mind."})
    # then
    assert declined.json()["decision"] == "declined"
    assert again.status_code == 409
    assert again.json()["code"] == "ticket.second_level_decided"
    comments = send(client_for(personas.customer_a), "GET", f"/tickets/{ticket.number}/comments").json()
    assert [c["body"] for c in comments] == ["First level has the fix ready."]
    assert Ticket.objects.get(pk=ticket.pk).level == "first"


def test_decision_input_errors(personas, ticket):
    request = ticket_request_second_level(ticket=ticket, reason="Please", by=personas.customer_a)
    client = client_for(personas.agent_l1)
    no_note = send(client, "POST", f"/second-level-requests/{request.pk}/decision", {"approve": True, "note": " "})
    no_approve = send(client, "POST", f"/second-level-requests/{request.pk}/decision", {"note": "Yes"})
    unknown = send(client, "POST", "/second-level-requests/999999/decision", {"approve": True, "note": "Yes"})
    assert (no_note.status_code, no_note.json()["code"]) == (422, "ticket.decision_note_required")
    assert (no_approve.status_code, no_approve.json()["field"]) == (422, "approve")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "second_level_request.not_found")
    request.refresh_from_db()
    assert request.decision == "pending"
