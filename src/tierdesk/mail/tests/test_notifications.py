"""Customer e-mails from ticket events, end to end: service call -> commit -> event ->
subscription -> task (immediate backend) -> mail service -> locmem outbox."""

from __future__ import annotations

import socket
from collections.abc import Callable
from contextlib import AbstractContextManager
from email.message import Message
from email.utils import getaddresses
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django_tasks.base import TaskResultStatus
from tests.personas import Personas

from tierdesk.accounts.models import Contact
from tierdesk.accounts.tests.factories import ContactFactory
from tierdesk.mail.models import NotificationKind, NotificationLog, NotificationState
from tierdesk.mail.services import header_safe
from tierdesk.mail.tasks import notify_public_reply, notify_status_changed
from tierdesk.tickets.choices import Status
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import (
    ticket_comment_add,
    ticket_confirm,
    ticket_create,
    ticket_reopen,
    ticket_resolve,
    ticket_take,
)
from tierdesk.tickets.tests.factories import make_ticket

CommitCapture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: CommitCapture) -> Callable[[], AbstractContextManager[Any]]:
    """Runs the on-commit callbacks (the event deliveries) at the end of the block, as a real
    commit would; the test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def open_ticket(personas: Personas, committed: Callable[[], AbstractContextManager[Any]]) -> Ticket:
    """Anna's ticket, taken by the first-level agent; the outbox starts empty."""
    with committed():
        ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a)
        ticket = ticket_take(ticket=ticket, by=personas.agent_l1)
    mail.outbox.clear()
    return ticket


def parsed(index: int = 0) -> Message:
    return mail.outbox[index].message()


def test_a_customer_opening_a_ticket_gets_one_acknowledgement(personas, committed):
    # given Anna, a customer with an e-mail address
    # when she opens a ticket in the portal
    with committed():
        ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a)

    # then exactly one mail goes to her, tagged with the ticket number and linking to its page
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Anna Vermeulen <anna@harbour.example>"]
    assert message.subject == f"[TD#{ticket.number}] Printer is offline"
    assert message.from_email == "Tierdesk <support@tierdesk.invalid>"
    assert f"Its number is TD#{ticket.number}." in message.body
    assert f"http://127.0.0.1:8000/portal/tickets/{ticket.number}/" in message.body
    headers = parsed()
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["X-Auto-Response-Suppress"] == "All"
    assert headers["Content-Language"] == "en"
    assert headers["Message-ID"].startswith("<")
    assert headers["Message-ID"].endswith("@tierdesk.invalid>")
    assert headers["References"] == f"<ticket.{ticket.number}@tierdesk.invalid>"
    log = NotificationLog.objects.get()
    assert (log.ticket_id, log.event_key, log.kind) == (ticket.pk, "created", NotificationKind.TICKET_CREATED)
    assert (log.recipient, log.language, log.message_id) == ("anna@harbour.example", "en", headers["Message-ID"])
    assert log.state == NotificationState.SENT


def test_a_ticket_opened_by_staff_for_a_contact_is_acknowledged_in_the_contacts_language(personas, committed):
    # given Ola, a Norwegian contact
    # when an agent opens a ticket for him after a phone call
    with committed():
        ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_b, subject="VPN drops", channel="phone")

    # then Ola gets the acknowledgement, rendered with Norwegian active
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Ola Nordby <ola@fjordline.example>"]
    assert mail.outbox[0].subject == f"[TD#{ticket.number}] VPN drops"
    assert parsed()["Content-Language"] == "nb"


def test_a_ticket_without_a_requester_mails_nobody(personas, committed, caplog):
    # given an agent opening a ticket for an organisation, not for a person
    caplog.set_level("INFO", logger="tierdesk.mail.services")
    with committed():
        ticket = ticket_create(by=personas.agent_l1, organisation=personas.org_a, subject="Office network down")

    # then no mail is sent and the log says why
    assert mail.outbox == []
    assert NotificationLog.objects.count() == 0
    assert f"ticket {ticket.number}, created: no customer mail because the ticket has no requester" in caplog.messages


