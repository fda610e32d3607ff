"""Delivering against a real HTTP receiver on 127.0.0.1: signed requests, failures retried with
exponential backoff until a success or until the attempts run out, the answer logged, no redirect
followed, the answer capped, timeouts, and the lease that lets a rerun take over from a killed
worker. Retries are driven by calling the attempt with `now` at the planned instant (the tests'
immediate task backend cannot defer); on the database queue the planned task is checked instead."""

from __future__ import annotations

import logging
import socket
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tierdesk.accounts.crypto import decrypt_text
from tierdesk.webhooks.choices import DeliveryStatus
from tierdesk.webhooks.models import WebhookDelivery
from tierdesk.webhooks.sending import RESPONSE_BODY_BYTES, RETRY_DELAYS_SECONDS, RETRY_JITTER, webhook_delivery_attempt
from tierdesk.webhooks.services import webhook_ping, webhook_secret_rotate, webhook_update
from tierdesk.webhooks.tasks import RETRY_PRIORITY, webhook_deliver
from tierdesk.webhooks.tests.receiver import Receiver, Reply
from tierdesk.webhooks.tests.signature import verify

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DUMMY_QUEUE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def queued(personas: Any, make_webhook: Any) -> tuple[WebhookDelivery, str]:
    """A ping queued to the receiver but not sent yet (the dummy queue keeps its task), made a
    normal delivery (pings are tried once) so that it retries; and the webhook's secret."""
    issued = make_webhook()
    with override_settings(TASKS=DUMMY_QUEUE):
        delivery = webhook_ping(webhook=issued.subscription, by=personas.admin)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(event_type="ticket.updated")
    delivery.refresh_from_db()
    return delivery, issued.secret


def attempt(delivery: WebhookDelivery, **kwargs: Any) -> str:
    return webhook_delivery_attempt(delivery_id=delivery.pk, **kwargs).result


def planned(delivery: WebhookDelivery) -> datetime:
    """The instant the next attempt is planned for (the delivery is read again)."""
    delivery.refresh_from_db()
    assert delivery.next_attempt_at is not None
    return delivery.next_attempt_at


def test_a_delivery_that_fails_twice_is_retried_with_backoff_and_then_succeeds(
    queued: tuple[WebhookDelivery, str], receiver: Receiver
) -> None:
    delivery, secret = queued
    # given a receiver that answers 500, then 503, then 200
    receiver.answer(Reply(500, b"database down"), Reply(503, b"try later"), Reply(202, b'{"accepted":true}'))

    # when the first attempt runs
    first_at = timezone.now()
    assert attempt(delivery, now=first_at) == DeliveryStatus.FAILED
    # then the failure is logged with the answer, and the next attempt planned a minute on (plus jitter)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count, delivery.response_status) == ("failed", 1, 500)
    assert (delivery.response_body, delivery.error) == ("database down", "the receiver answered HTTP 500")
    assert delivery.claimed_until is None
    second_at = planned(delivery)
    assert timedelta(seconds=60) <= second_at - first_at <= timedelta(seconds=60 * (1 + RETRY_JITTER) + 5)

    # when a run comes before that moment, nothing is sent
    assert attempt(delivery, now=second_at - timedelta(seconds=1)) == "not_due"
    assert len(receiver.requests) == 1

    # when the second attempt runs at its moment: 503, and the wait grows to five minutes
    assert attempt(delivery, now=second_at) == DeliveryStatus.FAILED
    third_at = planned(delivery)
    assert timedelta(seconds=300) <= third_at - second_at <= timedelta(seconds=300 * (1 + RETRY_JITTER) + 5)

    # when the third runs: 202 is a success
    assert attempt(delivery, now=third_at) == DeliveryStatus.SUCCEEDED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count, delivery.next_attempt_at) == ("succeeded", 3, None)
    assert (delivery.response_status, delivery.response_body, delivery.error) == (202, '{"accepted":true}', "")
    assert delivery.delivered_at is not None
    assert delivery.delivered_at >= third_at

    # then every attempt is in the log with its answer and instant
    rows = list(delivery.attempts.values_list("number", "started_at", "response_status", "response_body"))
    assert rows == [
        (1, first_at, 500, "database down"),
        (2, second_at, 503, "try later"),
        (3, third_at, 202, '{"accepted":true}'),
    ]
    # and every request carried the same body and event, signed for its own instant
    bodies = {request.body for request in receiver.requests}
    assert len(bodies) == 1
    for request, at in zip(receiver.requests, (first_at, second_at, third_at), strict=True):
        assert request.headers["x-tierdesk-delivery"] == str(delivery.pk)
        assert request.headers["x-tierdesk-timestamp"] == str(int(at.timestamp()))
        assert verify(secret, request.headers, request.body, now=at.timestamp())
    # and a later run finds nothing to do
    assert attempt(delivery, now=third_at + timedelta(days=1)) == DeliveryStatus.SUCCEEDED
    assert len(receiver.requests) == 3


