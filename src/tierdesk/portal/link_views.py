"""The page behind the confirm/reopen link of a resolution e-mail: no sign-in, one ticket.

The signed token is the only authority (tickets/confirmation.py); the page speaks the requester's
language and shows nothing but the ticket's number, subject and resolution."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tierdesk.core.errors import DomainError
from tierdesk.portal.forms import ReopenForm
from tierdesk.tickets.confirmation import ticket_for_confirmation_token
from tierdesk.tickets.errors import ConfirmationLinkInvalid
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import ticket_confirm_by_link, ticket_reopen_by_link

TEMPLATE = "portal/confirmation_link.html"


def _page(request: HttpRequest, ticket: Ticket | None, *, status: int = 200, **context: object) -> HttpResponse:
    language = ticket.requester.language if ticket is not None and ticket.requester else None
    with translation.override(language or translation.get_language()):
        response = render(
            request,
            TEMPLATE,
            {"ticket": ticket, "contact": ticket.requester if ticket else None, **context},
            status=status,
        )
    # The token is in the URL: never let it leak to another site or into a shared cache.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def confirmation_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the resolution with two answers; POST `answer=confirm` or `answer=reopen` (+ reason)."""
    try:
        ticket = ticket_for_confirmation_token(token)
    except ConfirmationLinkInvalid as error:
        return _page(request, None, status=error.http_status, error=error.message)
    form = ReopenForm(request.POST or None)
    if request.method == "GET":
        return _page(request, ticket, form=form)
    try:
        if request.POST.get("answer") == "confirm":
            ticket = ticket_confirm_by_link(token=token)
            return _page(request, ticket, done=_("Thank you for confirming. The ticket is closed."))
        if not form.is_valid():
            return _page(request, ticket, status=422, form=form)
        ticket = ticket_reopen_by_link(token=token, reason=form.cleaned_data["reason"])
    except DomainError as error:
        return _page(request, ticket, status=error.http_status, form=form, error=error.message)
    return _page(request, ticket, done=_("We are sorry it is not solved yet. The ticket is open again."))
