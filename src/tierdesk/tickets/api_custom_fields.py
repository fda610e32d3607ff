"""HTTP endpoints of custom fields: the definitions (read by staff, managed by administrators),
a ticket's values (read by those who see the ticket, changed by staff), and the CSV export of a
filtered ticket list with its custom field columns (staff).

Registered before the tickets router, so that /tickets/export.csv is not taken for a ticket
number. The values answer with the ticket's version (also as the ETag); the version sent (body or
If-Match) is the ticket's, like every other ticket change."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from tierdesk.accounts import selectors as account_selectors
from tierdesk.accounts.api_auth import caller, request_channel, require_staff
from tierdesk.accounts.api_base import ERRORS, paginate
from tierdesk.accounts.models import Organisation
from tierdesk.tickets import selectors, services
from tierdesk.tickets.api import _expected_version
from tierdesk.tickets.export import csv_export_response
from tierdesk.tickets.models import Category
from tierdesk.tickets.schemas import TicketQuery
from tierdesk.tickets.schemas_custom_fields import (
    FILTER_PARAMETER,
    CustomFieldIn,
    CustomFieldOut,
    CustomFieldPage,
    CustomFieldPatch,
    CustomFieldQuery,
    TicketCustomFieldsIn,
    TicketCustomFieldsOut,
    ticket_custom_fields_out,
)
from tierdesk.tickets.selectors_custom_fields import (
    custom_field_filters_from,
    custom_field_get_for,
    custom_field_list_for,
    custom_field_states_for,
)

router = Router(tags=["custom fields"])

FIELD = {200: CustomFieldOut, **ERRORS}
VALUES = {200: TicketCustomFieldsOut, **ERRORS}


def _organisation(request: HttpRequest, organisation_id: int | None) -> Organisation | None:
    if organisation_id is None:
        return None
    return account_selectors.organisation_get_for(user=caller(request), organisation_id=organisation_id)


def _category(category_id: int | None) -> Category | None:
    return None if category_id is None else selectors.category_get(category_id=category_id)


def _values(request: HttpRequest, response: HttpResponse, number: str) -> TicketCustomFieldsOut:
    user = caller(request)
    ticket = selectors.ticket_get_for(user=user, number=number)
    response["ETag"] = f'"{ticket.version}"'
    states, values = custom_field_states_for(user=user, ticket=ticket)
    return ticket_custom_fields_out(ticket=ticket, states=states, values=values)


# --- definitions -------------------------------------------------------------------------------


@router.get("/custom-fields", response={200: CustomFieldPage, **ERRORS}, summary="Custom fields (staff)")
def custom_field_list(request: HttpRequest, filters: Query[CustomFieldQuery]) -> Any:
    fields = custom_field_list_for(user=require_staff(request), include_inactive=filters.include_inactive)
    return paginate(fields, filters)


@router.post("/custom-fields", response={201: CustomFieldOut, **ERRORS}, summary="New custom field (administrators)")
def custom_field_create(request: HttpRequest, payload: CustomFieldIn) -> Any:
    user = require_staff(request)
    data = payload.model_dump(exclude={"organisation", "category"})
    field = services.custom_field_create(
        by=user,
        organisation=_organisation(request, payload.organisation),
        category=_category(payload.category),
        **data,
    )
    return Status(201, custom_field_get_for(user=user, field_id=field.pk))


@router.get("/custom-fields/{int:field_id}", response=FIELD, summary="One custom field (staff)")
def custom_field_get(request: HttpRequest, field_id: int) -> Any:
    return custom_field_get_for(user=require_staff(request), field_id=field_id)


@router.patch("/custom-fields/{int:field_id}", response=FIELD, summary="Change a custom field (administrators)")
def custom_field_update(request: HttpRequest, field_id: int, payload: CustomFieldPatch) -> Any:
    user = require_staff(request)
    field = custom_field_get_for(user=user, field_id=field_id)
    changes = payload.changes()
    if "organisation" in changes:
        changes["organisation"] = _organisation(request, changes["organisation"])
    if "category" in changes:
        changes["category"] = _category(changes["category"])
    services.custom_field_update(field=field, by=user, **changes)
    return custom_field_get_for(user=user, field_id=field_id)


@router.delete(
    "/custom-fields/{int:field_id}",
    response=FIELD,
    summary="Deactivate a custom field; its values stay on the tickets (administrators)",
)
def custom_field_deactivate(request: HttpRequest, field_id: int) -> Any:
    user = require_staff(request)
    field = custom_field_get_for(user=user, field_id=field_id)
    services.custom_field_update(field=field, by=user, is_active=False)
    return custom_field_get_for(user=user, field_id=field_id)


# --- the export (before /tickets/{number}) --------------------------------------------------------


@router.get(
    "/tickets/export.csv",
    response={200: None, **ERRORS},
    summary="The filtered queue as CSV, with a column per custom field (staff)",
    description="The same filters as GET /tickets (pagination aside); streamed, ordered by number. "
    "Cells that a spreadsheet would run as a formula (starting with = + - @) get a leading apostrophe.",
    openapi_extra={
        "parameters": [FILTER_PARAMETER],
        "responses": {200: {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}},
    },
)
def ticket_export(request: HttpRequest, filters: Query[TicketQuery]) -> Any:
    user = require_staff(request)
    wanted = replace(filters.to_filter(), custom_fields=custom_field_filters_from(request.GET))
    tickets = selectors.ticket_list_for(user=user, filters=wanted)
    return csv_export_response(request, user=user, tickets=tickets, filename="tickets.csv")


# --- a ticket's values ---------------------------------------------------------------------------


@router.get(
    "/tickets/{number}/custom-fields",
    response=VALUES,
    summary="The ticket's custom field values and the fields that apply now (customers: those they see)",
)
def ticket_custom_fields_get(request: HttpRequest, response: HttpResponse, number: str) -> Any:
    return _values(request, response, number)


@router.put(
    "/tickets/{number}/custom-fields",
    response=VALUES,
    summary="Set custom field values (staff): the fields named change, the others keep theirs",
    description="All values are checked together with the ticket's rules (types, required, required "
    "when, visible when): all are saved or none. A refusal answers 422 with the first bad field's "
    "code (`custom_field.*`) and `field` = `custom_fields.<key>`; the message names every bad field.",
)
def ticket_custom_fields_put(
    request: HttpRequest, response: HttpResponse, number: str, payload: TicketCustomFieldsIn
) -> Any:
    user = require_staff(request)
    services.ticket_custom_fields_set(
        ticket=selectors.ticket_get_for(user=user, number=number),
        values=payload.values,
        by=user,
        channel=request_channel(request),
        expected_version=_expected_version(request, payload.version),
    )
    return _values(request, response, number)
