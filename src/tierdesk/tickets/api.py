"""HTTP endpoints of the tickets domain: the queue, one ticket, what people add to it, its
transitions, second-level requests and the caller lookup when the phone rings.

Each endpoint parses (schema), calls a selector or service, and renders a role-picked schema.
Scoping, permissions and state rules live in selectors/permissions/services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile

from tierdesk.accounts import selectors as account_selectors
from tierdesk.accounts.api_auth import caller, request_channel, require_staff
from tierdesk.accounts.api_base import ERRORS, PageParams, paginate
from tierdesk.accounts.models import Contact, Organisation, User
from tierdesk.core.errors import ValidationFailed
from tierdesk.tickets import selectors, services
from tierdesk.tickets.downloads import attachment_download_for
from tierdesk.tickets.models import Category, Ticket
from tierdesk.tickets.schemas import (
    AssignIn,
    AttachmentOut,
    CommentIn,
    CommentOut,
    CustomerCommentOut,
    CustomerHistoryOut,
    CustomerTicketOut,
    CustomerTicketPage,
    EscalateIn,
    HistoryOut,
    NoteIn,
    PhoneLookupOut,
    PhoneLookupQuery,
    ReasonIn,
    ResolveIn,
    SecondLevelDecisionIn,
    SecondLevelRequestIn,
    SecondLevelRequestOut,
    SecondLevelRequestPage,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketPatch,
    TicketQuery,
    TimeEntryIn,
    TimeEntryOut,
    VersionIn,
    WaitIn,
    comments_out_for,
    history_out_for,
    ticket_out_for,
    ticket_page_for,
)
from tierdesk.tickets.schemas_custom_fields import FILTER_PARAMETER as CUSTOM_FIELD_FILTER_PARAMETER
from tierdesk.tickets.selectors_custom_fields import custom_field_filters_from, with_custom_field_values

router = Router(tags=["tickets"])

TICKET = {200: TicketOut | CustomerTicketOut, **ERRORS}
COMMENTS = {200: list[CommentOut] | list[CustomerCommentOut], **ERRORS}


# --- parsing helpers: references in the input, the version the client read -----------------


def _ticket(request: HttpRequest, number: str) -> Ticket:
    return selectors.ticket_get_for(user=caller(request), number=number)


def _render(
    request: HttpRequest, response: HttpResponse, number: int, *, follow_merge: bool = True
) -> CustomerTicketOut | TicketOut:
    """Re-read the ticket as the caller sees it, with its version as the ETag."""
    ticket = selectors.ticket_get_for(user=caller(request), number=number, follow_merge=follow_merge)
    response["ETag"] = f'"{ticket.version}"'
    return ticket_out_for(caller(request), ticket)


def _expected_version(request: HttpRequest, version: int | None) -> int | None:
    """The body's `version`, else the If-Match header ("3", W/"3" or 3), else None."""
    if version is not None:
        return version
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or int(text) < 1:
        message = _("If-Match must be a ticket version.")
        raise ValidationFailed(message, code="ticket.invalid_if_match", field="If-Match")
    return int(text)


def _required_version(request: HttpRequest, version: int | None) -> int:
    expected = _expected_version(request, version)
    if expected is None:
        message = _("Send the version you read, as `version` or in the If-Match header.")
        raise ValidationFailed(message, code="ticket.version_required", field="version")
    return expected


def _organisation(user: User, organisation_id: int | None) -> Organisation | None:
    if organisation_id is None:
        return None
    return account_selectors.organisation_get_for(user=user, organisation_id=organisation_id)


def _contact(user: User, contact_id: int | None) -> Contact | None:
    return None if contact_id is None else account_selectors.contact_get_for(user=user, contact_id=contact_id)


def _category(category_id: int | None) -> Category | None:
    return None if category_id is None else selectors.category_get(category_id=category_id)


def _agent(user_id: int | None) -> User | None:
    return None if user_id is None else account_selectors.staff_user_get(user_id=user_id)


# --- the queue and one ticket ------------------------------------------------------------------


@router.post("/tickets", response={201: TicketOut | CustomerTicketOut, **ERRORS})
def ticket_create(request: HttpRequest, response: HttpResponse, payload: TicketIn) -> Any:
    user = caller(request)
    ticket = services.ticket_create(
        by=user,
        channel=request_channel(request),
        organisation=_organisation(user, payload.organisation),
        requester=_contact(user, payload.requester),
        category=_category(payload.category),
        custom_fields=payload.custom_fields,
        **payload.model_dump(include={"subject", "description", "urgency", "impact", "tags"}),
    )
    return Status(201, _render(request, response, ticket.number))


