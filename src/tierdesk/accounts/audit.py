"""Audit rows for security-relevant events; keyword-only, one function for every writer."""

from __future__ import annotations

from typing import Any

from tierdesk.accounts.choices import AuditAction
from tierdesk.accounts.models import AuditEntry, User


def audit_record(
    *,
    action: AuditAction,
    actor: User | None,
    target: str = "",
    ip_address: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        target=target[:200],
        ip_address=ip_address or None,
        detail=detail or {},
    )
