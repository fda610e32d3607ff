"""HTTP endpoints of outbound webhooks (administrators only: everybody else gets 403 before an id
is looked at): the subscriptions, their secret (shown on create and rotate only), the delivery
log, redelivering one delivery and a test event.

Parse -> selector/service -> output schema; who may do what is decided by permissions and services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from tierdesk.accounts.api_auth import caller
from tierdesk.accounts.api_base import ERRORS, PageParams, paginate
from tierdesk.accounts.models import User
from tierdesk.webhooks.choices import EventType
from tierdesk.webhooks.errors import WebhookForbidden
from tierdesk.webhooks.permissions import can_manage_webhooks
from tierdesk.webhooks.schemas import (
    SECRET_CONTEXT_KEY,
    WebhookDeliveryDetailOut,
    WebhookDeliveryOut,
    WebhookDeliveryPage,
    WebhookEventTypeOut,
    WebhookIn,
    WebhookOut,
    WebhookPage,
    WebhookPatch,
    WebhookSecretOut,
)
from tierdesk.webhooks.selectors import delivery_get_for, delivery_list_for, webhook_get_for, webhook_list_for
from tierdesk.webhooks.services import (
    IssuedSecret,
    webhook_create,
    webhook_delete,
    webhook_delivery_redeliver,
    webhook_ping,
    webhook_secret_rotate,
    webhook_update,
)

router = Router(tags=["webhooks"])

WEBHOOK = {200: WebhookOut, **ERRORS}
QUEUED = {202: WebhookDeliveryOut, **ERRORS}


def _admin(request: HttpRequest) -> User:
    """The caller, if they may manage webhooks; 403 `webhook.forbidden` otherwise."""
    user = caller(request)
    if not can_manage_webhooks(user):
        raise WebhookForbidden(_("Only administrators may manage webhooks."))
    return user


def _with_secret(issued: IssuedSecret) -> WebhookSecretOut:
    return WebhookSecretOut.model_validate(issued.subscription, context={SECRET_CONTEXT_KEY: issued.secret})


@router.get("/webhooks", response={200: WebhookPage, **ERRORS}, summary="Webhooks (admins)")
def webhooks_list(request: HttpRequest, params: Query[PageParams]) -> Any:
    return paginate(webhook_list_for(user=_admin(request)), params)


@router.post(
    "/webhooks", response={201: WebhookSecretOut, **ERRORS}, summary="New webhook; the answer shows its secret once"
)
def webhooks_create(request: HttpRequest, payload: WebhookIn) -> Any:
    issued = webhook_create(by=_admin(request), **payload.model_dump())
    return Status(201, _with_secret(issued))


@router.get(
    "/webhooks/event-types", response={200: list[WebhookEventTypeOut], **ERRORS}, summary="Events to subscribe to"
)
def webhooks_event_types(request: HttpRequest) -> Any:
    _admin(request)
    return [{"type": value, "label": str(label)} for value, label in EventType.choices]


@router.get("/webhooks/{int:webhook_id}", response=WEBHOOK, summary="One webhook (admins)")
def webhooks_get(request: HttpRequest, webhook_id: int) -> Any:
    return webhook_get_for(user=_admin(request), webhook_id=webhook_id)


@router.patch("/webhooks/{int:webhook_id}", response=WEBHOOK, summary="Change a webhook (admins)")
def webhooks_update(request: HttpRequest, webhook_id: int, payload: WebhookPatch) -> Any:
    user = _admin(request)
    return webhook_update(webhook=webhook_get_for(user=user, webhook_id=webhook_id), by=user, **payload.changes())


@router.delete(
    "/webhooks/{int:webhook_id}", response={204: None, **ERRORS}, summary="Delete a webhook and its log (admins)"
)
def webhooks_delete(request: HttpRequest, webhook_id: int) -> Any:
    user = _admin(request)
    webhook_delete(webhook=webhook_get_for(user=user, webhook_id=webhook_id), by=user)
    return Status(204, None)


@router.post(
    "/webhooks/{int:webhook_id}/rotate-secret",
    response={200: WebhookSecretOut, **ERRORS},
    summary="A new secret, shown once; the old one stops at once (admins)",
)
def webhooks_rotate_secret(request: HttpRequest, webhook_id: int) -> Any:
    user = _admin(request)
    return _with_secret(webhook_secret_rotate(webhook=webhook_get_for(user=user, webhook_id=webhook_id), by=user))


@router.post("/webhooks/{int:webhook_id}/ping", response=QUEUED, summary="Send a test event (admins)")
def webhooks_ping(request: HttpRequest, webhook_id: int) -> Any:
    user = _admin(request)
    return Status(202, webhook_ping(webhook=webhook_get_for(user=user, webhook_id=webhook_id), by=user))


@router.get(
    "/webhooks/{int:webhook_id}/deliveries",
    response={200: WebhookDeliveryPage, **ERRORS},
    summary="The delivery log, newest first (admins)",
)
def webhooks_deliveries(request: HttpRequest, webhook_id: int, params: Query[PageParams]) -> Any:
    user = _admin(request)
    return paginate(delivery_list_for(user=user, webhook=webhook_get_for(user=user, webhook_id=webhook_id)), params)


@router.get(
    "/webhooks/{int:webhook_id}/deliveries/{int:delivery_id}",
    response={200: WebhookDeliveryDetailOut, **ERRORS},
    summary="One delivery with its payload and every attempt (admins)",
)
def webhooks_delivery(request: HttpRequest, webhook_id: int, delivery_id: int) -> Any:
    user = _admin(request)
    webhook = webhook_get_for(user=user, webhook_id=webhook_id)
    return delivery_get_for(user=user, webhook=webhook, delivery_id=delivery_id)


@router.post(
    "/webhooks/{int:webhook_id}/deliveries/{int:delivery_id}/redeliver",
    response=QUEUED,
    summary="Send the same event again, as a new delivery (admins)",
)
def webhooks_redeliver(request: HttpRequest, webhook_id: int, delivery_id: int) -> Any:
    user = _admin(request)
    delivery = delivery_get_for(
        user=user, webhook=webhook_get_for(user=user, webhook_id=webhook_id), delivery_id=delivery_id
    )
    return Status(202, webhook_delivery_redeliver(delivery=delivery, by=user))
