"""Reads of a ticket's followers for a user, in one query. Staff see every follower; a
customer sees the contacts who follow (colleagues of their own organisation) and only how
many staff members do, never who: the desk's internal arrangements are not theirs to read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tierdesk.accounts.models import Contact, User
from tierdesk.accounts.permissions import contact_of, is_staff_member
from tierdesk.accounts.selectors import staff_users
from tierdesk.core.errors import ValidationFailed
from tierdesk.tickets.errors import TicketActionForbidden
from tierdesk.tickets.models import Ticket, TicketWatcher
from tierdesk.tickets.permissions import can_see_internal


@dataclass(frozen=True)
class TicketWatchers:
    """`staff` is empty for customers; `staff_count` is the number either way."""

    staff: list[User] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    staff_count: int = 0
    is_watching: bool = False  # the caller follows the ticket


def ticket_watchers_for(*, user: Any, ticket: Ticket) -> TicketWatchers:
    """The followers of a ticket the user sees (the caller passes one from ticket_get_for),
    oldest first. One query whatever their number."""
    rows = list(
        TicketWatcher.objects.filter(ticket_id=ticket.pk).select_related("user", "contact").order_by("created_at", "id")
    )
    staff = [row.user for row in rows if row.user is not None]
    contacts = [row.contact for row in rows if row.contact is not None]
    if can_see_internal(user):
        return TicketWatchers(
            staff=staff, contacts=contacts, staff_count=len(staff), is_watching=any(s.pk == user.pk for s in staff)
        )
    own = contact_of(user)
    return TicketWatchers(
        contacts=contacts,
        staff_count=len(staff),
        is_watching=own is not None and any(c.pk == own.pk for c in contacts),
    )


def watcher_target_for(
    *, user: Any, user_id: int | None = None, contact_id: int | None = None
) -> tuple[User | None, Contact | None]:
    """Whom a follow or unfollow request names: (colleague, None) or (None, contact). Naming
    nobody means the caller. A customer may name only their own contact (anything else is
    refused without looking it up); staff may name any user or contact by id, and the service
    decides whether that one may follow."""
    if user_id is not None and contact_id is not None:
        raise ValidationFailed(_("Name either a colleague or a contact."), code="watcher.target", field="user")
    if not is_staff_member(user):
        own = contact_of(user)
        if own is None or user_id is not None or contact_id not in (None, own.pk):
            raise TicketActionForbidden(_("You can only follow or stop following a ticket yourself."))
        return None, own
    if user_id is None and contact_id is None:
        return user, None
    if user_id is not None:
        found = User.objects.filter(pk=user_id).first()
        if found is None:
            raise ValidationFailed(_("There is no such colleague."), code="watcher.unknown_user", field="user")
        return found, None
    contact = Contact.objects.select_related("organisation").filter(pk=contact_id or 0).first()
    if contact is None:
        raise ValidationFailed(_("There is no such contact."), code="watcher.unknown_contact", field="contact")
    return None, contact


def watcher_candidates(*, ticket: Ticket) -> tuple[QuerySet[User], QuerySet[Contact]]:
    """Whom the desk offers to add as followers: active colleagues and the organisation's active
    contacts with an address (not the requester), neither following yet."""
    following = TicketWatcher.objects.filter(ticket_id=ticket.pk)
    staff = staff_users().exclude(pk__in=following.filter(user__isnull=False).values("user_id"))
    contacts = (
        Contact.objects.filter(organisation_id=ticket.organisation_id, is_active=True)
        .exclude(email="")
        .exclude(pk__in=following.filter(contact__isnull=False).values("contact_id"))
        .order_by("name", "id")
    )
    if ticket.requester_id is not None:
        contacts = contacts.exclude(pk=ticket.requester_id)
    return staff, contacts
