"""Reads of automation rules for the people who manage them (administrators): everybody else
sees none, and an unknown id looks the same as a forbidden one."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from tierdesk.tickets.errors import RuleNotFound
from tierdesk.tickets.models import FiringOutcome, Rule, RuleFiring
from tierdesk.tickets.permissions import can_manage_rules


def rule_list_for(*, user: Any) -> QuerySet[Rule]:
    """Every rule in running order, with how often it fired and failed and when it last fired."""
    if not can_manage_rules(user):
        return Rule.objects.none()
    return _with_figures(Rule.objects.all())


def _with_figures(rules: QuerySet[Rule]) -> QuerySet[Rule]:
    return rules.annotate(
        firing_count=Count("firings"),
        failed_count=Count("firings", filter=Q(firings__outcome=FiringOutcome.FAILED)),
        last_fired_at=Max("firings__fired_at"),
    ).order_by("position", "id")


def rule_get_for(*, user: Any, rule_id: Any) -> Rule:
    """One rule with its firing figures (like the list's); unknown and forbidden look alike."""
    if not can_manage_rules(user):
        raise RuleNotFound(_("No such rule."))
    try:
        return _with_figures(Rule.objects.filter(pk=int(rule_id))).get()
    except (Rule.DoesNotExist, ValueError, TypeError):
        raise RuleNotFound(_("No such rule.")) from None


def rule_firings_for(*, user: Any, rule: Rule, limit: int = 50) -> list[RuleFiring]:
    """The rule's latest firings, newest first (the index rule_firing_recent_idx serves the order)."""
    if not can_manage_rules(user):
        return []
    return list(RuleFiring.objects.filter(rule=rule).select_related("ticket").order_by("-fired_at", "-id")[:limit])
