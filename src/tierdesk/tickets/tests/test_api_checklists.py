"""The checklists API: /tickets/{number}/checklist and /checklist-templates per role (customers
get 403 before anything is looked up, nothing changes on denial), the answers, version checks,
the staff ticket list's progress fields and query ceilings."""

from __future__ import annotations

from typing import Any

import pytest

from tierdesk.accounts.tests.api_support import ROLES, client_for, send
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.models import Category, ChecklistItem, ChecklistTemplate, HistoryEvent, Ticket
from tierdesk.tickets.services import checklist_template_create, ticket_checklist_add, ticket_checklist_toggle
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

STAFF = ("agent_l1", "case_manager", "admin")
MANAGERS = ("case_manager", "admin")


@pytest.fixture
def ticket(personas: Any) -> Ticket:
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a)


def world() -> dict[str, Any]:
    return {
        "items": sorted(ChecklistItem.objects.values_list("id", "text", "done_at", "done_by_id")),
        "templates": sorted(ChecklistTemplate.objects.values_list("id", "name", "is_active", "category_id")),
        "versions": sorted(Ticket.objects.values_list("id", "version")),
        "history": HistoryEvent.objects.count(),
    }


def denied_status(who: str) -> int:
    return 401 if who == "anonymous" else 403


def calls(personas: Any, ticket: Ticket) -> list[tuple[str, str, Any, int]]:
    """(method, path, body, status for staff) of every endpoint, on fresh rows."""
    [item, other] = ticket_checklist_add(ticket=ticket, texts=["Swap the disk", "Test"], by=personas.agent_l1)
    template = checklist_template_create(by=personas.admin, name="Starter", items=["Account"])
    base = f"/tickets/{ticket.number}/checklist"
    return [
        ("GET", base, None, 200),
        ("POST", base, {"items": ["Back up"]}, 201),
        ("PATCH", f"{base}/{item.pk}", {"done": True}, 200),
        ("DELETE", f"{base}/{other.pk}", None, 200),
        ("POST", f"{base}/apply-template/{template.pk}", None, 200),
        ("GET", "/checklist-templates", None, 200),
        ("GET", f"/checklist-templates/{template.pk}", None, 200),
    ]


@pytest.mark.parametrize("who", ROLES)
def test_ticket_checklist_role_matrix(personas, ticket, who):
    for index in range(7):
        method, path, body, staff_status = calls(personas, ticket)[index]  # on fresh rows each time
        before = world()
        response = send(client_for(getattr(personas, who, None)), method, path, body)
        if who in STAFF:
            assert response.status_code == staff_status, (method, path, response.content)
        else:
            # customers, also the requester: a checklist is internal work; 403 before any look-up
            assert response.status_code == denied_status(who), (method, path)
            assert world() == before
        ChecklistItem.objects.all().delete()
        ChecklistTemplate.objects.all().delete()


@pytest.mark.parametrize("who", ROLES)
def test_template_management_role_matrix(personas, who):
    template = checklist_template_create(by=personas.admin, name="Starter", items=["Account"])
    before = world()
    client = client_for(getattr(personas, who, None))
    created = send(client, "POST", "/checklist-templates", {"name": "Leaver", "items": ["Laptop back"]})
    patched = send(client, "PATCH", f"/checklist-templates/{template.pk}", {"name": "Starter kit"})
    deleted = send(client, "DELETE", f"/checklist-templates/{template.pk}")
    if who in MANAGERS:
        assert (created.status_code, patched.status_code, deleted.status_code) == (201, 200, 200)
        assert deleted.json()["is_active"] is False
        assert deleted.json()["name"] == "Starter kit"
        return
    expected = 403 if who != "anonymous" else 401
    assert (created.status_code, patched.status_code, deleted.status_code) == (expected, expected, expected)
    if who == "agent_l1":
        assert created.json()["code"] == "checklist.template_forbidden"
    assert world() == before


def test_add_tick_and_read_answers_with_who_when_and_the_version(personas, ticket):
    client = client_for(personas.agent_l1)
    version = Ticket.objects.get(pk=ticket.pk).version
    added = send(client, "POST", f"/tickets/{ticket.number}/checklist", {"items": ["One", "Two"], "version": version})
    assert added.status_code == 201
    body = added.json()
    assert [item["text"] for item in body["items"]] == ["One", "Two"]
    assert (body["done"], body["total"], body["version"]) == (0, 2, version + 1)
    assert added["ETag"] == f'"{version + 1}"'
    first = body["items"][0]["id"]
    ticked = send(client_for(personas.agent_l2), "PATCH", f"/tickets/{ticket.number}/checklist/{first}", {"done": True})
    item = ticked.json()["items"][0]
    assert item["is_done"]
    assert item["done_by"]["username"] == personas.agent_l2.username
    assert item["done_at"]
    assert ticked.json()["done"] == 1
    # a stale version is refused
    stale = send(client, "PATCH", f"/tickets/{ticket.number}/checklist/{first}", {"done": False, "version": version})
    assert stale.status_code == 409
    assert stale.json()["code"] == "ticket.version_conflict"
    # removing with If-Match
    current = Ticket.objects.get(pk=ticket.pk).version
    removed = send(client, "DELETE", f"/tickets/{ticket.number}/checklist/{first}", **{"If-Match": f'"{current}"'})
    assert removed.status_code == 200
    assert [i["text"] for i in removed.json()["items"]] == ["Two"]


