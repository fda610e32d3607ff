"""Ticket events to webhook deliveries, end to end: service call -> commit -> event -> handler
(rows and task) -> task (immediate backend) -> signed POST to a real receiver on 127.0.0.1.
Subscriptions filter by event and organisation; a rolled-back change sends nothing; a change
sends one ticket.updated per transaction; internal notes never leave; and the request that
causes an event only queues its deliveries."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from tierdesk.accounts.tests.api_support import client_for, send
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import ticket_comment_add, ticket_take, ticket_update
from tierdesk.tickets.services.sla import ticket_sla_check
from tierdesk.tickets.tests.factories import make_ticket
from tierdesk.webhooks.choices import DeliveryStatus
from tierdesk.webhooks.models import WebhookDelivery
from tierdesk.webhooks.payloads import instant
from tierdesk.webhooks.services import IssuedSecret
from tierdesk.webhooks.tasks import webhook_deliver
from tierdesk.webhooks.tests.receiver import Receiver, Reply
from tierdesk.webhooks.tests.signature import verify

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def bodies(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(request.body) for request in receiver.requests]


def sent(delivery_type: str) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(event_type=delivery_type).order_by("subscription__name"))


@pytest.fixture
def ticket(personas: Any, committed: Callable[[], Any]) -> Ticket:
    """Anna's ticket, opened before any webhook exists."""
    with committed():
        return make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Label printer prints blank")


def test_a_new_ticket_is_posted_signed_with_its_documented_payload(
    personas: Any, make_webhook: Callable[..., IssuedSecret], receiver: Receiver, committed: Any, settings: Any
) -> None:
    # given a webhook for new tickets
    settings.TIERDESK_BASE_URL = "https://desk.example.org/"
    issued = make_webhook(event_types=["ticket.created"])
    # when a customer opens a ticket and the transaction commits
    with committed():
        ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Scanner jams on tray 2")
    # then the receiver got one signed POST
    (request,) = receiver.requests
    (delivery,) = WebhookDelivery.objects.all()
    assert request.path == "/hooks/tierdesk?source=desk"
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.headers["user-agent"] == "Tierdesk-Webhook/1"
    assert request.headers["x-tierdesk-event"] == "ticket.created"
    assert request.headers["x-tierdesk-delivery"] == str(delivery.pk)
    assert verify(issued.secret, request.headers, request.body)
    assert not verify("whsec_another-secret", request.headers, request.body)
    # and the body is the documented payload
    ticket.refresh_from_db()
    assert json.loads(request.body) == {
        "id": str(delivery.event_id),
        "type": "ticket.created",
        "created_at": delivery.payload["created_at"],
        "data": {
            "channel": "portal",
            "ticket": {
                "number": ticket.number,
                "reference": f"TD#{ticket.number}",
                "subject": "Scanner jams on tray 2",
                "status": "new",
                "priority": ticket.priority,
                "level": "first",
                "organisation": {"id": personas.org_a.pk, "name": "Harbour Freight Systems"},
                "requester": {"id": personas.contact_a.pk, "name": "Anna Vermeulen", "email": "anna@harbour.example"},
                "assignee": None,
                "due_at": instant(ticket.due_at),
                "url": f"https://desk.example.org/desk/tickets/{ticket.number}/",
            },
        },
    }
    # and the log says it arrived
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count, delivery.response_status) == ("succeeded", 1, 200)


