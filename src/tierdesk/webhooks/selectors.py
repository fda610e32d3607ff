"""Reads of webhooks and their delivery log for the people who manage them (administrators):
everybody else sees none, and an unknown id looks the same as a forbidden one."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from tierdesk.webhooks.errors import WebhookDeliveryNotFound, WebhookNotFound
from tierdesk.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from tierdesk.webhooks.permissions import can_manage_webhooks


def webhook_list_for(*, user: Any) -> QuerySet[WebhookSubscription]:
    if not can_manage_webhooks(user):
        return WebhookSubscription.objects.none()
    return WebhookSubscription.objects.select_related("organisation", "created_by").order_by("name", "id")


def webhook_get_for(*, user: Any, webhook_id: Any) -> WebhookSubscription:
    try:
        return webhook_list_for(user=user).get(pk=int(webhook_id))
    except (WebhookSubscription.DoesNotExist, ValueError, TypeError):
        raise WebhookNotFound(_("No such webhook.")) from None


def delivery_list_for(*, user: Any, webhook: WebhookSubscription) -> QuerySet[WebhookDelivery]:
    """The webhook's delivery log, newest first (index webhook_delivery_log_idx), without the
    payloads: the list shows the outcome, the detail the content."""
    if not can_manage_webhooks(user):
        return WebhookDelivery.objects.none()
    return WebhookDelivery.objects.filter(subscription=webhook).defer("payload").order_by("-created_at", "-id")


def delivery_get_for(*, user: Any, webhook: WebhookSubscription, delivery_id: Any) -> WebhookDelivery:
    """One delivery of the webhook, with its payload and every attempt."""
    if not can_manage_webhooks(user):
        raise WebhookDeliveryNotFound(_("No such delivery."))
    attempts = Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("number"))
    try:
        return WebhookDelivery.objects.prefetch_related(attempts).get(subscription=webhook, pk=int(delivery_id))
    except (WebhookDelivery.DoesNotExist, ValueError, TypeError):
        raise WebhookDeliveryNotFound(_("No such delivery.")) from None
