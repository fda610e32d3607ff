"""What a customer does on a ticket: reply, confirm, reopen, ask for second level.

Each refused action re-renders the page with the message and a 4xx status, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.personas import Personas

from tierdesk.accounts.models import User
from tierdesk.tickets.models import Attachment, Comment, HistoryEvent, SecondLevelRequest, Ticket
from tierdesk.tickets.services import ticket_confirm, ticket_escalate, ticket_resolve, ticket_wait
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture
def ticket(personas: Personas) -> Ticket:
    return make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Shared drive is read-only")


def _resolved(ticket: Ticket, agent: User) -> Ticket:
    return ticket_resolve(ticket=ticket, resolution="Restored the share permissions.", by=agent)


def _snapshot(ticket: Ticket) -> tuple[object, ...]:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.version,
        Comment.objects.filter(ticket=ticket).count(),
        HistoryEvent.objects.filter(ticket=ticket).count(),
        Attachment.objects.filter(ticket=ticket).count(),
        SecondLevelRequest.objects.filter(ticket=ticket).count(),
    )


def test_reply_reopens_a_resolved_ticket(personas: Personas, ticket: Ticket, login: Callable[[User], Client]) -> None:
    # given the agent resolved the ticket
    _resolved(ticket, personas.agent_l1)

    # when the requester replies
    response = login(personas.customer_a).post(
        f"/portal/tickets/{ticket.number}/reply/", {"body": "Still read-only on my laptop."}
    )

    # then the reply is public, the ticket is open again, and the customer is back on the page
    ticket.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{ticket.number}/"
    assert ticket.status == "open"
    reply = Comment.objects.filter(ticket=ticket).get()
    assert (reply.body, reply.is_internal, reply.channel, reply.author) == (
        "Still read-only on my laptop.",
        False,
        "portal",
        personas.customer_a,
    )


def test_reply_to_a_waiting_ticket_opens_it(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given the agent waits on the customer
    ticket_wait(ticket=ticket, on="customer", by=personas.agent_l1)

    # when the requester answers
    login(personas.customer_a).post(f"/portal/tickets/{ticket.number}/reply/", {"body": "It is drive S:."})

    # then the ticket is back in work
    ticket.refresh_from_db()
    assert (ticket.status, ticket.waiting_on) == ("open", "")


def test_reply_with_a_file_attaches_it_to_the_reply(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # when the requester replies with a screenshot
    login(personas.customer_a).post(
        f"/portal/tickets/{ticket.number}/reply/",
        {"body": "Here is the error.", "attachment": SimpleUploadedFile("error.png", b"png bytes")},
    )

    # then the file belongs to the reply and is public
    reply = Comment.objects.get(ticket=ticket)
    attachment = Attachment.objects.get(ticket=ticket)
    assert (attachment.comment, attachment.filename, attachment.is_internal) == (reply, "error.png", False)


def test_file_alone_is_a_valid_reply(personas: Personas, ticket: Ticket, login: Callable[[User], Client]) -> None:
    # when the requester sends only a file
    response = login(personas.customer_a).post(
        f"/portal/tickets/{ticket.number}/reply/", {"attachment": SimpleUploadedFile("log.txt", b"log lines")}
    )

    # then the file is added without an empty reply
    assert response.status_code == 302
    assert Comment.objects.filter(ticket=ticket).count() == 0
    assert Attachment.objects.get(ticket=ticket).filename == "log.txt"


def test_empty_reply_is_refused(personas: Personas, ticket: Ticket, login: Callable[[User], Client]) -> None:
    # given the state before
    before = _snapshot(ticket)

    # when the requester sends an empty reply
    response = login(personas.customer_a).post(f"/portal/tickets/{ticket.number}/reply/", {"body": "   "})

    # then the page comes back with the message and nothing changed
    assert response.status_code == 422
    assert "Write a reply or choose a file." in response.content.decode()
    assert _snapshot(ticket) == before


def test_reply_to_a_closed_ticket_is_refused(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given the ticket is resolved and confirmed
    _resolved(ticket, personas.agent_l1)
    ticket_confirm(ticket=ticket, by=personas.customer_a)
    before = _snapshot(ticket)

    # when the requester still posts a reply (an old tab)
    response = login(personas.customer_a).post(
        f"/portal/tickets/{ticket.number}/reply/",
        {"body": "One more thing.", "attachment": SimpleUploadedFile("late.txt", b"late")},
    )

    # then the service's message is shown with its status and nothing changed, not even the file
    assert response.status_code == 409
    assert response.context["reply_form"].non_field_errors() == ["This ticket is closed; please open a new one."]
    assert _snapshot(ticket) == before


def test_confirm_closes_a_resolved_ticket(personas: Personas, ticket: Ticket, login: Callable[[User], Client]) -> None:
    # given the agent resolved the ticket
    _resolved(ticket, personas.agent_l1)

    # when the requester says it is solved
    response = login(personas.customer_a).post(f"/portal/tickets/{ticket.number}/confirm/")

    # then the ticket is closed, confirmed through the portal
    ticket.refresh_from_db()
    assert response.status_code == 302
    assert ticket.status == "closed"
    confirmed = HistoryEvent.objects.filter(ticket=ticket).latest("id")
    assert (confirmed.action, confirmed.channel, confirmed.actor) == ("confirmed", "portal", personas.customer_a)


def test_confirm_of_an_unresolved_ticket_is_refused(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given the ticket is still being worked on
    before = _snapshot(ticket)

    # when a confirmation arrives anyway
    response = login(personas.customer_a).post(f"/portal/tickets/{ticket.number}/confirm/")

    # then the message is shown and nothing changed
    assert response.status_code == 409
    assert response.context["confirm_form"].non_field_errors() == ["Only a resolved ticket can be confirmed."]
    assert _snapshot(ticket) == before


def test_reopen_with_a_reason(personas: Personas, ticket: Ticket, login: Callable[[User], Client]) -> None:
    # given the agent resolved the ticket
    _resolved(ticket, personas.agent_l1)

    # when the requester says it is still a problem, and why
    response = login(personas.customer_a).post(
        f"/portal/tickets/{ticket.number}/reopen/", {"reason": "Bram still cannot write to the share."}
    )

    # then the ticket is open again and the reason is a public reply
    ticket.refresh_from_db()
    assert response.status_code == 302
    assert (ticket.status, ticket.resolved_at) == ("open", None)
    reason = Comment.objects.get(ticket=ticket)
    assert (reason.body, reason.is_internal, reason.channel) == (
        "Bram still cannot write to the share.",
        False,
        "portal",
    )


def test_reopen_without_a_reason_is_refused(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given a resolved ticket
    _resolved(ticket, personas.agent_l1)
    before = _snapshot(ticket)

    # when the requester reopens without saying why
    response = login(personas.customer_a).post(f"/portal/tickets/{ticket.number}/reopen/", {"reason": ""})

    # then the form asks for the reason and nothing changed
    assert response.status_code == 422
    assert response.context["reopen_form"].errors == {"reason": ["This field is required."]}
    assert _snapshot(ticket) == before


def test_second_level_request_is_recorded_and_shown_pending(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given an active first-level ticket
    client = login(personas.customer_a)

    # when the requester asks for a specialist
    response = client.post(
        f"/portal/tickets/{ticket.number}/second-level/", {"reason": "First level tried twice without luck."}
    )

    # then a pending request exists and the page says so instead of offering the form again
    request = SecondLevelRequest.objects.get(ticket=ticket)
    assert response.status_code == 302
    assert (request.reason, request.decision, request.requested_by) == (
        "First level tried twice without luck.",
        "pending",
        personas.customer_a,
    )
    html = client.get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="second-level-pending"' in html
    assert 'data-testid="second-level-form"' not in html


def test_second_level_request_twice_is_refused(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given a request is pending already
    client = login(personas.customer_a)
    client.post(f"/portal/tickets/{ticket.number}/second-level/", {"reason": "First request."})
    before = _snapshot(ticket)

    # when a second request is posted (an old tab)
    response = client.post(f"/portal/tickets/{ticket.number}/second-level/", {"reason": "Second request."})

    # then it is refused and nothing changed
    assert response.status_code == 409
    assert response.context["second_level_form"].non_field_errors() == [
        "A request for second level is pending already."
    ]
    assert _snapshot(ticket) == before


def test_second_level_request_for_a_second_level_ticket_is_refused(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given the ticket is at second level already
    ticket_escalate(ticket=ticket, to_level="second", handover_note="Needs the storage team.", by=personas.agent_l1)
    client = login(personas.customer_a)
    assert 'data-testid="second-level-form"' not in client.get(f"/portal/tickets/{ticket.number}/").content.decode()
    before = _snapshot(ticket)

    # when a request is posted anyway
    response = client.post(f"/portal/tickets/{ticket.number}/second-level/", {"reason": "Please hurry."})

    # then it is refused and nothing changed
    assert response.status_code == 409
    assert _snapshot(ticket) == before


@pytest.mark.parametrize("action", ["reply", "confirm", "reopen", "second-level"])
@pytest.mark.parametrize("persona", ["customer_b", "customer_a2"])
def test_actions_on_a_foreign_ticket_are_a_404(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client], action: str, persona: str
) -> None:
    # given a resolved ticket of Anna's
    _resolved(ticket, personas.agent_l1)
    before = _snapshot(ticket)

    # when another organisation's contact, or a colleague without admin rights, acts on it
    response = login(getattr(personas, persona)).post(
        f"/portal/tickets/{ticket.number}/{action}/", {"body": "Hello", "reason": "Because."}
    )

    # then it is a 404 and nothing changed
    assert response.status_code == 404
    assert _snapshot(ticket) == before


def test_customer_admin_may_act_on_a_colleagues_ticket(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # given Anna's ticket was resolved
    _resolved(ticket, personas.agent_l1)

    # when organisation A's customer admin confirms it
    response = login(personas.customer_admin_a).post(f"/portal/tickets/{ticket.number}/confirm/")

    # then it is closed
    ticket.refresh_from_db()
    assert response.status_code == 302
    assert ticket.status == "closed"


@pytest.mark.parametrize("action", ["reply", "confirm", "reopen", "second-level"])
def test_actions_only_accept_post(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client], action: str
) -> None:
    # when an action URL is opened with GET
    response = login(personas.customer_a).get(f"/portal/tickets/{ticket.number}/{action}/")

    # then it is refused
    assert response.status_code == 405


def test_refused_action_through_htmx_returns_the_page_to_swap(
    personas: Personas, ticket: Ticket, login: Callable[[User], Client]
) -> None:
    # when htmx posts an empty reopen reason
    _resolved(ticket, personas.agent_l1)
    response = login(personas.customer_a).post(
        f"/portal/tickets/{ticket.number}/reopen/", {"reason": ""}, headers={"HX-Request": "true"}
    )

    # then the answer carries the portal page the form swaps in
    assert response.status_code == 422
    assert '<main id="portal-main" class="portal-main">' in response.content.decode()
