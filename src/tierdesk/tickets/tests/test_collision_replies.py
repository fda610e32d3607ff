"""Collision detection for replies, in the service and the API: a public reply that names the
newest public reply its author saw is refused (ticket.reply_conflict, 409) when a newer one by
somebody else arrived meanwhile, unless the author confirms."""

from __future__ import annotations

import pytest

from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.tickets.errors import ReplyConflict, TicketVersionConflict
from tierdesk.tickets.models import Comment, Ticket
from tierdesk.tickets.services import ticket_comment_add
from tierdesk.tickets.tests.api_support import expected_status, ticket_state
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture
def ticket(personas) -> Ticket:
    return make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Label printer skips labels")


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# --- the service ---------------------------------------------------------------------------


def test_a_newer_public_reply_stops_the_reply_and_names_it(personas, ticket):
    # given agent 1 saw the customer's question, then agent 2 answered it
    seen = ticket_comment_add(ticket=ticket, body="Still skipping.", by=personas.customer_a).pk
    newer = ticket_comment_add(ticket=ticket, body="New driver installed.", by=personas.agent_l2).pk
    version = fresh(ticket).version
    # when agent 1 sends an answer
    with pytest.raises(ReplyConflict) as refused:
        ticket_comment_add(
            ticket=ticket,
            body="Try the new driver.",
            by=personas.agent_l1,
            seen_comment_id=seen,
            expected_version=version,
        )
    # then
    assert refused.value.code == "ticket.reply_conflict"
    assert refused.value.http_status == 409
    assert refused.value.newer_comment_ids == (newer,)
    assert refused.value.current_version == version
    assert list(Comment.objects.filter(ticket=ticket).values_list("pk", flat=True)) == [seen, newer]
    assert fresh(ticket).version == version


def test_it_stops_also_in_place_of_a_version_conflict(personas, ticket):
    # given the page agent 1 loaded (version and newest reply), then agent 2's reply
    loaded = fresh(ticket).version
    newer = ticket_comment_add(ticket=ticket, body="On my way.", by=personas.agent_l2).pk
    # when agent 1 sends from the old page
    with pytest.raises(ReplyConflict) as refused:
        ticket_comment_add(
            ticket=ticket, body="I'll go.", by=personas.agent_l1, seen_comment_id=0, expected_version=loaded
        )
    # then the reply conflict, which says why and carries the version to confirm against
    assert refused.value.newer_comment_ids == (newer,)
    assert refused.value.current_version == fresh(ticket).version


def test_confirming_sends_it_anyway(personas, ticket):
    # given
    newer = ticket_comment_add(ticket=ticket, body="On my way.", by=personas.agent_l2)
    # when
    comment = ticket_comment_add(
        ticket=ticket,
        body="Also: the spare printer is in room 4.",
        by=personas.agent_l1,
        seen_comment_id=0,
        confirm_despite_newer=True,
        expected_version=fresh(ticket).version,
    )
    # then
    assert comment.pk > newer.pk
    assert comment.body == "Also: the spare printer is in room 4."


def test_a_confirmed_reply_still_needs_the_current_version(personas, ticket):
    # given
    loaded = fresh(ticket).version
    ticket_comment_add(ticket=ticket, body="On my way.", by=personas.agent_l2)
    # when / then: the confirmation answers the newer reply, not any other change
    with pytest.raises(TicketVersionConflict):
        ticket_comment_add(
            ticket=ticket,
            body="Me too.",
            by=personas.agent_l1,
            seen_comment_id=0,
            confirm_despite_newer=True,
            expected_version=loaded,
        )


@pytest.mark.parametrize(
    "newer_kind", ["internal_note", "own_reply"], ids=["an internal note", "one's own earlier reply"]
)
def test_what_does_not_count_as_a_newer_reply(personas, ticket, newer_kind):
    # given
    if newer_kind == "internal_note":
        ticket_comment_add(ticket=ticket, body="Check the toner.", by=personas.agent_l2, is_internal=True)
    else:
        ticket_comment_add(ticket=ticket, body="First part of my answer.", by=personas.agent_l1)
    # when
    comment = ticket_comment_add(ticket=ticket, body="Second part.", by=personas.agent_l1, seen_comment_id=0)
    # then
    assert comment.body == "Second part."


