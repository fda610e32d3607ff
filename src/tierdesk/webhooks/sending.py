"""One attempt at a webhook delivery: claim it, POST the signed payload, record the answer, and
plan the next attempt (exponential backoff with jitter) or give up.

Each step is its own short write; the POST holds no database lock and runs in no transaction
(on SQLite a held write lock would stall every writer for as long as the receiver takes). The
claim is a lease: a run that was killed mid-POST leaves a claim that a rerun takes over once the
lease has run out, so a delivery is never lost and is at most repeated; receivers drop the
repeat by the event id (docs/adr/0007-webhooks.md). It never changes tickets."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tierdesk.accounts.crypto import decrypt_text
from tierdesk.core import http
from tierdesk.webhooks.choices import OPEN_STATUSES, PING, DeliveryStatus
from tierdesk.webhooks.models import WebhookAttempt, WebhookDelivery
from tierdesk.webhooks.signing import payload_body, request_headers

logger = logging.getLogger(__name__)

# How much of a receiver's answer the log keeps.
RESPONSE_BODY_BYTES = 2048
# The wait after the 1st, 2nd, ... failed attempt (1 min, 5 min, 30 min, 2 h, 12 h); the last
# repeats if TIERDESK_WEBHOOKS_MAX_ATTEMPTS allows more attempts than the list has waits.
RETRY_DELAYS_SECONDS = (60, 300, 1800, 7200, 43200)
# Up to this fraction is added at random, so that deliveries that failed together (a receiver
# down for an hour) do not all come back in the same second.
RETRY_JITTER = 0.2
# The lease outlives the longest possible attempt (connect + read deadline) by this much.
LEASE_MARGIN_SECONDS = 30


@dataclass(frozen=True)
class AttemptOutcome:
    """What a run did: a DeliveryStatus value after an attempt or for a finished delivery, or
    "busy" (another run holds the claim until `retry_at`), "not_due" (the next attempt is planned
    for later, by its own timer), "taken_over" (this run outlived its lease and another run took
    the delivery over) or "gone" (the delivery or its webhook was deleted)."""

    result: str
    retry_at: datetime | None = None


@dataclass(frozen=True)
class _Answer:
    status: int | None = None
    body: str = ""
    error: str = ""
    duration_ms: int = 0

    @property
    def is_success(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def retry_delay(failed_attempts: int) -> timedelta:
    """The wait before the next attempt after `failed_attempts` failures: the schedule plus jitter."""
    base = RETRY_DELAYS_SECONDS[min(failed_attempts, len(RETRY_DELAYS_SECONDS)) - 1]
    jitter = base * RETRY_JITTER * secrets.randbelow(1001) / 1000
    return timedelta(seconds=base + jitter)


def max_attempts(delivery: WebhookDelivery) -> int:
    """A ping is tried once: it answers an administrator who is waiting for the result."""
    if delivery.event_type == PING:
        return 1
    return max(1, int(settings.TIERDESK_WEBHOOKS_MAX_ATTEMPTS))


def lease() -> timedelta:
    return timedelta(
        seconds=settings.TIERDESK_WEBHOOKS_CONNECT_TIMEOUT
        + settings.TIERDESK_WEBHOOKS_READ_TIMEOUT
        + LEASE_MARGIN_SECONDS
    )


def _clean(text: str, limit: int) -> str:
    """Text a database column takes: PostgreSQL refuses NUL characters in text."""
    return text.replace("\x00", "\ufffd")[:limit]


def webhook_delivery_attempt(
    *,
    delivery_id: int,
    now: datetime | None = None,
    schedule_retry: Callable[[datetime], None] | None = None,
) -> AttemptOutcome:
    """Make the next attempt at the delivery if it is due by `now` (default: the current time).

    After a failure with attempts left, `schedule_retry(next_attempt_at)` is called inside the
    transaction that records the failure, so a durable queue's timer commits with it (or neither
    does). Without it (a queue that cannot defer) the plan is only recorded; a later call with a
    `now` at or past `next_attempt_at` makes the attempt, which is how the tests drive retries."""
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None:
        return AttemptOutcome("gone")
    if delivery.status not in OPEN_STATUSES:
        return AttemptOutcome(delivery.status)
    is_manual = delivery.event_type == PING or delivery.redelivery_of_id is not None
    if not delivery.subscription.is_active and not is_manual:
        WebhookDelivery.objects.filter(pk=delivery.pk, status__in=OPEN_STATUSES).update(
            status=DeliveryStatus.GAVE_UP, next_attempt_at=None, error="the webhook is switched off"
        )
        logger.info("webhook delivery %s: not sent, webhook %s is switched off", delivery.pk, delivery.subscription_id)
        return AttemptOutcome(DeliveryStatus.GAVE_UP)

    lease_until = now + lease()
    # The conditional update lets one run win when several try at once.
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery.pk, status__in=OPEN_STATUSES, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .update(claimed_until=lease_until, attempt_count=F("attempt_count") + 1, last_attempt_at=now)
    )
    if not claimed:
        return _not_claimed(delivery_id, now)
    if delivery.claimed_until is not None:
        logger.warning(
            "webhook delivery %s: claimed by a run that did not finish within the lease; trying again", delivery.pk
        )
    number = WebhookDelivery.objects.values_list("attempt_count", flat=True).get(pk=delivery.pk)
    answer = _post(delivery, now)
    return _record(delivery, number=number, now=now, lease_until=lease_until, answer=answer, schedule=schedule_retry)


def _not_claimed(delivery_id: int, now: datetime) -> AttemptOutcome:
    current = WebhookDelivery.objects.filter(pk=delivery_id).first()
    if current is None:
        return AttemptOutcome("gone")
    if current.status not in OPEN_STATUSES:
        return AttemptOutcome(current.status)
    if current.claimed_until is not None and current.claimed_until > now:
        return AttemptOutcome("busy", retry_at=current.claimed_until)
    # Planned for later: the run that planned it queued its own timer for that moment.
    return AttemptOutcome("not_due")


def _post(delivery: WebhookDelivery, now: datetime) -> _Answer:
    subscription = delivery.subscription
    try:
        secret = decrypt_text(subscription.secret_ciphertext)
    except ValueError:
        return _Answer(error="the secret cannot be decrypted: TIERDESK_FIELD_KEY (or SECRET_KEY) changed")
    body = payload_body(delivery.payload)
    timestamp = int(now.timestamp())
    headers = request_headers(
        secret=secret, event_type=delivery.event_type, delivery_id=delivery.pk, timestamp=timestamp, body=body
    )
    started = time.monotonic()
    try:
        response = http.post(
            subscription.target_url,
            body=body,
            headers=headers,
            connect_timeout=settings.TIERDESK_WEBHOOKS_CONNECT_TIMEOUT,
            read_timeout=settings.TIERDESK_WEBHOOKS_READ_TIMEOUT,
            max_response_bytes=RESPONSE_BODY_BYTES,
            allow_private=settings.TIERDESK_WEBHOOKS_ALLOW_PRIVATE,
        )
    except http.UnsafeTarget as exc:
        return _Answer(error=f"refused: {exc}", duration_ms=_since(started))
    except http.OutboundError as exc:
        return _Answer(error=str(exc), duration_ms=_since(started))
    text = response.body.decode("utf-8", errors="replace")
    error = ""
    if 300 <= response.status < 400:
        error = "a redirect is not followed"
    elif not 200 <= response.status < 300:
        error = f"the receiver answered HTTP {response.status}"
    return _Answer(status=response.status, body=text, error=error, duration_ms=_since(started))


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _record(
    delivery: WebhookDelivery,
    *,
    number: int,
    now: datetime,
    lease_until: datetime,
    answer: _Answer,
    schedule: Callable[[datetime], None] | None,
) -> AttemptOutcome:
    finished = now + timedelta(milliseconds=answer.duration_ms)
    body, error = _clean(answer.body, RESPONSE_BODY_BYTES), _clean(answer.error, 500)
    result = {
        "response_status": answer.status,
        "response_body": body,
        "error": error,
        "duration_ms": answer.duration_ms,
    }
    next_attempt_at: datetime | None = None
    if answer.is_success:
        status = DeliveryStatus.SUCCEEDED
    elif number >= max_attempts(delivery):
        status = DeliveryStatus.GAVE_UP
    else:
        status = DeliveryStatus.FAILED
        next_attempt_at = finished + retry_delay(number)
    with transaction.atomic():
        WebhookAttempt.objects.create(delivery=delivery, number=number, started_at=now, **result)
        # Only while the claim is still ours: a run that took over after our lease ran out owns it.
        recorded = WebhookDelivery.objects.filter(pk=delivery.pk, claimed_until=lease_until).update(
            status=status,
            claimed_until=None,
            next_attempt_at=next_attempt_at,
            delivered_at=finished if status == DeliveryStatus.SUCCEEDED else None,
            updated_at=timezone.now(),
            **result,
        )
        if recorded and next_attempt_at is not None and schedule is not None:
            schedule(next_attempt_at)
    if not recorded:
        logger.warning("webhook delivery %s: attempt %s finished after its claim was taken over", delivery.pk, number)
        return AttemptOutcome("taken_over")
    log = logger.info if status == DeliveryStatus.SUCCEEDED else logger.warning
    log(
        "webhook delivery %s (%s) attempt %s: %s%s",
        delivery.pk,
        delivery.event_type,
        number,
        status,
        f", {error}" if error else "",
    )
    return AttemptOutcome(status, retry_at=next_attempt_at)
