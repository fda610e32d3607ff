"""Who may manage webhooks: administrators only. A webhook sends ticket data of every customer
(or of the one it is filtered to) out of the desk, so it is as sensitive as the rules."""

from __future__ import annotations

from typing import Any

from tierdesk.accounts.choices import Role


def can_manage_webhooks(user: Any) -> bool:
    return bool(getattr(user, "is_staff_member", False)) and user.role == Role.ADMIN
