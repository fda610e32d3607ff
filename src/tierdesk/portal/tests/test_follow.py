"""The portal's "Follow this ticket" / "Stop following" button: a contact who sees a ticket
they did not ask for follows and unfollows it; the requester is offered no button; contacts who
cannot see the ticket get a 404 and change nothing; htmx swaps the page in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tierdesk.accounts.models import User
from tierdesk.tickets.models import HistoryEvent, Ticket, TicketWatcher
from tierdesk.tickets.services import ticket_watch
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]


@pytest.fixture
def ticket(personas: Any) -> Ticket:
    """Anna's ticket: Cora (customer admin of the same organisation) sees it too."""
    return make_ticket(by=personas.customer_a, requester=personas.contact_a, channel="portal")


def followers(ticket: Ticket) -> list[int | None]:
    return list(TicketWatcher.objects.filter(ticket=ticket).values_list("contact_id", flat=True))


def test_a_customer_admin_follows_and_stops_following(personas, ticket, login: Login):
    client = login(personas.customer_admin_a)
    cora = personas.customer_admin_a.contact
    page = client.get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="follow-button"' in page
    # when
    response = client.post(f"/portal/tickets/{ticket.number}/follow/", follow=True)
    # then
    assert response.status_code == 200
    assert followers(ticket) == [cora.pk]
    html = response.content.decode()
    assert "You follow this ticket now" in html
    assert 'data-testid="unfollow-button"' in html
    assert "Cora Jansen" in html.split('data-testid="followers-list"')[1]
    event = HistoryEvent.objects.get(ticket=ticket, action="watcher_added")
    assert (event.channel, event.is_internal) == ("portal", False)
    # when
    response = client.post(f"/portal/tickets/{ticket.number}/unfollow/", follow=True)
    # then
    assert followers(ticket) == []
    assert 'data-testid="follow-button"' in response.content.decode()


def test_the_requester_gets_no_button(personas, ticket, login: Login):
    page = login(personas.customer_a).get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="follow-form"' not in page
    # and a hand-made post is refused with the reason, changing nothing
    response = login(personas.customer_a).post(f"/portal/tickets/{ticket.number}/follow/")
    assert response.status_code == 422
    assert "gets its updates already" in response.content.decode()
    assert followers(ticket) == []


def test_the_requester_sees_who_follows_but_no_staff_names(personas, ticket, login: Login):
    ticket_watch(ticket=ticket, by=personas.agent_l1, contact=personas.contact_a2)
    ticket_watch(ticket=ticket, by=personas.agent_l1, user=personas.agent_l2)
    page = login(personas.customer_a).get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert "Bram de Wit" in page.split('data-testid="followers-list"')[1].split("</p>")[0]
    assert personas.agent_l2.username not in page.split('data-testid="followers"')[1].split("</section>")[0]


@pytest.mark.parametrize("who", ["customer_a2", "customer_b"])
def test_contacts_who_cannot_see_the_ticket_get_404(personas, ticket, login: Login, who):
    for action in ("follow", "unfollow"):
        response = login(getattr(personas, who)).post(f"/portal/tickets/{ticket.number}/{action}/")
        assert response.status_code == 404
    assert followers(ticket) == []


def test_following_twice_shows_the_conflict(personas, ticket, login: Login):
    client = login(personas.customer_admin_a)
    client.post(f"/portal/tickets/{ticket.number}/follow/")
    response = client.post(f"/portal/tickets/{ticket.number}/follow/")
    assert response.status_code == 409
    assert "follows this ticket already" in response.content.decode()
    assert len(followers(ticket)) == 1


def test_get_is_not_allowed_and_staff_go_to_the_desk(personas, ticket, login: Login):
    assert login(personas.customer_admin_a).get(f"/portal/tickets/{ticket.number}/follow/").status_code == 405
    response = login(personas.agent_l1).post(f"/portal/tickets/{ticket.number}/follow/")
    assert response.status_code == 302
    assert followers(ticket) == []


def test_htmx_swaps_the_page_in_place(personas, ticket, login: Login):
    response = login(personas.customer_admin_a).post(
        f"/portal/tickets/{ticket.number}/follow/", HTTP_HX_REQUEST="true", follow=True
    )
    assert response.status_code == 200
    assert 'id="portal-main"' in response.content.decode()
