"""Mails of @mentions and of a ticket's followers, end to end: service call -> commit -> event
-> subscription -> task (immediate backend) -> mail service -> locmem outbox.

A mentioned colleague gets one mail per note, also when the task runs again; followers get the
public replies and status changes (contacts the customer mail, colleagues a short staff mail);
nobody gets a mail about their own action; internal notes never reach a contact."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from tests.personas import Personas

from tierdesk.mail.models import NotificationKind, NotificationLog
from tierdesk.mail.services import notification_send_follower_reply, notification_send_mention
from tierdesk.mail.tasks import notify_follower_reply, notify_followers_of_reply, notify_mention
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import (
    ticket_comment_add,
    ticket_resolve,
    ticket_take,
    ticket_unwatch,
    ticket_update,
    ticket_watch,
)
from tierdesk.tickets.tests.factories import make_ticket

ANNA, BRAM, CORA = "anna@harbour.example", "bram@harbour.example", "cora@harbour.example"
L1, L2, CM = "l1@example.org", "l2@example.org", "cm@example.org"


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], AbstractContextManager[Any]]:
    """Runs the on-commit callbacks (the event deliveries) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def ticket(personas: Personas, committed: Callable[[], AbstractContextManager[Any]]) -> Ticket:
    """Anna's ticket, taken by l1, followed by l1 and l2 (colleagues), Bram (a contact without a
    view of it: he is in copy) and Cora (the customer admin, who sees it); the outbox is empty."""
    with committed():
        ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a)
        ticket = ticket_take(ticket=ticket, by=personas.agent_l1)
    for colleague in (personas.agent_l1, personas.agent_l2):
        ticket_watch(ticket=ticket, by=personas.agent_l1, user=colleague)
    ticket_watch(ticket=ticket, by=personas.agent_l1, contact=personas.contact_a2)
    ticket_watch(ticket=ticket, by=personas.customer_admin_a, contact=personas.customer_admin_a.contact)
    mail.outbox.clear()
    return Ticket.objects.get(pk=ticket.pk)


def inbox() -> dict[str, str]:
    """Each recipient's address -> the body of the one mail they got (fails on two mails)."""
    bodies: dict[str, str] = {}
    for message in mail.outbox:
        [to] = message.to
        address = to.rpartition("<")[2].rstrip(">")
        assert address not in bodies, f"two mails to {address}"
        bodies[address] = str(message.body)
    return bodies


# --- @mentions -----------------------------------------------------------------------------------


def test_a_mentioned_colleague_gets_one_mail_in_their_language_even_when_the_task_runs_again(personas, committed):
    personas.case_manager.language = "nl"
    personas.case_manager.save()
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    mail.outbox.clear()
    # when
    with committed():
        note = ticket_comment_add(
            ticket=ticket, body="@cm the customer is on the phone again.", by=personas.agent_l1, is_internal=True
        )
    for _rerun in range(2):
        notify_mention.enqueue(ticket_id=ticket.pk, comment_id=note.pk, user_id=personas.case_manager.pk)
    # then one mail, to the case manager only (the requester hears nothing of an internal note)
    assert list(inbox()) == [CM]
    body = inbox()[CM]
    assert body.startswith("Beste ")  # Dutch
    assert "@cm the customer is on the phone again." in body
    assert f"http://127.0.0.1:8000/desk/tickets/{ticket.number}/" in body
    assert mail.outbox[0].subject == f"[TD#{ticket.number}] Printer is offline"
    log = NotificationLog.objects.get(event_key=f"mention:{note.pk}:user:{personas.case_manager.pk}")
    assert (log.kind, log.recipient) == (NotificationKind.MENTION, CM)


def test_one_mail_per_colleague_and_note(personas, committed):
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    mail.outbox.clear()
    with committed():
        ticket_comment_add(ticket=ticket, body="@cm @l2 @CM look", by=personas.agent_l1, is_internal=True)
    with committed():
        ticket_comment_add(ticket=ticket, body="@cm and again", by=personas.agent_l1, is_internal=True)
    assert sorted(message.to[0].rpartition("<")[2].rstrip(">") for message in mail.outbox) == [CM, CM, L2]


def test_no_mention_mail_to_the_author_or_for_a_foreign_note(personas):
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_b)
    note = ticket_comment_add(ticket=ticket, body="note to self", by=personas.agent_l1, is_internal=True)
    mail.outbox.clear()
    assert notification_send_mention(ticket_id=ticket.pk, comment_id=note.pk, user_id=personas.agent_l1.pk) is None
    assert notification_send_mention(ticket_id=other.pk, comment_id=note.pk, user_id=personas.agent_l2.pk) is None
    assert notification_send_mention(ticket_id=ticket.pk, comment_id=note.pk, user_id=personas.customer_a.pk) is None
    assert mail.outbox == []


