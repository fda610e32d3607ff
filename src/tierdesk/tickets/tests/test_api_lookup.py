"""The phone rings: GET /contacts/lookup?phone=... tells the agent who calls, from which
organisation, and which of its tickets are open."""

from __future__ import annotations

import pytest

from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.accounts.tests.factories import ContactPhoneFactory
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.services import ticket_assign, ticket_confirm, ticket_resolve
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture
def phone(personas):
    return ContactPhoneFactory(contact=personas.contact_a, number="+31201234567", label="office")


def test_lookup_finds_the_caller_and_open_tickets(personas, phone):
    # given an open, an assigned and a closed ticket of org A and one of org B
    open_ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Mail bounces")
    taken = make_ticket(by=personas.agent_l1, requester=personas.contact_a2, urgency="high", impact="high")
    ticket_assign(ticket=taken, assignee=personas.agent_l1, by=personas.agent_l1)
    closed = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    ticket_resolve(ticket=closed, resolution="Done.", by=personas.agent_l1)
    ticket_confirm(ticket=closed, by=personas.customer_a)
    make_ticket(by=personas.agent_l1, requester=personas.contact_b)
    # when the number rings
    response = send(token_client(personas.agent_l1), "GET", "/contacts/lookup?phone=%2B31201234567")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["contact"]["id"] == personas.contact_a.pk
    assert body["contact"]["name"] == "Anna Vermeulen"
    assert body["contact"]["phones"] == ["+31201234567"]
    assert body["organisation"]["name"] == "Harbour Freight Systems"
    assert [t["number"] for t in body["open_tickets"]] == [taken.number, open_ticket.number]
    assert body["open_tickets"][0]["assignee_name"] == "l1"
    assert body["open_tickets"][0]["requester_name"] == "Bram de Wit"


@pytest.mark.parametrize(
    "query",
    [
        "phone=%2B31201234567",
        "phone=%2B31%2020%20123%204567",
        "phone=+31201234567",  # an unencoded + arrives as a space
        "phone=%2B31(0)201234567",
        "phone=0031201234567&phone=%2B31201234567",  # repeated: the last one counts
    ],
)
def test_lookup_normalises_the_number(personas, phone, query):
    response = send(client_for(personas.agent_l1), "GET", f"/contacts/lookup?{query}")
    assert response.status_code == 200
    assert response.json()["contact"]["id"] == personas.contact_a.pk


def test_unknown_number_is_404(personas, phone):
    response = send(client_for(personas.agent_l1), "GET", "/contacts/lookup?phone=%2B4722334455")
    assert response.status_code == 404
    assert response.json()["code"] == "contact.not_found"


def test_inactive_contact_is_not_found(personas, phone):
    personas.contact_a.is_active = False
    personas.contact_a.save(update_fields=["is_active"])
    response = send(client_for(personas.agent_l1), "GET", "/contacts/lookup?phone=%2B31201234567")
    assert response.status_code == 404


@pytest.mark.parametrize(("query", "code"), [("phone=hello", "contact.invalid_phone"), ("", "invalid")])
def test_invalid_or_missing_number_is_422(personas, query, code):
    response = send(client_for(personas.agent_l1), "GET", f"/contacts/lookup?{query}")
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["field"] == "phone"


@pytest.mark.parametrize("who", ROLES)
def test_lookup_is_for_staff(personas, phone, who):
    expected = {"anonymous": 401, "agent_l1": 200, "case_manager": 200, "admin": 200}.get(who, 403)
    response = send(client_for(getattr(personas, who)), "GET", "/contacts/lookup?phone=%2B31201234567")
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["code"] == "auth.staff_only"


def test_lookup_has_a_query_ceiling(personas, phone):
    client = client_for(personas.agent_l1)
    for rows in (3, 15):
        for _ in range(rows):
            ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
            ticket_assign(ticket=ticket, assignee=personas.agent_l1, by=personas.agent_l1)
        with assert_max_queries(6):
            response = send(client, "GET", "/contacts/lookup?phone=%2B31201234567")
        assert response.status_code == 200
