"""The signing scheme of webhook requests (docs/webhooks.md shows a receiver's check).

The signature is HMAC-SHA256, keyed with the subscription's secret, over "<timestamp>.<body>":
the timestamp is signed too, so a receiver that refuses old timestamps also refuses replays of a
captured request. Pure functions: no database, no clock of their own."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

SECRET_PREFIX = "whsec_"  # noqa: S105 -- the marker in front of every secret, not a secret
# How much of a secret is kept in clear to tell secrets apart ("whsec_3fZ…").
SHOWN_PREFIX_LENGTH = 10
USER_AGENT = "Tierdesk-Webhook/1"


def new_secret() -> str:
    """256 random bits, URL-safe, with a prefix that says what it is when it turns up in a log."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def shown_prefix(secret: str) -> str:
    return secret[:SHOWN_PREFIX_LENGTH]


def payload_body(payload: dict[str, Any]) -> bytes:
    """The request body: compact JSON with sorted keys, so every attempt of a delivery sends the
    same bytes whichever database stored the payload (PostgreSQL's jsonb does not keep key order)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The X-Tierdesk-Signature value: "sha256=" and the hex HMAC of "<timestamp>.<body>"."""
    digest = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def request_headers(*, secret: str, event_type: str, delivery_id: int, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Tierdesk-Event": event_type,
        "X-Tierdesk-Delivery": str(delivery_id),
        "X-Tierdesk-Timestamp": str(timestamp),
        "X-Tierdesk-Signature": signature(secret=secret, timestamp=timestamp, body=body),
    }
