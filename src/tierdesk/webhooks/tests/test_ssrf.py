"""Server-side request forgery (security catalogue B8): with TIERDESK_WEBHOOKS_ALLOW_PRIVATE off
(the default), a webhook cannot be pointed at loopback, private, link-local, shared or reserved
addresses, in any spelling, nor at anything but http(s); and a URL that was allowed when
subscribed is checked again at every attempt, before any connection."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tierdesk.accounts.tests.api_support import client_for, send
from tierdesk.webhooks.choices import DeliveryStatus
from tierdesk.webhooks.errors import WebhookUrlRefused
from tierdesk.webhooks.models import WebhookDelivery, WebhookSubscription
from tierdesk.webhooks.sending import webhook_delivery_attempt
from tierdesk.webhooks.services import target_url_check, webhook_create
from tierdesk.webhooks.tests.receiver import Receiver

REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.0.0.1:8000/api/v1/tickets",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped IPv6
    "http://[::ffff:a00:1]/hook",  # 10.0.0.1, mapped
    "http://[64:ff9b::a9fe:a9fe]/hook",  # 169.254.169.254 through NAT64
    "http://2130706433/hook",  # 127.0.0.1 as one decimal number
    "http://0x7f000001/hook",  # ... as hexadecimal
    "http://0177.0.0.1/hook",  # ... with an octal first part
    "http://127.1/hook",  # ... shortened
    "http://0.0.0.0/hook",
    "http://10.1.2.3/hook",
    "http://172.16.5.4/hook",
    "http://192.168.1.10/hook",
    "http://100.64.0.1/hook",  # shared address space (carrier-grade NAT)
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://224.0.0.1/hook",
    "http://192.0.2.10/hook",  # documentation range: reserved, not public
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_INFO",
    "ftp://files.example.org/",
    "javascript:alert(1)",
    "http://user:password@hooks.example.org/",  # credentials in the URL
    "http:///hook",  # no host
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_target_inside_the_network_is_refused_when_subscribing(personas: Any, url: str) -> None:
    with pytest.raises(WebhookUrlRefused) as refused:
        webhook_create(by=personas.admin, name="Probe", target_url=url, event_types=["ticket.created"])
    assert (refused.value.code, refused.value.field) == ("webhook.url_refused", "target_url")
    assert WebhookSubscription.objects.count() == 0


@pytest.mark.parametrize("url", ["http://127.0.0.1/hook", "http://[::1]/hook", "http://169.254.169.254/"])
def test_the_api_refuses_it_with_422(personas: Any, url: str) -> None:
    body = {"name": "Probe", "target_url": url, "event_types": ["ticket.created"]}
    response = send(client_for(personas.admin), "POST", "/webhooks", body)
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (
        422,
        "webhook.url_refused",
        "target_url",
    )


@pytest.mark.parametrize("url", ["https://1.2.3.4/hooks/tierdesk", "http://[2a02:c0::1]:8443/in?x=1"])
def test_a_public_address_is_accepted(url: str) -> None:
    assert target_url_check(f"  {url} ") == url


def test_allowing_private_targets_lets_a_receiver_inside_the_network_be_subscribed(settings: Any) -> None:
    settings.TIERDESK_WEBHOOKS_ALLOW_PRIVATE = True
    assert target_url_check("http://127.0.0.1:9000/hook") == "http://127.0.0.1:9000/hook"
    # only http and https, even so
    with pytest.raises(WebhookUrlRefused):
        target_url_check("file:///etc/passwd")


def test_the_address_is_checked_again_at_every_attempt(
    personas: Any, make_webhook: Any, receiver: Receiver, settings: Any, committed: Any
) -> None:
    # given a webhook to the loopback receiver, subscribed while private targets were allowed
    subscription = make_webhook(event_types=["ticket.created"]).subscription
    delivery = WebhookDelivery.objects.create(
        subscription=subscription,
        event_type="ticket.created",
        event_id="8d6f6f0e-7c1b-4c55-9d43-3f0a4a1e2b10",
        payload={"type": "ticket.created"},
        next_attempt_at=timezone.now(),
    )
    # when they are no longer allowed and the delivery is attempted
    settings.TIERDESK_WEBHOOKS_ALLOW_PRIVATE = False
    outcome = webhook_delivery_attempt(delivery_id=delivery.pk)
    # then no connection was made, and the refusal is in the log (retried: DNS may change)
    assert outcome.result == DeliveryStatus.FAILED
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.error == "refused: 127.0.0.1 resolves to 127.0.0.1, an address inside the network"
    assert delivery.response_status is None
