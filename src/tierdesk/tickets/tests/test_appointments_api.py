"""The appointments API per endpoint and role (nothing changes on denial), what a customer sees,
the agenda list's filters and query ceiling, token clients, version checks and codes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.accounts.tests.factories import AgentFactory
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.models import Appointment, HistoryEvent, Ticket
from tierdesk.tickets.services.appointments import appointment_schedule
from tierdesk.tickets.tests.factories import make_ticket

STAFF = ("agent_l1", "case_manager", "admin")


def later(hours: float) -> datetime:
    return (datetime.now(UTC) + timedelta(hours=hours)).replace(microsecond=0)


@pytest.fixture
def ticket(personas: Any) -> Ticket:
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a)


@pytest.fixture
def appointment(personas: Any, ticket: Ticket) -> Appointment:
    return appointment_schedule(
        ticket=ticket,
        by=personas.agent_l1,
        kind="remote_session",
        starts_at=later(24),
        duration_minutes=30,
        location="https://remote.example/s/1",
    )


def world() -> dict[str, Any]:
    return {
        "appointments": sorted(
            Appointment.objects.values_list("id", "status", "starts_at", "duration_minutes", "version", "sequence")
        ),
        "history": HistoryEvent.objects.count(),
        "tickets": sorted(Ticket.objects.values_list("id", "version", "status")),
    }


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: Callable[[Ticket, Appointment], str]
    body: Callable[[Any], dict[str, Any] | None]
    customer_status: int  # for the two customers who see the ticket
    ok: int
    changes: bool


ENDPOINTS: dict[str, Endpoint] = {
    "ticket_list": Endpoint("GET", lambda t, a: f"/tickets/{t.number}/appointments", lambda p: None, 200, 200, False),
    "create": Endpoint(
        "POST",
        lambda t, a: f"/tickets/{t.number}/appointments",
        lambda p: {"kind": "update_call", "starts_at": later(48).isoformat(), "duration_minutes": 15},
        403,
        201,
        True,
    ),
    "list": Endpoint("GET", lambda t, a: "/appointments", lambda p: None, 403, 200, False),
    "detail": Endpoint("GET", lambda t, a: f"/appointments/{a.pk}", lambda p: None, 403, 200, False),
    "update": Endpoint(
        "PATCH",
        lambda t, a: f"/appointments/{a.pk}",
        lambda p: {"starts_at": later(30).isoformat()},
        403,
        200,
        True,
    ),
    "cancel": Endpoint("POST", lambda t, a: f"/appointments/{a.pk}/cancel", lambda p: {}, 403, 200, True),
    "done": Endpoint("POST", lambda t, a: f"/appointments/{a.pk}/done", lambda p: {}, 403, 200, True),
}


def _expected(who: str, endpoint: Endpoint, name: str) -> int:
    if who == "anonymous":
        return 401
    if who in STAFF:
        return endpoint.ok
    if name in ("ticket_list", "create") and who in ("customer_b", "customer_a2"):
        return 404  # they cannot see the ticket
    return endpoint.customer_status


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("name", list(ENDPOINTS))
def test_appointment_endpoint_roles(personas, ticket, appointment, name, who):
    endpoint = ENDPOINTS[name]
    expected = _expected(who, endpoint, name)
    before = world()
    # when
    response = send(
        client_for(getattr(personas, who)),
        endpoint.method,
        endpoint.path(ticket, appointment),
        endpoint.body(personas),
    )
    # then
    assert response.status_code == expected, response.content
    if expected in (200, 201):
        assert (world() != before) == endpoint.changes
    else:
        assert world() == before
        codes = {401: "auth.required", 403: "auth.staff_only", 404: "ticket.not_found"}
        assert response.json()["code"] == codes[expected]


def test_a_customer_sees_the_upcoming_appointment_without_the_desks_bookkeeping(personas, ticket, appointment):
    body = send(client_for(personas.customer_a), "GET", f"/tickets/{ticket.number}/appointments").json()
    assert body == [
        {
            "id": appointment.pk,
            "kind": "remote_session",
            "status": "scheduled",
            "starts_at": appointment.starts_at.isoformat().replace("+00:00", "Z"),
            "ends_at": appointment.ends_at.isoformat().replace("+00:00", "Z"),
            "duration_minutes": 30,
            "agent_name": personas.agent_l1.display_name,
            "location": "https://remote.example/s/1",
            "note": "",
        }
    ]
    staff = send(client_for(personas.agent_l2), "GET", f"/tickets/{ticket.number}/appointments").json()
    assert staff[0]["uid"] == appointment.uid
    assert staff[0]["contact"] == {
        "id": personas.contact_a.pk,
        "name": "Anna Vermeulen",
        "email": "anna@harbour.example",
    }
    assert (staff[0]["ticket"], staff[0]["sequence"], staff[0]["version"]) == (ticket.number, 0, 1)


def test_creating_through_the_api_answers_201_and_parks_the_ticket(personas, ticket):
    body = {
        "kind": "remote_session",
        "starts_at": later(24).isoformat(),
        "duration_minutes": 60,
        "agent": personas.agent_l2.pk,
        "contact": personas.contact_a2.pk,
        "location": "https://remote.example/s/2",
    }
    response = send(token_client(personas.agent_l1), "POST", f"/tickets/{ticket.number}/appointments", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["agent"]["username"], data["contact"]["name"]) == ("l2", "Bram de Wit")
    assert response.headers["ETag"] == '"1"'
    assert Ticket.objects.get(pk=ticket.pk).status == "waiting"
    assert HistoryEvent.objects.get(ticket=ticket, action="appointment_scheduled").channel == "api"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"starts_at": "2020-01-01T10:00:00+00:00"}, 422, "appointment.in_past"),
        ({"starts_at": "2030-01-01T10:00:00"}, 422, "invalid"),  # no offset
        ({"duration_minutes": 500}, 422, "invalid"),
        ({"kind": "lunch"}, 422, "invalid"),
        ({"agent": 999999}, 404, "user.not_found"),
        ({"contact": "other_org"}, 422, "appointment.foreign_contact"),
        ({"version": 99}, 409, "ticket.version_conflict"),
    ],
)
def test_invalid_creations_are_refused(personas, ticket, change, status, code):
    body: dict[str, Any] = {"kind": "update_call", "starts_at": later(5).isoformat(), "duration_minutes": 15}
    body.update(change)
    if body.get("contact") == "other_org":
        body["contact"] = personas.contact_b.pk
    before = world()
    response = send(client_for(personas.agent_l1), "POST", f"/tickets/{ticket.number}/appointments", body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert world() == before


def test_an_overlap_is_409_with_its_code(personas, ticket, appointment):
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_a2, subject="Scanner")
    body = {"kind": "update_call", "starts_at": appointment.starts_at.isoformat(), "duration_minutes": 15}
    response = send(client_for(personas.agent_l1), "POST", f"/tickets/{other.number}/appointments", body)
    assert (response.status_code, response.json()["code"]) == (409, "appointment.overlap")


def test_update_with_a_stale_version_is_409_and_a_null_field_is_422(personas, appointment):
    client = client_for(personas.agent_l1)
    before = world()
    stale = send(client, "PATCH", f"/appointments/{appointment.pk}", {"duration_minutes": 20}, If_Match='"7"')
    assert (stale.status_code, stale.json()["code"]) == (409, "appointment.version_conflict")
    null = send(client, "PATCH", f"/appointments/{appointment.pk}", {"starts_at": None})
    assert null.status_code == 422
    assert world() == before
    moved = send(client, "PATCH", f"/appointments/{appointment.pk}", {"duration_minutes": 20, "version": 1})
    assert moved.status_code == 200
    assert (moved.json()["version"], moved.json()["sequence"], moved.headers["ETag"]) == (2, 1, '"2"')


def test_cancel_twice_is_409(personas, appointment):
    client = client_for(personas.agent_l1)
    assert send(client, "POST", f"/appointments/{appointment.pk}/cancel", {"reason": "Ill"}).json()["status"] == (
        "cancelled"
    )
    again = send(client, "POST", f"/appointments/{appointment.pk}/cancel", {})
    assert (again.status_code, again.json()["code"]) == (409, "appointment.not_scheduled")


def test_the_list_filters_by_agent_and_window(personas, ticket, appointment):
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_a2, subject="Scanner")
    theirs = appointment_schedule(
        ticket=other,
        by=personas.agent_l1,
        agent=personas.agent_l2,
        kind="update_call",
        starts_at=later(72),
        duration_minutes=15,
    )
    client = client_for(personas.case_manager)
    ids = lambda query: [row["id"] for row in send(client, "GET", f"/appointments{query}").json()["items"]]  # noqa: E731
    assert ids("") == [appointment.pk, theirs.pk]
    assert ids(f"?agent={personas.agent_l2.pk}") == [theirs.pk]
    window = f"?from={later(48).isoformat()}&to={later(96).isoformat()}".replace("+", "%2B")
    assert ids(window) == [theirs.pk]
    assert ids("?status=cancelled") == []


def test_the_list_has_a_query_ceiling(personas):
    client = client_for(personas.agent_l1)
    for round_, size in enumerate((1, 12)):
        for i in range(size):
            agent = AgentFactory.create(username=f"agent{round_}x{i}")
            t = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject=f"Case {round_}-{i}")
            appointment_schedule(
                ticket=t, by=personas.agent_l1, agent=agent, kind="update_call", starts_at=later(5), duration_minutes=15
            )
        # session, user, count, the page with tickets, agents and contacts
        with assert_max_queries(4):
            response = send(client, "GET", "/appointments?limit=200")
        assert response.json()["count"] == 1 + 12 * round_
        # session, user, the ticket and its tags, its appointments with agents and contacts
        with assert_max_queries(5):
            response = send(client, "GET", f"/tickets/{t.number}/appointments")
        assert len(response.json()) == 1
