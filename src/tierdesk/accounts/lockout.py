"""Bridges django-axes' lock-out signal to our audit log.

A third-party library can only tell us through its signal; the handler is one call to the
audit writer, so no domain logic hides in it."""

from __future__ import annotations

from typing import Any

from tierdesk.accounts.audit import audit_record
from tierdesk.accounts.choices import AuditAction


def on_user_locked_out(
    sender: Any, request: Any = None, username: str | None = None, ip_address: str | None = None, **kwargs: Any
) -> None:
    audit_record(
        action=AuditAction.LOGIN_LOCKED,
        actor=None,
        target=f"username:{username or ''}",
        ip_address=ip_address,
    )
