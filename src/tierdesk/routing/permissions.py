"""Who may see and change presence and assignment policies, in one place for API, views and services."""

from __future__ import annotations

from typing import Any

from tierdesk.accounts.choices import AUTOMATION_USERNAME
from tierdesk.accounts.permissions import is_admin, is_case_manager, is_staff_member


def can_have_presence(user: Any) -> bool:
    """Staff who work tickets; the automation user never signs in, so it is never present."""
    return is_staff_member(user) and user.username != AUTOMATION_USERNAME


def can_see_presence(user: Any) -> bool:
    """Colleagues see who is available: every staff member."""
    return is_staff_member(user)


def can_set_presence(user: Any, agent: Any) -> bool:
    """Agents set their own; case managers and admins anyone's (e.g. someone who left unsigned)."""
    if not can_have_presence(agent):
        return False
    if getattr(user, "pk", None) is not None and user.pk == agent.pk:
        return can_have_presence(user)
    return is_case_manager(user)


def can_see_policies(user: Any) -> bool:
    """Staff may read how tickets are handed out."""
    return is_staff_member(user)


def can_manage_policies(user: Any) -> bool:
    return is_admin(user)
