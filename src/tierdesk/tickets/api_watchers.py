"""HTTP endpoints of a ticket's followers (watchers, CC): list, follow, stop following.

Staff add and remove any colleague or contact of the ticket's organisation; customers only
themselves (a body or query without `user` and `contact` means the caller). Each answers with
the followers as the caller may see them and the ticket's version as the ETag; the version sent
(body, query or If-Match) is the ticket's."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from tierdesk.accounts.api_auth import caller, request_channel
from tierdesk.accounts.api_base import ERRORS
from tierdesk.accounts.permissions import is_staff_member
from tierdesk.tickets import services
from tierdesk.tickets.api import _expected_version, _ticket
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.schemas_watchers import (
    CustomerWatchersOut,
    WatcherIn,
    WatcherQuery,
    WatchersOut,
    watchers_out_for,
)
from tierdesk.tickets.selectors import ticket_get_for
from tierdesk.tickets.selectors_watchers import ticket_watchers_for, watcher_target_for

router = Router(tags=["watchers"])

WATCHERS = {200: WatchersOut | CustomerWatchersOut, **ERRORS}


def _answer(request: HttpRequest, response: HttpResponse, ticket: Ticket) -> WatchersOut | CustomerWatchersOut:
    """The ticket's followers as the caller sees them, with the ticket's version as the ETag."""
    user = caller(request)
    response["ETag"] = f'"{ticket.version}"'
    return watchers_out_for(ticket_watchers_for(user=user, ticket=ticket), is_staff=is_staff_member(user))


def _render(request: HttpRequest, response: HttpResponse, number: int) -> WatchersOut | CustomerWatchersOut:
    """After a change: re-read the ticket (its new version) and answer with its followers."""
    return _answer(request, response, ticket_get_for(user=caller(request), number=number))


@router.get("/tickets/{number}/watchers", response=WATCHERS, summary="Who follows the ticket")
def watcher_list(request: HttpRequest, response: HttpResponse, number: str) -> Any:
    return _answer(request, response, _ticket(request, number))


@router.post(
    "/tickets/{number}/watchers",
    response={201: WatchersOut | CustomerWatchersOut, **ERRORS},
    summary="Follow the ticket, or add a follower (staff)",
)
def watcher_add(request: HttpRequest, response: HttpResponse, number: str, payload: WatcherIn) -> Any:
    user = caller(request)
    ticket = _ticket(request, number)
    target, contact = watcher_target_for(user=user, user_id=payload.user, contact_id=payload.contact)
    services.ticket_watch(
        ticket=ticket,
        by=user,
        user=target,
        contact=contact,
        channel=request_channel(request),
        expected_version=_expected_version(request, payload.version),
    )
    return Status(201, _render(request, response, ticket.number))


@router.delete("/tickets/{number}/watchers", response=WATCHERS, summary="Stop following, or remove a follower (staff)")
def watcher_remove(request: HttpRequest, response: HttpResponse, number: str, query: Query[WatcherQuery]) -> Any:
    user = caller(request)
    ticket = _ticket(request, number)
    target, contact = watcher_target_for(user=user, user_id=query.user, contact_id=query.contact)
    services.ticket_unwatch(
        ticket=ticket,
        by=user,
        user=target,
        contact=contact,
        channel=request_channel(request),
        expected_version=_expected_version(request, query.version),
    )
    return _render(request, response, ticket.number)