def test_a_requester_without_an_e_mail_address_is_skipped_with_a_log_line(personas, committed, caplog):
    # given a contact without an e-mail address
    caplog.set_level("INFO", logger="tierdesk.mail.services")
    contact = ContactFactory(organisation=personas.org_a, name="Dirk Smit", email="")

    # when an agent opens a ticket for them
    with committed():
        ticket = make_ticket(by=personas.agent_l1, requester=contact)

    # then nothing is sent
    assert mail.outbox == []
    assert f"ticket {ticket.number}, created: no customer mail because the requester has no e-mail address" in (
        caplog.messages
    )


STATUS_SENTENCE = {
    "en": 'The status of your ticket TD#{number} has changed from "New" to "Open".',
    "nl": 'De status van uw melding TD#{number} is gewijzigd van "Nieuw" in "Open".',
    "nb": "Statusen for saken din TD#{number} er endret fra «Ny» til «Åpen».",
}


@pytest.mark.parametrize("language", ["en", "nl", "nb"])
def test_a_status_change_mails_the_requester_once_in_their_language(personas, committed, language):
    # given a Dutch or a Norwegian requester with a new ticket
    contact = ContactFactory(
        organisation=personas.org_a, name="Eva Bakker", email="eva@harbour.example", language=language
    )
    with committed():
        ticket = make_ticket(by=personas.agent_l1, requester=contact)
    mail.outbox.clear()

    # when an agent takes the ticket (new -> open)
    with committed():
        ticket_take(ticket=ticket, by=personas.agent_l1)

    # then one mail tells the requester the old and the new status, with their language active
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Eva Bakker <eva@harbour.example>"]
    assert message.subject == f"[TD#{ticket.number}] Printer is offline"
    assert STATUS_SENTENCE[language].format(number=ticket.number) in message.body
    assert parsed()["Content-Language"] == language
    assert NotificationLog.objects.filter(kind=NotificationKind.STATUS_CHANGED, language=language).count() == 1


def test_resolving_asks_the_requester_to_confirm_or_reopen_with_a_link(personas, committed, open_ticket):
    # given an open ticket of Anna's, and a desk that runs under its own address
    # when the agent resolves it
    with override_settings(TIERDESK_BASE_URL="https://desk.example.org/"), committed():
        ticket_resolve(ticket=open_ticket, resolution="The print queue was restarted.", by=personas.agent_l1)

    # then Anna gets one mail with the resolution and the link to confirm or reopen
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"We have resolved your ticket TD#{open_ticket.number}." in body
    assert "Resolution:\nThe print queue was restarted.\n" in body
    assert (
        "Is the problem solved? Answer with one click, no sign-in needed:\nhttps://desk.example.org/portal/answer/"
        in body
    )
    assert f"https://desk.example.org/portal/tickets/{open_ticket.number}/" in body


def test_a_public_reply_mails_its_text_and_author(personas, committed, open_ticket):
    # given an open ticket of Anna's and an agent with a name
    personas.agent_l1.first_name, personas.agent_l1.last_name = "Sam", "Rivera"
    personas.agent_l1.save(update_fields=["first_name", "last_name"])

    # when the agent replies publicly
    with committed():
        ticket_comment_add(ticket=open_ticket, body="Could you send a photo of the display?", by=personas.agent_l1)

    # then Anna gets exactly that reply, with the agent's name
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert (
        f"Sam Rivera replied to your ticket TD#{open_ticket.number}:\n\nCould you send a photo of the display?\n"
        in body
    )
    assert mail.outbox[0].to == ["Anna Vermeulen <anna@harbour.example>"]


def test_a_reply_renders_markup_characters_as_typed(personas, committed, open_ticket):
    # given a reply with characters HTML would escape
    # when the agent sends it
    with committed():
        ticket_comment_add(ticket=open_ticket, body='Use <Ctrl> & "Print"', by=personas.agent_l1)

    # then the plain-text mail shows them unchanged
    assert 'Use <Ctrl> & "Print"' in mail.outbox[0].body


def test_an_internal_note_mails_nobody(personas, committed, open_ticket):
    # given an open ticket and the notifications sent so far
    sent_before = NotificationLog.objects.count()

    # when the agent adds an internal note
    with committed():
        ticket_comment_add(
            ticket=open_ticket, body="Customer's printer is out of warranty.", by=personas.agent_l1, is_internal=True
        )

    # then nothing leaves the desk
    assert mail.outbox == []
    assert NotificationLog.objects.count() == sent_before


