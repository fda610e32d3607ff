"""Who may manage calendars (admins) and who may use their arithmetic (staff members)."""

from __future__ import annotations

from typing import Any

from tierdesk.accounts.permissions import is_admin, is_staff_member


def can_manage_calendars(user: Any) -> bool:
    """Read, create, change and delete calendars: admins."""
    return is_admin(user)


def can_use_calendars(user: Any) -> bool:
    """Ask a calendar for business minutes (integrations, checking a calendar): staff members."""
    return is_staff_member(user)
