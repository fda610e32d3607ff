"""Collision detection on the ticket page: the reply form carries the newest public reply shown,
a reply overtaken by a colleague's comes back with the text kept, the newer reply and "send
anyway", and the page opens the presence channel."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tierdesk.tickets.models import Comment, Ticket
from tierdesk.tickets.services import ticket_comment_add
from tierdesk.tickets.tests.factories import make_ticket

DRAFT = "Please unplug the printer for 30 seconds."


@pytest.fixture
def ticket(personas) -> Ticket:
    return make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Label printer skips labels")


def as_user(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def hidden(html: str, name: str) -> str:
    """The value of the reply form's hidden input `name`."""
    form = html[html.index('data-testid="reply-form"') :]
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', form)
    assert match, f"no hidden {name} in the reply form"
    return match.group(1)


def reply_form_of(html: str) -> str:
    start = html.index('data-testid="reply-form"')
    return html[start : html.index("</form>", start)]


def test_the_reply_form_carries_the_newest_public_reply_shown(client, personas, ticket):
    # given a public reply, then an internal note (which is not what the customer sees)
    public = ticket_comment_add(ticket=ticket, body="Since Monday.", by=personas.customer_a)
    ticket_comment_add(ticket=ticket, body="Known issue?", by=personas.agent_l2, is_internal=True)
    # when
    html = as_user(client, personas.agent_l1).get(f"/desk/tickets/{ticket.number}/").content.decode()
    # then
    assert hidden(html, "seen_comment") == str(public.pk)
    assert 'name="confirm_despite_newer"' not in html  # offered only in a conflict


def test_without_replies_the_form_says_none_seen(client, personas, ticket):
    html = as_user(client, personas.agent_l1).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert hidden(html, "seen_comment") == "0"


def test_the_page_opens_the_presence_channel(client, personas, ticket):
    html = as_user(client, personas.agent_l1).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert f'data-ws-path="/ws/desk/tickets/{ticket.number}/"' in html
    assert 'src="/static/tierdesk/collision.js"' in html
    assert 'aria-live="polite"' in html
    assert "{name} is typing a reply…" in html


def test_the_htmx_fragment_leaves_the_presence_channel_alone(client, personas, ticket):
    # the connection lives outside #ticket, so swapping the ticket does not open a second one
    html = (
        as_user(client, personas.agent_l1)
        .get(f"/desk/tickets/{ticket.number}/", headers={"HX-Request": "true"})
        .content.decode()
    )
    assert "data-ws-path" not in html
    assert hidden(html, "seen_comment") == "0"


def overtaken(client: Client, personas: Any, ticket: Ticket, **extra: Any) -> tuple[Any, Comment]:
    """Agent 1 loads the page, agent 2 replies, agent 1 sends the draft from the loaded page."""
    page = as_user(client, personas.agent_l1).get(f"/desk/tickets/{ticket.number}/").content.decode()
    version, seen = hidden(page, "version"), hidden(page, "seen_comment")
    newer = ticket_comment_add(ticket=ticket, body="I have called them already.", by=personas.agent_l2)
    response = client.post(
        f"/desk/tickets/{ticket.number}/reply/", {"version": version, "seen_comment": seen, "body": DRAFT}, **extra
    )
    return response, newer


def test_an_overtaken_reply_is_409_with_the_newer_reply_and_the_text_kept(client, personas, ticket):
    # when
    response, newer = overtaken(client, personas, ticket)
    # then nothing is saved
    assert response.status_code == 409
    assert not Comment.objects.filter(body=DRAFT).exists()
    html = response.content.decode()
    assert 'data-error-code="ticket.reply_conflict"' in html
    # the newer reply is shown
    assert f'data-testid="reply-conflict-comment-{newer.pk}"' in html
    assert "I have called them already." in html
    # the draft is in the form, with "send anyway" and the ticket as it is now
    form = reply_form_of(html)
    assert DRAFT in form
    assert 'name="confirm_despite_newer"' in form
    assert hidden(html, "version") == str(Ticket.objects.get(pk=ticket.pk).version)
    assert hidden(html, "seen_comment") == str(newer.pk)


def test_the_htmx_answer_is_the_fragment_with_the_conflict(client, personas, ticket):
    response, newer = overtaken(client, personas, ticket, headers={"HX-Request": "true"})
    assert response.status_code == 409
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="ticket"')
    assert f'data-testid="reply-conflict-comment-{newer.pk}"' in html
    assert DRAFT in reply_form_of(html)


def test_send_anyway_sends_the_kept_text(client, personas, ticket):
    # given the conflict answer
    response, newer = overtaken(client, personas, ticket)
    html = response.content.decode()
    # when the agent ticks "send anyway" and saves the form as it came back
    response = client.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {
            "version": hidden(html, "version"),
            "seen_comment": hidden(html, "seen_comment"),
            "body": DRAFT,
            "confirm_despite_newer": "on",
        },
    )
    # then
    assert response.status_code == 302
    sent = Comment.objects.get(body=DRAFT)
    assert sent.pk > newer.pk
    assert not sent.is_internal


def test_saving_again_without_ticking_is_not_asked_again_for_the_same_reply(client, personas, ticket):
    # the form that came back has seen the newer reply: only a still newer one would stop it
    response, _ = overtaken(client, personas, ticket)
    html = response.content.decode()
    response = client.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {"version": hidden(html, "version"), "seen_comment": hidden(html, "seen_comment"), "body": DRAFT},
    )
    assert response.status_code == 302
    assert Comment.objects.filter(body=DRAFT).exists()


def test_an_internal_note_is_not_stopped(client, personas, ticket):
    page = as_user(client, personas.agent_l1).get(f"/desk/tickets/{ticket.number}/").content.decode()
    ticket_comment_add(ticket=ticket, body="Colleague's note.", by=personas.agent_l2, is_internal=True)
    response = client.post(
        f"/desk/tickets/{ticket.number}/reply/",
        {
            "version": str(Ticket.objects.get(pk=ticket.pk).version),
            "seen_comment": hidden(page, "seen_comment"),
            "body": "My note.",
            "is_internal": "on",
        },
    )
    assert response.status_code == 302
