"""Helpers of the rules tests (API, desk pages): firing rows as the engine leaves them, and the
rules as rows to compare before and after a refused request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from tierdesk.tickets.models import FiringOutcome, Rule, RuleFiring, Ticket

FAILURE_DETAIL = "ticket.transition_not_allowed: closed already"


def rule_rows() -> list[tuple[Any, ...]]:
    return list(Rule.objects.order_by("id").values_list("name", "conditions", "actions", "is_enabled", "version"))


def fire(rule: Rule, ticket: Ticket, state: str, *, minutes_ago: int, failed: bool = False) -> RuleFiring:
    """A firing row as the engine leaves it, `minutes_ago` in the past."""
    firing = RuleFiring.objects.create(
        rule=rule,
        ticket=ticket,
        state_key=state,
        outcome=FiringOutcome.FAILED if failed else FiringOutcome.DONE,
        detail=FAILURE_DETAIL if failed else "",
    )
    RuleFiring.objects.filter(pk=firing.pk).update(fired_at=timezone.now() - timedelta(minutes=minutes_ago))
    return firing
