"""Template filters of the automation rules pages (presentation only)."""

from __future__ import annotations

from typing import Any

from django import template

from tierdesk.tickets.automation.vocabulary import actions_text, conditions_text
from tierdesk.tickets.permissions import can_manage_rules

register = template.Library()


@register.filter
def may_manage_rules(user: Any) -> bool:
    """Whether to show the rules page in the navigation (the views check again)."""
    return can_manage_rules(user)


@register.filter
def as_conditions_text(conditions: Any) -> str | None:
    """Stored conditions in the text syntax (None: no text form, see vocabulary.conditions_text)."""
    return conditions_text(conditions)


@register.filter
def as_actions_text(actions: Any) -> str | None:
    return actions_text(actions)
