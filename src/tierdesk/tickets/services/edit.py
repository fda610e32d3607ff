"""Editing a ticket's own fields (not its status, level or owner: those have their verbs)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.core.errors import ValidationFailed
from tierdesk.tickets import history, sla_clock
from tierdesk.tickets.choices import Channel, Impact, Priority, Urgency
from tierdesk.tickets.locks import lock_ticket
from tierdesk.tickets.models import Category, Ticket
from tierdesk.tickets.rules import priority_from
from tierdesk.tickets.selectors import priority_matrix
from tierdesk.tickets.services.create import tags_from_names, valid_choice
from tierdesk.tickets.services.transitions import require_staff, save_ticket

EDITABLE_FIELDS = ("subject", "description", "urgency", "impact", "category", "tags")


@transaction.atomic
def ticket_update(
    *, ticket: Ticket, by: User, channel: str = Channel.WEB, expected_version: int | None = None, **changes: Any
) -> Ticket:
    """Edit the ticket's own fields (not its status, level or owner: those have their verbs).

    A change of urgency or impact recomputes the priority and the SLA deadlines from creation."""
    require_staff(by)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Cannot change %(fields)s here.") % {"fields": ", ".join(sorted(unknown))},
            code="ticket.field_not_editable",
            field=sorted(unknown)[0],
        )
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    diff: dict[str, tuple[Any, Any]] = {}
    fields: list[str] = []
    if "subject" in changes:
        subject = str(changes["subject"]).strip()
        if not subject:
            raise ValidationFailed(_("A ticket needs a subject."), code="ticket.subject_required", field="subject")
        diff["subject"] = (ticket.subject, subject[:250])
        ticket.subject = subject[:250]
    if "description" in changes:
        diff["description"] = (ticket.description, changes["description"])
        ticket.description = str(changes["description"])
    for name, choices in (("urgency", Urgency), ("impact", Impact)):
        if name in changes:
            value = choices(valid_choice(changes[name], choices, name))
            diff[name] = (getattr(ticket, name), value)
            setattr(ticket, name, value)
    if "category" in changes:
        category = changes["category"]
        if category is not None and not isinstance(category, Category):
            raise ValidationFailed(_("Unknown category."), code="ticket.invalid_category", field="category")
        diff["category"] = (ticket.category, category)
        ticket.category = category
    priority = priority_from(ticket.urgency, ticket.impact, priority_matrix())
    if priority != ticket.priority:
        diff["priority"] = (ticket.priority, priority)
        old_due = ticket.due_at
        before = sla_clock.deadlines_of(ticket)
        ticket.priority = priority
        sla_clock.recompute(ticket)
        new_due = ticket.due_at
        diff["due_at"] = (old_due.isoformat() if old_due else None, new_due.isoformat() if new_due else None)
        fields += ["priority", *sla_clock.CLOCK_FIELDS]
    if "tags" in changes:
        old_tags = ",".join(sorted(ticket.tags.values_list("name", flat=True)))
        new_tags = tags_from_names(changes["tags"] or [])
        ticket.tags.set(new_tags)
        diff["tags"] = (old_tags, ",".join(sorted(t.name for t in new_tags)))
    fields += [name for name in ("subject", "description", "urgency", "impact", "category") if name in changes]
    changed = history.record_changes(ticket=ticket, by=by, channel=channel, changes=diff)
    if "priority" in diff:
        sla_clock.record_deadlines(ticket, before=before, by=by, channel=channel)
    if changed:
        save_ticket(ticket, set(fields))
    return ticket


@transaction.atomic
def ticket_set_priority(
    *, ticket: Ticket, priority: str, by: User, channel: str = Channel.WEB, expected_version: int | None = None
) -> Ticket:
    """Set the priority itself, over what urgency x impact give (a rule that knows better, e.g. a
    customer with a stricter contract); the SLA deadlines are recomputed from creation. A later
    change of urgency or impact derives it from the matrix again."""
    require_staff(by)
    value = Priority(valid_choice(priority, Priority, "priority"))
    ticket = lock_ticket(ticket.pk, expected_version=expected_version)
    if ticket.priority == value:
        return ticket
    old, old_due = ticket.priority, ticket.due_at
    before = sla_clock.deadlines_of(ticket)
    ticket.priority = value
    sla_clock.recompute(ticket)
    history.record_changes(
        ticket=ticket,
        by=by,
        channel=channel,
        changes={
            "priority": (old, value),
            "due_at": (old_due.isoformat() if old_due else None, ticket.due_at.isoformat() if ticket.due_at else None),
        },
    )
    sla_clock.record_deadlines(ticket, before=before, by=by, channel=channel)
    save_ticket(ticket, ["priority", *sla_clock.CLOCK_FIELDS])
    return ticket
