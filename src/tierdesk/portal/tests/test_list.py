"""The "My tickets" list: scoped per role, filtered, paginated in SQL, with a query ceiling."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from tests.personas import Personas

from tierdesk.accounts.models import User
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import ticket_confirm, ticket_resolve
from tierdesk.tickets.tests.factories import make_ticket


def _numbers(response: object) -> list[int]:
    return sorted(ticket.number for ticket in response.context["page"].object_list)  # type: ignore[attr-defined]


@pytest.fixture
def tickets(personas: Personas) -> dict[str, Ticket]:
    """One ticket per contact: Anna's and Bram's in organisation A, Ola's in organisation B."""
    return {
        "anna": make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Anna's printer"),
        "bram": make_ticket(by=personas.customer_a2, requester=personas.contact_a2, subject="Bram's mailbox"),
        "ola": make_ticket(by=personas.customer_b, requester=personas.contact_b, subject="Ola's laptop"),
    }


def test_customer_sees_only_their_own_tickets(
    personas: Personas, tickets: dict[str, Ticket], login: Callable[[User], Client]
) -> None:
    # when Anna opens her list
    response = login(personas.customer_a).get("/portal/")

    # then only her ticket is listed, without the organisation filter
    html = response.content.decode()
    assert response.status_code == 200
    assert _numbers(response) == [tickets["anna"].number]
    assert "Anna&#x27;s printer" in html
    assert "Bram&#x27;s mailbox" not in html
    assert "Ola&#x27;s laptop" not in html
    assert 'name="scope"' not in html


def test_customer_cannot_widen_the_scope(
    personas: Personas, tickets: dict[str, Ticket], login: Callable[[User], Client]
) -> None:
    # when a plain customer asks for everyone's tickets
    response = login(personas.customer_a).get("/portal/?scope=all")

    # then they still get only their own
    assert _numbers(response) == [tickets["anna"].number]


def test_customer_admin_sees_the_whole_organisation(
    personas: Personas, tickets: dict[str, Ticket], login: Callable[[User], Client]
) -> None:
    # when the customer admin of organisation A opens the list
    response = login(personas.customer_admin_a).get("/portal/")

    # then both of organisation A's tickets are listed with who reported them, none of B's
    html = response.content.decode()
    assert _numbers(response) == sorted([tickets["anna"].number, tickets["bram"].number])
    assert "Anna Vermeulen" in html
    assert "Bram de Wit" in html
    assert "Ola&#x27;s laptop" not in html
    assert 'name="scope"' in html


def test_customer_admin_filters_to_their_own(
    personas: Personas, tickets: dict[str, Ticket], login: Callable[[User], Client]
) -> None:
    # given the customer admin reported a ticket too
    own = make_ticket(by=personas.customer_admin_a, requester=personas.customer_admin_a.contact, subject="Cora's VPN")

    # when they choose "only mine"
    response = login(personas.customer_admin_a).get("/portal/?scope=mine")

    # then only their own ticket is listed
    assert _numbers(response) == [own.number]


def test_other_organisation_sees_only_its_own(
    personas: Personas, tickets: dict[str, Ticket], login: Callable[[User], Client]
) -> None:
    # when Ola of organisation B opens the list
    response = login(personas.customer_b).get("/portal/")

    # then only Ola's ticket is listed
    assert _numbers(response) == [tickets["ola"].number]


@pytest.mark.parametrize(
    ("status_group", "expected"),
    [("open", ["active"]), ("resolved", ["resolved"]), ("closed", ["closed"]), ("", ["active", "resolved", "closed"])],
)
def test_status_filter(
    personas: Personas, login: Callable[[User], Client], status_group: str, expected: list[str]
) -> None:
    # given Anna has an active, a resolved and a closed ticket
    by_state = {
        "active": make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Active"),
        "resolved": make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Resolved"),
        "closed": make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Closed"),
    }
    ticket_resolve(ticket=by_state["resolved"], resolution="Replaced the toner.", by=personas.agent_l1)
    ticket_resolve(ticket=by_state["closed"], resolution="Restarted the spooler.", by=personas.agent_l1)
    ticket_confirm(ticket=by_state["closed"], by=personas.customer_a)

    # when she filters by status group
    response = login(personas.customer_a).get(f"/portal/?status={status_group}")

    # then exactly the tickets of that group are listed
    assert _numbers(response) == sorted(by_state[name].number for name in expected)


def test_unknown_filter_values_fall_back_to_everything_visible(
    personas: Personas, tickets: dict[str, Ticket], login: Callable[[User], Client]
) -> None:
    # when the customer admin sends filter values the form does not know
    response = login(personas.customer_admin_a).get("/portal/?status=everything&scope=galaxy&page=abc")

    # then the list falls back to the defaults
    assert response.status_code == 200
    assert _numbers(response) == sorted([tickets["anna"].number, tickets["bram"].number])


def test_list_is_paginated(personas: Personas, login: Callable[[User], Client]) -> None:
    # given Anna has 25 tickets
    for index in range(25):
        make_ticket(by=personas.customer_a, requester=personas.contact_a, subject=f"Issue {index}")
    client = login(personas.customer_a)

    # when she opens the first and the second page
    first = client.get("/portal/")
    second = client.get("/portal/?page=2")

    # then the pages hold 20 and 5 tickets, together all 25
    assert (len(first.context["page"].object_list), len(second.context["page"].object_list)) == (20, 5)
    assert len(set(_numbers(first)) | set(_numbers(second))) == 25
    assert 'href="?page=2"' in first.content.decode()


def test_htmx_request_gets_only_the_list_fragment(
    personas: Personas, tickets: dict[str, Ticket], login: Callable[[User], Client]
) -> None:
    # when the filter form asks through htmx
    response = login(personas.customer_a).get("/portal/?status=open", headers={"HX-Request": "true"})

    # then the answer is the list fragment, without the layout
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="ticket-list" data-testid="ticket-list">')
    assert "<html" not in html
    assert f"#{tickets['anna'].number}" in html


def _list_queries(client: Client, ticket_count: int) -> int:
    with assert_max_queries(100) as captured:
        response = client.get("/portal/")
    assert len(response.context["page"].object_list) == ticket_count
    return len(captured.captured_queries)


@pytest.mark.parametrize("persona", ["customer_a", "customer_admin_a"])
def test_query_count_does_not_grow_with_the_tickets(
    personas: Personas, login: Callable[[User], Client], persona: str
) -> None:
    # given a signed-in contact whose list shows two tickets
    client = login(getattr(personas, persona))
    for index in range(2):
        make_ticket(by=personas.customer_a, requester=personas.contact_a, subject=f"Issue {index}")
    few = _list_queries(client, 2)

    # when the list grows to a full page with more behind it
    for index in range(30):
        make_ticket(by=personas.customer_a, requester=personas.contact_a, subject=f"More {index}")

    # then the page costs no more queries, and stays under the ceiling
    with assert_max_queries(6):
        response = client.get("/portal/")
    assert len(response.context["page"].object_list) == 20
    assert _list_queries(client, 20) == few
