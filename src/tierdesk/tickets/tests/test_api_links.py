"""The API of links and child tickets: a role matrix per endpoint (nothing changes on denial),
the ticket's `parent`, `children` and `links` as each role may see them, a query ceiling on the
ticket with many of them, input errors and version checks, and the parent-blocking rule with
its override on the resolve endpoint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.models import HistoryEvent, Ticket, TicketLink
from tierdesk.tickets.services import ticket_child_create, ticket_link_add, ticket_resolve, ticket_set_parent
from tierdesk.tickets.tests.api_support import expected_status
from tierdesk.tickets.tests.factories import make_ticket


@dataclass(frozen=True)
class Family:
    parent: Ticket
    child: Ticket
    loose: Ticket  # a third ticket of the same requester, neither parent nor child


@pytest.fixture
def family(personas: Any) -> Family:
    parent = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Network down on floor 3")
    child = ticket_child_create(parent=parent, by=personas.agent_l1, subject="Workstation 31")
    loose = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Scanner offline")
    return Family(parent=Ticket.objects.get(pk=parent.pk), child=child, loose=loose)


def world(f: Family) -> dict[str, Any]:
    """Everything the endpoints may change: versions and parents of the tickets, links, history."""
    tickets = Ticket.objects.order_by("pk").values_list("pk", "version", "parent_id", "status")
    return {
        "tickets": list(tickets),
        "links": list(TicketLink.objects.values_list("from_ticket_id", "to_ticket_id", "kind")),
        "history": HistoryEvent.objects.count(),
    }


def _nothing(p: Any, f: Family) -> None:
    return None


def _linked(p: Any, f: Family) -> None:
    ticket_link_add(ticket=f.parent, other=f.loose, kind="related", by=p.agent_l1)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: Callable[[Family], str]
    body: Callable[[Family], dict[str, Any] | None]
    set_up: Callable[[Any, Family], None]
    ok: int
    done: Callable[[Family], bool]  # the change happened


ENDPOINTS: dict[str, Endpoint] = {
    "link_add": Endpoint(
        "POST",
        lambda f: f"/tickets/{f.parent.number}/links",
        lambda f: {"kind": "related", "number": f.loose.number},
        _nothing,
        200,
        lambda f: TicketLink.objects.filter(kind="related").exists(),
    ),
    "link_remove": Endpoint(
        "DELETE",
        lambda f: f"/tickets/{f.parent.number}/links?kind=related&number={f.loose.number}",
        lambda f: None,
        _linked,
        200,
        lambda f: not TicketLink.objects.exists(),
    ),
    "child_create": Endpoint(
        "POST",
        lambda f: f"/tickets/{f.parent.number}/children",
        lambda f: {"subject": "Workstation 32"},
        _nothing,
        201,
        lambda f: Ticket.objects.filter(parent=f.parent, subject="Workstation 32").exists(),
    ),
    "child_detach": Endpoint(
        "DELETE",
        lambda f: f"/tickets/{f.parent.number}/children/{f.child.number}",
        lambda f: None,
        _nothing,
        200,
        lambda f: Ticket.objects.get(pk=f.child.pk).parent_id is None,
    ),
    "parent_set": Endpoint(
        "PUT",
        lambda f: f"/tickets/{f.loose.number}/parent",
        lambda f: {"number": f.parent.number},
        _nothing,
        200,
        lambda f: Ticket.objects.get(pk=f.loose.pk).parent_id == f.parent.pk,
    ),
    "parent_remove": Endpoint(
        "DELETE",
        lambda f: f"/tickets/{f.child.number}/parent",
        lambda f: None,
        _nothing,
        200,
        lambda f: Ticket.objects.get(pk=f.child.pk).parent_id is None,
    ),
}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_link_endpoint_roles(personas, family, name, who):
    endpoint = ENDPOINTS[name]
    endpoint.set_up(personas, family)
    expected = expected_status(who, ok=endpoint.ok, customer=403)
    before = world(family)
    # when
    response = send(client_for(getattr(personas, who)), endpoint.method, endpoint.path(family), endpoint.body(family))
    # then
    assert response.status_code == expected, response.json()
    if expected == endpoint.ok:
        assert endpoint.done(family)
        assert response.headers["ETag"] == f'"{response.json()["version"]}"'
    else:
        assert world(family) == before
        code = {401: "auth.required", 403: "ticket.forbidden", 404: "ticket.not_found"}[expected]
        assert response.json()["code"] == code


@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_link_endpoint_with_a_stale_version_is_409_and_changes_nothing(personas, family, name):
    endpoint = ENDPOINTS[name]
    endpoint.set_up(personas, family)
    before = world(family)
    # when the client sends a version its ticket is past (If-Match, which every endpoint reads)
    response = send(
        client_for(personas.agent_l1), endpoint.method, endpoint.path(family), endpoint.body(family), If_Match='"99"'
    )
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "ticket.version_conflict"
    assert world(family) == before


def test_a_token_client_links_with_the_version_in_the_body(personas, family):
    client = token_client(personas.agent_l1)
    body = {"kind": "duplicate_of", "number": f"{family.loose.number}", "version": family.parent.version}
    # when
    response = send(client, "POST", f"/tickets/{family.parent.number}/links", body)
    # then
    assert response.status_code == 200
    assert response.json()["links"] == [
        {"kind": "duplicate_of", "number": family.loose.number, "subject": "Scanner offline", "status": "new"}
    ]
    assert HistoryEvent.objects.get(ticket=family.parent, action="linked").channel == "api"


# --- what the ticket shows ---------------------------------------------------------------------


def test_staff_see_parent_children_and_links_from_both_sides(personas, family):
    ticket_link_add(ticket=family.loose, other=family.parent, kind="caused_by", by=personas.agent_l1)
    client = client_for(personas.agent_l1)
    # when
    parent = send(client, "GET", f"/tickets/{family.parent.number}").json()
    child = send(client, "GET", f"/tickets/{family.child.number}").json()
    loose = send(client, "GET", f"/tickets/{family.loose.number}").json()
    # then
    assert parent["parent"] is None
    assert parent["children"] == [{"number": family.child.number, "subject": "Workstation 31", "status": "new"}]
    assert parent["links"] == [
        {"kind": "caused", "number": family.loose.number, "subject": "Scanner offline", "status": "new"}
    ]
    assert (child["parent"], child["children"], child["links"]) == (family.parent.number, [], [])
    assert [link["kind"] for link in loose["links"]] == ["caused_by"]


def test_customers_see_only_the_tickets_they_may_see(personas, family):
    # given the parent of contact_a has a child of contact_a2 and a link to a ticket of organisation B
    theirs = ticket_child_create(
        parent=Ticket.objects.get(pk=family.parent.pk),
        by=personas.agent_l1,
        subject="Laptop",
        requester=personas.contact_a2,
    )
    other_org = make_ticket(by=personas.agent_l1, requester=personas.contact_b, subject="Fjordline outage")
    ticket_link_add(ticket=family.parent, other=other_org, kind="related", by=personas.agent_l1)
    # when / then: the requester sees their own child, not the colleague's, and no foreign link
    mine = send(client_for(personas.customer_a), "GET", f"/tickets/{family.parent.number}").json()
    assert [c["number"] for c in mine["children"]] == [family.child.number]
    assert mine["links"] == []
    # the customer admin sees the organisation's children, still not the other organisation's ticket
    admin = send(client_for(personas.customer_admin_a), "GET", f"/tickets/{family.parent.number}").json()
    assert [c["number"] for c in admin["children"]] == [family.child.number, theirs.number]
    assert admin["links"] == []
    # the colleague sees their child without its parent (requested by someone else)
    colleague = send(client_for(personas.customer_a2), "GET", f"/tickets/{theirs.number}").json()
    assert colleague["parent"] is None
    # and the other organisation sees the link's far end not at all
    foreign = send(client_for(personas.customer_b), "GET", f"/tickets/{other_org.number}").json()
    assert foreign["links"] == []
    assert str(family.parent.number) not in str(foreign)


def test_the_ticket_with_many_links_and_children_has_a_query_ceiling(personas):
    parent = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Outage")
    client = client_for(personas.agent_l1)
    counts = []
    for rows in (2, 20):
        # given more and more children and linked tickets
        for i in range(rows):
            ticket_child_create(parent=Ticket.objects.get(pk=parent.pk), by=personas.agent_l1, subject=f"WS {i}")
            other = make_ticket(by=personas.agent_l1, requester=personas.contact_b, subject=f"Related {i}")
            ticket_link_add(ticket=other, other=parent, kind="related" if i % 2 else "caused_by", by=personas.agent_l1)
        # when / then (session, user, the ticket and its tags twice, the SLA policy with targets and
        # calendar: 10; plus the ticket's links, then its parent, children and linked tickets: 2;
        # plus its followers: 1; plus its custom field values: 1)
        with assert_max_queries(14) as captured:
            response = send(client, "GET", f"/tickets/{parent.number}")
        counts.append(len(captured.captured_queries))
        assert len(response.json()["children"]) == len(response.json()["links"]) == (2 if rows == 2 else 22)
    assert counts[0] == counts[1]


# --- input errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"kind": "blocks", "number": 1}, 422, "invalid", "kind"),
        ({"kind": "related"}, 422, "invalid", "number"),
        ({"kind": "related", "number": 999999}, 422, "ticket.unknown_number", "number"),
        ({"kind": "related", "number": 0}, 422, "invalid", "number"),
    ],
)
def test_link_add_invalid_input_changes_nothing(personas, family, body, status, code, field):
    before = world(family)
    response = send(client_for(personas.agent_l1), "POST", f"/tickets/{family.parent.number}/links", body)
    assert (response.status_code, response.json()["code"], response.json().get("field")) == (status, code, field)
    assert world(family) == before


def test_link_refusals_carry_their_codes(personas, family):
    client = client_for(personas.agent_l1)
    path = f"/tickets/{family.parent.number}/links"
    # a link to itself
    response = send(client, "POST", path, {"kind": "related", "number": family.parent.number})
    assert (response.status_code, response.json()["code"]) == (422, "link.self")
    # the same link twice
    assert send(client, "POST", path, {"kind": "related", "number": family.loose.number}).status_code == 200
    response = send(client, "POST", path, {"kind": "related", "number": family.loose.number})
    assert (response.status_code, response.json()["code"]) == (409, "link.exists")
    # a link that is not there
    response = send(client, "DELETE", f"{path}?kind=caused_by&number={family.loose.number}")
    assert (response.status_code, response.json()["code"]) == (404, "link.not_found")


def test_nesting_and_strangers_are_refused(personas, family):
    client = client_for(personas.agent_l1)
    # the parent under its own child
    response = send(client, "PUT", f"/tickets/{family.parent.number}/parent", {"number": family.child.number})
    assert (response.status_code, response.json()["code"]) == (422, "ticket.parent_nested")
    # a child of a child
    response = send(client, "POST", f"/tickets/{family.child.number}/children", {"subject": "Deeper"})
    assert (response.status_code, response.json()["code"]) == (422, "ticket.parent_nested")
    # detaching a ticket that is not a child
    response = send(client, "DELETE", f"/tickets/{family.parent.number}/children/{family.loose.number}")
    assert (response.status_code, response.json()["code"]) == (422, "ticket.not_a_child")


def test_a_child_through_the_api_takes_the_parents_details_unless_given(personas, family):
    body = {"subject": "Fjordline router", "requester": personas.contact_b.pk, "urgency": "high"}
    # when
    response = send(client_for(personas.agent_l1), "POST", f"/tickets/{family.parent.number}/children", body)
    # then
    assert response.status_code == 201
    child = response.json()
    assert child["parent"] == family.parent.number
    assert (child["organisation"]["id"], child["requester"]["id"], child["urgency"], child["impact"]) == (
        personas.org_b.pk,
        personas.contact_b.pk,
        "high",
        "low",
    )


# --- the parent-blocking rule ------------------------------------------------------------------


def test_resolving_a_parent_with_open_children_is_409_naming_them(personas, family):
    before = world(family)
    # when
    response = send(
        client_for(personas.agent_l1), "POST", f"/tickets/{family.parent.number}/resolve", {"resolution": "Fixed."}
    )
    # then
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["field"]) == ("ticket.open_children", "despite_open_children")
    assert f"#{family.child.number}" in body["message"]
    assert world(family) == before


def test_resolving_with_the_override_is_recorded(personas, family):
    payload = {"resolution": "Fixed.", "despite_open_children": True, "version": family.parent.version}
    # when
    response = send(client_for(personas.agent_l1), "POST", f"/tickets/{family.parent.number}/resolve", payload)
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert response.json()["children"][0]["status"] == "new"
    history = send(client_for(personas.agent_l1), "GET", f"/tickets/{family.parent.number}/history").json()
    override = [row for row in history if row["field"] == "open_children"]
    assert [(row["new_value"], row["is_internal"]) for row in override] == [(f"#{family.child.number}", True)]
    # and the customer's history does not show it
    customer_history = send(client_for(personas.customer_a), "GET", f"/tickets/{family.parent.number}/history")
    assert all(row["field"] != "open_children" for row in customer_history.json())


def test_resolving_the_child_then_the_parent_works(personas, family):
    client = client_for(personas.agent_l1)
    child = send(client, "POST", f"/tickets/{family.child.number}/resolve", {"resolution": "Re-patched."})
    assert child.status_code == 200
    response = send(client, "POST", f"/tickets/{family.parent.number}/resolve", {"resolution": "Fixed."})
    assert response.status_code == 200
    assert response.json()["children"] == [
        {"number": family.child.number, "subject": "Workstation 31", "status": "resolved"}
    ]


def test_a_moved_child_blocks_its_new_parent(personas, family):
    # given the loose ticket moved under the parent, then the original child resolved
    ticket_set_parent(ticket=family.loose, parent=family.parent, by=personas.agent_l1)
    ticket_resolve(ticket=family.child, resolution="Re-patched.", by=personas.agent_l1)
    # when
    response = send(
        client_for(personas.agent_l1), "POST", f"/tickets/{family.parent.number}/resolve", {"resolution": "Fixed."}
    )
    # then only the moved one is named
    assert response.status_code == 409
    assert f"#{family.loose.number}" in response.json()["message"]
    assert f"#{family.child.number}" not in response.json()["message"]
