"""The write paths of webhooks: managing subscriptions (administrators), their secrets, and putting
deliveries in the outbox: one per matching subscription for each ticket event, a ping, a
redelivery. Sending is webhooks/sending.py's, on the worker; nothing here talks to a receiver.

A delivery row and its task are written in one transaction when the queue lives in the same
database (django-tasks-db), so a crash cannot leave a delivery without its task or the reverse."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.backend import DatabaseBackend

from tierdesk.accounts.crypto import encrypt_text
from tierdesk.accounts.models import Organisation, User
from tierdesk.core import http
from tierdesk.tickets.models import Comment, Ticket
from tierdesk.webhooks.choices import PING, EventType
from tierdesk.webhooks.errors import WebhookForbidden, WebhookInvalid, WebhookUrlRefused
from tierdesk.webhooks.models import WebhookDelivery, WebhookSubscription
from tierdesk.webhooks.payloads import comment_data, envelope, instant, ticket_data
from tierdesk.webhooks.permissions import can_manage_webhooks
from tierdesk.webhooks.signing import new_secret, shown_prefix
from tierdesk.webhooks.tasks import webhook_deliver

logger = logging.getLogger(__name__)

MAX_URL_LENGTH = 2000
MAX_NAME_LENGTH = 200
# History actions that say nothing a receiver may learn: an internal note alone is no update.
INTERNAL_ACTIONS = frozenset({"note_added"})


@dataclass(frozen=True)
class IssuedSecret:
    """A subscription with its secret in clear: the one moment it is shown."""

    subscription: WebhookSubscription
    secret: str


# --- managing subscriptions -----------------------------------------------------------------------


def _require_admin(by: Any) -> None:
    if not can_manage_webhooks(by):
        raise WebhookForbidden(_("Only administrators may manage webhooks."))


def target_url_check(url: str) -> str:
    """The URL as stored, if Tierdesk may send to it now: http(s) only, no credentials in it, and a
    host that resolves to public addresses only (unless TIERDESK_WEBHOOKS_ALLOW_PRIVATE). The same
    check runs again at every attempt, on the addresses connected to: DNS may change."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise WebhookInvalid(_("Give the target URL (at most %(max)s characters).") % {"max": MAX_URL_LENGTH})
    try:
        http.resolve_target(url, allow_private=settings.TIERDESK_WEBHOOKS_ALLOW_PRIVATE)
    except http.UnsafeTarget as exc:
        raise WebhookUrlRefused(
            _("Webhooks cannot be sent to this URL: %(reason)s.") % {"reason": exc}, field="target_url"
        ) from None
    except http.OutboundError as exc:
        raise WebhookUrlRefused(
            _("The target URL cannot be checked: %(reason)s.") % {"reason": exc}, field="target_url"
        ) from None
    return url


def _event_types(values: Iterable[str]) -> list[str]:
    chosen: list[str] = []
    for value in values:
        if value not in EventType.values:
            raise WebhookInvalid(
                _("Unknown event %(value)s; the events are: %(events)s.")
                % {"value": value, "events": ", ".join(EventType.values)},
                field="event_types",
            )
        if value not in chosen:
            chosen.append(value)
    if not chosen:
        raise WebhookInvalid(_("Choose at least one event."), field="event_types")
    return chosen


def _name(value: str) -> str:
    name = value.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise WebhookInvalid(
            _("Give the webhook a name (at most %(max)s characters).") % {"max": MAX_NAME_LENGTH}, field="name"
        )
    return name


def _organisation(organisation_id: int | None) -> Organisation | None:
    if organisation_id is None:
        return None
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise WebhookInvalid(_("No such organisation."), field="organisation_id")
    return organisation


def _set_secret(subscription: WebhookSubscription) -> str:
    secret = new_secret()
    subscription.secret_ciphertext = encrypt_text(secret)
    subscription.secret_prefix = shown_prefix(secret)
    return secret


