"""The signing scheme, as a receiver checks it: the documented snippet is the tests' own check,
a signature holds only for its secret, timestamp and exact bytes, and old timestamps are refused."""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

import pytest

from tierdesk.webhooks.signing import SECRET_PREFIX, new_secret, payload_body, request_headers, signature
from tierdesk.webhooks.tests import signature as receiver_check
from tierdesk.webhooks.tests.signature import verify

DOCS = Path(__file__).resolve().parents[4] / "docs" / "webhooks.md"
SECRET = "whsec_kGq5tL2vX9yZ0aB1cD3eF4gH5iJ6kL7mN8oP9qR0sT1"
NOW = 1_795_431_600


def lower(headers: dict[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def test_the_documented_snippet_is_the_check_the_tests_use() -> None:
    documented = re.search(r"### Verifying a request.*?```python\n(.*?)```", DOCS.read_text(), re.DOTALL)
    assert documented is not None
    source = Path(receiver_check.__file__).read_text()
    assert documented.group(1) == source[source.index("import hashlib") :]


def test_the_signature_is_the_hmac_of_timestamp_dot_body() -> None:
    body = payload_body({"type": "ping", "id": "e1", "data": {"message": "Grüße"}})
    assert body == '{"data":{"message":"Grüße"},"id":"e1","type":"ping"}'.encode()
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + body, hashlib.sha256).hexdigest()
    assert signature(secret=SECRET, timestamp=NOW, body=body) == f"sha256={expected}"


def test_a_receiver_accepts_the_request_and_nothing_altered() -> None:
    body = payload_body({"type": "ticket.created", "id": "e2", "data": {"ticket": {"number": 100042}}})
    headers = lower(
        request_headers(secret=SECRET, event_type="ticket.created", delivery_id=9, timestamp=NOW, body=body)
    )
    assert headers["x-tierdesk-event"] == "ticket.created"
    assert headers["x-tierdesk-delivery"] == "9"
    assert verify(SECRET, headers, body, now=NOW + 10)
    # another secret, another body, another timestamp: refused
    assert not verify(SECRET + "x", headers, body, now=NOW)
    assert not verify(SECRET, headers, body.replace(b"100042", b"100043"), now=NOW)
    assert not verify(SECRET, {**headers, "x-tierdesk-timestamp": str(NOW + 1)}, body, now=NOW)
    assert not verify(SECRET, {**headers, "x-tierdesk-signature": ""}, body, now=NOW)
    assert not verify(SECRET, {"x-tierdesk-signature": headers["x-tierdesk-signature"]}, body, now=NOW)


@pytest.mark.parametrize(("age", "accepted"), [(0, True), (300, True), (301, False), (-301, False), (86_400, False)])
def test_old_or_future_timestamps_are_refused(age: int, accepted: bool) -> None:
    body = b"{}"
    headers = lower(request_headers(secret=SECRET, event_type="ping", delivery_id=1, timestamp=NOW, body=body))
    assert verify(SECRET, headers, body, now=NOW + age) is accepted


def test_secrets_are_random_and_marked() -> None:
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(secret.startswith(SECRET_PREFIX) and len(secret) >= 48 for secret in secrets)