def test_refusals_carry_their_codes(personas, ticket):
    client = client_for(personas.agent_l1)
    base = f"/tickets/{ticket.number}/checklist"
    assert send(client, "POST", base, {"items": []}).status_code == 422
    assert send(client, "POST", base, {"items": ["x" * 501]}).status_code == 422
    blank = send(client, "POST", base, {"items": ["  "]})
    assert blank.status_code == 422
    assert blank.json()["code"] == "checklist.text_required"
    missing = send(client, "PATCH", f"{base}/999999", {"done": True})
    assert missing.status_code == 404
    assert missing.json()["code"] == "checklist.item_not_found"
    assert send(client, "GET", "/tickets/999999/checklist").status_code == 404
    assert send(client, "POST", f"{base}/apply-template/999999").status_code == 404
    inactive = checklist_template_create(by=personas.admin, name="Old", items=["Fax"], is_active=False)
    refused = send(client, "POST", f"{base}/apply-template/{inactive.pk}")
    assert refused.status_code == 422
    assert refused.json()["code"] == "checklist.template_inactive"
    assert ChecklistItem.objects.count() == 0


def test_template_crud_with_category_and_inactive_listing(personas):
    client = client_for(personas.case_manager)
    network = Category.objects.create(name="Network")
    created = send(client, "POST", "/checklist-templates", {"name": "Net", "category": network.pk, "items": ["Ping"]})
    assert created.status_code == 201
    body = created.json()
    assert body["category"] == {"id": network.pk, "name": "Network"}
    assert body["items"] == [{"text": "Ping", "position": 0}]
    patched = send(client, "PATCH", f"/checklist-templates/{body['id']}", {"category": None, "items": ["A", "B"]})
    assert patched.json()["category"] is None
    assert [i["text"] for i in patched.json()["items"]] == ["A", "B"]
    unknown = send(client, "PATCH", f"/checklist-templates/{body['id']}", {"category": 999999})
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "ticket.invalid_category"
    send(client, "DELETE", f"/checklist-templates/{body['id']}")
    assert send(client, "GET", "/checklist-templates").json()["count"] == 0
    assert send(client, "GET", "/checklist-templates?include_inactive=true").json()["count"] == 1
    # an agent does not see the inactive ones even when asking
    agent = client_for(personas.agent_l1)
    assert send(agent, "GET", "/checklist-templates?include_inactive=true").json()["count"] == 0


def test_staff_ticket_views_carry_progress_and_customers_never_see_it(personas, ticket):
    items = ticket_checklist_add(ticket=ticket, texts=["One", "Two", "Three"], by=personas.agent_l1)
    ticket_checklist_toggle(ticket=ticket, item_id=items[0].pk, done=True, by=personas.agent_l1)
    bare = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="No list")
    rows = {row["number"]: row for row in send(client_for(personas.agent_l1), "GET", "/tickets").json()["items"]}
    assert (rows[ticket.number]["checklist_done"], rows[ticket.number]["checklist_total"]) == (1, 3)
    assert (rows[bare.number]["checklist_done"], rows[bare.number]["checklist_total"]) == (0, 0)
    one = send(client_for(personas.agent_l1), "GET", f"/tickets/{ticket.number}").json()
    assert (one["checklist_done"], one["checklist_total"]) == (1, 3)
    for path in ("/tickets", f"/tickets/{ticket.number}"):
        answer = send(client_for(personas.customer_a), "GET", path).json()
        shown = answer["items"][0] if "items" in answer else answer
        assert "checklist_done" not in shown
        assert "checklist_total" not in shown


def test_checklist_endpoint_has_a_query_ceiling(personas, ticket):
    client = client_for(personas.agent_l1)
    for count in (2, 40):
        ChecklistItem.objects.all().delete()
        items = ticket_checklist_add(ticket=ticket, texts=[f"Step {i}" for i in range(count)], by=personas.agent_l1)
        for item in items[::2]:
            ticket_checklist_toggle(ticket=ticket, item_id=item.pk, done=True, by=personas.agent_l2)
        # session, user, ticket (with its progress), tags, the items with who ticked them
        with assert_max_queries(6):
            response = send(client, "GET", f"/tickets/{ticket.number}/checklist")
        assert response.json()["total"] == count


def test_template_list_has_a_query_ceiling(personas):
    client = client_for(personas.agent_l1)
    for count in (2, 20):
        for i in range(count):
            checklist_template_create(by=personas.admin, name=f"T{count}-{i}", items=["A", "B"])
        with assert_max_queries(6):
            assert send(client, "GET", "/checklist-templates?limit=200").status_code == 200