def test_a_delivery_gives_up_after_the_last_attempt(
    queued: tuple[WebhookDelivery, str], receiver: Receiver, settings: Any
) -> None:
    delivery, _secret = queued
    # given three attempts at most, and a receiver that always fails
    settings.TIERDESK_WEBHOOKS_MAX_ATTEMPTS = 3
    receiver.answer(*(Reply(500, b"no") for _ in range(5)))
    # when every planned attempt runs
    now = timezone.now()
    results = []
    for _ in range(3):
        results.append(attempt(delivery, now=now))
        delivery.refresh_from_db()
        now = delivery.next_attempt_at or now
    # then the third failure gives up: nothing more is planned or sent
    assert results == ["failed", "failed", "gave_up"]
    assert (delivery.status, delivery.attempt_count, delivery.next_attempt_at) == ("gave_up", 3, None)
    assert attempt(delivery, now=now + timedelta(days=2)) == DeliveryStatus.GAVE_UP
    assert len(receiver.requests) == 3
    assert delivery.attempts.count() == 3


def test_the_waits_follow_the_schedule_and_repeat_its_last_step(
    queued: tuple[WebhookDelivery, str], receiver: Receiver, settings: Any
) -> None:
    delivery, _secret = queued
    settings.TIERDESK_WEBHOOKS_MAX_ATTEMPTS = 7
    receiver.answer(*(Reply(500) for _ in range(7)))
    now = timezone.now()
    waits = []
    for _ in range(6):
        attempt(delivery, now=now)
        later = planned(delivery)
        waits.append((later - now).total_seconds())
        now = later
    expected = [*RETRY_DELAYS_SECONDS, RETRY_DELAYS_SECONDS[-1]]
    for wait, base in zip(waits, expected, strict=True):
        assert base <= wait <= base * (1 + RETRY_JITTER) + 5


def test_on_the_database_queue_the_retry_is_queued_with_the_failure(
    queued: tuple[WebhookDelivery, str], receiver: Receiver
) -> None:
    delivery, _secret = queued
    receiver.answer(Reply(500))
    with override_settings(TASKS=DATABASE_QUEUE):
        # when the task runs and the receiver fails
        assert webhook_deliver.call(delivery.pk) == "failed"
        # then the next attempt waits in the queue for the planned instant, below the immediate tasks
        delivery.refresh_from_db()
        retry = DBTaskResult.objects.get()
        assert retry.task_path == "tierdesk.webhooks.tasks.webhook_deliver"
        assert retry.args_kwargs == {"args": [delivery.pk], "kwargs": {}}
        assert retry.run_after == delivery.next_attempt_at
        assert retry.priority == RETRY_PRIORITY

        # when that task runs at its time (the receiver now answers 200), nothing more is queued
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert retry.task.call(*retry.args_kwargs["args"]) == "succeeded"
        assert DBTaskResult.objects.count() == 1


def test_a_redirect_is_not_followed(queued: tuple[WebhookDelivery, str], receiver: Receiver) -> None:
    delivery, _secret = queued
    # given a receiver that redirects to the cloud metadata address
    receiver.answer(Reply(302, b"", headers={"Location": "http://169.254.169.254/latest/meta-data/"}))
    # when the delivery is attempted
    assert attempt(delivery) == DeliveryStatus.FAILED
    # then the 302 is logged as a failure and nothing else was requested
    delivery.refresh_from_db()
    assert (delivery.response_status, delivery.error) == (302, "a redirect is not followed")
    assert len(receiver.requests) == 1


def test_only_the_start_of_a_long_answer_is_kept(queued: tuple[WebhookDelivery, str], receiver: Receiver) -> None:
    delivery, _secret = queued
    receiver.answer(Reply(200, b"x" * 100_000 + b"\x00"))
    assert attempt(delivery) == DeliveryStatus.SUCCEEDED
    delivery.refresh_from_db()
    assert delivery.response_body == "x" * RESPONSE_BODY_BYTES


def test_a_slow_receiver_times_out_and_is_retried(
    queued: tuple[WebhookDelivery, str], receiver: Receiver, settings: Any
) -> None:
    delivery, _secret = queued
    # given a receiver that answers after 3 s, and a read timeout of 1 s
    settings.TIERDESK_WEBHOOKS_READ_TIMEOUT = 1
    receiver.answer(Reply(200, delay=3))
    # when the delivery is attempted
    assert attempt(delivery) == DeliveryStatus.FAILED
    # then the attempt ended after about a second, and says why
    delivery.refresh_from_db()
    assert delivery.response_status is None
    assert "timed out" in delivery.error
    assert delivery.duration_ms is not None
    assert 900 <= delivery.duration_ms < 2900


def test_a_closed_port_is_a_failed_attempt(
    queued: tuple[WebhookDelivery, str], personas: Any, receiver: Receiver
) -> None:
    delivery, _secret = queued
    # given the webhook points at a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    webhook_update(webhook=delivery.subscription, by=personas.admin, target_url=f"http://127.0.0.1:{port}/")
    # when the delivery is attempted, then it fails with the connection error and is planned again
    assert attempt(delivery) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.error.startswith("cannot connect to 127.0.0.1")
    assert delivery.next_attempt_at is not None


