"""Error codes of the webhooks domain; tests assert these codes, not messages."""

from __future__ import annotations

from tierdesk.core.errors import Forbidden, NotFound, ValidationFailed


class WebhookForbidden(Forbidden):
    code = "webhook.forbidden"


class WebhookNotFound(NotFound):
    code = "webhook.not_found"


class WebhookDeliveryNotFound(NotFound):
    code = "webhook.delivery_not_found"


class WebhookInvalid(ValidationFailed):
    code = "webhook.invalid"


class WebhookUrlRefused(ValidationFailed):
    """The target URL is not http(s), does not resolve, or resolves to an address inside the network."""

    code = "webhook.url_refused"
