"""The saved-views API per endpoint and role: staff see their own views and the shared ones, an
agent cannot change a colleague's shared view (an administrator can), a colleague's personal
view is 404, customers get 403 and anonymous callers 401, tokens work like sessions; plus the
view's tickets (its columns, sorted, paginated) and the counts."""

from __future__ import annotations

from typing import Any

import pytest

from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.models import SavedView
from tierdesk.tickets.services import ticket_update
from tierdesk.tickets.services.views import saved_view_create
from tierdesk.tickets.tests.factories import make_ticket

CUSTOMERS = ("customer_b", "customer_a2", "customer_admin_a", "customer_a")


def denied_status(who: str) -> int | None:
    """401 for anonymous, 403 for customers, None for staff (who may)."""
    if who == "anonymous":
        return 401
    if who in CUSTOMERS:
        return 403
    return None


@pytest.fixture
def views(personas: Any) -> dict[str, SavedView]:
    p = personas
    return {
        "l1_own": saved_view_create(by=p.agent_l1, name="My open", filters={"mine": True}),
        "l2_shared": saved_view_create(by=p.agent_l2, name="L2 queue", filters={"level": ["second"]}, is_shared=True),
        "l2_private": saved_view_create(by=p.agent_l2, name="L2 private"),
    }


@pytest.mark.parametrize("who", [*ROLES, "token"])
def test_list(personas: Any, views: dict[str, SavedView], who: str) -> None:
    client = token_client(personas.agent_l1) if who == "token" else client_for(getattr(personas, who))
    response = send(client, "GET", "/views")
    if denied_status(who):
        assert response.status_code == denied_status(who)
        assert "L2 queue" not in response.content.decode()
        return
    assert response.status_code == 200
    names = [item["name"] for item in response.json()["items"]]
    me = personas.agent_l1 if who == "token" else getattr(personas, who)
    if me == personas.agent_l1:
        assert names == ["My open", "L2 queue"]
    else:
        assert names == ["L2 queue"]
    assert "L2 private" not in names


@pytest.mark.parametrize("who", [*ROLES, "token"])
def test_create(personas: Any, who: str) -> None:
    client = token_client(personas.agent_l1) if who == "token" else client_for(getattr(personas, who))
    body = {"name": "P1 first", "filters": {"priority": ["p1"]}, "columns": ["number", "subject"], "is_shared": True}
    response = send(client, "POST", "/views", body)
    if denied_status(who):
        assert response.status_code == denied_status(who)
        assert SavedView.objects.count() == 0
        return
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["name"], data["filters"], data["columns"], data["is_shared"]) == tuple(body.values())
    assert data["can_change"] is True
    assert SavedView.objects.get(pk=data["id"]).owner.username == ("l1" if who == "token" else who_username(who))


def who_username(who: str) -> str:
    return {"agent_l1": "l1", "case_manager": "cm", "admin": "admin"}[who]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"name": "Bad", "filters": {"status": ["gone"]}}, "saved_view.invalid_filters", "filters.status"),
        ({"name": "Bad", "columns": ["secret"]}, "saved_view.invalid_columns", "columns"),
        ({"name": "Bad", "sort_field": "subject"}, "saved_view.invalid_sort", "sort_field"),
        ({"name": "Bad", "sort_direction": "up"}, "invalid", "sort_direction"),
        ({"name": "My open"}, "saved_view.duplicate_name", "name"),
        ({"name": ""}, "saved_view.name_required", "name"),
    ],
)
def test_create_validation(personas: Any, views: dict[str, SavedView], body: dict, code: str, field: str) -> None:
    response = send(client_for(personas.agent_l1), "POST", "/views", body)
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (code, field)


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("which", ["l1_own", "l2_shared", "l2_private"])
def test_get(personas: Any, views: dict[str, SavedView], who: str, which: str) -> None:
    response = send(client_for(getattr(personas, who)), "GET", f"/views/{views[which].pk}")
    if denied_status(who):
        assert response.status_code == denied_status(who)
        return
    visible = which == "l2_shared" or (which == "l1_own" and who == "agent_l1")
    assert response.status_code == (200 if visible else 404)
    if visible:
        assert response.json()["can_change"] is (who == "admin" or which == "l1_own")
    else:
        assert response.json()["code"] == "saved_view.not_found"


@pytest.mark.parametrize("who", ROLES)
def test_patch_a_shared_view(personas: Any, views: dict[str, SavedView], who: str) -> None:
    view = views["l2_shared"]
    response = send(client_for(getattr(personas, who)), "PATCH", f"/views/{view.pk}", {"name": "Renamed"})
    view.refresh_from_db()
    if denied_status(who):
        assert response.status_code == denied_status(who)
    elif who == "admin":
        assert response.status_code == 200
        assert response.json()["name"] == "Renamed"
        assert view.name == "Renamed"
        return
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "saved_view.forbidden"
    assert view.name == "L2 queue"


