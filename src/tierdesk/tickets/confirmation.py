"""Signed, expiring links that let a requester confirm or reopen one resolved ticket from the
resolution e-mail without signing in.

A link names the ticket and the moment it was resolved, so it only ever acts on that ticket and
that resolution: once the ticket is reopened, closed or resolved again, the old link is dead."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from tierdesk.tickets.choices import Status
from tierdesk.tickets.errors import ConfirmationLinkInvalid
from tierdesk.tickets.models import Ticket

SALT = "tierdesk.tickets.confirmation-link"


def link_lifetime() -> timedelta:
    return timedelta(days=int(getattr(settings, "TIERDESK_CONFIRMATION_LINK_DAYS", 14)))


def confirmation_token(ticket: Ticket) -> str:
    """The token for the ticket's current resolution (the ticket must be resolved)."""
    if ticket.status != Status.RESOLVED or ticket.resolved_at is None:
        raise ValueError("only a resolved ticket has a confirmation link")
    payload = {"t": ticket.pk, "r": ticket.resolved_at.isoformat()}
    return signing.TimestampSigner(salt=SALT).sign_object(payload, compress=True)


def ticket_for_confirmation_token(token: str) -> Ticket:
    """The resolved ticket a valid token names; ConfirmationLinkInvalid for anything else
    (tampered, expired, unknown ticket, or a resolution that is no longer the current one)."""
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=link_lifetime())
        ticket = Ticket.objects.select_related("organisation", "requester").get(pk=int(payload["t"]))
    except signing.SignatureExpired:
        raise ConfirmationLinkInvalid(_("This link has expired. Please sign in to the portal instead.")) from None
    except (signing.BadSignature, Ticket.DoesNotExist, KeyError, TypeError, ValueError):
        raise ConfirmationLinkInvalid(_("This link is not valid.")) from None
    current = ticket.resolved_at.isoformat() if ticket.resolved_at else None
    if ticket.status != Status.RESOLVED or payload.get("r") != current:
        raise ConfirmationLinkInvalid(_("This link is no longer valid: the ticket has changed since."))
    return ticket
