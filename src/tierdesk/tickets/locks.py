"""Row locks for ticket writes, always taken in primary-key order to avoid deadlocks."""

from __future__ import annotations

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
        raise TicketNotFound("No such ticket.") from None
    if expected_version is not None and ticket.version != expected_version:
        raise TicketVersionConflict(
            f"Ticket {ticket.number} was changed by someone else (version {ticket.version}, "
            f"you had {expected_version}). Reload it and try again."
        )
    return ticket