def test_an_internal_note_is_not_mailed_even_when_its_task_runs(personas, committed, open_ticket):
    # given an internal note
    note = ticket_comment_add(
        ticket=open_ticket, body="Password is in the access note.", by=personas.agent_l1, is_internal=True
    )

    # when somebody enqueues the public-reply task for it anyway
    notify_public_reply.enqueue(comment_id=note.pk)

    # then nothing is sent
    assert mail.outbox == []


def test_the_requester_gets_no_mail_about_their_own_reply(personas, committed, open_ticket):
    # when Anna replies to her own ticket
    with committed():
        ticket_comment_add(ticket=open_ticket, body="It works again, thanks.", by=personas.customer_a)

    # then she is not told about it
    assert mail.outbox == []


def test_the_requester_gets_no_mail_about_their_own_status_changes(personas, committed, open_ticket):
    # given a resolved ticket of Anna's
    with committed():
        ticket_resolve(ticket=open_ticket, resolution="Restarted the spooler.", by=personas.agent_l1)
    mail.outbox.clear()

    # when Anna reopens it, then confirms after the agent resolves it again
    with committed():
        ticket = ticket_reopen(ticket=open_ticket, reason="It failed again this morning.", by=personas.customer_a)
    assert mail.outbox == []
    with committed():
        ticket = ticket_resolve(ticket=ticket, resolution="Replaced the network cable.", by=personas.agent_l1)
    with committed():
        ticket_confirm(ticket=ticket, by=personas.customer_a)

    # then the only mail is the agent's second resolution
    assert len(mail.outbox) == 1
    assert "Replaced the network cable." in mail.outbox[0].body
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED


def test_the_customer_admins_reply_is_mailed_to_the_requester(personas, committed, open_ticket):
    # when Anna's colleague, the customer admin, replies on her ticket
    with committed():
        ticket_comment_add(ticket=open_ticket, body="I restarted it from our side too.", by=personas.customer_admin_a)

    # then Anna is told (she did not write it)
    assert len(mail.outbox) == 1
    assert "cora replied to your ticket" in mail.outbox[0].body


def test_the_public_reply_task_run_twice_sends_once(personas, committed, open_ticket):
    # given a public reply that has been mailed
    with committed():
        comment = ticket_comment_add(ticket=open_ticket, body="Please try again now.", by=personas.agent_l1)
    assert len(mail.outbox) == 1

    # when its task runs again (a retry)
    result = notify_public_reply.enqueue(comment_id=comment.pk)

    # then no second mail is sent
    assert result.return_value is None
    assert len(mail.outbox) == 1
    assert NotificationLog.objects.filter(event_key=f"reply:{comment.pk}").count() == 1


def test_the_status_task_run_twice_with_one_delivery_id_sends_once(personas, open_ticket):
    # when the same status-change delivery is processed twice
    kwargs = {"ticket_id": open_ticket.pk, "old": "open", "new": "waiting", "by_id": personas.agent_l1.pk}
    first = notify_status_changed.enqueue(**kwargs, delivery_id="a1")
    second = notify_status_changed.enqueue(**kwargs, delivery_id="a1")
    # and a new change of the same kind arrives with its own delivery id
    third = notify_status_changed.enqueue(**kwargs, delivery_id="b2")

    # then the rerun sends nothing and the new change sends one
    assert first.return_value is not None
    assert second.return_value is None
    assert third.return_value is not None
    assert len(mail.outbox) == 2


def test_a_failed_send_is_recorded_and_the_retry_sends_once(personas, open_ticket):
    # given an SMTP server that refuses connections (a free loopback port nobody listens on)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    kwargs = {"ticket_id": open_ticket.pk, "old": "open", "new": "waiting", "by_id": personas.agent_l1.pk}

    # when the task runs while the server is down
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=closed_port
    ):
        failed = notify_status_changed.enqueue(**kwargs, delivery_id="c3")

    # then the task failed and its row says so
    assert failed.status == TaskResultStatus.FAILED
    log = NotificationLog.objects.get(event_key="status:open>waiting:c3")
    assert log.state == NotificationState.FAILED
    assert log.error.startswith("ConnectionRefusedError(")
    assert log.sent_at is None

    # when it is retried with a working backend, twice
    retried = notify_status_changed.enqueue(**kwargs, delivery_id="c3")
    again = notify_status_changed.enqueue(**kwargs, delivery_id="c3")

    # then the mail goes out once and the row is marked sent
    assert retried.return_value == log.pk
    assert again.return_value is None
    assert len(mail.outbox) == 1
    log.refresh_from_db()
    assert (log.state, log.error) == (NotificationState.SENT, "")
    assert log.sent_at is not None


