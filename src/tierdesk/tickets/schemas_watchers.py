"""Input and output shapes of a ticket's followers (watchers) in the API.

The followers come from `selectors_watchers.ticket_watchers_for`, read for the caller once per
response and handed to the ticket's output schema as validation context (`ticket_out_for` in
schemas.py), like the links: a customer's view holds the contacts who follow and only the
number of staff followers."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

from tierdesk.accounts.api_base import OutSchema
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.selectors_watchers import TicketWatchers

# The key of the caller's TicketWatchers in the output schema's validation context.
WATCHERS = "watchers"


class WatcherUserOut(OutSchema):
    id: int
    username: str
    display_name: str


class WatcherContactOut(OutSchema):
    id: int
    name: str


class StaffWatcherContactOut(WatcherContactOut):
    email: str


class CustomerWatchersOut(OutSchema):
    contacts: list[WatcherContactOut]
    staff_count: int = Field(description="How many staff members follow the ticket")
    is_watching: bool = Field(description="You follow this ticket")


class WatchersOut(CustomerWatchersOut):
    staff: list[WatcherUserOut]
    contacts: list[StaffWatcherContactOut]  # type: ignore[assignment]  # staff also see the addresses


def watchers_out_for(watchers: TicketWatchers, *, is_staff: bool) -> WatchersOut | CustomerWatchersOut:
    schema = WatchersOut if is_staff else CustomerWatchersOut
    return schema.model_validate(watchers)


def _watchers(context: Any) -> TicketWatchers:
    watchers = (context or {}).get(WATCHERS)
    if not isinstance(watchers, TicketWatchers):
        # Scoping happens in the selector, for the caller: never render a ticket without it.
        raise TypeError("ticket output needs the caller's watchers: build it with schemas.ticket_out_for()")
    return watchers


class TicketWatchersOut(OutSchema):
    """The `watchers` field of the staff ticket view (mixed into TicketOut)."""

    watchers: WatchersOut

    @staticmethod
    def resolve_watchers(obj: Ticket, context: Any) -> WatchersOut:
        return WatchersOut.model_validate(_watchers(context))


class CustomerTicketWatchersOut(OutSchema):
    """The `watchers` field of the customer ticket view (mixed into CustomerTicketOut)."""

    watchers: CustomerWatchersOut

    @staticmethod
    def resolve_watchers(obj: Ticket, context: Any) -> CustomerWatchersOut:
        return CustomerWatchersOut.model_validate(_watchers(context))


class WatcherIn(Schema):
    """Whom to add: a colleague (`user`) or a contact of the ticket's organisation (`contact`);
    neither means yourself. Customers can only add themselves."""

    user: int | None = Field(None, ge=1, description="A staff member's id (staff only)")
    contact: int | None = Field(None, ge=1, description="A contact's id (staff; customers: their own)")
    version: int | None = Field(None, ge=1, description="The version you read; a changed ticket answers 409")


class WatcherQuery(WatcherIn):
    """Whom to remove, as listed; neither means yourself."""
