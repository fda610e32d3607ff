"""Input and output shapes of links and child tickets in the API.

A ticket's `parent`, `children` and `links` come from `selectors_links.ticket_relations_for`,
computed for the caller once per response and handed to the output schema as validation
context (`ticket_out_for` in schemas.py), so a customer's view holds only what they may see."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Field, Schema

from tierdesk.accounts.api_base import OutSchema
from tierdesk.tickets.choices import Impact, Status, Urgency
from tierdesk.tickets.choices_links import LinkRole
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.selectors_links import TicketRelations

Number = Annotated[int, Field(ge=1, description="A ticket number")]
Version = Annotated[int | None, Field(ge=1, description="The version you read; a changed ticket answers 409")]
# The key of the caller's TicketRelations in the output schema's validation context.
RELATIONS = "relations"


class TicketRefOut(OutSchema):
    number: int
    subject: str
    status: Status


class LinkOut(TicketRefOut):
    kind: LinkRole = Field(description="This ticket is <kind> the other one (number)")


def _relations(context: Any) -> TicketRelations:
    relations = (context or {}).get(RELATIONS)
    if not isinstance(relations, TicketRelations):
        # Scoping happens in the selector, for the caller: never render a ticket without it.
        raise TypeError("ticket output needs the caller's relations: build it with schemas.ticket_out_for()")
    return relations


class TicketRelationsOut(OutSchema):
    """The fields every ticket view adds (mixed into TicketOut and CustomerTicketOut)."""

    parent: int | None = Field(description="The parent ticket's number")
    children: list[TicketRefOut]
    links: list[LinkOut]

    @staticmethod
    def resolve_parent(obj: Ticket, context: Any) -> int | None:
        parent = _relations(context).parent
        return parent.number if parent is not None else None

    @staticmethod
    def resolve_children(obj: Ticket, context: Any) -> list[TicketRefOut]:
        return [TicketRefOut.model_validate(child) for child in _relations(context).children]

    @staticmethod
    def resolve_links(obj: Ticket, context: Any) -> list[LinkOut]:
        return [
            LinkOut(
                number=link.ticket.number,
                subject=link.ticket.subject,
                status=Status(link.ticket.status),
                kind=link.role,
            )
            for link in _relations(context).links
        ]


class LinkIn(Schema):
    kind: LinkRole = Field(description="This ticket is <kind> the other one")
    number: Number
    version: Version = None


class LinkQuery(Schema):
    """Which link to remove, as listed on the ticket."""

    kind: LinkRole
    number: Number
    version: Version = None


class ParentIn(Schema):
    number: Number = Field(description="The parent ticket's number")
    version: Version = None


class ChildIn(Schema):
    """A new child ticket: organisation, requester, category, urgency and impact default to the parent's."""

    subject: str = Field(max_length=250)
    description: Annotated[str, Field(max_length=100_000)] = ""
    urgency: Urgency | None = None
    impact: Impact | None = None
    category: int | None = None
    tags: list[Annotated[str, Field(max_length=50)]] = Field(default_factory=list, max_length=20)
    organisation: int | None = None
    requester: int | None = None
    version: Version = Field(None, description="The parent's version you read")