def test_subscriptions_get_the_events_and_organisations_they_chose(
    personas: Any, make_webhook: Callable[..., IssuedSecret], receiver: Receiver, ticket: Ticket, committed: Any
) -> None:
    # given four webhooks: everything, only org B, only status changes, and one switched off
    make_webhook(name="a everything")
    make_webhook(name="b fjordline only", organisation_id=personas.org_b.pk)
    make_webhook(name="c status only", event_types=["ticket.status_changed"])
    make_webhook(name="d switched off", is_active=False)
    # when an agent takes org A's ticket (new -> open, assigned)
    with committed():
        ticket_take(ticket=ticket, by=personas.agent_l1)
    # then the status change goes to "everything" and "status only", as one event
    status_changes = sent("ticket.status_changed")
    assert [d.subscription.name for d in status_changes] == ["a everything", "c status only"]
    assert len({d.event_id for d in status_changes}) == 1
    assert status_changes[0].payload["data"]["old_status"] == "new"
    assert status_changes[0].payload["data"]["new_status"] == "open"
    assert status_changes[0].payload["data"]["ticket"]["assignee"] == {
        "id": personas.agent_l1.pk,
        "username": "l1",
        "name": personas.agent_l1.display_name,
    }
    # and the update (once for the transaction) to "everything" only
    (updated,) = sent("ticket.updated")
    assert (updated.subscription.name, updated.payload["data"]["actions"]) == ("a everything", ["changed"])
    # and nothing at all to org B's webhook or the switched-off one
    assert not WebhookDelivery.objects.filter(subscription__name__in=["b fjordline only", "d switched off"]).exists()
    assert len(receiver.requests) == 3
    assert all(d.status == DeliveryStatus.SUCCEEDED for d in WebhookDelivery.objects.all())


def test_a_rolled_back_change_sends_nothing(
    personas: Any, make_webhook: Callable[..., IssuedSecret], receiver: Receiver, ticket: Ticket, committed: Any
) -> None:
    # given a webhook for everything
    make_webhook()

    def take_reply_and_fail() -> None:
        with transaction.atomic():
            ticket_take(ticket=ticket, by=personas.agent_l1)
            ticket_comment_add(ticket=ticket, body="We are on it.", by=personas.agent_l1)
            raise RuntimeError("the request failed after the changes")

    # when an agent takes the ticket and comments, and the transaction rolls back
    with committed(), pytest.raises(RuntimeError):
        take_reply_and_fail()
    # then no delivery was written and nothing was sent
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []
    # and the next committed change is sent as usual
    with committed():
        ticket_take(ticket=ticket, by=personas.agent_l1)
    assert {body["type"] for body in bodies(receiver)} == {"ticket.status_changed", "ticket.updated"}


def test_one_transaction_is_one_update_with_all_its_actions(
    personas: Any, make_webhook: Callable[..., IssuedSecret], receiver: Receiver, ticket: Ticket, committed: Any
) -> None:
    make_webhook(event_types=["ticket.updated"])
    # when three changes commit together
    with committed(), transaction.atomic():
        ticket_take(ticket=ticket, by=personas.agent_l1)
        ticket_update(ticket=ticket, by=personas.agent_l1, impact="high")
        ticket_comment_add(ticket=ticket, body="Replaced the fuser; please try again.", by=personas.agent_l1)
    # then one ticket.updated names them all
    (body,) = bodies(receiver)
    assert body["type"] == "ticket.updated"
    assert body["data"]["actions"] == ["changed", "commented"]
    assert body["data"]["ticket"]["status"] == "open"


def test_internal_notes_never_leave_the_desk(
    personas: Any, make_webhook: Callable[..., IssuedSecret], receiver: Receiver, ticket: Ticket, committed: Any
) -> None:
    make_webhook()
    # when an agent writes an internal note: nothing is sent, not even an update
    with committed():
        ticket_comment_add(
            ticket=ticket, body="Router admin PIN is 4711, do not share", by=personas.agent_l1, is_internal=True
        )
    assert receiver.requests == []
    assert WebhookDelivery.objects.count() == 0
    # when a public reply follows, in the same transaction as another note
    with committed(), transaction.atomic():
        ticket_comment_add(ticket=ticket, body="Second note: PIN changed", by=personas.agent_l1, is_internal=True)
        reply = ticket_comment_add(ticket=ticket, body="Please restart the printer.", by=personas.agent_l1)
    # then the reply is sent with its text, and neither note anywhere
    commented = [body for body in bodies(receiver) if body["type"] == "ticket.commented"]
    assert [body["data"]["comment"] for body in commented] == [
        {
            "id": reply.pk,
            "body": "Please restart the printer.",
            "author": personas.agent_l1.display_name,
            "channel": "web",
            "created_at": instant(reply.created_at),
        }
    ]
    (updated,) = [body for body in bodies(receiver) if body["type"] == "ticket.updated"]
    # the reply opened the new ticket ("changed"); the notes' action is left out
    assert updated["data"]["actions"] == ["changed", "commented"]
    everything = b"".join(request.body for request in receiver.requests)
    assert b"PIN" not in everything


