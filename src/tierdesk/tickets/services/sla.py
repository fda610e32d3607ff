"""The SLA check of one ticket: records, once each, that a deadline is near (warning) or missed
(breach), and schedules the next check of the same plan (convention 4: the version token is
compared under the row lock, so a check of a replaced plan does nothing)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tierdesk.core.events import publish
from tierdesk.tickets import history, sla_clock
from tierdesk.tickets.choices import Channel, HistoryAction
from tierdesk.tickets.errors import TicketNotFound
from tierdesk.tickets.events import TicketSlaBreached
from tierdesk.tickets.locks import lock_ticket


@transaction.atomic
def ticket_sla_check(*, ticket_id: int, sla_version: int, now: datetime | None = None) -> list[str]:
    """Record the warnings and breaches due by `now` (default: the current time) that are not
    recorded yet; returns the fields it set. Does nothing for a deleted ticket, a replaced plan
    (`sla_version` differs) or a stopped clock (waiting on the customer, resolved, closed)."""
    try:
        ticket = lock_ticket(ticket_id)
    except TicketNotFound:
        return []
    if ticket.sla_version != sla_version or not sla_clock.is_running(ticket):
        return []
    now = now or timezone.now()
    marked: list[str] = []
    for point in sla_clock.pending_points(ticket):
        if point.at > now:
            break
        setattr(ticket, point.mark, now)
        marked.append(point.mark)
        history.record(
            ticket=ticket,
            by=None,
            channel=Channel.SYSTEM,  # no person: the clock itself
            action=HistoryAction.SLA_BREACHED if point.breach else HistoryAction.SLA_WARNING,
            field=point.deadline,
            new=getattr(ticket, point.deadline).isoformat(),  # the deadline warned of or missed
            is_internal=True,
        )
        if point.breach:
            publish(TicketSlaBreached(ticket_id=ticket.pk, deadline=point.deadline))
    if marked:
        # Only the marks: `version` guards what people edit, and a check changes none of it.
        ticket.save(update_fields=marked)
    sla_clock.schedule_check(ticket)  # the next pending point of the same plan, if any
    return marked