@router.get(
    "/tickets",
    response={200: TicketPage | CustomerTicketPage, **ERRORS},
    summary="The queue",
    openapi_extra={"parameters": [CUSTOM_FIELD_FILTER_PARAMETER]},
)
def ticket_list(request: HttpRequest, filters: Query[TicketQuery]) -> Any:
    user = caller(request)
    wanted = replace(filters.to_filter(), custom_fields=custom_field_filters_from(request.GET))
    tickets = with_custom_field_values(selectors.ticket_list_for(user=user, filters=wanted), user=user)
    return ticket_page_for(user, paginate(tickets, filters))


@router.get("/tickets/{number}", response=TICKET)
def ticket_get(request: HttpRequest, response: HttpResponse, number: str) -> Any:
    """A merged ticket answers as itself, closed, with `merged_into` pointing at the ticket its
    conversation moved to (and a `Link: rel="canonical"` header to it)."""
    ticket = selectors.ticket_get_for(user=caller(request), number=number, follow_merge=False)
    if ticket.merged_into_id is not None:
        target = getattr(ticket, "merged_into_number", "")  # annotated by the selector
        response["Link"] = f'<{request.path.rsplit("/", 1)[0]}/{target}>; rel="canonical"'
    return _render(request, response, ticket.number, follow_merge=False)


@router.patch("/tickets/{number}", response=TICKET)
def ticket_update(request: HttpRequest, response: HttpResponse, number: str, payload: TicketPatch) -> Any:
    ticket = _ticket(request, number)
    changes = payload.changes(exclude=frozenset({"version"}))
    if "category" in changes:
        changes["category"] = _category(changes["category"])
    expected = _required_version(request, payload.version)
    services.ticket_update(
        ticket=ticket, by=caller(request), channel=request_channel(request), expected_version=expected, **changes
    )
    return _render(request, response, ticket.number)


# --- comments, attachments, time, history ------------------------------------------------------


@router.post("/tickets/{number}/comments", response={201: CommentOut | CustomerCommentOut, **ERRORS})
def comment_add(request: HttpRequest, number: str, payload: CommentIn) -> Any:
    comment = services.ticket_comment_add(
        ticket=_ticket(request, number),
        body=payload.body,
        by=caller(request),
        is_internal=payload.is_internal,
        channel=request_channel(request),
        expected_version=_expected_version(request, payload.version),
        seen_comment_id=payload.seen_comment_id,
        confirm_despite_newer=payload.confirm_despite_newer,
    )
    return Status(201, comments_out_for(caller(request), [comment])[0])


@router.get("/tickets/{number}/comments", response=COMMENTS)
def comment_list(request: HttpRequest, number: str) -> Any:
    user = caller(request)
    return comments_out_for(user, selectors.comments_for(user=user, ticket=_ticket(request, number)))


@router.post("/tickets/{number}/attachments", response={201: AttachmentOut, **ERRORS})
def attachment_add(request: HttpRequest, number: str, file: File[UploadedFile], is_internal: Form[bool] = False) -> Any:
    attachment = services.ticket_attachment_add(
        ticket=_ticket(request, number),
        upload=file,
        by=caller(request),
        is_internal=is_internal,
        channel=request_channel(request),
    )
    return Status(201, attachment)


@router.get("/tickets/{number}/attachments", response={200: list[AttachmentOut], **ERRORS})
def attachment_list(request: HttpRequest, number: str) -> Any:
    return selectors.attachments_for(user=caller(request), ticket=_ticket(request, number))


@router.get("/attachments/{int:attachment_id}/download", url_name="attachment_download", response=ERRORS)
def attachment_download(request: HttpRequest, attachment_id: int) -> Any:
    return attachment_download_for(user=caller(request), attachment_id=attachment_id)


@router.post("/tickets/{number}/time-entries", response={201: TimeEntryOut, **ERRORS})
def time_entry_add(request: HttpRequest, number: str, payload: TimeEntryIn) -> Any:
    entry = services.ticket_time_log(
        ticket=_ticket(request, number), by=caller(request), channel=request_channel(request), **payload.model_dump()
    )
    return Status(201, entry)


@router.get("/tickets/{number}/history", response={200: list[HistoryOut] | list[CustomerHistoryOut], **ERRORS})
def history_list(request: HttpRequest, number: str) -> Any:
    user = caller(request)
    return history_out_for(user, selectors.history_for(user=user, ticket=_ticket(request, number)))


# --- transitions ------------------------------------------------------------------------------


def _transition(
    request: HttpRequest,
    response: HttpResponse,
    number: str,
    service: Callable[..., Ticket],
    version: int | None,
    **kwargs: Any,
) -> CustomerTicketOut | TicketOut:
    """Run one transition service for the caller, on the ticket they may see, with the version
    they read (body or If-Match), and answer with the ticket as they see it now."""
    ticket = service(
        ticket=_ticket(request, number),
        by=caller(request),
        channel=request_channel(request),
        expected_version=_expected_version(request, version),
        **kwargs,
    )
    return _render(request, response, ticket.number)


