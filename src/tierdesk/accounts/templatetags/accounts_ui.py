"""Template filters of the accounts pages (presentation only)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template

from tierdesk.accounts.permissions import can_unlock_logins

register = template.Library()


@register.filter
def whole_minutes(value: timedelta | None) -> int:
    """A duration as whole minutes, rounded up: "locked for 15 minutes", never "14.99"."""
    if value is None:
        return 0
    seconds = int(value.total_seconds())
    return max(0, -(-seconds // 60))


@register.filter
def may_unlock_logins(user: Any) -> bool:
    """Whether to show the lock-out page in the navigation (the view checks again)."""
    return can_unlock_logins(user)
