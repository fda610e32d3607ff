"""Template filters of the custom fields pages (presentation only)."""

from __future__ import annotations

from typing import Any

from django import template

from tierdesk.tickets.permissions import can_manage_custom_fields

register = template.Library()


@register.filter
def may_manage_custom_fields(user: Any) -> bool:
    """Whether to show the custom fields page in the navigation (the views check again)."""
    return can_manage_custom_fields(user)
