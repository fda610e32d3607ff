"""The ticket page: what a customer sees, what they never see, and whose tickets are a 404."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.personas import Personas

from tierdesk.accounts.models import User
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import (
    ticket_attachment_add,
    ticket_comment_add,
    ticket_escalate,
    ticket_request_second_level,
    ticket_resolve,
    ticket_second_level_decide,
    ticket_time_log,
    ticket_wait,
)
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture
def ticket(personas: Personas) -> Ticket:
    return make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Scanner does not save PDFs")


def test_page_shows_number_subject_status_priority_and_public_replies(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given an agent answered in public and asked the customer something
    ticket_comment_add(ticket=ticket, body="Which scanner model is it?", by=personas.agent_l1)
    ticket_wait(ticket=ticket, on="customer", by=personas.agent_l1)

    # when the requester opens the ticket
    response = login(personas.customer_a).get(f"/portal/tickets/{ticket.number}/")

    # then the page shows the ticket in plain words with the reply and the public history
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<p class="ticket-number" data-testid="ticket-number">#{ticket.number}</p>' in html
    assert '<h1 data-testid="ticket-subject">Scanner does not save PDFs</h1>' in html
    assert '<dd data-testid="ticket-status" data-status="waiting">Waiting for your answer</dd>' in html
    assert '<dd data-testid="ticket-priority" data-priority="p4">P4 Low</dd>' in html
    assert "Which scanner model is it?" in html
    assert [line.text for line in response.context["history"]] == [
        "Ticket received",
        "Status changed: Received, not yet picked up → We are working on it",
        "Reply added",
        "Put on hold: We are working on it → Waiting for someone else",
    ]
    assert 'data-testid="reply-form"' in html


def test_page_never_shows_internal_work(personas: Personas, ticket: Ticket, login: Callable[[User], Client]) -> None:
    # given agents left internal notes, internal history, internal files, time and bug references,
    # and an approved second-level request whose note is the handover
    agent = personas.agent_l1
    ticket_comment_add(ticket=ticket, body="SECRET-NOTE customer is difficult", by=agent, is_internal=True)
    ticket_time_log(ticket=ticket, minutes=25, note="SECRET-TIME remote session", by=agent)
    ticket_attachment_add(
        ticket=ticket,
        upload=SimpleUploadedFile("SECRET-FILE-dump.txt", b"internal dump"),
        by=agent,
        is_internal=True,
    )
    ticket_request_second_level(ticket=ticket, reason="Nobody could fix it so far.", by=personas.customer_a)
    request = ticket.second_level_requests.get()
    ticket_second_level_decide(
        request=request, approve=True, note="SECRET-APPROVAL-HANDOVER driver rollback failed", by=agent
    )
    ticket_escalate(
        ticket=ticket,
        to_level="development",
        handover_note="SECRET-HANDOVER to development, see the crash dump",
        bug_key="SECRET-BUG-4711",
        bug_url="https://bugs.example.org/SECRET-BUG-URL",
        by=personas.agent_l2,
    )

    # when the requester opens the ticket
    response = login(personas.customer_a).get(f"/portal/tickets/{ticket.number}/")

    # then none of it is on the page
    html = response.content.decode()
    assert response.status_code == 200
    for secret in (
        "SECRET-NOTE",
        "SECRET-TIME",
        "SECRET-FILE",
        "SECRET-APPROVAL-HANDOVER",
        "SECRET-HANDOVER",
        "SECRET-BUG",
        "bugs.example.org",
    ):
        assert secret not in html, secret
    assert "Request for a specialist answered: Approved" in html


def test_customer_admin_reads_a_colleagues_ticket(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # when organisation A's customer admin opens Anna's ticket
    response = login(personas.customer_admin_a).get(f"/portal/tickets/{ticket.number}/")

    # then they see it
    assert response.status_code == 200
    assert response.context["ticket"] == ticket


@pytest.mark.parametrize("persona", ["customer_b", "customer_a2"])
def test_foreign_ticket_is_a_404(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client], persona: str
) -> None:
    # when another organisation's contact, or a colleague without admin rights, opens Anna's ticket
    response = login(getattr(personas, persona)).get(f"/portal/tickets/{ticket.number}/")

    # then it looks exactly like a ticket that does not exist
    missing = login(getattr(personas, persona)).get(f"/portal/tickets/{ticket.number + 1000}/")
    assert response.status_code == 404
    assert missing.status_code == 404
    assert _without_csrf(response.content) == _without_csrf(missing.content)


def _without_csrf(html: bytes) -> bytes:
    """The page's forms carry a CSRF token masked afresh on every response, and the language
    form carries the requested path back; neither says anything about the ticket."""
    return re.sub(rb'name="(csrfmiddlewaretoken|next)" value="[^"]+"', b"", html)


def test_resolved_ticket_offers_confirm_and_reopen(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given the agent resolved the ticket
    ticket_resolve(ticket=ticket, resolution="Updated the scanner firmware.", by=personas.agent_l1)

    # when the requester opens it
    html = login(personas.customer_a).get(f"/portal/tickets/{ticket.number}/").content.decode()

    # then the solution and both answers are offered, and second level no longer
    assert '<p data-testid="resolution-text">Updated the scanner firmware.</p>' in html
    assert 'data-testid="confirm-button"' in html
    assert 'data-testid="reopen-form"' in html
    assert 'data-testid="second-level-form"' not in html


def test_closed_ticket_offers_no_reply(personas: Personas, ticket: Ticket, login: Callable[[User], Client]) -> None:
    # given the ticket was resolved and then confirmed
    ticket_resolve(ticket=ticket, resolution="Updated the scanner firmware.", by=personas.agent_l1)
    login(personas.customer_a).post(f"/portal/tickets/{ticket.number}/confirm/")

    # when the requester opens it
    html = login(personas.customer_a).get(f"/portal/tickets/{ticket.number}/").content.decode()

    # then there is nothing left to answer
    assert 'data-testid="closed-notice"' in html
    assert 'data-testid="reply-form"' not in html
    assert 'data-testid="confirm-button"' not in html


def _page_queries(client: Client, ticket: Ticket) -> int:
    with assert_max_queries(100) as captured:
        response = client.get(f"/portal/tickets/{ticket.number}/")
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_page_query_count_does_not_grow_with_replies_and_files(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given a ticket with one reply
    client = login(personas.customer_a)
    ticket_comment_add(ticket=ticket, body="First answer", by=personas.agent_l1)
    few = _page_queries(client, ticket)

    # when many replies with files follow
    for index in range(10):
        comment = ticket_comment_add(ticket=ticket, body=f"Answer {index}", by=personas.customer_a)
        ticket_attachment_add(
            ticket=ticket, upload=SimpleUploadedFile(f"log{index}.txt", b"log"), by=personas.customer_a, comment=comment
        )

    # then the page costs the same number of queries, under the ceiling (10, plus the followers: 1,
    # plus the upcoming appointments: 1)
    with assert_max_queries(13):
        client.get(f"/portal/tickets/{ticket.number}/")
    assert _page_queries(client, ticket) == few
