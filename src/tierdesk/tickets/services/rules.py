"""Managing automation rules (administrators): create, change, delete, and put back the rules
Tierdesk ships. Each write validates the whole rule, and a time rule's timers are planned anew on
every ticket in play once the change commits (tasks.rule_plan)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.core.errors import Forbidden
from tierdesk.tickets.automation.actions import clean_actions
from tierdesk.tickets.automation.conditions import clean_conditions
from tierdesk.tickets.automation.fields import FIELDS
from tierdesk.tickets.automation.seeds import SEED_RULES
from tierdesk.tickets.choices import HistoryAction
from tierdesk.tickets.errors import DuplicateRule, RuleInvalid, RuleVersionConflict
from tierdesk.tickets.models import Rule, RuleTrigger
from tierdesk.tickets.permissions import can_manage_rules

EDITABLE_FIELDS = frozenset(
    {"name", "description", "trigger", "events", "conditions", "actions", "is_enabled", "position"}
)
MAX_POSITION = 10_000


def _require_admin(by: User) -> None:
    if not can_manage_rules(by):
        raise Forbidden(_("Only administrators may manage automation rules."), code="rule.forbidden")


def rule_clean(
    *,
    name: Any,
    trigger: Any,
    conditions: Any,
    actions: Any,
    events: Any = None,
    description: Any = "",
    is_enabled: Any = True,
    position: Any = 100,
) -> dict[str, Any]:
    """The rule's fields in canonical form, or RuleInvalid naming the first bad one."""
    clean_name = str(name or "").strip()
    if not clean_name or len(clean_name) > 200:
        raise RuleInvalid(_("A rule needs a name of at most 200 characters."), field="name")
    if trigger not in RuleTrigger.values:
        raise RuleInvalid(_("The trigger is event or time."), field="trigger")
    clean_events = _clean_events(trigger, events)
    clean_conds = clean_conditions(conditions)
    if trigger == RuleTrigger.TIME and not any(FIELDS[c["field"]].clock for c in clean_conds):
        clocks = ", ".join(name for name, field in FIELDS.items() if field.clock)
        raise RuleInvalid(
            _("A time rule needs a condition on one of %(clocks)s.") % {"clocks": clocks}, field="conditions"
        )
    if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= MAX_POSITION:
        raise RuleInvalid(
            _("The position is a whole number from 0 to %(max)d.") % {"max": MAX_POSITION}, field="position"
        )
    return {
        "name": clean_name,
        "description": str(description or "").strip()[:2000],
        "trigger": trigger,
        "events": clean_events,
        "conditions": clean_conds,
        "actions": clean_actions(actions),
        "is_enabled": bool(is_enabled),
        "position": position,
    }


def _clean_events(trigger: str, events: Any) -> list[str]:
    events = list(events or [])
    if trigger == RuleTrigger.TIME:
        if events:
            raise RuleInvalid(_("A time rule runs when due, not on events."), field="events")
        return []
    unknown = [event for event in events if event not in HistoryAction.values]
    if not events or unknown:
        raise RuleInvalid(
            _("An event rule needs events from: %(known)s.") % {"known": ", ".join(HistoryAction.values)},
            field="events",
        )
    return sorted(set(events))


def _save_unique(rule: Rule) -> Rule:
    message = _("A rule with this name exists already.")
    twins = Rule.objects.filter(name__iexact=rule.name)
    if (twins.exclude(pk=rule.pk) if rule.pk else twins).exists():
        raise DuplicateRule(message, field="name")
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        raise DuplicateRule(message, field="name") from None
    _replan_after_commit(rule)
    return rule


def _replan_after_commit(rule: Rule) -> None:
    """A time rule's timers follow the rule: planned anew (or dropped) on every ticket in play."""
    rule_id = rule.pk

    def enqueue() -> None:
        from tierdesk.tickets.tasks import rule_plan  # tasks -> services: imported when used

        rule_plan.enqueue(rule_id)

    transaction.on_commit(enqueue)


@transaction.atomic
def rule_create(*, by: User, **fields: Any) -> Rule:
    _require_admin(by)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise RuleInvalid(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    return _save_unique(Rule(**rule_clean(**fields), created_by=by))


@transaction.atomic
def rule_update(*, rule: Rule, by: User, expected_version: int | None = None, **changes: Any) -> Rule:
    """Change some fields; the whole rule is validated again. A stale `expected_version` conflicts."""
    _require_admin(by)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise RuleInvalid(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    if expected_version is not None and rule.version != expected_version:
        raise RuleVersionConflict(_("Someone changed this rule meanwhile; reload it and try again."))
    current = {name: getattr(rule, name) for name in EDITABLE_FIELDS}
    for name, value in rule_clean(**{**current, **changes}).items():
        setattr(rule, name, value)
    rule.version += 1
    return _save_unique(rule)  # replans: a rule that stopped being a time rule loses its timers


@transaction.atomic
def rule_delete(*, rule: Rule, by: User) -> None:
    """Delete the rule with its firings and timers (disable it to keep the record instead)."""
    _require_admin(by)
    Rule.objects.filter(pk=rule.pk).delete()


@transaction.atomic
def rules_seed(*, by: User | None = None) -> list[Rule]:
    """Put back the shipped rules that are missing (by key); returns those created."""
    if by is not None:
        _require_admin(by)
    created: list[Rule] = []
    for seed in SEED_RULES:
        if Rule.objects.filter(key=seed["key"]).exists() or Rule.objects.filter(name__iexact=seed["name"]).exists():
            continue
        fields = rule_clean(**{name: value for name, value in seed.items() if name != "key"})
        created.append(_save_unique(Rule(key=seed["key"], **fields)))
    return created
