"""The board at /desk/: columns, filters, htmx partial, column caps, query ceiling, access."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tierdesk.accounts.tests.factories import ContactFactory
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.choices import Impact, Level, Urgency
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import (
    ticket_confirm,
    ticket_escalate,
    ticket_request_second_level,
    ticket_resolve,
    ticket_take,
    ticket_wait,
)
from tierdesk.tickets.tests.factories import make_ticket
from tierdesk.tickets.views import board as board_views

BOARD_URL = "/desk/"
HANDOVER = "Printer driver reinstalled, still failing."


def column_html(html: str, key: str) -> str:
    """The HTML of one board column (up to its closing </section>)."""
    match = re.search(rf'data-testid="board-column-{key}".*?</section>', html, re.S)
    assert match is not None, f"column {key} missing"
    return match.group(0)


def row(ticket: Ticket) -> str:
    return f'data-testid="ticket-row-{ticket.number}"'


@pytest.fixture
def staff_client(client: Client, personas) -> Client:
    client.force_login(personas.agent_l1)
    return client


@pytest.fixture
def board_tickets(personas) -> dict[str, Ticket]:
    """One ticket per board column, plus a closed one, built through the services."""
    agent = personas.agent_l1
    first = make_ticket(by=agent, requester=personas.contact_a, subject="Mail stuck in outbox")
    second = make_ticket(by=agent, requester=personas.contact_a, subject="VPN drops every hour")
    ticket_escalate(ticket=second, to_level=Level.SECOND, handover_note=HANDOVER, by=agent)
    waiting = make_ticket(by=agent, requester=personas.contact_b, subject="Scanner needs a new profile")
    ticket_wait(ticket=waiting, on="customer", by=agent)
    dev = make_ticket(by=agent, requester=personas.contact_b, subject="Invoice export crashes")
    ticket_escalate(ticket=dev, to_level=Level.DEVELOPMENT, handover_note=HANDOVER, by=agent, bug_key="BUG-17")
    done = make_ticket(by=agent, requester=personas.contact_a, subject="Password reset")
    ticket_resolve(ticket=done, resolution="Reset and tested with the user.", by=agent)
    closed = make_ticket(by=agent, requester=personas.contact_a, subject="Old monitor swap")
    ticket_resolve(ticket=closed, resolution="Swapped.", by=agent)
    ticket_confirm(ticket=closed, by=agent)
    return {"first": first, "second": second, "waiting": waiting, "dev": dev, "done": done, "closed": closed}


def test_each_ticket_is_in_its_column_and_closed_ones_are_not_shown(staff_client, board_tickets):
    # when
    response = staff_client.get(BOARD_URL)
    # then
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("first", "second", "waiting", "dev", "done"):
        column = column_html(html, key)
        assert row(board_tickets[key]) in column
        assert f'data-testid="board-count-{key}">1<' in column
        others = [t for k, t in board_tickets.items() if k != key]
        assert all(row(other) not in column for other in others)
    assert row(board_tickets["closed"]) not in html


def test_done_column_is_shown_apart_from_the_work_columns(staff_client, board_tickets):
    # when
    html = staff_client.get(BOARD_URL).content.decode()
    # then the done column sits in its own block after the four work columns
    work, done = html.split('class="board-done"')
    assert 'data-testid="board-column-done"' in done
    assert 'data-testid="board-column-done"' not in work
    assert all(f'data-testid="board-column-{key}"' in work for key in ("first", "second", "waiting", "dev"))


def test_filter_by_organisation(staff_client, personas, board_tickets):
    # when
    html = staff_client.get(BOARD_URL, {"organisation": personas.org_b.pk}).content.decode()
    # then only org B's tickets (waiting, dev) remain
    assert row(board_tickets["waiting"]) in html
    assert row(board_tickets["dev"]) in html
    assert row(board_tickets["first"]) not in html
    assert row(board_tickets["done"]) not in html


def test_filter_by_priority(staff_client, personas):
    # given a P1 and a P4 ticket
    critical = make_ticket(
        by=personas.agent_l1,
        requester=personas.contact_a,
        urgency=Urgency.HIGH,
        impact=Impact.HIGH,
        subject="Server down",
    )
    low = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="New mouse")
    # when
    html = staff_client.get(BOARD_URL, {"priority": ["p1", "p2"]}).content.decode()
    # then
    assert critical.priority == "p1"
    assert row(critical) in html
    assert row(low) not in html


def test_filter_by_assignee_and_my_tickets(staff_client, personas, board_tickets):
    # given the L1 agent owns "first" and the L2 agent owns "second"
    ticket_take(ticket=board_tickets["first"], by=personas.agent_l1)
    ticket_take(ticket=board_tickets["second"], by=personas.agent_l2)
    # when
    mine = staff_client.get(BOARD_URL, {"mine": "on"}).content.decode()
    theirs = staff_client.get(BOARD_URL, {"assignee": personas.agent_l2.pk}).content.decode()
    # then
    assert row(board_tickets["first"]) in mine
    assert row(board_tickets["second"]) not in mine
    assert row(board_tickets["second"]) in theirs
    assert row(board_tickets["first"]) not in theirs


def test_filter_by_text_and_by_number(staff_client, board_tickets):
    # when
    by_text = staff_client.get(BOARD_URL, {"q": "vpn"}).content.decode()
    by_number = staff_client.get(BOARD_URL, {"q": f"#{board_tickets['dev'].number}"}).content.decode()
    # then
    assert row(board_tickets["second"]) in by_text
    assert row(board_tickets["first"]) not in by_text
    assert row(board_tickets["dev"]) in by_number
    assert row(board_tickets["second"]) not in by_number


def test_an_invalid_filter_value_is_ignored_and_the_others_apply(staff_client, board_tickets):
    # when the organisation id is unknown but the text matches
    response = staff_client.get(BOARD_URL, {"organisation": "999999", "q": "vpn"})
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert row(board_tickets["second"]) in html
    assert row(board_tickets["first"]) not in html


def test_htmx_request_gets_only_the_board_partial(staff_client, board_tickets):
    # when
    response = staff_client.get(BOARD_URL, {"q": "vpn"}, headers={"HX-Request": "true"})
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert "<html" not in html
    assert 'data-testid="board-filters"' not in html
    assert row(board_tickets["second"]) in html
    assert response.templates[0].name == "tickets/partials/_board.html"
    assert "HX-Request" in response["Vary"]


def test_full_page_has_layout_filters_and_search_shortcut(staff_client, board_tickets):
    # when
    response = staff_client.get(BOARD_URL)
    # then
    html = response.content.decode()
    assert response.templates[0].name == "tickets/board.html"
    assert "<html" in html
    assert 'data-testid="board-filters"' in html
    assert 'id="board-search"' in html
    assert 'data-shortcut="search"' in html
    assert 'hx-target="#board"' in html
    assert '<label for="board-search">' in html


def test_boosted_htmx_navigation_gets_the_full_page(staff_client, board_tickets):
    # when
    response = staff_client.get(BOARD_URL, headers={"HX-Request": "true", "HX-Boosted": "true"})
    # then
    assert "<html" in response.content.decode()


def test_each_column_is_capped_with_its_full_count(staff_client, personas, monkeypatch):
    # given three first-level tickets and a cap of two per column
    monkeypatch.setattr(board_views, "BOARD_COLUMN_LIMIT", 2)
    tickets = [make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject=f"Case {i}") for i in range(3)]
    # when
    column = column_html(staff_client.get(BOARD_URL).content.decode(), "first")
    # then the first two in queue order are shown, the count says three
    assert row(tickets[0]) in column
    assert row(tickets[1]) in column
    assert row(tickets[2]) not in column
    assert 'data-testid="board-count-first">3<' in column
    assert 'data-testid="board-more-first"' in column


def test_cards_are_in_queue_order_priority_first(staff_client, personas):
    # given a P4 ticket created before a P2 ticket
    low = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Low first")
    high = make_ticket(
        by=personas.agent_l1,
        requester=personas.contact_a,
        subject="High later",
        urgency=Urgency.HIGH,
        impact=Impact.MEDIUM,
    )
    # when
    column = column_html(staff_client.get(BOARD_URL).content.decode(), "first")
    # then
    assert column.index(row(high)) < column.index(row(low))


def test_priority_badge_uses_the_tone_class(staff_client, personas):
    # given
    make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency=Urgency.HIGH, impact=Impact.HIGH)
    # when
    html = staff_client.get(BOARD_URL).content.decode()
    # then
    assert 'class="badge tone-critical"' in html


def test_pending_second_level_requests_are_listed(staff_client, personas):
    # given a customer asked for second level
    ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Still broken")
    request = ticket_request_second_level(ticket=ticket, reason="First level could not help.", by=personas.customer_a)
    # when
    html = staff_client.get(BOARD_URL).content.decode()
    # then
    assert f'data-testid="pending-request-{request.pk}"' in html
    assert f"/desk/tickets/{ticket.number}/#second-level" in html


def _make_many(personas, count: int) -> None:
    contacts = [personas.contact_a, personas.contact_b, ContactFactory(organisation=personas.org_a)]
    for i in range(count):
        ticket = make_ticket(by=personas.agent_l1, requester=contacts[i % 3], subject=f"Case {i}")
        if i % 5 == 1:
            ticket_escalate(ticket=ticket, to_level=Level.SECOND, handover_note=HANDOVER, by=personas.agent_l1)
        elif i % 5 == 2:
            ticket_wait(ticket=ticket, on="third_party", by=personas.agent_l1)
        elif i % 5 == 3:
            ticket_take(ticket=ticket, by=personas.agent_l2)
        elif i % 5 == 4:
            ticket_resolve(ticket=ticket, resolution="Done.", by=personas.agent_l1)
    for i in range(count // 5):
        ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a, subject=f"Request {i}")
        ticket_request_second_level(ticket=ticket, reason="Please escalate.", by=personas.customer_a)


# 14, plus 4 for the SLA badges: the policies of all cards at once with their calendars, targets,
# opening hours and closed days (a fixed number per board, whatever the number of cards); 1 for
# the custom fields offered as filters.
BOARD_QUERY_CEILING = 19


@pytest.mark.parametrize("params", [{}, {"organisation": "ORG", "priority": ["p4"], "assignee": "L2", "q": "case"}])
def test_query_count_does_not_grow_with_rows(staff_client, personas, params):
    # given a few tickets
    _make_many(personas, 5)
    resolved = {
        key: (personas.org_a.pk if value == "ORG" else personas.agent_l2.pk if value == "L2" else value)
        for key, value in params.items()
    }
    with assert_max_queries(BOARD_QUERY_CEILING) as few:
        assert staff_client.get(BOARD_URL, resolved).status_code == 200
    # when there are many more
    _make_many(personas, 40)
    with assert_max_queries(BOARD_QUERY_CEILING) as many:
        assert staff_client.get(BOARD_URL, resolved).status_code == 200
    # then the number of queries is the same
    assert len(many.captured_queries) == len(few.captured_queries)


def test_anonymous_is_sent_to_sign_in(client, personas):
    # when
    response = client.get(BOARD_URL)
    # then
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/desk/"


def test_anonymous_htmx_request_is_told_to_navigate_to_sign_in(client, personas):
    # when
    response = client.get(BOARD_URL, headers={"HX-Request": "true"})
    # then
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=/desk/"


@pytest.mark.parametrize("persona", ["customer_a", "customer_admin_a", "customer_b"])
def test_customers_are_sent_away_from_the_board(client, personas, persona):
    # given
    client.force_login(getattr(personas, persona))
    # when
    response = client.get(BOARD_URL)
    # then they land on "home", which sends customers to the portal
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"].startswith("/portal/")


@pytest.mark.parametrize("persona", ["agent_l1", "agent_l2", "developer", "case_manager", "admin"])
def test_every_staff_role_sees_the_board(client, personas, persona):
    # given
    client.force_login(getattr(personas, persona))
    # when / then
    assert client.get(BOARD_URL).status_code == 200