def test_switching_the_webhook_off_gives_up_its_waiting_deliveries(
    queued: tuple[WebhookDelivery, str], personas: Any, receiver: Receiver
) -> None:
    delivery, _secret = queued
    webhook_update(webhook=delivery.subscription, by=personas.admin, is_active=False)
    assert attempt(delivery) == DeliveryStatus.GAVE_UP
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error, delivery.attempt_count) == ("gave_up", "the webhook is switched off", 0)
    assert receiver.requests == []


def test_after_a_rotation_the_next_attempt_is_signed_with_the_new_secret(
    queued: tuple[WebhookDelivery, str], personas: Any, receiver: Receiver
) -> None:
    delivery, old_secret = queued
    receiver.answer(Reply(500))
    now = timezone.now()
    attempt(delivery, now=now)
    new_secret = webhook_secret_rotate(webhook=delivery.subscription, by=personas.admin).secret
    delivery.refresh_from_db()
    attempt(delivery, now=delivery.next_attempt_at)
    first, second = receiver.requests
    assert verify(old_secret, first.headers, first.body, now=now.timestamp())
    later = delivery.next_attempt_at or timezone.now()
    assert not verify(old_secret, second.headers, second.body, now=later.timestamp())
    assert verify(new_secret, second.headers, second.body, now=int(second.headers["x-tierdesk-timestamp"]))


def test_the_secret_is_stored_encrypted(queued: tuple[WebhookDelivery, str]) -> None:
    delivery, secret = queued
    stored = bytes(delivery.subscription.secret_ciphertext)
    assert secret.encode() not in stored
    assert decrypt_text(stored) == secret
    assert delivery.subscription.secret_prefix == secret[:10]


# --- a killed worker ----------------------------------------------------------------------------------


def test_a_claim_within_its_lease_is_left_to_its_run(queued: tuple[WebhookDelivery, str], receiver: Receiver) -> None:
    delivery, _secret = queued
    # given a run that claimed the attempt a moment ago (it may be sending right now)
    claimed_until = timezone.now() + timedelta(seconds=40)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_until=claimed_until, attempt_count=1)
    # when another run of the same delivery comes
    outcome = webhook_delivery_attempt(delivery_id=delivery.pk)
    # then it sends nothing and says when the claim ends
    assert (outcome.result, outcome.retry_at) == ("busy", claimed_until)
    assert receiver.requests == []


def test_on_the_database_queue_a_busy_run_looks_again_when_the_lease_ends(
    queued: tuple[WebhookDelivery, str], receiver: Receiver
) -> None:
    delivery, _secret = queued
    claimed_until = timezone.now() + timedelta(seconds=40)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(claimed_until=claimed_until, attempt_count=1)
    with override_settings(TASKS=DATABASE_QUEUE):
        assert webhook_deliver.call(delivery.pk) == "busy"
        again = DBTaskResult.objects.get()
    assert (again.run_after, again.args_kwargs["args"]) == (claimed_until, [delivery.pk])
    assert receiver.requests == []


def test_a_claim_whose_lease_ran_out_is_taken_over_and_sent(
    queued: tuple[WebhookDelivery, str], receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    delivery, secret = queued
    # given a run that claimed the attempt and was killed before recording it
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1), attempt_count=1
    )
    # when the requeued task runs
    with caplog.at_level(logging.WARNING, logger="tierdesk.webhooks.sending"):
        assert attempt(delivery) == DeliveryStatus.SUCCEEDED
    # then the delivery goes out as attempt 2, and the log says a run did not finish
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count) == ("succeeded", 2)
    assert list(delivery.attempts.values_list("number", flat=True)) == [2]
    assert len(receiver.requests) == 1
    assert verify(secret, receiver.requests[0].headers, receiver.requests[0].body)
    assert "did not finish within the lease" in caplog.text


def test_a_run_that_outlived_its_lease_leaves_the_delivery_to_the_run_that_took_over(
    queued: tuple[WebhookDelivery, str], receiver: Receiver
) -> None:
    delivery, _secret = queued
    taken_over_until = timezone.now() + timedelta(minutes=5)
    shared = connections[DEFAULT_DB_ALIAS]  # this thread's connection (`connection` is per thread)

    def take_over() -> None:
        """While the receiver holds the request, another run takes the claim over (as after the
        lease ran out), through the test's connection (the ORM would open another one)."""
        with shared.cursor() as cursor:
            cursor.execute(
                "UPDATE webhooks_webhookdelivery SET claimed_until = %s, attempt_count = attempt_count + 1"
                " WHERE id = %s",
                [shared.ops.adapt_datetimefield_value(taken_over_until), delivery.pk],
            )

    receiver.answer(Reply(200, meanwhile=take_over))
    shared.inc_thread_sharing()
    try:
        # when the first run's receiver answers after the takeover
        outcome = webhook_delivery_attempt(delivery_id=delivery.pk)
    finally:
        shared.dec_thread_sharing()
    # then its attempt is logged, but the delivery stays the newer claim's to record
    assert outcome.result == "taken_over"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.claimed_until, delivery.attempt_count) == ("pending", taken_over_until, 2)
    assert list(delivery.attempts.values_list("number", "response_status")) == [(1, 200)]
