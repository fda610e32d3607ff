"""Portal reads: the tickets app's scoped selectors, narrowed the way the portal lists them.

Owns no scoping of its own: every query starts from `tierdesk.tickets.selectors`, so a contact
never sees more here than the API would show them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tierdesk.accounts.models import Contact
from tierdesk.tickets.choices import Status
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.rules import ACTIVE_STATUSES
from tierdesk.tickets.selectors import TicketFilter, pending_second_level_requests, ticket_list_for

# The three groups a customer filters by; "open" is everything still being worked on.
STATUS_GROUPS: dict[str, list[str]] = {
    "open": sorted(str(status) for status in ACTIVE_STATUSES),
    "resolved": [Status.RESOLVED],
    "closed": [Status.CLOSED],
}


def portal_ticket_list(*, user: Any, contact: Contact, only_mine: bool, status_group: str = "") -> QuerySet[Ticket]:
    """The contact's tickets (a customer admin: the organisation's unless `only_mine`),
    optionally one status group, in queue order; paginate the result in SQL."""
    status = tuple(STATUS_GROUPS.get(status_group, ()))
    return ticket_list_for(user=user, filters=TicketFilter(status=status, mine=only_mine))


def second_level_pending(*, user: Any, ticket: Ticket) -> bool:
    return pending_second_level_requests(user=user).filter(ticket_id=ticket.pk).exists()
