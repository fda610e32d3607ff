"""The requester's answer to a resolution through the signed link in the e-mail: confirm (the
ticket closes) or reopen with a reason. No sign-in; the link is the requester's authority for
this one ticket and this one resolution (tickets/confirmation.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.core.errors import ValidationFailed
from tierdesk.tickets.choices import Channel, HistoryAction, Status
from tierdesk.tickets.confirmation import ticket_for_confirmation_token
from tierdesk.tickets.errors import ConfirmationLinkInvalid
from tierdesk.tickets.locks import lock_ticket
from tierdesk.tickets.models import Comment, Ticket
from tierdesk.tickets.services.transitions import save_ticket, set_status


def _requester_login(ticket: Ticket) -> User | None:
    """The requester's own login, when they have one, so the history names them."""
    requester = ticket.requester
    user = requester.user if requester is not None else None
    return user if user is not None and user.is_active else None


def _locked_resolved(token: str) -> Ticket:
    ticket = lock_ticket(ticket_for_confirmation_token(token).pk)
    # Re-check under the lock: two clicks on the same link (or link and portal) race here.
    if ticket.status != Status.RESOLVED:
        raise ConfirmationLinkInvalid(_("This link is no longer valid: the ticket has changed since."))
    return ticket


@transaction.atomic
def ticket_confirm_by_link(*, token: str) -> Ticket:
    ticket = _locked_resolved(token)
    name = ticket.requester.name if ticket.requester else ""
    fields = set_status(
        ticket,
        to=Status.CLOSED,
        by=_requester_login(ticket),
        channel=Channel.EMAIL,
        action=HistoryAction.CONFIRMED,
        note=_("Confirmed by %(name)s with the link in the resolution e-mail.") % {"name": name},
    )
    save_ticket(ticket, fields)
    return ticket


@transaction.atomic
def ticket_reopen_by_link(*, token: str, reason: str) -> Ticket:
    text = reason.strip()
    if not text:
        raise ValidationFailed(_("Reopening needs a reason."), code="ticket.reason_required", field="reason")
    ticket = _locked_resolved(token)
    by = _requester_login(ticket)
    Comment.objects.create(ticket=ticket, author=by, body=text, is_internal=False, channel=Channel.EMAIL)
    fields = set_status(ticket, to=Status.OPEN, by=by, channel=Channel.EMAIL, action=HistoryAction.REOPENED, note=text)
    save_ticket(ticket, fields)
    return ticket
