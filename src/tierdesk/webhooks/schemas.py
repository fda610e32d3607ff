"""Input and output shapes of the webhooks API (administrators). The payloads the webhooks send
are documented in docs/webhooks.md; `WebhookEventTypeOut` lists the events."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from ninja import Field, Schema

from tierdesk.accounts.api_base import OutSchema, PatchSchema
from tierdesk.webhooks.models import WebhookDelivery, WebhookSubscription

EVENTS_HELP = "The events to send: ticket.created, ticket.updated, ticket.commented, ticket.status_changed, " + (
    "ticket.sla_breached (GET /webhooks/event-types)"
)
URL_HELP = (
    "Where to POST: http or https; a host that resolves to a loopback, private or link-local address "
    "is refused (unless the server allows it)"
)
ORGANISATION_HELP = "Only events of this organisation's tickets; null: every organisation"
STATUS_HELP = "pending, failed (will retry at next_attempt_at), succeeded or gave_up"

Name = Annotated[str, Field(max_length=200)]
Url = Annotated[str, Field(max_length=2000, description=URL_HELP)]
EventName = Annotated[str, Field(max_length=40)]


class WebhookOut(OutSchema):
    id: int
    name: str
    target_url: str
    event_types: list[str] = Field(description=EVENTS_HELP)
    is_active: bool
    organisation_id: int | None = Field(description=ORGANISATION_HELP)
    organisation_name: str | None
    secret_prefix: str = Field(
        description="The start of the secret, to tell secrets apart; the secret itself is "
        "shown only when created or rotated"
    )
    created_by: str | None = Field(description="User name of the administrator who created it")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_organisation_name(obj: WebhookSubscription) -> str | None:
        return obj.organisation.name if obj.organisation is not None else None

    @staticmethod
    def resolve_created_by(obj: WebhookSubscription) -> str | None:
        return obj.created_by.username if obj.created_by is not None else None


# The key of the validation context that carries a secret in clear (see WebhookSecretOut).
SECRET_CONTEXT_KEY = "secret"  # noqa: S105 -- a dictionary key, not a secret


class WebhookSecretOut(WebhookOut):
    """A webhook with its secret, built with `model_validate(subscription, context={SECRET_CONTEXT_KEY: ...})`:
    the secret is never read from the row (it is stored encrypted), only handed over once."""

    secret: str = Field(
        description="The signing secret, shown this once: keep it in the receiver, it cannot be read again"
    )

    @staticmethod
    def resolve_secret(obj: WebhookSubscription, context: dict[str, Any]) -> str:
        return str(context[SECRET_CONTEXT_KEY])


class WebhookPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[WebhookOut]


class WebhookIn(Schema):
    name: Name
    target_url: Url
    event_types: list[EventName] = Field(min_length=1, max_length=20, description=EVENTS_HELP)
    is_active: bool = True
    organisation_id: int | None = Field(None, description=ORGANISATION_HELP)


class WebhookPatch(PatchSchema):
    nullable = frozenset({"organisation_id"})

    name: Name | None = None
    target_url: Url | None = None
    event_types: list[EventName] | None = Field(None, min_length=1, max_length=20, description=EVENTS_HELP)
    is_active: bool | None = None
    organisation_id: int | None = Field(None, description=ORGANISATION_HELP)


class WebhookDeliveryOut(OutSchema):
    id: int = Field(description="Also sent as X-Tierdesk-Delivery")
    event_type: str
    event_id: UUID = Field(description="The payload's id: the same for every delivery of one event")
    status: str = Field(description=STATUS_HELP)
    attempt_count: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    response_status: int | None = Field(description="HTTP status of the last answer")
    response_body: str = Field(description="The first 2048 bytes of the last answer")
    error: str = Field(description="Why the last attempt failed")
    duration_ms: int | None
    redelivery_of: int | None = Field(description="The delivery this one repeats")
    created_at: datetime
    delivered_at: datetime | None

    @staticmethod
    def resolve_redelivery_of(obj: WebhookDelivery) -> int | None:
        return obj.redelivery_of_id


class WebhookDeliveryPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[WebhookDeliveryOut]


class WebhookAttemptOut(Schema):
    number: int
    started_at: datetime
    response_status: int | None
    response_body: str
    error: str
    duration_ms: int


class WebhookDeliveryDetailOut(WebhookDeliveryOut):
    payload: dict[str, Any] = Field(description="The JSON body sent (docs/webhooks.md)")
    attempts: list[WebhookAttemptOut]

    @staticmethod
    def resolve_attempts(obj: WebhookDelivery) -> list[Any]:
        return list(obj.attempts.all())


class WebhookEventTypeOut(Schema):
    type: str
    label: str
