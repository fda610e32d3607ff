"""Reads of a ticket's parent, children and links for a user: only the tickets that user may
see (a customer never learns of a linked or parent ticket outside their scope), in two queries
whatever their number."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from tierdesk.core.errors import NotFound, ValidationFailed
from tierdesk.tickets.choices_links import LinkRole, role_of
from tierdesk.tickets.models import Ticket, TicketLink
from tierdesk.tickets.permissions import visible_tickets
from tierdesk.tickets.rules import ACTIVE_STATUSES
from tierdesk.tickets.selectors import ticket_get_for

# What the lists show of the other tickets.
_SHOWN_FIELDS = ("id", "number", "subject", "status", "parent_id")


@dataclass(frozen=True)
class LinkedTicket:
    """The other end of a link, with the link as the ticket at hand sees it."""

    role: LinkRole
    ticket: Ticket


@dataclass(frozen=True)
class TicketRelations:
    parent: Ticket | None = None
    children: list[Ticket] = field(default_factory=list)
    links: list[LinkedTicket] = field(default_factory=list)

    @property
    def open_children(self) -> list[Ticket]:
        """Children still to be worked on: they stop the parent from being resolved."""
        return [child for child in self.children if child.status in ACTIVE_STATUSES]


def ticket_relations_for(*, user: Any, ticket: Ticket) -> TicketRelations:
    """The parent, children (by number) and links (oldest first) of a ticket the user sees,
    each limited to the tickets the user may see. Two queries: the links, then the tickets."""
    links = list(TicketLink.objects.filter(Q(from_ticket_id=ticket.pk) | Q(to_ticket_id=ticket.pk)))
    linked_ids = {link.to_ticket_id if link.from_ticket_id == ticket.pk else link.from_ticket_id for link in links}
    wanted = Q(parent_id=ticket.pk)
    if linked_ids:
        wanted |= Q(pk__in=linked_ids)
    if ticket.parent_id is not None:
        wanted |= Q(pk=ticket.parent_id)
    shown = {row.pk: row for row in visible_tickets(user).filter(wanted).only(*_SHOWN_FIELDS).order_by("number")}
    linked = []
    for link in links:
        is_source = link.from_ticket_id == ticket.pk
        other = shown.get(link.to_ticket_id if is_source else link.from_ticket_id)
        if other is not None:
            linked.append(LinkedTicket(role=role_of(link.kind, is_source=is_source), ticket=other))
    return TicketRelations(
        parent=shown.get(ticket.parent_id) if ticket.parent_id is not None else None,
        children=[row for row in shown.values() if row.parent_id == ticket.pk],
        links=linked,
    )


def ticket_reference_get_for(*, user: Any, number: Any, field: str = "number") -> Ticket:
    """Another ticket named by number in the input (the far end of a link, a new parent): one
    the user may see, else invalid input on `field` (an unknown and a hidden number alike)."""
    try:
        return ticket_get_for(user=user, number=number)
    except NotFound:
        raise ValidationFailed(
            _("There is no ticket #%(number)s.") % {"number": str(number).strip().lstrip("#")[:20]},
            code="ticket.unknown_number",
            field=field,
        ) from None
