"""Who may see which tickets and what they may do to them. Used by selectors, services,
the API and the web UI alike, so that the rules live in one place."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from tierdesk.accounts.choices import Role
from tierdesk.accounts.permissions import contact_of, is_case_manager, is_staff_member
from tierdesk.tickets.models import Ticket, TicketWatcher


def visible_tickets(user: Any) -> QuerySet[Ticket]:
    """Staff see every ticket; a customer admin their organisation's; a customer user the
    tickets they requested or follow (in copy, e.g. after their ticket was merged into another);
    anybody else none."""
    if is_staff_member(user):
        return Ticket.objects.all()
    contact = contact_of(user)
    if contact is None:
        return Ticket.objects.none()
    if user.role == Role.CUSTOMER_ADMIN:
        return Ticket.objects.filter(organisation_id=contact.organisation_id)
    follows = TicketWatcher.objects.filter(ticket_id=OuterRef("pk"), contact_id=contact.pk)
    return Ticket.objects.filter(Q(requester_id=contact.pk) | Exists(follows))


def can_work_tickets(user: Any) -> bool:
    """Assign, escalate, resolve, note, log time: agents, case managers and admins."""
    return is_staff_member(user)


def can_see_internal(user: Any) -> bool:
    return is_staff_member(user)


def can_decide_second_level(user: Any) -> bool:
    return is_staff_member(user)


def can_assign_others(user: Any) -> bool:
    """Agents take tickets for themselves; case managers and admins assign anyone."""
    return is_case_manager(user)


def can_act_as_customer(user: Any, ticket: Ticket) -> bool:
    """Confirm, reopen, reply, ask for second level: a customer who can see the ticket."""
    contact = contact_of(user)
    if contact is None:
        return False
    if user.role == Role.CUSTOMER_ADMIN:
        return ticket.organisation_id == contact.organisation_id
    return ticket.requester_id == contact.pk


def can_manage_rules(user: Any) -> bool:
    """Automation rules change tickets for everyone: administrators only (like the SLA policies)."""
    return bool(getattr(user, "is_staff_member", False)) and user.role == Role.ADMIN


def can_manage_custom_fields(user: Any) -> bool:
    """Custom fields shape every ticket form and filter: administrators only."""
    return bool(getattr(user, "is_staff_member", False)) and user.role == Role.ADMIN
