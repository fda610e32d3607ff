"""Who may see and change saved views: staff only. A personal view is its owner's alone; a
shared one is listed for every staff member, and only its owner or an administrator changes it."""

from __future__ import annotations

from typing import Any

from tierdesk.accounts.permissions import is_admin, is_staff_member
from tierdesk.tickets.models import SavedView


def can_use_saved_views(user: Any) -> bool:
    return is_staff_member(user)


def can_see_saved_view(user: Any, view: SavedView) -> bool:
    return is_staff_member(user) and (view.owner_id == user.pk or view.is_shared)


def can_change_saved_view(user: Any, view: SavedView) -> bool:
    """Rename, refilter, share or unshare, delete: the owner; an administrator for shared views."""
    if not can_see_saved_view(user, view):
        return False
    return view.owner_id == user.pk or is_admin(user)
