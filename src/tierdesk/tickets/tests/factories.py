"""Ticket state for tests is built through the services, so numbering and history hold."""

from __future__ import annotations

from typing import Any

from tierdesk.accounts.models import Contact, User
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import ticket_create


def make_ticket(*, by: User, requester: Contact, subject: str = "Printer is offline", **kwargs: Any) -> Ticket:
    return ticket_create(by=by, requester=requester, organisation=requester.organisation, subject=subject, **kwargs)
