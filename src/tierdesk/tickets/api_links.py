"""HTTP endpoints of links between tickets and of child tickets (staff make changes; everybody
reads them on the ticket itself: `parent`, `children`, `links`).

Each answers with the ticket as the caller sees it now (a new child: the child, 201), with its
version as the ETag; the version sent (body, query or If-Match) is that of the ticket in the path."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from tierdesk.accounts.api_auth import caller, request_channel
from tierdesk.accounts.api_base import ERRORS
from tierdesk.tickets import services
from tierdesk.tickets.api import TICKET, _category, _contact, _expected_version, _organisation, _render, _ticket
from tierdesk.tickets.schemas import CustomerTicketOut, TicketOut, VersionIn
from tierdesk.tickets.schemas_links import ChildIn, LinkIn, LinkQuery, ParentIn
from tierdesk.tickets.selectors_links import ticket_reference_get_for

router = Router(tags=["links"])


@router.post("/tickets/{number}/links", response=TICKET, summary="Link to another ticket (staff)")
def link_add(request: HttpRequest, response: HttpResponse, number: str, payload: LinkIn) -> Any:
    user = caller(request)
    ticket = _ticket(request, number)
    services.ticket_link_add(
        ticket=ticket,
        other=ticket_reference_get_for(user=user, number=payload.number),
        kind=payload.kind,
        by=user,
        channel=request_channel(request),
        expected_version=_expected_version(request, payload.version),
    )
    return _render(request, response, ticket.number)


@router.delete("/tickets/{number}/links", response=TICKET, summary="Remove a link (staff)")
def link_remove(request: HttpRequest, response: HttpResponse, number: str, query: Query[LinkQuery]) -> Any:
    user = caller(request)
    ticket = _ticket(request, number)
    services.ticket_link_remove(
        ticket=ticket,
        other=ticket_reference_get_for(user=user, number=query.number),
        kind=query.kind,
        by=user,
        channel=request_channel(request),
        expected_version=_expected_version(request, query.version),
    )
    return _render(request, response, ticket.number)


@router.post(
    "/tickets/{number}/children",
    response={201: TicketOut | CustomerTicketOut, **ERRORS},
    summary="Open a child ticket (staff)",
)
def child_create(request: HttpRequest, response: HttpResponse, number: str, payload: ChildIn) -> Any:
    user = caller(request)
    child = services.ticket_child_create(
        parent=_ticket(request, number),
        by=user,
        channel=request_channel(request),
        organisation=_organisation(user, payload.organisation),
        requester=_contact(user, payload.requester),
        category=_category(payload.category),
        expected_version=_expected_version(request, payload.version),
        **payload.model_dump(include={"subject", "description", "urgency", "impact", "tags"}),
    )
    return Status(201, _render(request, response, child.number))


@router.delete(
    "/tickets/{number}/children/{child_number}", response=TICKET, summary="Take a child out of this ticket (staff)"
)
def child_detach(
    request: HttpRequest, response: HttpResponse, number: str, child_number: str, query: Query[VersionIn]
) -> Any:
    user = caller(request)
    parent = _ticket(request, number)
    services.ticket_detach_child(
        ticket=parent,
        child=_ticket(request, child_number),
        by=user,
        channel=request_channel(request),
        expected_version=_expected_version(request, query.version),
    )
    return _render(request, response, parent.number)


@router.put("/tickets/{number}/parent", response=TICKET, summary="Make this a child of another ticket (staff)")
def parent_set(request: HttpRequest, response: HttpResponse, number: str, payload: ParentIn) -> Any:
    user = caller(request)
    ticket = _ticket(request, number)
    services.ticket_set_parent(
        ticket=ticket,
        parent=ticket_reference_get_for(user=user, number=payload.number),
        by=user,
        channel=request_channel(request),
        expected_version=_expected_version(request, payload.version),
    )
    return _render(request, response, ticket.number)


@router.delete("/tickets/{number}/parent", response=TICKET, summary="Take this ticket out of its parent (staff)")
def parent_remove(request: HttpRequest, response: HttpResponse, number: str, query: Query[VersionIn]) -> Any:
    ticket = _ticket(request, number)
    services.ticket_set_parent(
        ticket=ticket,
        parent=None,
        by=caller(request),
        channel=request_channel(request),
        expected_version=_expected_version(request, query.version),
    )
    return _render(request, response, ticket.number)
