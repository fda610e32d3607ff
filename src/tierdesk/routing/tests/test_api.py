"""The routing API: /api/v1/presence (staff; case managers set colleagues') and
/api/v1/assignment-policies (staff read, administrators change): a role matrix per endpoint,
validation codes, unknown ids, token access, query ceilings on the lists, and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest

from tierdesk.accounts.choices import Level
from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.routing.choices import AssignmentMode, PresenceStatus
from tierdesk.routing.models import AgentPresence, AssignmentPolicy, PresenceChange
from tierdesk.routing.services import presence_set
from tierdesk.routing.tests.factories import make_agent, make_policy
from tierdesk.tickets.models import Category

STAFF = {"agent_l1", "case_manager", "admin"}


@pytest.fixture
def policy(personas: Any) -> AssignmentPolicy:
    return make_policy(personas.admin, name="First level desk")


def rows() -> list[tuple[Any, ...]]:
    policies = AssignmentPolicy.objects.order_by("id").values_list(
        "id", "name", "level", "category_id", "mode", "max_open_tickets", "respect_language", "is_active"
    )
    presences = AgentPresence.objects.order_by("id").values_list("user_id", "status", "reason")
    return [*policies, *presences, ("changes", PresenceChange.objects.count())]


# --- the role matrix ---------------------------------------------------------------------------------

# (method, path with {id} for the policy and {l2} for a colleague, body, who succeeds, status then)
ENDPOINTS: list[tuple[str, str, Any, frozenset[str], int]] = [
    ("GET", "/presence/me", None, frozenset(STAFF), 200),
    ("PUT", "/presence/me", {"status": "available"}, frozenset(STAFF), 200),
    ("GET", "/presence", None, frozenset(STAFF), 200),
    ("PUT", "/presence/{l2}", {"status": "meeting", "reason": "Training"}, frozenset({"case_manager", "admin"}), 200),
    ("GET", "/assignment-policies", None, frozenset(STAFF), 200),
    (
        "POST",
        "/assignment-policies",
        {"name": "Second level desk", "level": "second", "mode": "least_loaded"},
        frozenset({"admin"}),
        201,
    ),
    ("GET", "/assignment-policies/{id}", None, frozenset(STAFF), 200),
    ("PATCH", "/assignment-policies/{id}", {"max_open_tickets": 5}, frozenset({"admin"}), 200),
    ("DELETE", "/assignment-policies/{id}", None, frozenset({"admin"}), 204),
]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "allowed", "success"), ENDPOINTS, ids=[f"{e[0]} {e[1]}" for e in ENDPOINTS]
)
def test_every_endpoint_by_role(
    personas: Any,
    policy: AssignmentPolicy,
    who: str,
    method: str,
    path: str,
    body: Any,
    allowed: frozenset[str],
    success: int,
) -> None:
    # given
    before = rows()
    # when
    response = send(
        client_for(getattr(personas, who)), method, path.format(id=policy.pk, l2=personas.agent_l2.pk), body
    )
    # then
    expected = success if who in allowed else (401 if who == "anonymous" else 403)
    assert response.status_code == expected, response.content
    if expected != success:
        assert rows() == before
        assert response.json()["code"] == ("auth.required" if who == "anonymous" else "routing.forbidden")


def test_a_token_works_like_the_session(personas: Any) -> None:
    client = token_client(personas.agent_l1)
    response = send(client, "PUT", "/presence/me", {"status": "lunch", "reason": "Canteen"})
    assert response.status_code == 200
    assert response.json()["status"] == "lunch"
    assert send(token_client(personas.customer_a), "GET", "/presence/me").status_code == 403


# --- presence ----------------------------------------------------------------------------------------


def test_my_presence_starts_offline_and_follows_what_i_set(personas: Any) -> None:
    client = client_for(personas.agent_l1)
    first = send(client, "GET", "/presence/me").json()
    assert (first["username"], first["status"], first["changed_at"], first["level"]) == ("l1", "offline", None, "first")
    body = send(client, "PUT", "/presence/me", {"status": "break", "reason": "Coffee"}).json()
    assert (body["status"], body["reason"]) == ("break", "Coffee")
    assert body["changed_at"] is not None
    assert send(client, "GET", "/presence/me").json() == body


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"status": "asleep"}, "routing.presence_invalid", "status"),
        ({"status": "break", "reason": "x" * 201}, "invalid", "reason"),
        ({"reason": "no status"}, "invalid", "status"),
    ],
)
def test_invalid_presence_is_422_with_a_code(personas: Any, body: dict[str, Any], code: str, field: str) -> None:
    response = send(client_for(personas.agent_l1), "PUT", "/presence/me", body)
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not PresenceChange.objects.exists()


def test_an_agent_sets_only_their_own_presence_by_id(personas: Any) -> None:
    client = client_for(personas.agent_l1)
    own = send(client, "PUT", f"/presence/{personas.agent_l1.pk}", {"status": "available"})
    assert own.status_code == 200
    other = send(client, "PUT", f"/presence/{personas.agent_l2.pk}", {"status": "available"})
    assert (other.status_code, other.json()["code"]) == (403, "routing.forbidden")


@pytest.mark.parametrize("target", ["unknown", "customer_a"])
def test_an_unknown_agent_or_a_customer_is_not_found(personas: Any, target: str) -> None:
    user_id = 999999 if target == "unknown" else getattr(personas, target).pk
    response = send(client_for(personas.case_manager), "PUT", f"/presence/{user_id}", {"status": "offline"})
    assert (response.status_code, response.json()["code"]) == (404, "routing.agent_not_found")


def test_the_presence_list_shows_staff_only_filtered_and_paginated(personas: Any) -> None:
    presence_set(by=personas.agent_l2, agent=personas.agent_l2, status=PresenceStatus.AVAILABLE)
    presence_set(by=personas.developer, agent=personas.developer, status=PresenceStatus.LUNCH, reason="Out")
    client = client_for(personas.agent_l1)
    everyone = send(client, "GET", "/presence").json()
    assert [item["username"] for item in everyone["items"]] == ["admin", "cm", "dev", "l1", "l2"]
    assert everyone["count"] == 5
    available = send(client, "GET", "/presence?status=available").json()
    assert [(item["username"], item["status"]) for item in available["items"]] == [("l2", "available")]
    offline = send(client, "GET", "/presence?status=offline").json()
    assert [item["username"] for item in offline["items"]] == ["admin", "cm", "l1"]
    second = send(client, "GET", "/presence?level=second").json()
    assert [item["username"] for item in second["items"]] == ["cm", "l2"]
    page = send(client, "GET", "/presence?limit=2&offset=2").json()
    assert ([item["username"] for item in page["items"]], page["count"]) == (["dev", "l1"], 5)
    lunch = next(item for item in everyone["items"] if item["username"] == "dev")
    assert (lunch["status"], lunch["reason"], lunch["level"]) == ("lunch", "Out", "development")


def test_the_presence_list_has_a_query_ceiling(personas: Any) -> None:
    for i in range(40):
        make_agent(f"agent{i:02}", status=PresenceStatus.AVAILABLE if i % 2 else None)
    client = client_for(personas.agent_l1)
    send(client, "GET", "/presence")  # warm the session
    with assert_max_queries(4):
        response = send(client, "GET", "/presence?limit=200")
    assert response.json()["count"] == 45


# --- assignment policies -----------------------------------------------------------------------------


def test_an_admin_creates_changes_and_deletes_a_policy(personas: Any) -> None:
    client = client_for(personas.admin)
    printing = Category.objects.create(name="Printing")
    created = send(
        client,
        "POST",
        "/assignment-policies",
        {"name": " Printing queue ", "level": "first", "category_id": printing.pk, "max_open_tickets": 4},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert {k: body[k] for k in ("name", "level", "category_id", "category_name", "mode", "max_open_tickets")} == {
        "name": "Printing queue",
        "level": "first",
        "category_id": printing.pk,
        "category_name": "Printing",
        "mode": "round_robin",
        "max_open_tickets": 4,
    }
    assert (body["respect_language"], body["is_active"], body["last_assigned_user"]) == (True, True, None)
    changed = send(
        client, "PATCH", f"/assignment-policies/{body['id']}", {"mode": "off", "category_id": None, "is_active": False}
    )
    assert changed.status_code == 200
    assert {k: changed.json()[k] for k in ("mode", "category_id", "is_active", "name")} == {
        "mode": "off",
        "category_id": None,
        "is_active": False,
        "name": "Printing queue",
    }
    assert send(client, "DELETE", f"/assignment-policies/{body['id']}").status_code == 204
    assert not AssignmentPolicy.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"name": "Dup", "level": "first"}, 409, "routing.policy_exists", "level"),
        ({"name": "X", "level": "third"}, 422, "routing.policy_invalid", "level"),
        ({"name": "X", "level": "second", "mode": "lottery"}, 422, "routing.policy_invalid", "mode"),
        ({"name": "X", "level": "second", "category_id": 999999}, 422, "routing.policy_invalid", "category_id"),
        ({"name": "  ", "level": "second"}, 422, "routing.policy_invalid", "name"),
        ({"name": "X", "level": "second", "max_open_tickets": 0}, 422, "invalid", "max_open_tickets"),
        ({"name": "X", "level": "second", "max_open_tickets": 1001}, 422, "invalid", "max_open_tickets"),
    ],
)
def test_invalid_policies_are_refused_with_a_code(
    personas: Any, policy: AssignmentPolicy, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    before = rows()
    response = send(client_for(personas.admin), "POST", "/assignment-policies", body)
    assert response.status_code == status, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert rows() == before


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"name": None}, "invalid", "name"),
        ({"colour": "red"}, "invalid", "colour"),
        ({"level": "second", "mode": "sometimes"}, "routing.policy_invalid", "mode"),
    ],
)
def test_invalid_patches_change_nothing(
    personas: Any, policy: AssignmentPolicy, body: dict[str, Any], code: str, field: str
) -> None:
    before = rows()
    response = send(client_for(personas.admin), "PATCH", f"/assignment-policies/{policy.pk}", body)
    assert response.status_code == 422, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert rows() == before


def test_moving_a_policy_onto_a_taken_level_is_a_conflict(personas: Any, policy: AssignmentPolicy) -> None:
    second = make_policy(personas.admin, name="Second level desk", level=Level.SECOND)
    response = send(client_for(personas.admin), "PATCH", f"/assignment-policies/{second.pk}", {"level": "first"})
    assert (response.status_code, response.json()["code"]) == (409, "routing.policy_exists")
    second.refresh_from_db()
    assert second.level == Level.SECOND


def test_unknown_policies_are_404(personas: Any) -> None:
    for who in ("agent_l1", "admin"):
        response = send(client_for(getattr(personas, who)), "GET", "/assignment-policies/999999")
        assert (response.status_code, response.json()["code"]) == (404, "routing.policy_not_found")
    for method in ("PATCH", "DELETE"):
        response = send(
            client_for(personas.admin), method, "/assignment-policies/999999", {} if method == "PATCH" else None
        )
        assert (response.status_code, response.json()["code"]) == (404, "routing.policy_not_found")


def test_the_policy_list_shows_the_turn_and_has_a_query_ceiling(personas: Any, policy: AssignmentPolicy) -> None:
    for i in range(15):
        category = Category.objects.create(name=f"Queue {i:02}")
        make_policy(personas.admin, name=f"Queue {i:02}", category_id=category.pk, mode=AssignmentMode.LEAST_LOADED)
    AssignmentPolicy.objects.filter(pk=policy.pk).update(last_assigned_user=personas.agent_l1)
    client = client_for(personas.agent_l1)
    send(client, "GET", "/assignment-policies")
    with assert_max_queries(4):
        body = send(client, "GET", "/assignment-policies").json()
    assert body["count"] == 16
    assert body["items"][0]["name"] == "First level desk"  # the level's general policy first
    assert body["items"][0]["last_assigned_user"] == "l1"
    assert [item["category_name"] for item in body["items"][1:3]] == ["Queue 00", "Queue 01"]


def test_the_endpoints_are_in_the_openapi_document(personas: Any) -> None:
    schema = client_for(personas.admin).get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/presence/me",
        "/api/v1/presence",
        "/api/v1/presence/{user_id}",
        "/api/v1/assignment-policies",
    ):
        assert path in schema["paths"], path
    assert "/api/v1/assignment-policies/{policy_id}" in schema["paths"]
