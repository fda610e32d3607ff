"""HTTP endpoints of merging tickets and splitting a comment off into a new ticket (staff).

Merging answers with the ticket merged into; the merged ticket's number keeps working: GET
answers with the merged ticket and its `merged_into` pointer, every other endpoint acts on the
ticket it was merged into."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from tierdesk.accounts.api_auth import caller, request_channel
from tierdesk.accounts.api_base import ERRORS
from tierdesk.tickets import services
from tierdesk.tickets.api import TICKET, _expected_version, _render, _ticket
from tierdesk.tickets.schemas import CustomerTicketOut, TicketOut
from tierdesk.tickets.schemas_merge import MergeIn, SplitIn
from tierdesk.tickets.selectors_links import ticket_reference_get_for

router = Router(tags=["merge"])


@router.post("/tickets/{number}/merge", response=TICKET, summary="Merge this ticket into another (staff)")
def ticket_merge(request: HttpRequest, response: HttpResponse, number: str, payload: MergeIn) -> Any:
    user = caller(request)
    target = services.ticket_merge(
        source=_ticket(request, number),
        target=ticket_reference_get_for(user=user, number=payload.into, field="into"),
        by=user,
        note=payload.note,
        channel=request_channel(request),
        expected_version=_expected_version(request, payload.version),
    )
    return _render(request, response, target.number)


@router.post(
    "/tickets/{number}/split",
    response={201: TicketOut | CustomerTicketOut, **ERRORS},
    summary="Split a comment off into a new ticket (staff)",
)
def ticket_split(request: HttpRequest, response: HttpResponse, number: str, payload: SplitIn) -> Any:
    new = services.ticket_split_comment(
        ticket=_ticket(request, number),
        comment_id=payload.comment,
        by=caller(request),
        subject=payload.subject,
        channel=request_channel(request),
        expected_version=_expected_version(request, payload.version),
    )
    return Status(201, _render(request, response, new.number))
