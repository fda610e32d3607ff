"""The API of merging and splitting: a role matrix per endpoint (nothing changes on denial), the
merged ticket's number answering with its pointer and acting on the ticket it was merged into,
the merge through the bulk endpoint (all or nothing), and both endpoints in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest

from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.tickets.models import Comment, HistoryEvent, Ticket
from tierdesk.tickets.services import ticket_comment_add, ticket_merge
from tierdesk.tickets.tests.api_support import expected_status
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture
def pair(personas: Any) -> tuple[Ticket, Ticket]:
    duplicate = make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Printer jams again")
    ticket_comment_add(ticket=duplicate, body="Still jamming.", by=personas.customer_a)
    original = make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Printer jams")
    return Ticket.objects.get(pk=duplicate.pk), original


def world() -> list[Any]:
    return [
        list(Ticket.objects.order_by("pk").values_list("pk", "version", "status", "merged_into_id")),
        list(Comment.objects.order_by("pk").values_list("pk", "ticket_id")),
        HistoryEvent.objects.count(),
    ]


@pytest.mark.parametrize("who", ROLES)
def test_merge_endpoint_by_role(personas, pair, who):
    duplicate, original = pair
    before = world()
    # when
    response = send(
        client_for(getattr(personas, who)), "POST", f"/tickets/{duplicate.number}/merge", {"into": original.number}
    )
    # then: staff merge; customers who see the tickets are refused, others do not see them
    expected = expected_status(who, ok=200, customer=403)
    assert response.status_code == expected, response.content
    if expected == 200:
        assert response.json()["number"] == original.number
        assert Ticket.objects.get(pk=duplicate.pk).merged_into_id == original.pk
    else:
        assert world() == before


@pytest.mark.parametrize("who", ROLES)
def test_split_endpoint_by_role(personas, pair, who):
    duplicate, _original = pair
    comment = Comment.objects.get(ticket=duplicate)
    before = world()
    # when
    response = send(
        client_for(getattr(personas, who)), "POST", f"/tickets/{duplicate.number}/split", {"comment": comment.pk}
    )
    # then
    expected = expected_status(who, ok=201, customer=403)
    assert response.status_code == expected, response.content
    if expected == 201:
        body = response.json()
        assert body["subject"] == "Still jamming."
        assert Comment.objects.get(pk=comment.pk).ticket.number == body["number"]
    else:
        assert world() == before


def test_the_merged_number_answers_with_its_pointer_and_acts_on_the_target(personas, pair):
    duplicate, original = pair
    client = token_client(personas.agent_l1)
    send(client, "POST", f"/tickets/{duplicate.number}/merge", {"into": original.number, "note": "Same printer"})
    # when the old number is read
    response = send(client, "GET", f"/tickets/{duplicate.number}")
    # then it answers as itself, closed, with the pointer
    body = response.json()
    assert (body["number"], body["status"], body["merged_into"]) == (duplicate.number, "closed", original.number)
    assert response.headers["Link"] == f'</api/v1/tickets/{original.number}>; rel="canonical"'
    assert send(client, "GET", f"/tickets/{original.number}").json()["merged_into"] is None
    # and a comment posted to the old number lands on the ticket it was merged into
    posted = send(client, "POST", f"/tickets/{duplicate.number}/comments", {"body": "Technician booked."})
    assert posted.status_code == 201, posted.content
    assert Comment.objects.get(body="Technician booked.").ticket_id == original.pk
    comments = send(client, "GET", f"/tickets/{duplicate.number}/comments").json()
    assert {c["body"] for c in comments} >= {"Still jamming.", "Technician booked."}


def test_the_requester_of_the_merged_ticket_sees_the_pointer_and_the_target(personas, pair):
    _duplicate, original = pair
    other = make_ticket(by=personas.customer_a2, requester=personas.contact_a2, subject="Printer jams for me too")
    ticket_merge(source=other, target=original, by=personas.agent_l1)
    client = client_for(personas.customer_a2)
    # when
    pointer = send(client, "GET", f"/tickets/{other.number}").json()
    target = send(client, "GET", f"/tickets/{original.number}")
    # then
    assert pointer["merged_into"] == original.number
    assert target.status_code == 200


def test_merge_input_errors(personas, pair):
    duplicate, original = pair
    client = client_for(personas.agent_l1)
    unknown = send(client, "POST", f"/tickets/{duplicate.number}/merge", {"into": 987654})
    assert (unknown.status_code, unknown.json()["code"], unknown.json()["field"]) == (
        422,
        "ticket.unknown_number",
        "into",
    )
    itself = send(client, "POST", f"/tickets/{duplicate.number}/merge", {"into": duplicate.number})
    assert (itself.status_code, itself.json()["code"]) == (422, "ticket.merge_self")
    stale = send(client, "POST", f"/tickets/{duplicate.number}/merge", {"into": original.number, "version": 99})
    assert (stale.status_code, stale.json()["code"]) == (409, "ticket.version_conflict")
    missing = send(client, "POST", f"/tickets/{duplicate.number}/split", {"comment": 123456})
    assert (missing.status_code, missing.json()["code"]) == (422, "ticket.split_not_on_ticket")


def test_bulk_merge_merges_the_selection_into_one_of_it(personas, pair):
    duplicate, original = pair
    third = make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Printer jams, third")
    numbers = [duplicate.number, original.number, third.number]
    # when
    response = send(
        client_for(personas.agent_l1),
        "POST",
        "/tickets/bulk",
        {"numbers": numbers, "action": "merge", "params": {"into": original.number}},
    )
    # then
    assert response.status_code == 200, response.content
    merged = dict(Ticket.objects.filter(number__in=numbers).values_list("number", "merged_into_id"))
    assert merged == {duplicate.number: original.pk, original.number: None, third.number: original.pk}


def test_bulk_merge_that_fails_half_way_changes_nothing(personas, pair):
    duplicate, original = pair
    foreign = make_ticket(by=personas.customer_b, requester=personas.contact_b, subject="Printer jams")
    before = world()
    # when the last ticket of the selection belongs to another organisation
    response = send(
        client_for(personas.agent_l1),
        "POST",
        "/tickets/bulk",
        {"numbers": [duplicate.number, foreign.number], "action": "merge", "params": {"into": original.number}},
    )
    # then
    body = response.json()
    assert (response.status_code, body["code"], body["number"]) == (409, "bulk.failed", foreign.number)
    assert world() == before


def test_openapi_lists_merge_split_and_the_pointer(personas):
    schema = send(client_for(personas.agent_l1), "GET", "/openapi.json").json()
    assert "/api/v1/tickets/{number}/merge" in schema["paths"]
    assert "/api/v1/tickets/{number}/split" in schema["paths"]
    assert "merged_into" in schema["components"]["schemas"]["TicketOut"]["properties"]
