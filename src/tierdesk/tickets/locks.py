"""Row locks for ticket writes, always taken in primary-key order to avoid deadlocks."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tierdesk.tickets.errors import TicketNotFound, TicketVersionConflict
from tierdesk.tickets.models import Ticket


def lock_ticket(ticket_id: int, *, expected_version: int | None = None) -> Ticket:
    """Re-read the ticket under `SELECT ... FOR UPDATE` (a no-op lock on SQLite, where the
    IMMEDIATE transaction holds the database write lock already) and check its version."""
    try:
        ticket = (
            Ticket.objects.select_for_update(of=("self",)).select_related("organisation", "requester").get(pk=ticket_id)
        )
    except Ticket.DoesNotExist:
        raise TicketNotFound(_("No such ticket.")) from None
    if expected_version is not None and ticket.version != expected_version:
        raise TicketVersionConflict(
            _(
                "Ticket %(number)s was changed by someone else (version %(current)s, you had %(expected)s). "
                "Reload it and try again."
            )
            % {"number": ticket.number, "current": ticket.version, "expected": expected_version}
        )
    return ticket
