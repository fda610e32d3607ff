"""Ticket events the webhooks app listens to. Each handler only writes the deliveries and queues
their tasks (webhooks/services.py); the events arrive after the ticket's transaction committed
(tierdesk.core.events), so a rolled-back change sends nothing, and no request to a receiver ever
runs in the request that caused the event."""

from __future__ import annotations

from tierdesk.core.events import subscribe
from tierdesk.tickets.events import (
    TicketCreated,
    TicketPublicReplyAdded,
    TicketSlaBreached,
    TicketStatusChanged,
    TicketUpdated,
)
from tierdesk.webhooks.services import (
    webhook_queue_ticket_commented,
    webhook_queue_ticket_created,
    webhook_queue_ticket_sla_breached,
    webhook_queue_ticket_status_changed,
    webhook_queue_ticket_updated,
)


@subscribe(TicketCreated)
def on_ticket_created(event: TicketCreated) -> None:
    webhook_queue_ticket_created(ticket_id=event.ticket_id, channel=event.channel)


@subscribe(TicketUpdated)
def on_ticket_updated(event: TicketUpdated) -> None:
    webhook_queue_ticket_updated(ticket_id=event.ticket_id, actions=event.actions)


@subscribe(TicketPublicReplyAdded)
def on_ticket_public_reply_added(event: TicketPublicReplyAdded) -> None:
    webhook_queue_ticket_commented(ticket_id=event.ticket_id, comment_id=event.comment_id)


@subscribe(TicketStatusChanged)
def on_ticket_status_changed(event: TicketStatusChanged) -> None:
    webhook_queue_ticket_status_changed(ticket_id=event.ticket_id, old=event.old, new=event.new)


@subscribe(TicketSlaBreached)
def on_ticket_sla_breached(event: TicketSlaBreached) -> None:
    webhook_queue_ticket_sla_breached(ticket_id=event.ticket_id, deadline=event.deadline)
