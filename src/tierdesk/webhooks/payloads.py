"""What a webhook says: the envelope {id, type, created_at, data} and the ticket as receivers see
it. docs/webhooks.md documents every field; a change here is a change of a public contract.

Internal notes never appear: a public reply is the only comment text a payload carries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from tierdesk.tickets.addresses import desk_ticket_url
from tierdesk.tickets.models import Comment, Ticket


def instant(value: datetime | None) -> str | None:
    """An instant in UTC, ISO 8601 with a Z, as the REST API writes them."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def envelope(*, event_type: str, data: dict[str, Any], created_at: datetime) -> dict[str, Any]:
    """A new event: its id is fresh here and then shared by every delivery of it."""
    return {"id": str(uuid.uuid4()), "type": event_type, "created_at": instant(created_at), "data": data}


def ticket_data(ticket: Ticket) -> dict[str, Any]:
    """The ticket as it stands after the change (organisation, requester, assignee selected along)."""
    requester = ticket.requester
    assignee = ticket.assignee
    return {
        "number": ticket.number,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "level": ticket.level,
        "organisation": {"id": ticket.organisation_id, "name": ticket.organisation.name},
        "requester": (
            None if requester is None else {"id": requester.pk, "name": requester.name, "email": requester.email}
        ),
        "assignee": (
            None
            if assignee is None
            else {"id": assignee.pk, "username": assignee.username, "name": assignee.display_name}
        ),
        "due_at": instant(ticket.due_at),
        "url": desk_ticket_url(ticket),
    }


def comment_data(comment: Comment) -> dict[str, Any]:
    """A public reply. The caller has checked that it is not an internal note."""
    return {
        "id": comment.pk,
        "body": comment.body,
        "author": comment.author.display_name if comment.author is not None else None,
        "channel": comment.channel,
        "created_at": instant(comment.created_at),
    }
