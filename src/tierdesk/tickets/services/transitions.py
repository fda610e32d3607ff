"""Moving a ticket through its life: assign, take, escalate, wait, resume, resolve, confirm and
reopen (second-level requests: second_level.py; field edits: edit.py). Each function locks the ticket, checks the
caller and the version, writes the row and its history, and publishes events after commit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.accounts.permissions import is_staff_member
from tierdesk.core.errors import ValidationFailed
from tierdesk.core.events import publish
from tierdesk.tickets import history, sla_clock
from tierdesk.tickets.choices import (
    Channel,
    HistoryAction,
    Level,
    Status,
    WaitingOn,
)
from tierdesk.tickets.errors import (
    BugReferenceRequired,
    HandoverNoteRequired,
    ResolutionRequired,
    TicketActionForbidden,
    TransitionNotAllowed,
)
from tierdesk.tickets.events import TicketStatusChanged
from tierdesk.tickets.locks import lock_ticket
from tierdesk.tickets.models import Comment, Ticket
from tierdesk.tickets.permissions import (
    can_act_as_customer,
    can_assign_others,
    can_work_tickets,
)
from tierdesk.tickets.rules import ACTIVE_STATUSES, can_change_status, is_higher_level

MIN_NOTE_LENGTH = 10


def require_staff(by: User) -> None:
    if not can_work_tickets(by):
        raise TicketActionForbidden(_("Only agents may do this."))


def save_ticket(ticket: Ticket, fields: Iterable[str]) -> None:
    """Save the named fields and bump the version that guards against lost updates."""
    ticket.version += 1
    ticket.save(update_fields=[*fields, "version", "updated_at"])


def set_status(
    ticket: Ticket, *, to: Status, by: User | None, channel: str, action: HistoryAction, note: str = ""
) -> list[str]:
    """Apply a status change in memory (clock pause, timestamps) and record it.

    Returns the fields it touched; the caller saves them with its own."""
    old = Status(ticket.status)
    if old == to:
        return []
    if not can_change_status(old, to):
        raise TransitionNotAllowed(
            _("A ticket that is %(old)s cannot become %(new)s.") % {"old": old.label, "new": to.label}
        )
    now = timezone.now()
    ticket.status_changed_at = now
    fields = ["status", "status_changed_at"]
    if ticket.paused_at is not None:  # leaving a wait on the customer: the deadlines move on
        fields += leave_pause(ticket, now=now, by=by, channel=channel)
    if to != Status.WAITING and ticket.waiting_on:
        ticket.waiting_on = ""
        fields.append("waiting_on")
    if to == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
        fields += sla_clock.mark_first_response(ticket, now)  # a resolution answers the customer too
        fields += sla_clock.clear_next_update(ticket)
    elif to == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    elif to == Status.OPEN and old in (Status.RESOLVED, Status.CLOSED):
        ticket.resolved_at = None
        ticket.closed_at = None
        fields += ["resolved_at", "closed_at"]
        fields += sla_clock.mark_public_update(ticket, now)  # back in work: the customer is owed an update
    ticket.status = to
    row = history.record(
        ticket=ticket, by=by, channel=channel, action=action, field="status", old=old, new=to, note=note
    )
    publish(
        TicketStatusChanged(
            ticket_id=ticket.pk, old=old, new=to, by_id=by.pk if by else None, channel=channel, history_id=row.pk
        )
    )
    return fields


def leave_pause(ticket: Ticket, *, now: datetime, by: User | None, channel: str) -> list[str]:
    """End a wait on the customer: the open deadlines move by the paused (business) time, and
    the history records how. Returns the fields it touched."""
    before = sla_clock.deadlines_of(ticket)
    sla_clock.resume_clock(ticket, now)
    moved = sla_clock.record_deadlines(ticket, before=before, by=by, channel=channel)
    return ["paused_at", "sla_paused_seconds", *moved]


def open_if_new(ticket: Ticket, *, by: User, channel: str) -> list[str]:
    """The first action of an agent on a new ticket opens it."""
    if ticket.status == Status.NEW:
        return set_status(ticket, to=Status.OPEN, by=by, channel=channel, action=HistoryAction.CHANGED)
    return []


def _internal_note(ticket: Ticket, *, by: User, body: str, channel: str) -> Comment:
    return Comment.objects.create(ticket=ticket, author=by, body=body, is_internal=True, channel=channel)


@transaction.atomic
def ticket_assign(
    *,
    ticket: Ticket,
    assignee: User | None,
    by: User,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
    history_action: HistoryAction = HistoryAction.CHANGED,
    note: str = "",
) -> Ticket:
    """Give the ticket to an agent (or to nobody). Agents may only take or release it
    themselves; case managers and admins assign anyone. `history_action` and `note` let automatic
    assignment (routing) record its one row as "assigned automatically" with the policy it used."""
    require_staff(by)
    if assignee is not None and not is_staff_member(assignee):
        raise ValidationFailed(
            _("Tickets can only be assigned to agents."), code="ticket.invalid_assignee", field="assignee"
        )
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    if not can_assign_others(by):
        releasing_own = assignee is None and ticket.assignee_id == by.pk
        if not (assignee == by or releasing_own):
            raise TicketActionForbidden(_("Only a case manager may assign tickets to others."))
    if ticket.status == Status.CLOSED:
        raise TransitionNotAllowed(_("A closed ticket cannot be assigned."))
    old = ticket.assignee
    if old == assignee:
        return ticket
    ticket.assignee = assignee
    fields = ["assignee", *open_if_new(ticket, by=by, channel=channel)]
    history.record(
        ticket=ticket, by=by, channel=channel, action=history_action, field="assignee", old=old, new=assignee, note=note
    )
    save_ticket(ticket, fields)
    return ticket


def ticket_take(*, ticket: Ticket, by: User, channel: str = Channel.WEB, expected_version: int | None = None) -> Ticket:
    """An agent picks the ticket up."""
    return ticket_assign(ticket=ticket, assignee=by, by=by, channel=channel, expected_version=expected_version)


def _validate_bug_reference(bug_key: str, bug_url: str) -> tuple[str, str]:
    bug_key = bug_key.strip()
    bug_url = bug_url.strip()
    if not bug_key:
        raise BugReferenceRequired(_("Sending to development needs the bug's key."), field="bug_key")
    if bug_url:
        try:
            URLValidator(schemes=["http", "https"])(bug_url)
        except ValidationError:
            raise BugReferenceRequired(_("The bug URL must be an http(s) address."), field="bug_url") from None
    return bug_key[:100], bug_url


@transaction.atomic
def ticket_escalate(
    *,
    ticket: Ticket,
    to_level: str,
    handover_note: str,
    by: User,
    bug_key: str = "",
    bug_url: str = "",
    assignee: User | None = None,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> Ticket:
    """Hand the ticket to a higher level with a note for the colleague who takes over.

    To development it also needs the external bug reference. The ticket leaves its current
    owner and lands unassigned in the next level's queue unless an assignee is given."""
    require_staff(by)
    try:
        target = Level(to_level)
    except ValueError:
        raise ValidationFailed(
            _("%(value)r is not a level.") % {"value": to_level}, code="ticket.invalid_level", field="to_level"
        ) from None
    note = handover_note.strip()
    if len(note) < MIN_NOTE_LENGTH:
        raise HandoverNoteRequired(
            _("Escalating needs a handover note of at least %(count)d characters.") % {"count": MIN_NOTE_LENGTH},
            field="handover_note",
        )
    if target == Level.DEVELOPMENT:
        bug_key, bug_url = _validate_bug_reference(bug_key, bug_url)
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    if ticket.status in (Status.RESOLVED, Status.CLOSED):
        raise TransitionNotAllowed(_("Reopen the ticket before escalating it."))
    if not is_higher_level(ticket.level, target):
        raise TransitionNotAllowed(
            _("The ticket is at %(level)s already or higher.") % {"level": Level(ticket.level).label}
        )
    old_level, old_assignee = ticket.level, ticket.assignee
    ticket.level = target
    ticket.level_entered_at = timezone.now()
    ticket.assignee = assignee
    fields = ["level", "level_entered_at", "assignee", *open_if_new(ticket, by=by, channel=channel)]
    action = HistoryAction.ESCALATED
    if target == Level.DEVELOPMENT:
        ticket.bug_key, ticket.bug_url = bug_key, bug_url
        fields += ["bug_key", "bug_url"]
        action = HistoryAction.SENT_TO_DEVELOPMENT
    _internal_note(ticket, by=by, body=note, channel=channel)
    history.record(
        ticket=ticket,
        by=by,
        channel=channel,
        action=action,
        field="level",
        old=old_level,
        new=target,
        note=note,
        is_internal=True,
    )
    if old_assignee != assignee:
        history.record(
            ticket=ticket,
            by=by,
            channel=channel,
            action=HistoryAction.CHANGED,
            field="assignee",
            old=old_assignee,
            new=assignee,
        )
    if target == Level.DEVELOPMENT:
        history.record(
            ticket=ticket,
            by=by,
            channel=channel,
            action=HistoryAction.CHANGED,
            field="bug_key",
            new=bug_key,
            is_internal=True,
        )
    save_ticket(ticket, fields)
    return ticket


