"""Background jobs of the webhooks app: a thin wrapper that takes a delivery id, makes one attempt
(webhooks/sending.py) and queues itself again for the next one. Safe to run twice: the attempt is
claimed with a lease, so a duplicate run does nothing and a rerun after a killed worker takes over
only once the lease has run out."""

from __future__ import annotations

from datetime import datetime

from django_tasks import task

from tierdesk.webhooks.sending import webhook_delivery_attempt

# Retries and lease waits queue below the tasks that are due at once (as the SLA timers do).
RETRY_PRIORITY = -10


@task()
def webhook_deliver(delivery_id: int) -> str:
    """Returns what the run did: a delivery status, or busy / not_due / taken_over / gone."""
    can_defer = webhook_deliver.get_backend().supports_defer

    def schedule(at: datetime) -> None:
        webhook_deliver.using(run_after=at, priority=RETRY_PRIORITY).enqueue(delivery_id)

    outcome = webhook_delivery_attempt(delivery_id=delivery_id, schedule_retry=schedule if can_defer else None)
    if outcome.result == "busy" and outcome.retry_at is not None and can_defer:
        # Another run holds the claim (a killed worker's, or one still sending): look again when
        # its lease ends, and take the delivery over if it has not finished by then.
        schedule(outcome.retry_at)
    return outcome.result