def test_a_mail_another_run_is_sending_is_not_sent_again(personas, open_ticket):
    # given a run that has just claimed a status mail and has not finished
    NotificationLog.objects.create(
        ticket=open_ticket,
        event_key="status:open>waiting:d4",
        kind=NotificationKind.STATUS_CHANGED,
        state=NotificationState.SENDING,
        recipient="anna@harbour.example",
        language="en",
        subject="[TD#1] x",
        message_id="<x@tierdesk.invalid>",
    )

    # when the task for the same delivery runs
    result = notify_status_changed.enqueue(
        ticket_id=open_ticket.pk, old="open", new="waiting", by_id=personas.agent_l1.pk, delivery_id="d4"
    )

    # then it sends nothing while the claim's lease lasts (test_notification_lease.py: after it)
    assert result.return_value is None
    assert mail.outbox == []


def test_a_subject_with_line_breaks_cannot_inject_headers(personas, committed):
    # given a customer who puts a line break and a header into the ticket subject
    with committed():
        ticket = make_ticket(
            by=personas.customer_a,
            requester=personas.contact_a,
            subject="Printer\r\nBcc: victim@example.org\nX-Evil: 1",
        )

    # then the mail has one subject line and no extra header, and goes only to the requester
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"[TD#{ticket.number}] Printer Bcc: victim@example.org X-Evil: 1"
    assert message.recipients() == ["Anna Vermeulen <anna@harbour.example>"]
    headers = parsed()
    assert headers["Bcc"] is None
    assert headers["X-Evil"] is None
    assert headers["Subject"] == f"[TD#{ticket.number}] Printer Bcc: victim@example.org X-Evil: 1"


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("a\r\nb", "a b"),
        ("a\u2028b\u2029c\x85d", "a b c d"),
        ("tab\there\x00", "tab here"),
        ("  plain  ", "plain"),
    ],
)
def test_header_safe_removes_every_line_break_and_control_character(raw, safe):
    assert header_safe(raw) == safe


def test_a_contact_name_with_a_line_break_stays_in_the_to_header(personas, committed):
    # given a contact whose stored name carries a line break
    contact = ContactFactory(
        organisation=personas.org_a, name="Finn\r\nBcc: x@example.org", email="finn@harbour.example"
    )

    # when a ticket is opened for them
    with committed():
        make_ticket(by=personas.agent_l1, requester=contact)

    # then the name is flattened and quoted, and the mail is addressed to the contact alone
    assert mail.outbox[0].to == ['"Finn Bcc: x@example.org" <finn@harbour.example>']
    headers = parsed()
    assert getaddresses([headers["To"]]) == [("Finn Bcc: x@example.org", "finn@harbour.example")]
    assert headers["Bcc"] is None


def test_a_change_rolled_back_after_publishing_mails_nobody(personas, committed):
    # given a unit of work that publishes the creation event and then fails
    def create_then_fail() -> None:
        with transaction.atomic():
            make_ticket(by=personas.customer_a, requester=personas.contact_a)
            raise RuntimeError("something after the publish failed")

    # when it runs
    with committed() as callbacks, pytest.raises(RuntimeError, match="after the publish"):
        create_then_fail()

    # then the event was never delivered and no mail was sent
    assert callbacks == []
    assert mail.outbox == []
    assert NotificationLog.objects.count() == 0
    assert Ticket.objects.count() == 0


def test_an_unknown_contact_language_falls_back_to_the_default(personas, committed):
    # given a contact whose stored language the desk does not speak
    contact = ContactFactory(organisation=personas.org_a, email="gus@harbour.example", language="fr")

    # when a ticket is opened for them
    with committed():
        make_ticket(by=personas.agent_l1, requester=contact)

    # then the mail is rendered in the desk's default language
    assert parsed()["Content-Language"] == "en"


def test_an_inactive_contact_is_not_mailed(personas, committed):
    # given a contact who has left the customer
    contact: Contact = ContactFactory(organisation=personas.org_a, email="hal@harbour.example", is_active=False)

    # when an agent opens a ticket for them
    with committed():
        make_ticket(by=personas.agent_l1, requester=contact)

    # then nothing is sent
    assert mail.outbox == []