@transaction.atomic
def ticket_wait(
    *,
    ticket: Ticket,
    on: str,
    by: User,
    note: str = "",
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> Ticket:
    """Park the ticket until the customer (deadline clock paused) or a third party answers."""
    require_staff(by)
    try:
        waiting_on = WaitingOn(on)
    except ValueError:
        raise ValidationFailed(
            _("%(value)r: wait on customer or third_party.") % {"value": on},
            code="ticket.invalid_waiting_on",
            field="on",
        ) from None
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    if ticket.status == Status.WAITING and ticket.waiting_on == waiting_on:
        return ticket
    fields = (
        set_status(ticket, to=Status.WAITING, by=by, channel=channel, action=HistoryAction.WAITING, note=note)
        if ticket.status != Status.WAITING
        else []
    )
    old_on = ticket.waiting_on
    ticket.waiting_on = waiting_on
    if waiting_on == WaitingOn.CUSTOMER:
        fields += sla_clock.pause_clock(ticket, timezone.now())
    elif ticket.paused_at is not None:
        fields += leave_pause(ticket, now=timezone.now(), by=by, channel=channel)
    history.record(
        ticket=ticket,
        by=by,
        channel=channel,
        action=HistoryAction.CHANGED,
        field="waiting_on",
        old=old_on,
        new=waiting_on,
    )
    save_ticket(ticket, {*fields, "waiting_on", "paused_at", "due_at"})
    return ticket


@transaction.atomic
def ticket_resume(
    *, ticket: Ticket, by: User, note: str = "", channel: str = Channel.WEB, expected_version: int | None = None
) -> Ticket:
    """Take a waiting ticket back into work (the deadline moves by the paused time)."""
    require_staff(by)
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    if ticket.status != Status.WAITING:
        raise TransitionNotAllowed(_("Only a waiting ticket can be resumed."))
    fields = set_status(ticket, to=Status.OPEN, by=by, channel=channel, action=HistoryAction.CHANGED, note=note)
    save_ticket(ticket, fields)
    return ticket


def _open_children(ticket: Ticket) -> list[int]:
    """The numbers of the ticket's child tickets still to be worked on (new, open, waiting)."""
    children = Ticket.objects.filter(parent_id=ticket.pk, status__in=ACTIVE_STATUSES).order_by("number")
    return list(children.values_list("number", flat=True))


@transaction.atomic
def ticket_resolve(
    *,
    ticket: Ticket,
    resolution: str,
    by: User,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
    despite_open_children: bool = False,
) -> Ticket:
    """Mark the ticket solved; the requester is asked to confirm (or reopen).

    A parent whose child tickets are still open is refused (`ticket.open_children`, naming
    them) unless the agent says so with `despite_open_children`, which an internal history row
    records. The rule holds at this step only: confirming or (auto-)closing a resolved parent
    does not ask again, since it was resolved without open children or by that decision."""
    require_staff(by)
    text = resolution.strip()
    if not text:
        raise ResolutionRequired(_("Resolving needs a resolution text for the customer."), field="resolution")
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    # Children are added under the parent's lock (services/links.py): none can appear meanwhile.
    open_children = _open_children(ticket) if can_change_status(ticket.status, Status.RESOLVED) else []
    numbers = ", ".join(f"#{number}" for number in open_children)
    if open_children and not despite_open_children:
        raise TransitionNotAllowed(
            _("Child tickets %(numbers)s are still open. Resolve them first, or resolve this one anyway.")
            % {"numbers": numbers},
            code="ticket.open_children",
            field="despite_open_children",
        )
    fields = set_status(ticket, to=Status.RESOLVED, by=by, channel=channel, action=HistoryAction.RESOLVED, note=text)
    if not fields:
        raise TransitionNotAllowed(_("The ticket is resolved already."))
    if open_children:
        history.record(
            ticket=ticket,
            by=by,
            channel=channel,
            action=HistoryAction.RESOLVED,
            field="open_children",
            new=numbers,
            note=_("Resolved although child tickets %(numbers)s are still open.") % {"numbers": numbers},
            is_internal=True,
        )
    ticket.resolution = text
    save_ticket(ticket, [*fields, "resolution"])
    return ticket


@transaction.atomic
def ticket_confirm(
    *, ticket: Ticket, by: User, note: str = "", channel: str = Channel.PORTAL, expected_version: int | None = None
) -> Ticket:
    """The customer agrees that the problem is solved: the ticket closes. An agent may record
    a confirmation given by phone."""
    if not (can_act_as_customer(by, ticket) or can_work_tickets(by)):
        raise TicketActionForbidden(_("Only the customer or an agent may confirm."))
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    if ticket.status != Status.RESOLVED:
        raise TransitionNotAllowed(_("Only a resolved ticket can be confirmed."))
    fields = set_status(ticket, to=Status.CLOSED, by=by, channel=channel, action=HistoryAction.CONFIRMED, note=note)
    save_ticket(ticket, fields)
    return ticket


@transaction.atomic
def ticket_reopen(
    *, ticket: Ticket, reason: str, by: User, channel: str = Channel.WEB, expected_version: int | None = None
) -> Ticket:
    """Back to work: the customer disagrees with a resolution, or an agent reopens a closed case."""
    is_agent = can_work_tickets(by)
    if not (is_agent or can_act_as_customer(by, ticket)):
        raise TicketActionForbidden(_("Only the customer or an agent may reopen."))
    text = reason.strip()
    if not text:
        raise ValidationFailed(_("Reopening needs a reason."), code="ticket.reason_required", field="reason")
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    allowed = (Status.RESOLVED, Status.CLOSED) if is_agent else (Status.RESOLVED,)
    if ticket.status not in allowed:
        raise TransitionNotAllowed(
            _("Only a resolved ticket can be reopened.") if not is_agent else _("The ticket is not resolved or closed.")
        )
    Comment.objects.create(ticket=ticket, author=by, body=text, is_internal=False, channel=channel)
    fields = set_status(ticket, to=Status.OPEN, by=by, channel=channel, action=HistoryAction.REOPENED, note=text)
    save_ticket(ticket, fields)
    return ticket


@transaction.atomic
def ticket_close(
    *, ticket: Ticket, by: User, note: str = "", channel: str = Channel.WEB, expected_version: int | None = None
) -> Ticket:
    """Close a resolved ticket the customer has not confirmed (the auto-close rule, or an agent
    who has the customer's word some other way). The customer hears of it like of any status change."""
    require_staff(by)
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    if ticket.status != Status.RESOLVED:
        raise TransitionNotAllowed(_("Only a resolved ticket can be closed."))
    fields = set_status(ticket, to=Status.CLOSED, by=by, channel=channel, action=HistoryAction.CLOSED, note=note)
    save_ticket(ticket, fields)
    return ticket