@router.post("/tickets/{number}/assign", response=TICKET)
def ticket_assign(request: HttpRequest, response: HttpResponse, number: str, payload: AssignIn) -> Any:
    return _transition(
        request, response, number, services.ticket_assign, payload.version, assignee=_agent(payload.assignee)
    )


@router.post("/tickets/{number}/take", response=TICKET)
def ticket_take(request: HttpRequest, response: HttpResponse, number: str, payload: VersionIn | None = None) -> Any:
    return _transition(request, response, number, services.ticket_take, payload.version if payload else None)


@router.post("/tickets/{number}/escalate", response=TICKET)
def ticket_escalate(request: HttpRequest, response: HttpResponse, number: str, payload: EscalateIn) -> Any:
    return _transition(
        request,
        response,
        number,
        services.ticket_escalate,
        payload.version,
        assignee=_agent(payload.assignee),
        **payload.model_dump(include={"to_level", "handover_note", "bug_key", "bug_url"}),
    )


@router.post("/tickets/{number}/wait", response=TICKET)
def ticket_wait(request: HttpRequest, response: HttpResponse, number: str, payload: WaitIn) -> Any:
    return _transition(
        request, response, number, services.ticket_wait, payload.version, on=payload.on, note=payload.note
    )


@router.post("/tickets/{number}/resume", response=TICKET)
def ticket_resume(request: HttpRequest, response: HttpResponse, number: str, payload: NoteIn | None = None) -> Any:
    payload = payload or NoteIn()
    return _transition(request, response, number, services.ticket_resume, payload.version, note=payload.note)


@router.post("/tickets/{number}/resolve", response=TICKET)
def ticket_resolve(request: HttpRequest, response: HttpResponse, number: str, payload: ResolveIn) -> Any:
    return _transition(
        request,
        response,
        number,
        services.ticket_resolve,
        payload.version,
        resolution=payload.resolution,
        despite_open_children=payload.despite_open_children,
    )


@router.post("/tickets/{number}/confirm", response=TICKET)
def ticket_confirm(request: HttpRequest, response: HttpResponse, number: str, payload: NoteIn | None = None) -> Any:
    payload = payload or NoteIn()
    return _transition(request, response, number, services.ticket_confirm, payload.version, note=payload.note)


@router.post("/tickets/{number}/reopen", response=TICKET)
def ticket_reopen(request: HttpRequest, response: HttpResponse, number: str, payload: ReasonIn) -> Any:
    return _transition(request, response, number, services.ticket_reopen, payload.version, reason=payload.reason)


# --- second-level requests ----------------------------------------------------------------------


@router.post("/tickets/{number}/second-level-requests", response={201: SecondLevelRequestOut, **ERRORS})
def second_level_request_add(request: HttpRequest, number: str, payload: SecondLevelRequestIn) -> Any:
    second_level = services.ticket_request_second_level(
        ticket=_ticket(request, number), reason=payload.reason, by=caller(request), channel=request_channel(request)
    )
    return Status(201, second_level)


@router.get("/second-level-requests", response={200: SecondLevelRequestPage, **ERRORS}, summary="Pending (staff)")
def second_level_request_list(request: HttpRequest, page: Query[PageParams]) -> Any:
    return paginate(selectors.pending_second_level_requests(user=require_staff(request)), page)


@router.post("/second-level-requests/{int:request_id}/decision", response={200: SecondLevelRequestOut, **ERRORS})
def second_level_request_decide(request: HttpRequest, request_id: int, payload: SecondLevelDecisionIn) -> Any:
    user = caller(request)
    second_level = selectors.second_level_request_get_for(user=user, request_id=request_id)
    services.ticket_second_level_decide(
        request=second_level, approve=payload.approve, note=payload.note, by=user, channel=request_channel(request)
    )
    return selectors.second_level_request_get_for(user=user, request_id=request_id)


# --- the phone rings ------------------------------------------------------------------------


@router.get("/contacts/lookup", response={200: PhoneLookupOut, **ERRORS}, summary="Who is calling (staff)")
def contact_lookup(request: HttpRequest, query: Query[PhoneLookupQuery]) -> Any:
    user = require_staff(request)
    contact = account_selectors.contact_find_by_phone(user=user, phone=query.phone)
    tickets = selectors.open_tickets_of_organisation(user=user, organisation_id=contact.organisation_id)
    return {"contact": contact, "organisation": contact.organisation, "open_tickets": tickets}
