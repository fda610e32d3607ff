"""The mails of rule actions: a staff alert in the recipient's language, once per firing and
person; the reminder before auto-close to the requester, with the one-click answer link, and none
when the ticket is no longer resolved."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from tierdesk.mail.models import NotificationKind, NotificationLog
from tierdesk.mail.services import notification_send_close_reminder, notification_send_rule_alert
from tierdesk.tickets.services import ticket_reopen, ticket_resolve
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_a_rule_alert_reaches_the_staff_member_once_in_their_language(personas):
    manager = personas.case_manager
    manager.email, manager.language = "cm@desk.example", "nl"
    manager.save()
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency="high", impact="high")
    mail.outbox.clear()
    for _attempt in range(2):  # a task run twice
        notification_send_rule_alert(
            ticket_id=ticket.pk, firing_id=7, user_id=manager.pk, rule_name="P1 watch", message="Call them."
        )
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [f"{manager.display_name} <cm@desk.example>"]
    assert "P1 watch" in sent.body
    assert "Call them." in sent.body
    assert f"/desk/tickets/{ticket.number}/" in sent.body
    assert sent.body.startswith("Beste ")  # Dutch
    assert NotificationLog.objects.get(event_key=f"rule:7:user:{manager.pk}").kind == NotificationKind.RULE_ALERT


def test_no_rule_alert_for_a_customer_or_an_address_less_user(personas):
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    personas.agent_l2.email = ""
    personas.agent_l2.save()
    mail.outbox.clear()
    for user in (personas.customer_a, personas.agent_l2):
        assert (
            notification_send_rule_alert(ticket_id=ticket.pk, firing_id=1, user_id=user.pk, rule_name="x", message="")
            is None
        )
    assert mail.outbox == []


def test_the_reminder_carries_the_answer_link_and_only_while_resolved(personas):
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    ticket = ticket_resolve(ticket=ticket, resolution="Replaced the toner.", by=personas.agent_l1)
    mail.outbox.clear()
    notification_send_close_reminder(ticket_id=ticket.pk, firing_id=3)
    [sent] = mail.outbox
    assert "Replaced the toner." in sent.body
    resolved_on = date_format(timezone.localtime(ticket.resolved_at).date(), "DATE_FORMAT")
    assert f"on {resolved_on} and have not heard" in sent.body
    assert "/portal/answer/" in sent.body
    assert "closed automatically" in sent.body
    # once reopened, a late reminder task sends nothing
    ticket_reopen(ticket=ticket, reason="Still streaky.", by=personas.customer_a, channel="portal")
    mail.outbox.clear()
    assert notification_send_close_reminder(ticket_id=ticket.pk, firing_id=4) is None
    assert mail.outbox == []