def test_patch_by_the_owner_and_its_validation(personas: Any, views: dict[str, SavedView]) -> None:
    client = client_for(personas.agent_l2)
    view = views["l2_shared"]
    response = send(client, "PATCH", f"/views/{view.pk}", {"is_shared": False, "sort_field": "updated_at"})
    assert response.status_code == 200
    assert (response.json()["is_shared"], response.json()["sort_field"]) == (False, "updated_at")
    assert send(client, "PATCH", f"/views/{view.pk}", {"name": None}).status_code == 422
    assert send(client, "PATCH", f"/views/{view.pk}", {"owner": 1}).status_code == 422
    # a colleague's personal view looks like an unknown id
    response = send(client_for(personas.agent_l1), "PATCH", f"/views/{views['l2_private'].pk}", {"name": "x"})
    assert (response.status_code, response.json()["code"]) == (404, "saved_view.not_found")


@pytest.mark.parametrize("who", ROLES)
def test_delete_a_shared_view(personas: Any, views: dict[str, SavedView], who: str) -> None:
    view = views["l2_shared"]
    response = send(client_for(getattr(personas, who)), "DELETE", f"/views/{view.pk}")
    exists = SavedView.objects.filter(pk=view.pk).exists()
    if who == "admin":
        assert (response.status_code, exists) == (204, False)
    else:
        assert response.status_code == (denied_status(who) or 403)
        assert exists


def test_delete_own_view(personas: Any, views: dict[str, SavedView]) -> None:
    response = send(client_for(personas.agent_l1), "DELETE", f"/views/{views['l1_own'].pk}")
    assert response.status_code == 204
    assert not SavedView.objects.filter(pk=views["l1_own"].pk).exists()


@pytest.mark.parametrize("who", ROLES)
def test_reorder(personas: Any, views: dict[str, SavedView], who: str) -> None:
    second = saved_view_create(by=personas.agent_l1, name="Second")
    ids = [second.pk, views["l1_own"].pk]
    response = send(client_for(getattr(personas, who)), "PUT", "/views/order", {"ids": ids})
    if denied_status(who):
        assert response.status_code == denied_status(who)
        return
    if who == "agent_l1":
        assert response.status_code == 200
        assert [item["id"] for item in response.json()["items"]] == [*ids, views["l2_shared"].pk]
    else:  # their own views are not these
        assert (response.status_code, response.json()["code"]) == (422, "saved_view.invalid_order")


@pytest.mark.parametrize("who", ROLES)
def test_counts(personas: Any, views: dict[str, SavedView], who: str) -> None:
    p = personas
    for subject in ("Dock scanner", "Badge reader"):
        make_ticket(by=p.agent_l1, requester=p.contact_a, subject=subject)
    response = send(client_for(getattr(p, who)), "GET", "/views/counts")
    if denied_status(who):
        assert response.status_code == denied_status(who)
        return
    assert response.status_code == 200
    counts = {item["id"]: item["count"] for item in response.json()["items"]}
    assert counts[views["l2_shared"].pk] == 0  # nothing at second level
    assert views["l2_private"].pk not in counts
    if who == "agent_l1":
        assert counts[views["l1_own"].pk] == 0  # "mine": nothing assigned to agent_l1


@pytest.mark.parametrize("who", ROLES)
def test_view_tickets(personas: Any, views: dict[str, SavedView], who: str) -> None:
    p = personas
    view = saved_view_create(
        by=p.agent_l2,
        name="Newest first",
        columns=["subject", "tags", "assignee"],
        sort_field="number",
        sort_direction="desc",
        is_shared=True,
    )
    made = [make_ticket(by=p.agent_l1, requester=p.contact_a, subject=f"Kiosk {i} frozen") for i in range(3)]
    ticket_update(ticket=made[2], by=p.agent_l1, tags=["kiosk"])
    response = send(client_for(getattr(p, who)), "GET", f"/views/{view.pk}/tickets?limit=2&offset=0")
    if denied_status(who):
        assert response.status_code == denied_status(who)
        assert "Kiosk" not in response.content.decode()
        return
    assert response.status_code == 200
    page = response.json()
    assert (page["count"], page["limit"], page["offset"], page["columns"]) == (3, 2, 0, ["subject", "tags", "assignee"])
    assert page["items"] == [
        {"number": made[2].number, "subject": "Kiosk 2 frozen", "tags": ["kiosk"], "assignee": None},
        {"number": made[1].number, "subject": "Kiosk 1 frozen", "tags": [], "assignee": None},
    ]
    rest = send(client_for(getattr(p, who)), "GET", f"/views/{view.pk}/tickets?limit=2&offset=2").json()
    assert [row["number"] for row in rest["items"]] == [made[0].number]


def test_view_tickets_queries_do_not_grow_with_tickets(personas: Any) -> None:
    p = personas
    columns = ["number", "subject", "organisation", "requester", "assignee", "category", "tags", "status"]
    view = saved_view_create(by=p.agent_l1, name="Everything", columns=columns)
    client = client_for(p.agent_l1)
    for i in range(12):
        ticket = make_ticket(by=p.agent_l1, requester=p.contact_a, subject=f"Terminal {i}")
        ticket_update(ticket=ticket, by=p.agent_l1, tags=[f"t{i}"])
    with assert_max_queries(8):
        response = send(client, "GET", f"/views/{view.pk}/tickets?limit=50")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 12


def test_unknown_view_is_404(personas: Any) -> None:
    response = send(client_for(personas.agent_l1), "GET", "/views/999999/tickets")
    assert (response.status_code, response.json()["code"]) == (404, "saved_view.not_found")