def test_a_missed_deadline_is_sent_with_the_deadline(
    personas: Any, make_webhook: Callable[..., IssuedSecret], receiver: Receiver, committed: Any
) -> None:
    # given a webhook for breaches and a P1 ticket
    make_webhook(event_types=["ticket.sla_breached"])
    with committed():
        p1 = make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency="high", impact="high")
    p1.refresh_from_db()
    assert p1.first_response_due is not None
    # when the SLA check runs a minute after the first-response deadline
    with committed():
        marked = ticket_sla_check(
            ticket_id=p1.pk, sla_version=p1.sla_version, now=p1.first_response_due + timedelta(minutes=1)
        )
    assert "first_response_breached_at" in marked
    # then the breach is sent with the missed deadline
    (body,) = bodies(receiver)
    assert body["type"] == "ticket.sla_breached"
    assert body["data"]["deadline"] == "first_response_due"
    assert body["data"]["deadline_at"] == instant(p1.first_response_due)
    assert body["data"]["ticket"]["number"] == p1.number


def test_the_request_that_causes_an_event_only_queues_the_delivery(
    personas: Any, make_webhook: Callable[..., IssuedSecret], receiver: Receiver, committed: Any
) -> None:
    # given a webhook whose receiver takes 5 s to answer, and the database queue of production
    make_webhook(event_types=["ticket.created"])
    receiver.answer(Reply(200, delay=5))
    with override_settings(TASKS=DATABASE_QUEUE):
        # when a customer opens a ticket through the API
        with committed():
            response = send(client_for(personas.customer_a), "POST", "/tickets", {"subject": "Monitor flickers"})
        assert response.status_code == 201
        # then the request returned before anything was sent: the delivery and its task wait
        assert receiver.requests == []
        (delivery,) = WebhookDelivery.objects.all()
        assert (delivery.status, delivery.attempt_count) == ("pending", 0)
        task = DBTaskResult.objects.get(task_path="tierdesk.webhooks.tasks.webhook_deliver")
        assert task.args_kwargs == {"args": [delivery.pk], "kwargs": {}}
        # when the worker runs the task, the receiver gets it
        receiver.script.clear()
        assert webhook_deliver.call(delivery.pk) == "succeeded"
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_with_real_commits_only_the_committed_change_is_sent(
    personas: Any, make_webhook: Callable[..., IssuedSecret], receiver: Receiver
) -> None:
    # given a webhook for updates, and a ticket (each service call commits for real here)
    make_webhook(event_types=["ticket.updated", "ticket.status_changed"])
    ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Badge reader offline")

    # when one change rolls back
    def take_and_fail() -> None:
        with transaction.atomic():
            ticket_take(ticket=ticket, by=personas.agent_l1)
            raise RuntimeError("the request failed after the change")

    with pytest.raises(RuntimeError):
        take_and_fail()
    # then nothing was written or sent
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []

    # when the same change commits
    ticket_take(ticket=ticket, by=personas.agent_l1)
    # then it was sent, after the commit, once per event
    assert sorted(body["type"] for body in bodies(receiver)) == ["ticket.status_changed", "ticket.updated"]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"succeeded"}
