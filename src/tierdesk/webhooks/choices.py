"""Enumerations of the webhooks domain (string values, stable in the API and in the payloads)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EventType(models.TextChoices):
    """What a subscription can listen to; the value is the `type` of the payload and the
    X-Tierdesk-Event header. Calls, chats and alerts join when their apps exist (ADR 0007)."""

    TICKET_CREATED = "ticket.created", _("Ticket created")
    TICKET_UPDATED = "ticket.updated", _("Ticket updated")
    TICKET_COMMENTED = "ticket.commented", _("Public reply added")
    TICKET_STATUS_CHANGED = "ticket.status_changed", _("Ticket status changed")
    TICKET_SLA_BREACHED = "ticket.sla_breached", _("SLA deadline missed")


# The test event of POST /webhooks/{id}/ping: sent to one subscription on request, never subscribed to.
PING = "ping"


class DeliveryStatus(models.TextChoices):
    PENDING = (
        "pending",
        pgettext_lazy("webhook delivery", "Pending"),
    )  # not tried yet, or being tried for the first time
    FAILED = "failed", _("Failed, will retry")  # the last attempt failed; next_attempt_at says when
    SUCCEEDED = "succeeded", _("Succeeded")  # a 2xx answer
    GAVE_UP = "gave_up", _("Gave up")  # every attempt failed, or the subscription was switched off


OPEN_STATUSES = frozenset({DeliveryStatus.PENDING, DeliveryStatus.FAILED})