@transaction.atomic
def webhook_create(
    *,
    by: User,
    name: str,
    target_url: str,
    event_types: Sequence[str],
    is_active: bool = True,
    organisation_id: int | None = None,
) -> IssuedSecret:
    """A new subscription with a fresh secret, returned in clear this once."""
    _require_admin(by)
    subscription = WebhookSubscription(
        name=_name(name),
        target_url=target_url_check(target_url),
        event_types=_event_types(event_types),
        is_active=is_active,
        organisation=_organisation(organisation_id),
        created_by=by,
    )
    secret = _set_secret(subscription)
    subscription.save()
    logger.info("webhook %s created by %s", subscription.pk, by.username)
    return IssuedSecret(subscription, secret)


@transaction.atomic
def webhook_update(*, webhook: WebhookSubscription, by: User, **changes: Any) -> WebhookSubscription:
    """Change what was given of name, target_url, event_types, is_active and organisation_id.

    Deliveries still waiting for a retry go to the new URL; switching the webhook off gives them up."""
    _require_admin(by)
    unknown = set(changes) - {"name", "target_url", "event_types", "is_active", "organisation_id"}
    if unknown:
        raise WebhookInvalid(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if "name" in changes:
        webhook.name = _name(changes["name"])
    if "target_url" in changes:
        webhook.target_url = target_url_check(changes["target_url"])
    if "event_types" in changes:
        webhook.event_types = _event_types(changes["event_types"])
    if "is_active" in changes:
        webhook.is_active = bool(changes["is_active"])
    if "organisation_id" in changes:
        webhook.organisation = _organisation(changes["organisation_id"])
    webhook.save()
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: WebhookSubscription, by: User) -> None:
    """Deletes the subscription with its delivery log; queued attempts find nothing to send."""
    _require_admin(by)
    logger.info("webhook %s deleted by %s", webhook.pk, by.username)
    webhook.delete()


@transaction.atomic
def webhook_secret_rotate(*, webhook: WebhookSubscription, by: User) -> IssuedSecret:
    """A new secret, returned in clear this once. The old one stops at once: every attempt from
    now on, retries of older deliveries included, is signed with the new one."""
    _require_admin(by)
    secret = _set_secret(webhook)
    webhook.save(update_fields=["secret_ciphertext", "secret_prefix", "updated_at"])
    logger.info("webhook %s: secret rotated by %s", webhook.pk, by.username)
    return IssuedSecret(webhook, secret)


# --- the outbox -------------------------------------------------------------------------------------


def _enqueue(deliveries: Sequence[WebhookDelivery]) -> None:
    """Queue one attempt per delivery. Called inside the transaction that wrote the rows."""
    ids = [delivery.pk for delivery in deliveries]
    if isinstance(webhook_deliver.get_backend(), DatabaseBackend):
        # The task rows go into the same database in the same transaction as the deliveries.
        for delivery_id in ids:
            webhook_deliver.enqueue(delivery_id)
        return

    # Any other backend (the tests' immediate one runs the task at once): only after the commit,
    # so that no attempt ever runs inside the transaction that wrote its delivery.
    def enqueue_all() -> None:
        for delivery_id in ids:
            webhook_deliver.enqueue(delivery_id)

    transaction.on_commit(enqueue_all)


def _queue(event_type: EventType, ticket_id: int, details: Callable[[Ticket], dict[str, Any]]) -> list[WebhookDelivery]:
    """One delivery of a new event to every active subscription of `event_type` that covers the
    ticket's organisation. Runs after the ticket's transaction committed, in the process that made
    the change: a few reads and inserts, never a request to a receiver."""
    candidates = [
        subscription
        for subscription in WebhookSubscription.objects.filter(is_active=True).only("id", "event_types", "organisation")
        if event_type in subscription.event_types
    ]
    if not candidates:
        return []
    ticket = Ticket.objects.select_related("organisation", "requester", "assignee").filter(pk=ticket_id).first()
    if ticket is None:
        return []
    subscribed = [s for s in candidates if s.organisation_id in (None, ticket.organisation_id)]
    if not subscribed:
        return []
    now = timezone.now()
    payload = envelope(event_type=event_type, data={"ticket": ticket_data(ticket), **details(ticket)}, created_at=now)
    with transaction.atomic():
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(
                subscription=subscription,
                event_type=event_type,
                event_id=payload["id"],
                payload=payload,
                next_attempt_at=now,
            )
            for subscription in subscribed
        )
        _enqueue(deliveries)
    return deliveries


