"""The lease on a claimed notification: a mail claimed by a run that died before marking it sent is
sent by the rerun once the claim is older than TIERDESK_NOTIFICATION_LEASE_SECONDS, under the
first claim's Message-ID; before that, the rerun leaves it alone and, on a queue that can defer,
runs itself again when the lease ends (docs/adr/0004-notifications-sent-once.md)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.personas import Personas

from tierdesk.mail.models import NotificationKind, NotificationLog, NotificationState
from tierdesk.mail.tasks import notify_status_changed
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import ticket_take
from tierdesk.tickets.tests.factories import make_ticket

LEASE_SECONDS = 60
FIRST_MESSAGE_ID = "<first-claim.100001@tierdesk.invalid>"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def lease(settings: Any) -> timedelta:
    settings.TIERDESK_NOTIFICATION_LEASE_SECONDS = LEASE_SECONDS
    return timedelta(seconds=LEASE_SECONDS)


@pytest.fixture
def open_ticket(
    personas: Personas, django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]]
) -> Ticket:
    """Anna's ticket, taken by the first-level agent; the outbox starts empty."""
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_take(
            ticket=make_ticket(by=personas.customer_a, requester=personas.contact_a), by=personas.agent_l1
        )
    mail.outbox.clear()
    return ticket


def delivery(personas: Personas, ticket: Ticket, delivery_id: str) -> dict[str, Any]:
    return {
        "ticket_id": ticket.pk,
        "old": "open",
        "new": "waiting",
        "by_id": personas.agent_l1.pk,
        "delivery_id": delivery_id,
    }


def claimed(
    ticket: Ticket, delivery_id: str, *, ago: timedelta, state: str = NotificationState.SENDING
) -> NotificationLog:
    """The row a run left when it claimed the mail `ago` and then died (or failed)."""
    return NotificationLog.objects.create(
        ticket=ticket,
        event_key=f"status:open>waiting:{delivery_id}",
        kind=NotificationKind.STATUS_CHANGED,
        state=state,
        recipient="anna@harbour.example",
        language="en",
        subject=f"[TD#{ticket.number}] Printer is offline",
        message_id=FIRST_MESSAGE_ID,
        claimed_at=timezone.now() - ago,
    )


def test_a_claim_older_than_the_lease_is_sent_by_the_rerun_once(
    personas: Personas, open_ticket: Ticket, lease: timedelta, caplog: pytest.LogCaptureFixture
) -> None:
    # given a status mail claimed just over a lease ago by a run that never marked it sent
    log = claimed(open_ticket, "k1", ago=lease + timedelta(seconds=1))

    # when the task runs again (its killed worker's task was queued again), twice
    with caplog.at_level(logging.WARNING, logger="tierdesk.mail.services"):
        rerun = notify_status_changed.enqueue(**delivery(personas, open_ticket, "k1"))
    again = notify_status_changed.enqueue(**delivery(personas, open_ticket, "k1"))

    # then the mail goes out once, under the first claim's Message-ID, and the row says sent
    assert (rerun.return_value, again.return_value) == (log.pk, None)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].message()["Message-ID"] == FIRST_MESSAGE_ID
    log.refresh_from_db()
    assert (log.state, log.message_id) == (NotificationState.SENT, FIRST_MESSAGE_ID)
    assert log.claimed_at > timezone.now() - timedelta(seconds=10)
    assert "claimed but not sent within the lease; sending it again" in caplog.text


def test_a_claim_within_the_lease_is_left_to_its_run(personas: Personas, open_ticket: Ticket, lease: timedelta) -> None:
    # given a status mail claimed a little less than a lease ago (its run may still be talking SMTP)
    log = claimed(open_ticket, "k2", ago=lease - timedelta(seconds=5))

    # when the task for the same delivery runs
    rerun = notify_status_changed.enqueue(**delivery(personas, open_ticket, "k2"))

    # then nothing is sent and the claim is untouched
    assert rerun.status == TaskResultStatus.SUCCESSFUL
    assert rerun.return_value is None
    assert mail.outbox == []
    claimed_at = log.claimed_at
    log.refresh_from_db()
    assert (log.state, log.claimed_at) == (NotificationState.SENDING, claimed_at)


def test_on_a_queue_the_rerun_runs_again_when_the_lease_ends(
    personas: Personas, open_ticket: Ticket, lease: timedelta
) -> None:
    # given the database queue, and a mail claimed 10 seconds ago by a run that then died
    kwargs = delivery(personas, open_ticket, "k3")
    log = claimed(open_ticket, "k3", ago=timedelta(seconds=10))
    with override_settings(TASKS=DATABASE_QUEUE):
        # when the requeued task runs while the claim's lease lasts
        returned = notify_status_changed.call(**kwargs)

        # then it sends nothing now, and queues itself for the moment the lease ends
        assert returned is None
        assert mail.outbox == []
        retry = DBTaskResult.objects.get()
        assert retry.status == TaskResultStatus.READY
        assert retry.task_path == "tierdesk.mail.tasks.notify_status_changed"
        assert retry.args_kwargs == {"args": [], "kwargs": kwargs}
        assert retry.run_after == log.claimed_at + lease

        # when that moment has come and the retry runs
        NotificationLog.objects.filter(pk=log.pk).update(claimed_at=log.claimed_at - lease)
        sent = retry.task.call(**retry.args_kwargs["kwargs"])

    # then the mail goes out, once, under the first Message-ID
    assert sent == log.pk
    assert len(mail.outbox) == 1
    assert mail.outbox[0].message()["Message-ID"] == FIRST_MESSAGE_ID
    assert DBTaskResult.objects.count() == 1


def test_a_retried_failed_mail_keeps_its_first_message_id(personas: Personas, open_ticket: Ticket) -> None:
    # given a mail whose send failed a moment ago (the relay may have taken it before the error)
    log = claimed(open_ticket, "k4", ago=timedelta(seconds=1), state=NotificationState.FAILED)

    # when it is retried
    notify_status_changed.enqueue(**delivery(personas, open_ticket, "k4"))

    # then it is sent under the same Message-ID, so a duplicate can be recognised
    assert len(mail.outbox) == 1
    assert mail.outbox[0].message()["Message-ID"] == FIRST_MESSAGE_ID
    log.refresh_from_db()
    assert log.state == NotificationState.SENT
