"""Merging and splitting on the desk's ticket page (page and htmx), and the old number of a merged
ticket leading to the ticket it was merged into, on the desk and in the portal."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tierdesk.tickets.models import Comment, Ticket
from tierdesk.tickets.services import ticket_comment_add, ticket_merge
from tierdesk.tickets.tests.factories import make_ticket


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def post(client: Client, ticket: Ticket, action: str, data: dict[str, Any], **extra: Any) -> Any:
    return client.post(f"/desk/tickets/{ticket.number}/{action}/", {"version": fresh(ticket).version, **data}, **extra)


@pytest.fixture
def agent(client: Client, personas: Any) -> Client:
    client.force_login(personas.agent_l1)
    return client


@pytest.fixture
def pair(personas: Any) -> tuple[Ticket, Ticket]:
    duplicate = make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Printer jams again")
    ticket_comment_add(ticket=duplicate, body="Still jamming.\nSecond line.", by=personas.customer_a)
    original = make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Printer jams")
    return fresh(duplicate), original


def test_the_page_offers_merge_and_split(agent, pair):
    duplicate, _original = pair
    html = agent.get(f"/desk/tickets/{duplicate.number}/").content.decode()
    assert 'data-testid="merge-form"' in html
    comment = Comment.objects.get(ticket=duplicate)
    assert f'name="comment" value="{comment.pk}"' in html
    assert 'data-testid="split-form"' in html


def test_merging_from_the_page_goes_to_the_merged_ticket(agent, pair):
    duplicate, original = pair
    # when
    response = post(agent, duplicate, "merge", {"into": f"#{original.number}", "note": "Same printer"}, follow=True)
    # then
    assert response.redirect_chain[-1][0] == f"/desk/tickets/{original.number}/"
    assert f"#{duplicate.number} was merged into #{original.number}." in response.content.decode()
    assert fresh(duplicate).merged_into_id == original.pk
    assert "Still jamming." in response.content.decode()


def test_merging_with_htmx_moves_the_page(agent, pair):
    duplicate, original = pair
    response = post(agent, duplicate, "merge", {"into": str(original.number)}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/desk/tickets/{original.number}/"


def test_a_refused_merge_shows_the_reason_on_the_form(agent, pair):
    duplicate, _original = pair
    response = post(agent, duplicate, "merge", {"into": str(duplicate.number)})
    assert response.status_code == 422
    assert "cannot be merged into itself" in response.content.decode()
    assert fresh(duplicate).merged_into_id is None


def test_the_old_number_redirects_on_the_desk_and_in_the_portal(personas, agent, pair):
    duplicate, original = pair
    ticket_merge(source=duplicate, target=original, by=personas.agent_l1)
    desk = agent.get(f"/desk/tickets/{duplicate.number}/")
    assert (desk.status_code, desk["Location"]) == (302, f"/desk/tickets/{original.number}/")
    customer = Client()
    customer.force_login(personas.customer_a)
    portal = customer.get(f"/portal/tickets/{duplicate.number}/")
    assert (portal.status_code, portal["Location"]) == (302, f"/portal/tickets/{original.number}/")


def test_splitting_a_comment_from_the_page(agent, pair):
    duplicate, _original = pair
    comment = Comment.objects.get(ticket=duplicate)
    # when
    response = post(agent, duplicate, "split", {"comment": comment.pk, "subject": ""}, follow=True)
    # then
    new = Ticket.objects.get(subject="Still jamming.")
    assert Comment.objects.get(pk=comment.pk).ticket_id == new.pk
    assert f"The comment is now ticket #{new.number}." in response.content.decode()


def test_a_customer_cannot_reach_the_desk_forms(personas, client, pair):
    duplicate, original = pair
    client.force_login(personas.customer_admin_a)
    response = post(client, duplicate, "merge", {"into": str(original.number)})
    assert response.status_code in (302, 403, 404)
    assert fresh(duplicate).merged_into_id is None
