"""Helpers for the tickets API tests: a snapshot of everything a denied call must leave alone,
and the status every persona gets from an endpoint family."""

from __future__ import annotations

from typing import Any

from tierdesk.tickets.models import Ticket

# Keys of the staff ticket view that a customer must never receive.
INTERNAL_TICKET_KEYS = frozenset({"assignee", "tags", "bug_key", "bug_url", "paused_at"})


def ticket_state(ticket: Ticket) -> dict[str, Any]:
    """The ticket's row and the counts of everything hanging off it."""
    row: dict[str, Any] = dict(Ticket.objects.filter(pk=ticket.pk).values().get())
    row.pop("updated_at")
    return {
        **row,
        "comments": ticket.comments.count(),
        "attachments": ticket.attachments.count(),
        "time_entries": ticket.time_entries.count(),
        "history": ticket.history.count(),
        "second_level_requests": ticket.second_level_requests.count(),
        "tags": sorted(ticket.tags.values_list("name", flat=True)),
    }


def expected_status(who: str, *, ok: int, customer: int, staff: int | None = None) -> int:
    """The status for `who` on a ticket of customer_a: anonymous 401, people who cannot see it
    404, customers who can `customer`, staff `staff` (default `ok`)."""
    if who == "anonymous":
        return 401
    if who in ("customer_b", "customer_a2"):
        return 404
    if who in ("customer_a", "customer_admin_a"):
        return customer
    return ok if staff is None else staff
