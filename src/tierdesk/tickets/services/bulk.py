"""Bulk actions on a selection of tickets (staff): assign, set status (wait, resume, resolve,
reopen), set priority, add or remove tags, apply a macro. All or nothing, recorded per ticket.

This module never writes a ticket itself: each ticket goes through its own service (transitions,
edit, macros), so it gets its own history rows, version bump and events (delivered after commit).
One outer transaction holds them all; the first refusal undoes every ticket and is re-raised as
`bulk.failed`, naming the ticket and its own code and message. Merging merges every selected
ticket into the one named by `into` (which may be part of the selection: it stays as it is).

Error codes: bulk.forbidden, bulk.empty, bulk.too_many, bulk.duplicate_numbers, bulk.not_found,
bulk.invalid_action, bulk.invalid_params, bulk.failed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import TextChoices
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import staff_user_get
from tierdesk.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from tierdesk.tickets.choices import Channel, Priority, WaitingOn
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.permissions import can_work_tickets, visible_tickets
from tierdesk.tickets.selectors import macro_get_for
from tierdesk.tickets.selectors_links import ticket_reference_get_for
from tierdesk.tickets.services.edit import ticket_set_priority, ticket_update
from tierdesk.tickets.services.macros import ticket_macro_apply
from tierdesk.tickets.services.merge import ticket_merge
from tierdesk.tickets.services.transitions import (
    ticket_assign,
    ticket_reopen,
    ticket_resolve,
    ticket_resume,
    ticket_wait,
)

MAX_BULK_TICKETS = 100


class BulkAction(StrEnum):
    """What a bulk call may do to each ticket of the selection (stable API values)."""

    ASSIGN = "assign"
    WAIT = "wait"
    RESUME = "resume"
    RESOLVE = "resolve"
    REOPEN = "reopen"
    SET_PRIORITY = "set_priority"
    ADD_TAGS = "add_tags"
    REMOVE_TAGS = "remove_tags"
    APPLY_MACRO = "apply_macro"
    MERGE = "merge"


class BulkFailed(DomainError):
    """One ticket of the selection refused the action, so none was changed.

    `number`, `cause_code` and `cause_message` say which ticket and why (its own error)."""

    code = "bulk.failed"
    http_status = 409

    def __init__(self, *, number: int, cause: DomainError) -> None:
        self.number = number
        self.cause_code = cause.code
        self.cause_message = str(cause.message)
        super().__init__(
            _("Ticket #%(number)s refused the change (%(code)s): %(reason)s No ticket was changed.")
            % {"number": number, "code": cause.code, "reason": self.cause_message},
            field="numbers",
        )


# One ticket's change: (locked ticket, acting user, channel) -> the ticket after the change.
Step = Callable[[Ticket, User, str], Ticket]


def _text(params: Mapping[str, Any], name: str, *, required: bool) -> str:
    value = params.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValidationFailed(
            _("This action needs %(name)s as text.") % {"name": name}, code="bulk.invalid_params", field=name
        )
    return value


def _choice(params: Mapping[str, Any], name: str, choices: type[TextChoices]) -> str:
    """Refused before any ticket changes, rather than by the first ticket's service."""
    value = params.get(name)
    if value not in choices.values:
        raise ValidationFailed(
            _("%(name)s must be one of: %(values)s.") % {"name": name, "values": ", ".join(choices.values)},
            code="bulk.invalid_params",
            field=name,
        )
    return str(value)


def _tag_names(params: Mapping[str, Any]) -> list[str]:
    names = params.get("tags")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise ValidationFailed(
            _("This action needs tags: a list of tag names."), code="bulk.invalid_params", field="tags"
        )
    return [name.strip().lower() for name in names]


def _current_tags(ticket: Ticket) -> list[str]:
    return list(ticket.tags.values_list("name", flat=True))


def _merge_step(by: User, params: Mapping[str, Any]) -> Step:
    raw = params.get("into")
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ValidationFailed(
            _("Merging needs into: the number of the ticket to merge into."), code="bulk.invalid_params", field="into"
        )
    target = ticket_reference_get_for(user=by, number=raw, field="into")

    def merge(ticket: Ticket, user: User, channel: str) -> Ticket:
        if ticket.pk == target.pk:
            return ticket  # the ticket the others merge into
        ticket_merge(source=ticket, target=target, by=user, channel=channel)
        return Ticket.objects.get(pk=ticket.pk)  # the merged ticket, with its pointer

    return merge


