"""Absolute links to a ticket in the agents' desk, for what a background task sends out (staff
mails, webhook payloads). The path matches tickets/urls.py ("desk/" + "tickets/<number>/")."""

from __future__ import annotations

from tierdesk.core.addresses import absolute_url
from tierdesk.tickets.models import Ticket


def desk_ticket_url(ticket: Ticket) -> str:
    return absolute_url(f"/desk/tickets/{ticket.number}/")
