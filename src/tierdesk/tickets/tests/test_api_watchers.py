"""The followers API: /tickets/{number}/watchers per role (nothing changes on denial), what the
ticket's `watchers` shows each role (customers: the contacts and only the number of staff), a
query ceiling, version checks and refusals with their codes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.accounts.tests.factories import AgentFactory, ContactFactory
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.models import HistoryEvent, Ticket, TicketWatcher
from tierdesk.tickets.services import ticket_watch
from tierdesk.tickets.tests.factories import make_ticket

STAFF = ("agent_l1", "case_manager", "admin")


@pytest.fixture
def ticket(personas: Any) -> Ticket:
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a)


def world(ticket: Ticket) -> dict[str, Any]:
    return {
        "version": Ticket.objects.get(pk=ticket.pk).version,
        "watchers": sorted(TicketWatcher.objects.values_list("ticket_id", "user_id", "contact_id")),
        "history": HistoryEvent.objects.count(),
    }


def _nothing(p: Any, t: Ticket, who: str) -> None:
    return None


def _bram_follows(p: Any, t: Ticket, who: str) -> None:
    ticket_watch(ticket=t, by=p.agent_l1, contact=p.contact_a2)


def _caller_follows(p: Any, t: Ticket, who: str) -> None:
    """The caller follows the ticket, where they may (staff, and the customer admin)."""
    if who in STAFF:
        ticket_watch(ticket=t, by=p.agent_l1, user=getattr(p, who))
    elif who == "customer_admin_a":
        ticket_watch(ticket=t, by=p.agent_l1, contact=p.customer_admin_a.contact)


def _self_follow_status(who: str) -> int:
    # The requester gets every update already (422 watcher.is_requester).
    return {"customer_a": 422, "customer_admin_a": 201}.get(who, 201)


def _self_unfollow_status(who: str) -> int:
    return {"customer_a": 404, "customer_admin_a": 200}.get(who, 200)  # the requester follows nothing


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: Callable[[Any, Ticket], str]
    body: Callable[[Any], dict[str, Any] | None]
    set_up: Callable[[Any, Ticket, str], None]
    status: Callable[[str], int]  # for staff and the two customers who see the ticket
    changes: bool


ENDPOINTS: dict[str, Endpoint] = {
    "list": Endpoint(
        "GET",
        lambda p, t: f"/tickets/{t.number}/watchers",
        lambda p: None,
        _bram_follows,
        lambda who: 200,
        changes=False,
    ),
    "follow_self": Endpoint(
        "POST", lambda p, t: f"/tickets/{t.number}/watchers", lambda p: {}, _nothing, _self_follow_status, changes=True
    ),
    "add_contact": Endpoint(
        "POST",
        lambda p, t: f"/tickets/{t.number}/watchers",
        lambda p: {"contact": p.contact_a2.pk},
        _nothing,
        lambda who: 201 if who in STAFF else 403,
        changes=True,
    ),
    "add_colleague": Endpoint(
        "POST",
        lambda p, t: f"/tickets/{t.number}/watchers",
        lambda p: {"user": p.agent_l2.pk},
        _nothing,
        lambda who: 201 if who in STAFF else 403,
        changes=True,
    ),
    "unfollow_self": Endpoint(
        "DELETE",
        lambda p, t: f"/tickets/{t.number}/watchers",
        lambda p: None,
        _caller_follows,
        _self_unfollow_status,
        changes=True,
    ),
    "remove_contact": Endpoint(
        "DELETE",
        lambda p, t: f"/tickets/{t.number}/watchers?contact={p.contact_a2.pk}",
        lambda p: None,
        _bram_follows,
        lambda who: 200 if who in STAFF else 403,
        changes=True,
    ),
}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_watcher_endpoint_roles(personas, ticket, name, who):
    endpoint = ENDPOINTS[name]
    endpoint.set_up(personas, ticket, who)
    # Bram (customer_a2) sees the ticket only while he follows it (in copy).
    hidden = {"anonymous": 401, "customer_b": 404, "customer_a2": 404}
    if endpoint.set_up is _bram_follows:
        del hidden["customer_a2"]
    expected = hidden.get(who) or endpoint.status(who)
    before = world(ticket)
    # when
    response = send(
        client_for(getattr(personas, who)), endpoint.method, endpoint.path(personas, ticket), endpoint.body(personas)
    )
    # then
    assert response.status_code == expected, response.json()
    if expected in (200, 201):
        assert response.headers["ETag"] == f'"{world(ticket)["version"]}"'
        assert (world(ticket) != before) == endpoint.changes
    else:
        assert world(ticket) == before
        code = {401: "auth.required", 403: "ticket.forbidden", 404: "ticket.not_found", 422: "watcher.is_requester"}
        if name == "unfollow_self" and who == "customer_a":
            code[404] = "watcher.not_found"
        assert response.json()["code"] == code[expected]


def test_each_role_sees_the_followers_it_may(personas, ticket):
    ticket_watch(ticket=ticket, by=personas.agent_l1, user=personas.agent_l2)
    ticket_watch(ticket=ticket, by=personas.agent_l1, contact=personas.contact_a2)
    ticket_watch(ticket=ticket, by=personas.customer_admin_a, contact=personas.customer_admin_a.contact)
    bram, cora = personas.contact_a2, personas.customer_admin_a.contact
    # staff: everybody, with addresses
    staff_view = send(client_for(personas.agent_l2), "GET", f"/tickets/{ticket.number}").json()["watchers"]
    assert staff_view == {
        "staff": [{"id": personas.agent_l2.pk, "username": "l2", "display_name": personas.agent_l2.display_name}],
        "contacts": [
            {"id": bram.pk, "name": "Bram de Wit", "email": "bram@harbour.example"},
            {"id": cora.pk, "name": "Cora Jansen", "email": "cora@harbour.example"},
        ],
        "staff_count": 1,
        "is_watching": True,
    }
    # customers: the contacts, and how many colleagues, not who
    expected = {
        "contacts": [{"id": bram.pk, "name": "Bram de Wit"}, {"id": cora.pk, "name": "Cora Jansen"}],
        "staff_count": 1,
        "is_watching": True,
    }
    for path in (f"/tickets/{ticket.number}", f"/tickets/{ticket.number}/watchers"):
        body = send(client_for(personas.customer_admin_a), "GET", path).json()
        assert body.get("watchers", body) == expected
        assert "l2" not in str(body.get("watchers", body))
    requester = send(client_for(personas.customer_a), "GET", f"/tickets/{ticket.number}/watchers").json()
    assert requester == {**expected, "is_watching": False}


def test_the_ticket_with_many_followers_has_a_query_ceiling(personas, ticket):
    clients = {who: client_for(getattr(personas, who)) for who in ("agent_l1", "customer_admin_a")}
    counts = []
    for round_, size in enumerate((1, 15)):
        # given more and more colleagues and contacts follow the ticket
        for i in range(size):
            ticket_watch(ticket=ticket, by=personas.agent_l1, user=AgentFactory.create(username=f"agent{round_}x{i}"))
            contact = ContactFactory.create(organisation=personas.org_a, name=f"Contact {round_}-{i}")
            ticket_watch(ticket=ticket, by=personas.agent_l1, contact=contact)
        # when / then (session, user, the ticket with its tags, links and SLA: 12, plus its followers: 1,
        # plus its custom field values: 1)
        for who, client in clients.items():
            with assert_max_queries(14) as captured:
                response = send(client, "GET", f"/tickets/{ticket.number}")
            assert response.status_code == 200
            assert len(response.json()["watchers"]["contacts"]) == 1 + 15 * round_
            counts.append((who, len(captured.captured_queries)))
        with assert_max_queries(5):  # session, user, the ticket and its tags, the followers
            response = send(clients["agent_l1"], "GET", f"/tickets/{ticket.number}/watchers")
        assert response.json()["staff_count"] == 1 + 15 * round_
    assert counts[:2] == counts[2:]


def test_a_token_client_adds_a_colleague_with_the_version_in_the_body(personas, ticket):
    body = {"user": personas.agent_l2.pk, "version": ticket.version}
    response = send(token_client(personas.agent_l1), "POST", f"/tickets/{ticket.number}/watchers", body)
    assert response.status_code == 201
    assert [row["username"] for row in response.json()["staff"]] == ["l2"]
    assert HistoryEvent.objects.get(ticket=ticket, action="watcher_added").channel == "api"


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/watchers"), ("DELETE", "/watchers?user={l2}")],
)
def test_a_stale_version_is_409_and_changes_nothing(personas, ticket, method, path):
    ticket_watch(ticket=ticket, by=personas.agent_l1, user=personas.agent_l2)
    before = world(ticket)
    response = send(
        client_for(personas.agent_l1),
        method,
        f"/tickets/{ticket.number}" + path.format(l2=personas.agent_l2.pk),
        {} if method == "POST" else None,
        If_Match='"1"',
    )
    assert (response.status_code, response.json()["code"]) == (409, "ticket.version_conflict")
    assert world(ticket) == before


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (lambda p: {"user": 999999}, 422, "watcher.unknown_user", "user"),
        (lambda p: {"contact": 999999}, 422, "watcher.unknown_contact", "contact"),
        (lambda p: {"user": p.agent_l2.pk, "contact": p.contact_a2.pk}, 422, "watcher.target", "user"),
        (lambda p: {"contact": p.contact_b.pk}, 422, "watcher.foreign_contact", "contact"),
        (lambda p: {"contact": p.contact_a.pk}, 422, "watcher.is_requester", "contact"),
        (lambda p: {"user": p.customer_a2.pk}, 422, "watcher.not_staff", "user"),
        (lambda p: {"user": 0}, 422, "invalid", "user"),
    ],
)
def test_refused_followers_carry_their_codes(personas, ticket, body, status, code, field):
    before = world(ticket)
    response = send(client_for(personas.agent_l1), "POST", f"/tickets/{ticket.number}/watchers", body(personas))
    assert (response.status_code, response.json()["code"], response.json().get("field")) == (status, code, field)
    assert world(ticket) == before


def test_following_twice_is_409_and_removing_a_stranger_404(personas, ticket):
    client = client_for(personas.agent_l1)
    path = f"/tickets/{ticket.number}/watchers"
    assert send(client, "POST", path, {}).status_code == 201
    response = send(client, "POST", path, {})
    assert (response.status_code, response.json()["code"]) == (409, "watcher.exists")
    response = send(client, "DELETE", f"{path}?user={personas.agent_l2.pk}")
    assert (response.status_code, response.json()["code"]) == (404, "watcher.not_found")
