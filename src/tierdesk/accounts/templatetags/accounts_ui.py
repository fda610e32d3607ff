"""Template filters of the accounts pages (presentation only)."""

from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def whole_minutes(value: timedelta | None) -> int:
    """A duration as whole minutes, rounded up: "locked for 15 minutes", never "14.99"."""
    if value is None:
        return 0
    seconds = int(value.total_seconds())
    return max(0, -(-seconds // 60))