def _step_for(*, by: User, action: BulkAction, params: Mapping[str, Any]) -> Step:
    """Check the parameters once and resolve what they name (agent, macro) before any ticket
    changes, and return the change to make on each ticket."""
    if action == BulkAction.ASSIGN:
        if "assignee" not in params:
            raise ValidationFailed(
                _("Assigning needs assignee: an agent's id, or null for nobody."),
                code="bulk.invalid_params",
                field="assignee",
            )
        raw = params["assignee"]
        if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int)):
            raise ValidationFailed(
                _("assignee must be an agent's id, or null."), code="bulk.invalid_params", field="assignee"
            )
        assignee = None if raw is None else staff_user_get(user_id=raw)
        return lambda t, u, c: ticket_assign(ticket=t, assignee=assignee, by=u, channel=c)
    if action == BulkAction.WAIT:
        on = _choice(params, "on", WaitingOn)
        note = _text(params, "note", required=False)
        return lambda t, u, c: ticket_wait(ticket=t, on=on, note=note, by=u, channel=c)
    if action == BulkAction.RESUME:
        note = _text(params, "note", required=False)
        return lambda t, u, c: ticket_resume(ticket=t, note=note, by=u, channel=c)
    if action == BulkAction.RESOLVE:
        resolution = _text(params, "resolution", required=True)
        return lambda t, u, c: ticket_resolve(ticket=t, resolution=resolution, by=u, channel=c)
    if action == BulkAction.REOPEN:
        reason = _text(params, "reason", required=True)
        return lambda t, u, c: ticket_reopen(ticket=t, reason=reason, by=u, channel=c)
    if action == BulkAction.SET_PRIORITY:
        priority = _choice(params, "priority", Priority)
        return lambda t, u, c: ticket_set_priority(ticket=t, priority=priority, by=u, channel=c)
    if action == BulkAction.ADD_TAGS:
        added = _tag_names(params)
        return lambda t, u, c: ticket_update(ticket=t, by=u, channel=c, tags=[*_current_tags(t), *added])
    if action == BulkAction.REMOVE_TAGS:
        removed = set(_tag_names(params))
        return lambda t, u, c: ticket_update(
            ticket=t, by=u, channel=c, tags=[name for name in _current_tags(t) if name not in removed]
        )
    if action == BulkAction.MERGE:
        return _merge_step(by, params)
    # APPLY_MACRO: the only action left (BulkAction is closed).
    macro_id = params.get("macro")
    if isinstance(macro_id, bool) or not isinstance(macro_id, int):
        raise ValidationFailed(_("Applying a macro needs macro: its id."), code="bulk.invalid_params", field="macro")
    macro = macro_get_for(user=by, macro_id=macro_id)
    return lambda t, u, c: ticket_macro_apply(ticket=t, macro=macro, by=u, channel=c)


def _check_numbers(numbers: list[int]) -> list[int]:
    if not numbers:
        raise ValidationFailed(_("Select at least one ticket."), code="bulk.empty", field="numbers")
    if len(numbers) > MAX_BULK_TICKETS:
        raise ValidationFailed(
            _("At most %(count)d tickets at once.") % {"count": MAX_BULK_TICKETS},
            code="bulk.too_many",
            field="numbers",
        )
    if len(set(numbers)) != len(numbers):
        raise ValidationFailed(_("Each ticket may be selected once."), code="bulk.duplicate_numbers", field="numbers")
    return sorted(numbers)


def _action(action: str) -> BulkAction:
    try:
        return BulkAction(action)
    except ValueError:
        raise ValidationFailed(
            _("%(value)r is not a bulk action. Choose one of: %(actions)s.")
            % {"value": action, "actions": ", ".join(a.value for a in BulkAction)},
            code="bulk.invalid_action",
            field="action",
        ) from None


def ticket_bulk_apply(
    *, by: User, numbers: list[int], action: str, params: Mapping[str, Any], channel: str = Channel.WEB
) -> list[Ticket]:
    """Apply one action to 1..100 tickets the caller may see, all or nothing; returns the
    tickets after the change, in number order.

    The selection's rows are locked together up front, in primary-key order like every
    multi-ticket lock (locks.py), so concurrent bulk calls on overlapping selections queue
    instead of deadlocking; the per-ticket services then lock each row again (already held).
    The tickets are changed in number order, so "the first that refuses" is well defined."""
    if not can_work_tickets(by):
        raise Forbidden(_("Only agents may change tickets in bulk."), code="bulk.forbidden")
    wanted = _check_numbers(numbers)
    step = _step_for(by=by, action=_action(action), params=params)
    with transaction.atomic():
        locked = list(visible_tickets(by).select_for_update(of=("self",)).filter(number__in=wanted).order_by("pk"))
        found = {ticket.number: ticket for ticket in locked}
        missing = [number for number in wanted if number not in found]
        if missing:
            raise NotFound(
                _("No such tickets: %(numbers)s. No ticket was changed.")
                % {"numbers": ", ".join(f"#{number}" for number in missing)},
                code="bulk.not_found",
                field="numbers",
            )
        changed: list[Ticket] = []
        for number in wanted:
            try:
                changed.append(step(found[number], by, channel))
            except DomainError as error:
                raise BulkFailed(number=number, cause=error) from error
    return changed