# --- followers -----------------------------------------------------------------------------------


def test_a_public_reply_reaches_every_follower_but_its_author(personas, ticket, committed):
    # when l1 (a follower) replies
    with committed():
        reply = ticket_comment_add(ticket=ticket, body="New toner is on its way.", by=personas.agent_l1)
    # then the requester, both contacts and the other colleague get one mail each; l1 none
    mails = inbox()
    assert sorted(mails) == sorted([ANNA, BRAM, CORA, L2])
    assert "New toner is on its way." in mails[ANNA]  # the requester's usual mail
    # a contact who can open the ticket gets its link; one in copy only learns how to stop
    assert "replied on ticket" in mails[CORA]
    assert "which you follow" in mails[CORA]
    assert f"/portal/tickets/{ticket.number}/" in mails[CORA]
    assert f"/portal/tickets/{ticket.number}/" not in mails[BRAM]
    assert "in copy of this ticket" in mails[BRAM]
    assert "New toner is on its way." in mails[BRAM]
    # the colleague gets the staff mail with the desk link
    assert "wrote a public reply" in mails[L2]
    assert f"/desk/tickets/{ticket.number}/" in mails[L2]
    keys = set(NotificationLog.objects.filter(kind=NotificationKind.WATCHER_UPDATE).values_list("event_key", flat=True))
    assert keys == {
        f"reply:{reply.pk}:contact:{personas.contact_a2.pk}",
        f"reply:{reply.pk}:contact:{personas.customer_admin_a.contact.pk}",
        f"reply:{reply.pk}:user:{personas.agent_l2.pk}",
    }


def test_a_followers_own_reply_is_not_mailed_to_them(personas, ticket, committed):
    with committed():
        ticket_comment_add(ticket=ticket, body="Still streaky.", by=personas.customer_admin_a, channel="portal")
    assert sorted(inbox()) == sorted([ANNA, BRAM, L1, L2])


def test_internal_notes_never_reach_contacts(personas, ticket, committed):
    with committed():
        note = ticket_comment_add(
            ticket=ticket, body="Driver bug, do not tell yet.", by=personas.agent_l1, is_internal=True
        )
    assert mail.outbox == []
    # and a follower task for it, however it came to run, sends nothing
    assert notification_send_follower_reply(comment_id=note.pk, contact_id=personas.contact_a2.pk) is None
    assert mail.outbox == []


def test_status_changes_reach_followers_without_the_one_click_answer(personas, ticket, committed):
    with committed():
        ticket_resolve(ticket=ticket, resolution="Replaced the toner.", by=personas.agent_l2)
    mails = inbox()
    assert sorted(mails) == sorted([ANNA, BRAM, CORA, L1])
    assert "/portal/answer/" in mails[ANNA]  # only the requester confirms
    for address in (BRAM, CORA, L1):
        assert "Replaced the toner." in mails[address]
        assert "/portal/answer/" not in mails[address]
    assert 'which you follow, has changed from "Open" to "Resolved"' in mails[CORA]
    assert 'which you follow, went from "Open" to "Resolved"' in mails[L1]


def test_a_rerun_sends_each_follower_mail_once(personas, ticket, committed):
    with committed():
        reply = ticket_comment_add(ticket=ticket, body="Done.", by=personas.agent_l1)
    sent = len(mail.outbox)
    notify_followers_of_reply.enqueue(ticket_id=ticket.pk, comment_id=reply.pk, by_id=personas.agent_l1.pk)
    notify_follower_reply.enqueue(comment_id=reply.pk, user_id=personas.agent_l2.pk, contact_id=None)
    assert len(mail.outbox) == sent


def test_who_no_longer_may_follow_gets_nothing(personas, ticket, committed):
    # given Bram stops following and Cora's contact moves to another organisation
    ticket_unwatch(ticket=ticket, by=personas.agent_l1, contact=personas.contact_a2)
    cora = personas.customer_admin_a.contact
    cora.organisation = personas.org_b
    cora.save()
    # when
    with committed():
        ticket_comment_add(ticket=ticket, body="Update.", by=personas.agent_l2)
    # then
    assert sorted(inbox()) == sorted([ANNA, L1])


def test_an_unfollowed_colleague_and_an_inactive_one_get_nothing(personas, ticket, committed):
    personas.agent_l2.is_active = False
    personas.agent_l2.save()
    with committed():
        ticket_update(ticket=ticket, by=personas.agent_l1, urgency="high", impact="high")
        ticket_comment_add(ticket=ticket, body="Priority raised.", by=personas.customer_admin_a)
    assert sorted(inbox()) == sorted([ANNA, BRAM, L1])
