"""Submitting a ticket from the portal: plain-word questions, attachment, no mass assignment."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings
from tests.personas import Personas

from tierdesk.accounts.models import User
from tierdesk.tickets.models import Attachment, HistoryEvent, Ticket


def _answers(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "subject": "Label printer prints blank pages",
        "description": "Since this morning every label comes out blank.",
        "urgency": "medium",
        "impact": "low",
    }
    data.update(overrides)
    return data


def test_form_asks_urgency_and_impact_in_plain_words(personas: Personas, login: Callable[[User], Client]) -> None:
    # given a signed-in customer
    client = login(personas.customer_a)

    # when they open the new-ticket page
    response = client.get("/portal/new/")

    # then the questions are in the customer's words, not the desk's
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="new-ticket-form"' in html
    for words in (
        "It stops my work now",
        "It slows my work",
        "It can wait",
        "Everyone in our organisation",
        "Some of us",
        "Only me",
    ):
        assert words in html
    assert "P1" not in html


@pytest.mark.parametrize(
    ("urgency", "impact", "priority"),
    [
        ("high", "high", "p1"),
        ("high", "low", "p3"),
        ("medium", "medium", "p3"),
        ("low", "medium", "p4"),
        ("low", "low", "p5"),
    ],
)
def test_submit_creates_a_ticket_with_priority_from_the_answers(
    personas: Personas, login: Callable[[User], Client], urgency: str, impact: str, priority: str
) -> None:
    # given a signed-in customer
    client = login(personas.customer_a)

    # when they submit the form
    response = client.post("/portal/new/", _answers(urgency=urgency, impact=impact))

    # then one portal ticket exists for them, prioritised by the matrix, and they see it
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.description) == (
        "Label printer prints blank pages",
        "Since this morning every label comes out blank.",
    )
    assert (ticket.urgency, ticket.impact, ticket.priority) == (urgency, impact, priority)
    assert (ticket.channel, ticket.status, ticket.level) == ("portal", "new", "first")
    assert (ticket.organisation, ticket.requester) == (personas.org_a, personas.contact_a)
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{ticket.number}/"


def test_submit_stores_the_attachment(personas: Personas, login: Callable[[User], Client]) -> None:
    # given a signed-in customer with a screenshot
    client = login(personas.customer_a)
    upload = SimpleUploadedFile("screen shot.png", b"\x89PNG fake image", content_type="image/png")

    # when they submit the form with it
    client.post("/portal/new/", _answers(attachment=upload))

    # then the file is on the ticket, public, stored under a server-chosen name
    ticket = Ticket.objects.get()
    attachment = Attachment.objects.get()
    assert attachment.ticket == ticket
    assert (attachment.filename, attachment.size, attachment.is_internal) == ("screen shot.png", 15, False)
    assert attachment.uploaded_by == personas.customer_a
    assert "screen shot" not in str(attachment.file.name)
    with attachment.file.open("rb") as stored:
        assert stored.read() == b"\x89PNG fake image"
    assert list(HistoryEvent.objects.filter(ticket=ticket).values_list("action", flat=True)) == [
        "created",
        "attachment_added",
    ]


def test_submit_ignores_fields_a_customer_may_not_set(personas: Personas, login: Callable[[User], Client]) -> None:
    # given a signed-in customer of organisation A
    client = login(personas.customer_a)

    # when they post extra fields naming another organisation, requester, status, priority and level
    client.post(
        "/portal/new/",
        _answers(
            urgency="low",
            impact="low",
            organisation=personas.org_b.pk,
            organisation_id=personas.org_b.pk,
            requester=personas.contact_b.pk,
            requester_id=personas.contact_b.pk,
            status="closed",
            priority="p1",
            level="development",
            assignee=personas.agent_l1.pk,
            number=1,
            channel="phone",
        ),
    )

    # then the ticket is theirs, in their organisation, with the values the desk decides
    ticket = Ticket.objects.get()
    assert (ticket.organisation, ticket.requester) == (personas.org_a, personas.contact_a)
    assert (ticket.status, ticket.priority, ticket.level, ticket.channel) == ("new", "p5", "first", "portal")
    assert ticket.assignee is None
    assert ticket.number != 1


def test_invalid_form_is_shown_again_and_creates_nothing(personas: Personas, login: Callable[[User], Client]) -> None:
    # given a signed-in customer
    client = login(personas.customer_a)

    # when they submit without a subject and with an unknown urgency
    response = client.post("/portal/new/", _answers(subject="", urgency="asap"))

    # then the form comes back with the errors and no ticket exists
    assert response.status_code == 422
    assert response.context["form"].errors.keys() == {"subject", "urgency"}
    assert "Since this morning every label comes out blank." in response.content.decode()
    assert Ticket.objects.count() == 0


def test_refused_attachment_shows_the_message_and_creates_nothing(
    personas: Personas, login: Callable[[User], Client], settings: Settings
) -> None:
    # given attachments are limited to 10 bytes
    settings.TIERDESK_MAX_ATTACHMENT_BYTES = 10
    client = login(personas.customer_a)
    upload = SimpleUploadedFile("log.txt", b"far more than ten bytes", content_type="text/plain")

    # when a customer submits a ticket with a larger file
    response = client.post("/portal/new/", _answers(attachment=upload))

    # then the form comes back with the service's message and neither ticket nor file exists
    assert response.status_code == 413
    assert response.context["form"].errors == {"attachment": ["Files may be at most 0 MiB."]}
    assert Ticket.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert HistoryEvent.objects.count() == 0
