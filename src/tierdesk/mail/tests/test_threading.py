"""Which ticket an incoming reply continues: our Message-IDs in In-Reply-To and References, then
the subject tag; only ids of our own mail domain count; a merged ticket's number leads to the
ticket it was merged into, also with the ids of mails actually sent about the merged ticket."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import override_settings

from tierdesk.mail.services import notification_send_ticket_merged
from tierdesk.mail.threading import number_in_subject, numbers_in_message_ids, ticket_for_reply
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import ticket_merge
from tierdesk.tickets.tests.factories import make_ticket

DOMAIN = "desk.example"


@pytest.fixture(autouse=True)
def _from_address(settings: Any) -> None:
    settings.DEFAULT_FROM_EMAIL = f"Support <support@{DOMAIN}>"
    settings.TIERDESK_TICKET_PREFIX = "TD"


@pytest.fixture
def ticket(personas: Any) -> Ticket:
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="VPN drops")


def test_message_ids_of_our_domain_only():
    header = f"<1.2.3.ticket.100042@{DOMAIN}> <ticket.7@elsewhere.example> <ticket.100043@DESK.example>"
    assert numbers_in_message_ids(header, domain=DOMAIN) == [100042, 100043]
    assert numbers_in_message_ids("<abc@desk.example> garbage", domain=DOMAIN) == []


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Re: [TD#100042] Printer offline", 100042),
        ("AW: Fwd: [td#7] x", 7),
        ("[XY#5] other desk", None),
        ("TD#5 without brackets", None),
        ("", None),
    ],
)
def test_subject_tag(subject, number):
    assert number_in_subject(subject) == number


def test_in_reply_to_wins_then_references_newest_first_then_subject(personas, ticket):
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Other")
    third = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Third")
    assert (
        ticket_for_reply(
            in_reply_to=f"<x.ticket.{ticket.number}@{DOMAIN}>",
            references=f"<ticket.{other.number}@{DOMAIN}>",
            subject=f"Re: [TD#{third.number}]",
        ).pk
        == ticket.pk
    )
    assert (
        ticket_for_reply(references=f"<ticket.{other.number}@{DOMAIN}> <ticket.{third.number}@{DOMAIN}>").pk == third.pk
    )
    assert ticket_for_reply(subject=f"Re: [TD#{other.number}] Other").pk == other.pk
    # an unknown number falls through to the next candidate, then to "a new ticket"
    assert ticket_for_reply(in_reply_to=f"<ticket.999999@{DOMAIN}>", subject=f"[TD#{other.number}]").pk == other.pk
    assert ticket_for_reply(in_reply_to=f"<ticket.{ticket.number}@elsewhere.example>") is None


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_a_reply_to_a_mail_of_a_merged_ticket_reaches_the_ticket_it_was_merged_into(
    personas, ticket, django_capture_on_commit_callbacks
):
    # the requester got the acknowledgement of their ticket...
    with django_capture_on_commit_callbacks(execute=True):
        duplicate = make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="VPN drops again")
    sent = mail.outbox[-1]
    # ...then it was merged into the older ticket
    with django_capture_on_commit_callbacks(execute=True):
        ticket_merge(source=duplicate, target=ticket, by=personas.agent_l1)
    # when they answer the acknowledgement
    found = ticket_for_reply(
        in_reply_to=sent.extra_headers["Message-ID"],
        references=sent.extra_headers["References"],
        subject=f"Re: {sent.subject}",
    )
    # then the reply belongs to the merged conversation
    assert found.pk == ticket.pk


def test_the_requester_of_a_merged_ticket_hears_where_it_goes_on_once(
    personas, ticket, django_capture_on_commit_callbacks
):
    duplicate = make_ticket(by=personas.agent_l1, requester=personas.contact_a2, subject="VPN drops here too")
    mail.outbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        ticket_merge(source=duplicate, target=ticket, by=personas.agent_l1)
    # then one mail, about the merged ticket (so it threads with its earlier mails), names the target
    merged_mails = [m for m in mail.outbox if m.to[0].endswith(f"<{personas.contact_a2.email}>")]
    assert len(merged_mails) == 1
    message = merged_mails[0]
    assert message.subject.startswith(f"[TD#{duplicate.number}]")
    assert f"TD#{ticket.number}" in message.body
    assert f"/portal/tickets/{ticket.number}/" in message.body
    # a rerun of the task sends nothing more
    assert (
        notification_send_ticket_merged(source_id=duplicate.pk, target_id=ticket.pk, by_id=personas.agent_l1.pk) is None
    )
    assert len([m for m in mail.outbox if m.to[0].endswith(f"<{personas.contact_a2.email}>")]) == 1