def test_a_customer_reply_counts_too(personas, ticket):
    ticket_comment_add(ticket=ticket, body="It works again!", by=personas.customer_a)
    with pytest.raises(ReplyConflict):
        ticket_comment_add(
            ticket=ticket, body="Have you tried the new driver?", by=personas.agent_l1, seen_comment_id=0
        )


def test_an_internal_note_is_never_stopped(personas, ticket):
    ticket_comment_add(ticket=ticket, body="It works again!", by=personas.customer_a)
    note = ticket_comment_add(
        ticket=ticket, body="Customer confirmed.", by=personas.agent_l1, is_internal=True, seen_comment_id=0
    )
    assert note.is_internal


def test_without_seen_comment_nothing_is_checked(personas, ticket):
    ticket_comment_add(ticket=ticket, body="On my way.", by=personas.agent_l2)
    assert ticket_comment_add(ticket=ticket, body="Thanks.", by=personas.agent_l1).body == "Thanks."


# --- the API -------------------------------------------------------------------------------


def comments_path(ticket: Ticket) -> str:
    return f"/tickets/{ticket.number}/comments"


def test_api_answers_409_with_the_code_and_changes_nothing(personas, ticket):
    # given
    seen = ticket_comment_add(ticket=ticket, body="Still skipping.", by=personas.customer_a).pk
    ticket_comment_add(ticket=ticket, body="New driver installed.", by=personas.agent_l2)
    before = ticket_state(ticket)
    # when
    response = send(
        client_for(personas.agent_l1), "POST", comments_path(ticket), {"body": "Try this.", "seen_comment_id": seen}
    )
    # then
    assert response.status_code == 409
    assert response.json()["code"] == "ticket.reply_conflict"
    assert ticket_state(ticket) == before


def test_api_sends_when_confirmed(personas, ticket):
    # given
    ticket_comment_add(ticket=ticket, body="New driver installed.", by=personas.agent_l2)
    # when
    response = send(
        client_for(personas.agent_l1),
        "POST",
        comments_path(ticket),
        {"body": "Try this.", "seen_comment_id": 0, "confirm_despite_newer": True},
    )
    # then
    assert response.status_code == 201
    assert response.json()["body"] == "Try this."


def test_api_sends_when_nothing_newer_arrived(personas, ticket):
    seen = ticket_comment_add(ticket=ticket, body="Still skipping.", by=personas.customer_a).pk
    response = send(
        client_for(personas.agent_l1), "POST", comments_path(ticket), {"body": "On it.", "seen_comment_id": seen}
    )
    assert response.status_code == 201


def test_api_refuses_a_negative_seen_comment_id(personas, ticket):
    response = send(
        client_for(personas.agent_l1), "POST", comments_path(ticket), {"body": "On it.", "seen_comment_id": -1}
    )
    assert response.status_code == 422


@pytest.mark.parametrize("who", ROLES)
def test_api_roles_with_a_newer_reply(personas, ticket, who):
    # given a newer public reply from the desk
    ticket_comment_add(ticket=ticket, body="New driver installed.", by=personas.case_manager)
    before = ticket_state(ticket)
    # when
    response = send(
        client_for(getattr(personas, who)), "POST", comments_path(ticket), {"body": "Hm.", "seen_comment_id": 0}
    )
    # then: whoever may reply is asked to confirm (the case manager's own reply is no news to them)
    conflict = 201 if who == "case_manager" else 409
    assert response.status_code == expected_status(who, ok=conflict, customer=409)
    if response.status_code != 201:
        assert ticket_state(ticket) == before


def test_api_with_a_token_answers_409_too(personas, ticket):
    ticket_comment_add(ticket=ticket, body="New driver installed.", by=personas.agent_l2)
    response = send(
        token_client(personas.agent_l1), "POST", comments_path(ticket), {"body": "Hm.", "seen_comment_id": 0}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "ticket.reply_conflict"


def test_openapi_documents_the_fields_and_the_409(client):
    schema = client.get("/api/v1/openapi.json").json()
    comment_in = schema["components"]["schemas"]["CommentIn"]["properties"]
    assert "ticket.reply_conflict" in comment_in["seen_comment_id"]["description"]
    assert comment_in["confirm_despite_newer"]["default"] is False
    responses = schema["paths"]["/api/v1/tickets/{number}/comments"]["post"]["responses"]
    assert "409" in responses
