"""The webhooks API, /api/v1/webhooks: a role matrix per endpoint (administrators only; everybody
else 403 before an id is looked at), the secret shown on create and rotate only, validation
codes, the delivery log (newest first, paginated, with a query ceiling), a delivery's attempts,
redelivery and the test event against a real receiver, and the OpenAPI document."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from tierdesk.accounts.tests.api_support import ROLES, client_for, send, token_client
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.webhooks.models import WebhookDelivery, WebhookSubscription
from tierdesk.webhooks.services import IssuedSecret, webhook_ping
from tierdesk.webhooks.tests.receiver import Receiver, Reply
from tierdesk.webhooks.tests.signature import verify

DUMMY_QUEUE = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def issued(make_webhook: Callable[..., IssuedSecret]) -> IssuedSecret:
    return make_webhook(event_types=["ticket.created", "ticket.commented"])


@pytest.fixture
def delivery(personas: Any, issued: IssuedSecret) -> WebhookDelivery:
    """A ping in the log, left pending (the dummy queue keeps its task)."""
    with override_settings(TASKS=DUMMY_QUEUE):
        return webhook_ping(webhook=issued.subscription, by=personas.admin)


def rows() -> list[tuple[Any, ...]]:
    subscriptions = WebhookSubscription.objects.order_by("id").values_list(
        "id", "name", "target_url", "event_types", "is_active", "organisation_id", "secret_ciphertext"
    )
    deliveries = WebhookDelivery.objects.order_by("id").values_list("id", "status", "attempt_count")
    return [*((*row[:-1], bytes(row[-1])) for row in subscriptions), *deliveries]


def admin_only(who: str, success: int) -> int:
    return {"anonymous": 401, "admin": success}.get(who, 403)


# --- the role matrix ---------------------------------------------------------------------------------

# (method, path with {id} and {delivery} for the fixtures, body, status for the admin)
ENDPOINTS: list[tuple[str, str, Any, int]] = [
    ("GET", "/webhooks", None, 200),
    ("POST", "/webhooks", {"name": "Board sync", "target_url": "{url}", "event_types": ["ticket.created"]}, 201),
    ("GET", "/webhooks/event-types", None, 200),
    ("GET", "/webhooks/{id}", None, 200),
    ("PATCH", "/webhooks/{id}", {"is_active": False}, 200),
    ("DELETE", "/webhooks/{id}", None, 204),
    ("POST", "/webhooks/{id}/rotate-secret", None, 200),
    ("POST", "/webhooks/{id}/ping", None, 202),
    ("GET", "/webhooks/{id}/deliveries", None, 200),
    ("GET", "/webhooks/{id}/deliveries/{delivery}", None, 200),
    ("POST", "/webhooks/{id}/deliveries/{delivery}/redeliver", None, 202),
]


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "success"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS])
def test_every_endpoint_is_for_admins_only(
    personas: Any,
    issued: IssuedSecret,
    delivery: WebhookDelivery,
    receiver: Receiver,
    who: str,
    method: str,
    path: str,
    body: Any,
    success: int,
) -> None:
    # given
    before = rows()
    if body is not None:
        body = json.loads(json.dumps(body).replace("{url}", receiver.url))
    # when
    with override_settings(TASKS=DUMMY_QUEUE):
        response = send(
            client_for(getattr(personas, who)),
            method,
            path.format(id=issued.subscription.pk, delivery=delivery.pk),
            body,
        )
    # then
    expected = admin_only(who, success)
    assert response.status_code == expected, response.content
    if expected != success:
        assert rows() == before
        assert response.json()["code"] == ("auth.required" if who == "anonymous" else "webhook.forbidden")


@pytest.mark.parametrize("who", ["agent_l1", "case_manager", "customer_admin_a"])
def test_others_are_refused_before_the_id_is_looked_at(personas: Any, who: str) -> None:
    response = send(client_for(getattr(personas, who)), "GET", "/webhooks/999999/deliveries")
    assert (response.status_code, response.json()["code"]) == (403, "webhook.forbidden")


def test_unknown_ids_are_404_for_admins(personas: Any, issued: IssuedSecret) -> None:
    client = client_for(personas.admin)
    for method in ("GET", "PATCH", "DELETE"):
        response = send(client, method, "/webhooks/999999", {} if method == "PATCH" else None)
        assert (response.status_code, response.json()["code"]) == (404, "webhook.not_found")
    own = issued.subscription.pk
    for method, path in (
        ("GET", f"/webhooks/{own}/deliveries/999999"),
        ("POST", f"/webhooks/{own}/deliveries/9/redeliver"),
    ):
        response = send(client, method, path)
        assert (response.status_code, response.json()["code"]) == (404, "webhook.delivery_not_found")


def test_a_delivery_of_another_webhook_is_not_found_under_this_one(
    personas: Any, make_webhook: Callable[..., IssuedSecret], delivery: WebhookDelivery
) -> None:
    other = make_webhook(name="Other").subscription
    response = send(client_for(personas.admin), "GET", f"/webhooks/{other.pk}/deliveries/{delivery.pk}")
    assert (response.status_code, response.json()["code"]) == (404, "webhook.delivery_not_found")


def test_an_admin_token_works_and_an_agent_token_does_not(personas: Any, issued: IssuedSecret) -> None:
    assert send(token_client(personas.admin), "GET", "/webhooks").status_code == 200
    assert send(token_client(personas.agent_l1), "GET", "/webhooks").status_code == 403


# --- the secret --------------------------------------------------------------------------------------


def test_the_secret_is_shown_on_create_and_never_again(personas: Any, receiver: Receiver) -> None:
    client = client_for(personas.admin)
    # when an admin creates a webhook
    created = send(
        client,
        "POST",
        "/webhooks",
        {
            "name": "Status board",
            "target_url": receiver.url,
            "event_types": ["ticket.created", "ticket.created", "ticket.sla_breached"],
            "organisation_id": personas.org_a.pk,
        },
    )
    # then the answer holds the secret, once
    assert created.status_code == 201
    body = created.json()
    secret = body.pop("secret")
    assert secret.startswith("whsec_")
    assert len(secret) > 40
    assert body == {
        "id": body["id"],
        "name": "Status board",
        "target_url": receiver.url,
        "event_types": ["ticket.created", "ticket.sla_breached"],
        "is_active": True,
        "organisation_id": personas.org_a.pk,
        "organisation_name": "Harbour Freight Systems",
        "secret_prefix": secret[:10],
        "created_by": "admin",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    # and neither the list, nor the detail, nor a change shows it again
    webhook_id = body["id"]
    for response in (
        send(client, "GET", "/webhooks"),
        send(client, "GET", f"/webhooks/{webhook_id}"),
        send(client, "PATCH", f"/webhooks/{webhook_id}", {"name": "Status board 2"}),
    ):
        assert response.status_code == 200
        assert secret not in response.content.decode()
        assert "secret" not in (response.json()["items"][0] if "items" in response.json() else response.json())


def test_rotating_gives_a_new_secret_that_signs_from_then_on(
    personas: Any, issued: IssuedSecret, receiver: Receiver, committed: Any
) -> None:
    client = client_for(personas.admin)
    # when the secret is rotated
    rotated = send(client, "POST", f"/webhooks/{issued.subscription.pk}/rotate-secret")
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != issued.secret
    assert rotated.json()["secret_prefix"] == new_secret[:10]
    # then the next request is signed with the new secret and not with the old one
    with committed():
        assert send(client, "POST", f"/webhooks/{issued.subscription.pk}/ping").status_code == 202
    (request,) = receiver.requests
    assert verify(new_secret, request.headers, request.body)
    assert not verify(issued.secret, request.headers, request.body)


# --- validation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"event_types": ["ticket.deleted"]}, "webhook.invalid", "event_types"),
        ({"event_types": []}, "invalid", "event_types"),
        ({"name": "   "}, "webhook.invalid", "name"),
        ({"organisation_id": 999999}, "webhook.invalid", "organisation_id"),
        ({"target_url": "ftp://files.example.org/in"}, "webhook.url_refused", "target_url"),
        ({"target_url": "not a url"}, "webhook.url_refused", "target_url"),
        ({"target_url": "https://" + "a" * 2000 + ".example.org/"}, "invalid", "target_url"),
    ],
)
def test_bad_input_is_refused_with_its_code(
    personas: Any, receiver: Receiver, change: dict[str, Any], code: str, field: str
) -> None:
    body = {"name": "Board", "target_url": receiver.url, "event_types": ["ticket.created"], **change}
    response = send(client_for(personas.admin), "POST", "/webhooks", body)
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert WebhookSubscription.objects.count() == 0


def test_a_change_keeps_what_was_not_sent_and_null_lifts_the_organisation_filter(
    personas: Any, make_webhook: Callable[..., IssuedSecret]
) -> None:
    webhook = make_webhook(organisation_id=personas.org_a.pk).subscription
    client = client_for(personas.admin)
    response = send(client, "PATCH", f"/webhooks/{webhook.pk}", {"organisation_id": None, "is_active": False})
    assert response.status_code == 200
    assert (response.json()["organisation_id"], response.json()["is_active"]) == (None, False)
    assert response.json()["name"] == webhook.name
    refused = send(client, "PATCH", f"/webhooks/{webhook.pk}", {"name": None})
    assert (refused.status_code, refused.json()["code"]) == (422, "invalid")
    unknown = send(client, "PATCH", f"/webhooks/{webhook.pk}", {"secret": "mine"})
    assert unknown.status_code == 422


def test_deleting_a_webhook_deletes_its_log(personas: Any, issued: IssuedSecret, delivery: WebhookDelivery) -> None:
    response = send(client_for(personas.admin), "DELETE", f"/webhooks/{issued.subscription.pk}")
    assert response.status_code == 204
    assert not WebhookSubscription.objects.exists()
    assert not WebhookDelivery.objects.exists()


# --- the delivery log ---------------------------------------------------------------------------------


def test_the_log_lists_newest_first_in_pages_within_a_query_ceiling(
    personas: Any, issued: IssuedSecret, receiver: Receiver
) -> None:
    # given 12 deliveries (pings) in the log
    with override_settings(TASKS=DUMMY_QUEUE):
        made = [webhook_ping(webhook=issued.subscription, by=personas.admin) for _ in range(12)]
    client = client_for(personas.admin)
    path = f"/webhooks/{issued.subscription.pk}/deliveries"
    # when the first page of five is read
    with assert_max_queries(6):
        page = send(client, "GET", f"{path}?limit=5")
    # then it holds the five newest, and says how many there are
    assert page.status_code == 200
    body = page.json()
    assert (body["count"], body["limit"], body["offset"]) == (12, 5, 0)
    assert [item["id"] for item in body["items"]] == [d.pk for d in reversed(made)][:5]
    assert "payload" not in body["items"][0]
    # and the last page the two oldest
    last = send(client, "GET", f"{path}?limit=5&offset=10").json()
    assert [item["id"] for item in last["items"]] == [made[1].pk, made[0].pk]
    # and a page of all twelve costs no more queries than one of five
    with assert_max_queries(6):
        assert len(send(client, "GET", f"{path}?limit=50").json()["items"]) == 12


def test_a_ping_is_sent_and_its_attempt_is_in_the_log(
    personas: Any, issued: IssuedSecret, receiver: Receiver, committed: Any
) -> None:
    client = client_for(personas.admin)
    # given a receiver that answers 401 (it does not know the secret yet)
    receiver.answer(Reply(401, b"bad signature"))
    # when the admin sends the test event
    with committed():
        queued = send(client, "POST", f"/webhooks/{issued.subscription.pk}/ping")
    assert queued.status_code == 202
    assert (queued.json()["event_type"], queued.json()["status"]) == ("ping", "pending")
    # then the receiver got the ping, signed
    (request,) = receiver.requests
    assert request.headers["x-tierdesk-event"] == "ping"
    assert verify(issued.secret, request.headers, request.body)
    payload = json.loads(request.body)
    assert payload["type"] == "ping"
    assert payload["data"]["webhook"] == {
        "id": issued.subscription.pk,
        "name": "Service board sync",
        "event_types": ["ticket.created", "ticket.commented"],
    }
    # and the delivery shows the answer; a ping is tried once, so it gave up
    detail = send(client, "GET", f"/webhooks/{issued.subscription.pk}/deliveries/{queued.json()['id']}").json()
    assert (detail["status"], detail["attempt_count"], detail["next_attempt_at"]) == ("gave_up", 1, None)
    assert (detail["response_status"], detail["response_body"]) == (401, "bad signature")
    assert detail["payload"] == payload
    assert [(a["number"], a["response_status"], a["error"]) for a in detail["attempts"]] == [
        (1, 401, "the receiver answered HTTP 401")
    ]


def test_a_redelivery_sends_the_same_event_as_a_new_entry(
    personas: Any, issued: IssuedSecret, receiver: Receiver, committed: Any
) -> None:
    client = client_for(personas.admin)
    # given a ticket.created delivery that the receiver refused
    receiver.answer(Reply(500))
    with committed():
        send(client_for(personas.customer_a), "POST", "/tickets", {"subject": "Docking station has no power"})
    (first,) = WebhookDelivery.objects.all()
    assert first.status == "failed"
    # when the admin redelivers it
    with committed():
        response = send(client, "POST", f"/webhooks/{issued.subscription.pk}/deliveries/{first.pk}/redeliver")
    # then a new delivery of the same event went out, and the log shows both
    assert response.status_code == 202
    again = WebhookDelivery.objects.get(pk=response.json()["id"])
    assert (again.event_id, again.payload, again.redelivery_of_id) == (first.event_id, first.payload, first.pk)
    assert again.status == "succeeded"
    original, repeat = receiver.requests
    assert original.body == repeat.body
    assert repeat.headers["x-tierdesk-delivery"] == str(again.pk)
    log = send(client, "GET", f"/webhooks/{issued.subscription.pk}/deliveries").json()
    assert [(item["id"], item["redelivery_of"]) for item in log["items"]] == [(again.pk, first.pk), (first.pk, None)]


def test_the_event_types_are_listed(personas: Any) -> None:
    response = send(client_for(personas.admin), "GET", "/webhooks/event-types")
    assert [item["type"] for item in response.json()] == [
        "ticket.created",
        "ticket.updated",
        "ticket.commented",
        "ticket.status_changed",
        "ticket.sla_breached",
    ]


def test_the_openapi_document_describes_the_webhooks(personas: Any) -> None:
    schema = client_for(personas.admin).get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/webhooks",
        "/api/v1/webhooks/{webhook_id}",
        "/api/v1/webhooks/{webhook_id}/rotate-secret",
        "/api/v1/webhooks/{webhook_id}/ping",
        "/api/v1/webhooks/{webhook_id}/deliveries",
        "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}",
        "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    ):
        assert path in paths, path
    assert "secret" in schema["components"]["schemas"]["WebhookSecretOut"]["properties"]
    assert "secret" not in schema["components"]["schemas"]["WebhookOut"]["properties"]
