"""HTTP endpoints of macros (canned replies): list and read them (staff), manage them
(administrators and case managers; DELETE only deactivates), and apply one to a ticket.

Parse -> selector/service -> output schema; who may do what is decided by selectors and services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from tierdesk.accounts.api_auth import caller, require_staff
from tierdesk.accounts.api_base import ERRORS, paginate
from tierdesk.tickets import selectors, services
from tierdesk.tickets.api import TICKET, _transition
from tierdesk.tickets.schemas import VersionIn
from tierdesk.tickets.schemas_macros import MacroIn, MacroOut, MacroPage, MacroPatch, MacroQuery

router = Router(tags=["macros"])

MACRO = {200: MacroOut, **ERRORS}


@router.get("/macros", response={200: MacroPage, **ERRORS}, summary="Macros in use (staff)")
def macro_list(request: HttpRequest, filters: Query[MacroQuery]) -> Any:
    macros = selectors.macro_list_for(
        user=require_staff(request), language=filters.language, include_inactive=filters.include_inactive
    )
    return paginate(macros, filters)


@router.post("/macros", response={201: MacroOut, **ERRORS}, summary="New macro (administrators, case managers)")
def macro_create(request: HttpRequest, payload: MacroIn) -> Any:
    user = caller(request)
    macro = services.macro_create(by=user, **payload.model_dump())
    return Status(201, selectors.macro_get_for(user=user, macro_id=macro.pk))


@router.get("/macros/{int:macro_id}", response=MACRO)
def macro_get(request: HttpRequest, macro_id: int) -> Any:
    return selectors.macro_get_for(user=caller(request), macro_id=macro_id)


@router.patch("/macros/{int:macro_id}", response=MACRO, summary="Change a macro (administrators, case managers)")
def macro_update(request: HttpRequest, macro_id: int, payload: MacroPatch) -> Any:
    user = caller(request)
    macro = selectors.macro_get_for(user=user, macro_id=macro_id)
    services.macro_update(macro=macro, by=user, **payload.changes())
    return selectors.macro_get_for(user=user, macro_id=macro_id)


@router.delete("/macros/{int:macro_id}", response=MACRO, summary="Deactivate a macro (administrators, case managers)")
def macro_deactivate(request: HttpRequest, macro_id: int) -> Any:
    user = caller(request)
    services.macro_deactivate(macro=selectors.macro_get_for(user=user, macro_id=macro_id), by=user)
    return selectors.macro_get_for(user=user, macro_id=macro_id)


@router.post("/tickets/{number}/macros/{int:macro_id}/apply", response=TICKET, summary="Apply a macro (staff)")
def macro_apply(
    request: HttpRequest, response: HttpResponse, number: str, macro_id: int, payload: VersionIn | None = None
) -> Any:
    macro = selectors.macro_get_for(user=require_staff(request), macro_id=macro_id)
    version = payload.version if payload else None
    return _transition(request, response, number, services.ticket_macro_apply, version, macro=macro)
