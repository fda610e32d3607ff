"""The one-click answer in the resolution e-mail: no sign-in, one ticket, one resolution."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from tierdesk.tickets.confirmation import confirmation_token
from tierdesk.tickets.models import Comment, HistoryEvent, Ticket
from tierdesk.tickets.services import ticket_reopen, ticket_resolve
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture
def resolved(personas) -> Ticket:
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    return ticket_resolve(ticket=ticket, resolution="Replaced the network cable.", by=personas.agent_l1)


def link(ticket: Ticket) -> str:
    return f"/portal/answer/{confirmation_token(ticket)}/"


def test_the_mailed_link_confirms_without_signing_in(personas, django_capture_on_commit_callbacks):
    # given a resolution e-mail
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_resolve(ticket=ticket, resolution="Replaced the network cable.", by=personas.agent_l1)
    url = re.search(r"https?://\S+/portal/answer/\S+/", mail.outbox[-1].body).group(0)
    path = url.split("://", 1)[1].split("/", 1)[1]
    client = Client()  # not signed in
    # when the requester opens it, the resolution is shown; and confirms
    page = client.get(f"/{path}")
    assert page.status_code == 200
    assert "Replaced the network cable." in page.content.decode()
    assert page["Referrer-Policy"] == "no-referrer"
    response = client.post(f"/{path}", {"answer": "confirm"})
    # then the ticket is closed, and the history says who, how
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == "closed"
    closed = HistoryEvent.objects.get(ticket=ticket, action="confirmed")
    assert (closed.actor, closed.channel) == (personas.customer_a, "email")
    assert "Anna Vermeulen" in closed.note


def test_reopen_needs_a_reason_and_records_it(personas, resolved):
    client = Client()
    assert client.post(link(resolved), {"answer": "reopen", "reason": " "}).status_code == 422
    assert Ticket.objects.get(pk=resolved.pk).status == "resolved"
    assert client.post(link(resolved), {"answer": "reopen", "reason": "Still no network"}).status_code == 200
    assert Ticket.objects.get(pk=resolved.pk).status == "open"
    assert Comment.objects.filter(ticket=resolved, body="Still no network", is_internal=False).exists()


def test_a_used_or_outdated_link_is_dead(personas, resolved):
    old_link = link(resolved)
    ticket_reopen(ticket=resolved, reason="Came back", by=personas.agent_l1)
    assert Client().post(old_link, {"answer": "confirm"}).status_code == 410
    again = ticket_resolve(ticket=Ticket.objects.get(pk=resolved.pk), resolution="Second try", by=personas.agent_l1)
    # the first resolution's link does not confirm the second resolution
    assert Client().post(old_link, {"answer": "confirm"}).status_code == 410
    assert Client().post(link(again), {"answer": "confirm"}).status_code == 200
    assert Ticket.objects.get(pk=resolved.pk).status == "closed"


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + "xx", lambda t: "x" + t, lambda t: "garbage"])
def test_a_tampered_link_does_nothing(personas, resolved, mangle):
    token = confirmation_token(resolved)
    assert Client().post(f"/portal/answer/{mangle(token)}/", {"answer": "confirm"}).status_code == 410
    assert Ticket.objects.get(pk=resolved.pk).status == "resolved"


def test_an_expired_link_does_nothing(personas, resolved, settings, monkeypatch):
    token = confirmation_token(resolved)
    settings.TIERDESK_CONFIRMATION_LINK_DAYS = 14
    later = timezone.now() + timedelta(days=15)
    monkeypatch.setattr("django.core.signing.time.time", lambda: later.timestamp())
    response = Client().post(f"/portal/answer/{token}/", {"answer": "confirm"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert Ticket.objects.get(pk=resolved.pk).status == "resolved"


def test_a_link_speaks_the_requesters_language(personas):
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_b)  # Norwegian
    ticket = ticket_resolve(ticket=ticket, resolution="Byttet kabel.", by=personas.agent_l1)
    html = Client().get(link(ticket)).content.decode()
    assert "Byttet kabel." in html
    assert "Yes, solved" not in html
