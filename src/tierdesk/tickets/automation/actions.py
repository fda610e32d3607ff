"""Rule actions: checking their shape (and that the users and roles they name exist) before a
rule is stored, and carrying them out through the ticket services when a rule fires."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from tierdesk.accounts.choices import STAFF_ROLES, Role
from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import staff_users
from tierdesk.core.events import publish
from tierdesk.tickets.automation.facts import TicketFacts
from tierdesk.tickets.automation.handover import handover_note
from tierdesk.tickets.choices import Channel, Level, Priority
from tierdesk.tickets.errors import RuleInvalid
from tierdesk.tickets.events import RuleAlertRequested, TicketCloseReminderRequested
from tierdesk.tickets.models import Rule, RuleFiring, Ticket
from tierdesk.tickets.services import (
    ticket_assign,
    ticket_comment_add,
    ticket_escalate,
    ticket_update,
)
from tierdesk.tickets.services.edit import ticket_set_priority
from tierdesk.tickets.services.transitions import ticket_close

MAX_ACTIONS = 10
MAX_TEXT = 2000
MAX_TAG_LENGTH = 50  # Tag.name's max_length
ACTION_TYPES = ("escalate", "assign", "set_priority", "notify", "add_tag", "add_note", "remind_requester", "close")
NOTIFY_GROUPS = ("case_manager", "assignee")


def clean_actions(raw: Any) -> list[dict[str, Any]]:
    """The actions in canonical form, or RuleInvalid naming the first bad part ("actions[1].to")."""
    if not isinstance(raw, list) or not raw:
        raise RuleInvalid(_("A rule needs at least one action."), field="actions")
    if len(raw) > MAX_ACTIONS:
        raise RuleInvalid(_("A rule has at most %(count)d actions.") % {"count": MAX_ACTIONS}, field="actions")
    return [_clean_one(f"actions[{index}]", item) for index, item in enumerate(raw)]


def _clean_one(where: str, item: Any) -> dict[str, Any]:
    kind = item.get("type") if isinstance(item, Mapping) else None
    if kind not in ACTION_TYPES:
        raise RuleInvalid(
            _("Unknown action; known actions: %(known)s.") % {"known": ", ".join(ACTION_TYPES)}, field=f"{where}.type"
        )
    if kind == "escalate":
        level = item.get("to_level")
        if level not in (Level.SECOND, Level.DEVELOPMENT):
            raise RuleInvalid(_("Escalate to second or development."), field=f"{where}.to_level")
        return {"type": kind, "to_level": level}
    if kind == "assign":
        username = item.get("user")
        if username is not None:
            _staff_user(username, f"{where}.user")
        return {"type": kind, "user": username}
    if kind == "set_priority":
        if item.get("priority") not in Priority.values:
            raise RuleInvalid(
                _("The priority is one of %(values)s.") % {"values": ", ".join(Priority.values)},
                field=f"{where}.priority",
            )
        return {"type": kind, "priority": item["priority"]}
    if kind == "notify":
        to = item.get("to")
        _check_target(to, f"{where}.to")
        return {"type": kind, "to": to, "message": _text(item.get("message", ""), f"{where}.message", required=False)}
    if kind == "add_tag":
        tag = item.get("tag")
        if not isinstance(tag, str) or not tag.strip() or len(tag.strip()) > MAX_TAG_LENGTH:
            raise RuleInvalid(
                _("A tag needs a name of at most %(count)d characters.") % {"count": MAX_TAG_LENGTH},
                field=f"{where}.tag",
            )
        return {"type": kind, "tag": tag.strip().lower()}
    if kind == "add_note":
        return {"type": kind, "text": _text(item.get("text"), f"{where}.text", required=True)}
    return {"type": kind}  # remind_requester, close: no parameters


def _text(value: Any, where: str, *, required: bool) -> str:
    if value is None and not required:
        return ""
    # One line: rules are edited in a line-based text syntax, where a line break ends the action.
    if (
        not isinstance(value, str)
        or (required and not value.strip())
        or len(value) > MAX_TEXT
        or len(value.splitlines()) > 1
    ):
        raise RuleInvalid(_("One line of at most %(count)d characters.") % {"count": MAX_TEXT}, field=where)
    return value.strip()


def _check_target(to: Any, where: str) -> None:
    if to in NOTIFY_GROUPS:
        return
    if isinstance(to, str) and to.startswith("role:") and to[5:] in {role.value for role in STAFF_ROLES}:
        return
    if isinstance(to, str) and to.startswith("user:"):
        _staff_user(to[5:], where)
        return
    raise RuleInvalid(
        _("Notify case_manager, assignee, role:<agent|case_manager|admin> or user:<username>."), field=where
    )


def _staff_user(username: Any, where: str) -> User:
    user = staff_users().filter(username=username).first()
    if user is None:
        raise RuleInvalid(_("No active staff user “%(name)s”.") % {"name": username}, field=where)
    return user


# --- carrying them out --------------------------------------------------------------------------


def run_actions(*, rule: Rule, firing: RuleFiring, facts: TicketFacts, by: User) -> Ticket:
    """Carry out the rule's actions in order as `by` (the automation user), inside the caller's
    transaction: the first that fails raises a DomainError and the caller rolls all of them back."""
    ticket = facts.ticket
    for action in rule.actions:
        ticket = _run_one(action, ticket=ticket, rule=rule, firing=firing, facts=facts, by=by)
    return ticket


def _run_one(
    action: Mapping[str, Any], *, ticket: Ticket, rule: Rule, firing: RuleFiring, facts: TicketFacts, by: User
) -> Ticket:
    kind, system = action["type"], Channel.SYSTEM
    if kind == "escalate":
        note = handover_note(ticket=ticket, rule_name=rule.name, minutes=facts.value("minutes_at_level"))
        return ticket_escalate(ticket=ticket, to_level=action["to_level"], handover_note=note, by=by, channel=system)
    if kind == "assign":
        assignee = _staff_user(action["user"], "user") if action["user"] else None
        return ticket_assign(ticket=ticket, assignee=assignee, by=by, channel=system)
    if kind == "set_priority":
        return ticket_set_priority(ticket=ticket, priority=action["priority"], by=by, channel=system)
    if kind == "add_tag":
        names = [tag.name for tag in ticket.tags.all()]
        return ticket_update(ticket=ticket, by=by, channel=system, tags=[*names, action["tag"]])
    if kind == "add_note":
        ticket_comment_add(ticket=ticket, body=action["text"], by=by, is_internal=True, channel=system)
        return ticket
    if kind == "close":
        note = _("Closed automatically by the rule “%(rule)s”.") % {"rule": rule.name}
        return ticket_close(ticket=ticket, by=by, note=note, channel=system)
    if kind == "notify":
        recipients = tuple(user.pk for user in recipients_of(action["to"], ticket))
        if recipients:
            publish(RuleAlertRequested(ticket.pk, firing.pk, recipients, rule.name, action["message"]))
        return ticket
    if kind == "remind_requester":
        publish(TicketCloseReminderRequested(ticket_id=ticket.pk, firing_id=firing.pk))
        return ticket
    raise AssertionError(f"unknown action {kind!r}")  # clean_actions admits no other


def recipients_of(target: str, ticket: Ticket) -> Sequence[User]:
    """Who a `notify` reaches: the organisation's case manager (else every case manager), the
    assignee, every active user of a staff role, or one user. Inactive users get nothing."""
    staff = User.objects.filter(is_active=True, role__in=STAFF_ROLES).exclude(email="").order_by("pk")
    if target == "case_manager":
        manager_id = ticket.organisation.case_manager_id
        if manager_id is not None:
            return list(staff.filter(pk=manager_id))
        return list(staff.filter(role=Role.CASE_MANAGER))
    if target == "assignee":
        return list(staff.filter(pk=ticket.assignee_id)) if ticket.assignee_id else []
    if target.startswith("role:"):
        return list(staff.filter(role=target[5:]))
    return list(staff.filter(username=target[5:]))
