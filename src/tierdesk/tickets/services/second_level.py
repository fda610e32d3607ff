"""A customer's request that second level take over, and an agent's decision on it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.core.errors import ValidationFailed
from tierdesk.core.events import publish
from tierdesk.tickets import history
from tierdesk.tickets.choices import Channel, HistoryAction, Level, SecondLevelDecision, Status
from tierdesk.tickets.errors import TicketActionForbidden, TransitionNotAllowed
from tierdesk.tickets.events import TicketPublicReplyAdded
from tierdesk.tickets.locks import lock_ticket
from tierdesk.tickets.models import Comment, SecondLevelRequest, Ticket
from tierdesk.tickets.permissions import can_act_as_customer, can_decide_second_level
from tierdesk.tickets.services.transitions import save_ticket, ticket_escalate


@transaction.atomic
def ticket_request_second_level(
    *, ticket: Ticket, reason: str, by: User, channel: str = Channel.PORTAL
) -> SecondLevelRequest:
    """A customer asks that second level take over; an agent decides."""
    if not can_act_as_customer(by, ticket):
        raise TicketActionForbidden(_("Only the customer may ask for second level."))
    text = reason.strip()
    if not text:
        raise ValidationFailed(_("Say why second level is needed."), code="ticket.reason_required", field="reason")
    ticket = lock_ticket(ticket.pk)
    if ticket.level != Level.FIRST or ticket.status not in (Status.NEW, Status.OPEN, Status.WAITING):
        raise TransitionNotAllowed(_("Second level can only be requested for an active first-level ticket."))
    try:
        with transaction.atomic():
            request = SecondLevelRequest.objects.create(ticket=ticket, requested_by=by, reason=text)
    except IntegrityError:
        raise TransitionNotAllowed(
            _("A request for second level is pending already."), code="ticket.second_level_pending"
        ) from None
    history.record(ticket=ticket, by=by, channel=channel, action=HistoryAction.SECOND_LEVEL_REQUESTED, note=text)
    save_ticket(ticket, [])
    return request


@transaction.atomic
def ticket_second_level_decide(
    *,
    request: SecondLevelRequest,
    approve: bool,
    note: str,
    by: User,
    channel: str = Channel.WEB,
    expected_version: int | None = None,
) -> SecondLevelRequest:
    """Approve (escalate, the note is the handover) or decline (the note tells the customer why)."""
    if not can_decide_second_level(by):
        raise TicketActionForbidden(_("Only agents may decide on second-level requests."))
    # Lock the ticket before the request (the order every writer uses) and check the version.
    lock_ticket(request.ticket_id, expected_version=expected_version)
    request = SecondLevelRequest.objects.select_for_update().get(pk=request.pk)
    if request.decision != SecondLevelDecision.PENDING:
        raise TransitionNotAllowed(_("This request has been decided already."), code="ticket.second_level_decided")
    text = note.strip()
    if not text:
        raise ValidationFailed(_("A decision needs a note."), code="ticket.decision_note_required", field="note")
    if approve:
        ticket_escalate(ticket=request.ticket, to_level=Level.SECOND, handover_note=text, by=by, channel=channel)
    else:
        reply = Comment.objects.create(ticket=request.ticket, author=by, body=text, is_internal=False, channel=channel)
        publish(TicketPublicReplyAdded(ticket_id=request.ticket_id, comment_id=reply.pk, by_id=by.pk, channel=channel))
    request.decision = SecondLevelDecision.APPROVED if approve else SecondLevelDecision.DECLINED
    request.decided_by = by
    request.decided_at = timezone.now()
    request.decision_note = text
    request.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    ticket = lock_ticket(request.ticket_id)
    history.record(
        ticket=ticket,
        by=by,
        channel=channel,
        action=HistoryAction.SECOND_LEVEL_DECIDED,
        field="second_level_request",
        new=request.decision,
        # approved: the note is the handover, recorded internally by the escalation already;
        # declined: it is the answer the customer sees.
        note="" if approve else text,
    )
    save_ticket(ticket, [])
    return request