def webhook_queue_ticket_created(*, ticket_id: int, channel: str) -> list[WebhookDelivery]:
    return _queue(EventType.TICKET_CREATED, ticket_id, lambda _ticket: {"channel": channel})


def webhook_queue_ticket_updated(*, ticket_id: int, actions: Iterable[str]) -> list[WebhookDelivery]:
    """Once per committed transaction that changed the ticket, with what happened in it (history
    actions). Not for the transaction that created the ticket (that is ticket.created), and not
    when the only change was an internal note."""
    actions = sorted(set(actions))
    if "created" in actions:
        return []
    shown = [action for action in actions if action not in INTERNAL_ACTIONS]
    if not shown:
        return []
    return _queue(EventType.TICKET_UPDATED, ticket_id, lambda _ticket: {"actions": shown})


def webhook_queue_ticket_commented(*, ticket_id: int, comment_id: int) -> list[WebhookDelivery]:
    """A public reply, with its text. An internal note is never sent (the event is for public
    replies only; the check guards against a wrong publisher)."""
    comment = Comment.objects.select_related("author").filter(pk=comment_id, ticket_id=ticket_id).first()
    if comment is None or comment.is_internal:
        return []
    return _queue(EventType.TICKET_COMMENTED, ticket_id, lambda _ticket: {"comment": comment_data(comment)})


def webhook_queue_ticket_status_changed(*, ticket_id: int, old: str, new: str) -> list[WebhookDelivery]:
    return _queue(EventType.TICKET_STATUS_CHANGED, ticket_id, lambda _ticket: {"old_status": old, "new_status": new})


def webhook_queue_ticket_sla_breached(*, ticket_id: int, deadline: str) -> list[WebhookDelivery]:
    """`deadline` names the missed deadline field ("first_response_due", "resolution_due",
    "next_update_due"); `deadline_at` is when it was."""

    def details(ticket: Ticket) -> dict[str, Any]:
        value = getattr(ticket, deadline, None)
        return {"deadline": deadline, "deadline_at": instant(value) if value is not None else None}

    return _queue(EventType.TICKET_SLA_BREACHED, ticket_id, details)


@transaction.atomic
def webhook_ping(*, webhook: WebhookSubscription, by: User) -> WebhookDelivery:
    """A test event to this one webhook (also while it is switched off), tried once."""
    _require_admin(by)
    now = timezone.now()
    payload = envelope(
        event_type=PING,
        data={
            "webhook": {"id": webhook.pk, "name": webhook.name, "event_types": list(webhook.event_types)},
            "message": "A test event from Tierdesk: this webhook is reachable and its signature can be checked.",
        },
        created_at=now,
    )
    delivery = WebhookDelivery.objects.create(
        subscription=webhook, event_type=PING, event_id=payload["id"], payload=payload, next_attempt_at=now
    )
    _enqueue([delivery])
    return delivery


@transaction.atomic
def webhook_delivery_redeliver(*, delivery: WebhookDelivery, by: User) -> WebhookDelivery:
    """The same event once more, as a new entry in the log (same event id and payload, so the
    receiver can tell a repeat), with the usual retries; also while the webhook is switched off."""
    _require_admin(by)
    again = WebhookDelivery.objects.create(
        subscription_id=delivery.subscription_id,
        event_type=delivery.event_type,
        event_id=delivery.event_id,
        payload=delivery.payload,
        redelivery_of=delivery,
        next_attempt_at=timezone.now(),
    )
    _enqueue([again])
    return again
