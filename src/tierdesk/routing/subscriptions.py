"""Events routing listens to. Each handler only enqueues a task; the events arrive after the
transaction that caused them committed (tierdesk.core.events), so a rolled-back ticket is never
routed. The sign-out hook is Django's `user_logged_out` signal, a thin call into the service."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from tierdesk.core.events import subscribe
from tierdesk.routing.choices import PresenceStatus
from tierdesk.routing.events import PresenceChanged
from tierdesk.routing.selectors import assignment_is_on
from tierdesk.routing.services import presence_sign_out
from tierdesk.routing.tasks import assign_after_release, assign_ticket, assign_waiting
from tierdesk.tickets.choices import HistoryAction, Status
from tierdesk.tickets.events import TicketStatusChanged, TicketUpdated

# A ticket needs an assignee when it is created, enters a level, or comes back to work; the
# service does nothing when it has one. Releasing a ticket by hand is no trigger: it would come
# straight back to the next agent in turn, perhaps to the one who just let go of it.
ASSIGNMENT_TRIGGERS = frozenset(
    {HistoryAction.CREATED, HistoryAction.ESCALATED, HistoryAction.SENT_TO_DEVELOPMENT, HistoryAction.REOPENED}
)
FINISHED = frozenset({Status.RESOLVED, Status.CLOSED})


@subscribe(TicketUpdated)
def on_ticket_updated(event: TicketUpdated) -> None:
    # The policy check costs one query on a tiny table; a task costs a row and a worker's turn.
    if ASSIGNMENT_TRIGGERS.intersection(event.actions) and assignment_is_on():
        assign_ticket.enqueue(ticket_id=event.ticket_id)


@subscribe(TicketStatusChanged)
def on_ticket_status_changed(event: TicketStatusChanged) -> None:
    if event.new in FINISHED and event.old not in FINISHED and assignment_is_on():
        assign_after_release.enqueue(ticket_id=event.ticket_id)


@subscribe(PresenceChanged)
def on_presence_changed(event: PresenceChanged) -> None:
    if event.new == PresenceStatus.AVAILABLE and assignment_is_on():
        assign_waiting.enqueue(agent_id=event.user_id)


@receiver(user_logged_out, dispatch_uid="tierdesk-routing-sign-out")
def on_user_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and getattr(user, "pk", None) is not None:
        presence_sign_out(user=user)
