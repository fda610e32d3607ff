"""A receiver's signature check, exactly as docs/webhooks.md shows it (test_signing holds the two
equal), so the tests verify requests the way an integrator will."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Mapping

TOLERANCE_SECONDS = 300  # refuse requests signed more than 5 minutes ago (replays)


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None) -> bool:
    """Whether a request comes from Tierdesk. `headers` with lower-case names; `body` the raw bytes."""
    timestamp = headers.get("x-tierdesk-timestamp", "")
    signature = headers.get("x-tierdesk-signature", "")
    if not timestamp.isdigit() or abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return hmac.compare_digest("sha256=" + expected.hexdigest(), signature)
