"""Managing automation rules (administrators): create, change, delete, and put back the rules
Tierdesk ships. Each write validates the whole rule, and a time rule's timers are planned anew on
every ticket in play once the change commits (tasks.rule_plan). Conditions and actions come as JSON
lists or typed in the text syntax (`conditions_text`, `actions_text`); errors then name the line."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.core.errors import Forbidden
from tierdesk.tickets.automation.actions import clean_actions
from tierdesk.tickets.automation.conditions import clean_conditions
from tierdesk.tickets.automation.fields import FIELDS
from tierdesk.tickets.automation.seeds import SEED_RULES
from tierdesk.tickets.automation.syntax import SyntaxProblem, parse_actions, parse_conditions
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
        raise RuleInvalid(_("A rule needs a name of at most %(count)d characters.") % {"count": 200}, field="name")
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


# --- conditions and actions typed in the text syntax (automation/syntax.py) ----------------------

TEXT_FIELDS: dict[str, tuple[str, Callable[[str], list[dict[str, Any]]]]] = {
    "conditions_text": ("conditions", parse_conditions),
    "actions_text": ("actions", parse_actions),
}
# "conditions[2].value" -> ("conditions", "2"); "actions" -> ("actions", None).
_ITEM_PATH = re.compile(r"(conditions|actions)(?:\[(\d+)\](?:\..*)?)?")


def _parse_texts(fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """`fields` with conditions_text/actions_text parsed into conditions/actions, and for each
    parsed list the line each item stands on. A text that does not parse is RuleInvalid on the
    text field, its message starting with the line number."""
    fields = dict(fields)
    lines: dict[str, list[int]] = {}
    for text_name, (name, parse) in TEXT_FIELDS.items():
        if text_name not in fields:
            continue
        text = fields.pop(text_name)
        if name in fields:
            raise RuleInvalid(
                _("Send %(json)s or %(text)s, not both.") % {"json": name, "text": text_name},
                field=text_name,
            )
        if not isinstance(text, str):
            raise RuleInvalid(_("The rule's text is a string."), field=text_name)
        try:
            fields[name] = parse(text)
        except SyntaxProblem as problem:
            raise RuleInvalid(str(problem), field=text_name) from None
        # Lines parse independently (syntax.py), so each line's own parse counts its items.
        lines[name] = [
            number
            for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1)
            for _item in parse(line)
        ]
    return fields, lines


@contextmanager
def _errors_on_lines(lines: dict[str, list[int]]) -> Iterator[None]:
    """A RuleInvalid about conditions or actions that came as text names the text field and the
    line ("line 3: status is one of …") instead of a JSON path the writer never saw."""
    try:
        yield
    except RuleInvalid as error:
        match = _ITEM_PATH.fullmatch(error.field or "")
        if match is None or match.group(1) not in lines:
            raise
        name, index = match.group(1), match.group(2)
        numbers = lines[name]
        message = error.message
        if index is not None and int(index) < len(numbers):
            message = str(SyntaxProblem(numbers[int(index)], message))
        raise RuleInvalid(message, field=f"{name}_text") from None


@transaction.atomic
def rule_create(*, by: User, **fields: Any) -> Rule:
    _require_admin(by)
    fields, lines = _parse_texts(fields)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise RuleInvalid(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    with _errors_on_lines(lines):
        return _save_unique(Rule(**rule_clean(**fields), created_by=by))


@transaction.atomic
def rule_update(*, rule: Rule, by: User, expected_version: int | None = None, **changes: Any) -> Rule:
    """Change some fields; the whole rule is validated again. A stale `expected_version` conflicts."""
    _require_admin(by)
    changes, lines = _parse_texts(changes)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise RuleInvalid(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    if expected_version is not None and rule.version != expected_version:
        raise RuleVersionConflict(_("Someone changed this rule meanwhile; reload it and try again."))
    if changes == {"is_enabled": False}:
        # Switching a rule off must work even when it no longer validates (say, the user it
        # assigns to has left): that is exactly when an admin wants it off.
        rule.is_enabled = False
        rule.version += 1
        rule.save(update_fields=["is_enabled", "version", "updated_at"])
        _replan_after_commit(rule)
        return rule
    current = {name: getattr(rule, name) for name in EDITABLE_FIELDS}
    with _errors_on_lines(lines):
        cleaned = rule_clean(**{**current, **changes})
    for name, value in cleaned.items():
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
