"""The Followers panel of the desk's ticket page: follow and stop following yourself, add a
colleague or a contact, remove a follower, the refusals (status, nothing changed), version
conflicts, and the note form's hint that @username notifies."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tierdesk.tickets.models import HistoryEvent, Ticket, TicketWatcher
from tierdesk.tickets.services import ticket_watch
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(personas: Any) -> Ticket:
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a)


@pytest.fixture
def desk(personas: Any) -> Client:
    client = Client()
    client.force_login(personas.agent_l1)
    return client


def post(client: Client, ticket: Ticket, action: str, **data: Any) -> Any:
    version = Ticket.objects.get(pk=ticket.pk).version
    return client.post(f"/desk/tickets/{ticket.number}/{action}/", {"version": version, **data}, HTTP_HX_REQUEST="true")


def followers(ticket: Ticket) -> list[tuple[int | None, int | None]]:
    return list(TicketWatcher.objects.filter(ticket=ticket).values_list("user_id", "contact_id"))


def test_the_page_shows_the_panel_the_candidates_and_the_mention_hint(personas, ticket, desk):
    ticket_watch(ticket=ticket, by=personas.agent_l1, contact=personas.contact_a2)
    html = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="watchers-panel"' in html
    assert 'data-testid="follow-button"' in html
    assert f'data-testid="watcher-contact-{personas.contact_a2.pk}"' in html
    assert "bram@harbour.example" in html
    assert 'data-testid="mention-hint"' in html
    assert "@username" in html
    # the contact list offers the organisation's other contacts, not the requester, a follower or a stranger
    contact_form = html.split('data-testid="watch-contact-form"')[1].split("</form>")[0]
    assert "Cora Jansen" in contact_form
    assert "Anna Vermeulen" not in contact_form
    assert "Bram de Wit" not in contact_form
    assert "Ola Nordby" not in contact_form


def test_follow_and_stop_following_yourself(personas, ticket, desk):
    response = post(desk, ticket, "follow")
    assert response.status_code == 200
    assert followers(ticket) == [(personas.agent_l1.pk, None)]
    html = response.content.decode()
    assert "You follow this ticket." in html
    assert 'data-testid="unfollow-button"' in html
    response = post(desk, ticket, "unfollow")
    assert response.status_code == 200
    assert followers(ticket) == []
    assert HistoryEvent.objects.filter(ticket=ticket, field="watchers").count() == 2


def test_add_a_colleague_and_a_contact_then_remove_them(personas, ticket, desk):
    assert post(desk, ticket, "watch_colleague", user=personas.agent_l2.pk).status_code == 200
    response = post(desk, ticket, "watch_contact", contact=personas.contact_a2.pk)
    assert response.status_code == 200
    assert "Bram de Wit follows this ticket now." in response.content.decode()
    assert followers(ticket) == [(personas.agent_l2.pk, None), (None, personas.contact_a2.pk)]
    assert post(desk, ticket, "unwatch", user=personas.agent_l2.pk).status_code == 200
    assert post(desk, ticket, "unwatch", contact=personas.contact_a2.pk).status_code == 200
    assert followers(ticket) == []


@pytest.mark.parametrize(
    ("action", "data", "status"),
    [
        ("watch_contact", lambda p: {"contact": p.contact_b.pk}, 422),  # another organisation's
        ("watch_contact", lambda p: {"contact": p.contact_a.pk}, 422),  # the requester
        ("watch_colleague", lambda p: {"user": p.customer_a2.pk}, 422),  # not staff: not a choice
        ("unwatch", lambda p: {"user": p.agent_l2.pk}, 404),  # not a follower
        ("unwatch", lambda p: {}, 404),
    ],
)
def test_refusals_change_nothing(personas, ticket, desk, action, data, status):
    before = (Ticket.objects.get(pk=ticket.pk).version, followers(ticket))
    response = post(desk, ticket, action, **data(personas))
    assert response.status_code == status
    assert (Ticket.objects.get(pk=ticket.pk).version, followers(ticket)) == before


def test_a_stale_form_is_a_version_conflict(personas, ticket, desk):
    stale = ticket.version
    ticket_watch(ticket=ticket, by=personas.agent_l2, user=personas.agent_l2)
    response = desk.post(f"/desk/tickets/{ticket.number}/follow/", {"version": stale}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert followers(ticket) == [(personas.agent_l2.pk, None)]


def test_customers_do_not_reach_the_desk_actions(personas, ticket):
    client = Client()
    client.force_login(personas.customer_admin_a)
    response = client.post(f"/desk/tickets/{ticket.number}/follow/", {"version": ticket.version})
    assert response.status_code == 403
    assert followers(ticket) == []
