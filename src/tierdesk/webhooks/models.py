"""Webhook subscriptions, their deliveries (one per event and subscription: the log) and every
attempt at a delivery with the receiver's answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tierdesk.accounts.models import Organisation
from tierdesk.core.models import TimeStampedModel
from tierdesk.webhooks.choices import DeliveryStatus


class WebhookSubscription(TimeStampedModel):
    """Another system's URL that receives the events it subscribed to, signed with its secret.

    The secret is stored encrypted (Fernet, like the access notes), because signing needs it
    back; it is shown once, when created or rotated. `secret_prefix` tells secrets apart."""

    name = models.CharField(_("name"), max_length=200)
    target_url = models.URLField(_("target URL"), max_length=2000)
    secret_ciphertext = models.BinaryField(editable=False)
    secret_prefix = models.CharField(max_length=16, editable=False)
    event_types = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    # Only events of this customer's tickets; none: every organisation. Deleting the organisation
    # deletes the subscription: a filter that loses its organisation must not widen to all.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event for one subscription, and how far its delivery got.

    `event_id` names the event, the same for every subscription and every redelivery of it, so
    that receivers can drop duplicates. A run claims an attempt by setting `claimed_until` (a
    lease) in a conditional update, POSTs outside any transaction, then records the answer only
    while the claim is still its own; a claim whose lease ran out belongs to a killed run and is
    taken over (webhooks/sending.py, ADR 0007)."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event_type = models.CharField(max_length=40)
    event_id = models.UUIDField()
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    # When the next attempt may run; null once the delivery succeeded or was given up.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # The answer to the last attempt: status, the start of the body, or why there was none.
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # Set on a delivery an administrator asked for again: the same event, a new log entry.
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="redeliveries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [
            # The delivery log of one subscription, newest first.
            models.Index(fields=["subscription", "-created_at", "-id"], name="webhook_delivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} to webhook {self.subscription_id}: {self.status}"


class WebhookAttempt(models.Model):
    """One POST of a delivery and what came back (or why nothing did)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField()

    class Meta:
        ordering = ["delivery_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_delivery_number_unique")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"
