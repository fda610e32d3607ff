"""HTTP endpoints of checklists inside a ticket and of checklist templates.

A checklist is internal work: every endpoint here answers customers 403 (`auth.staff_only`)
before it looks anything up, so a customer learns nothing about a ticket or its checklist, the
same as for the other staff-only endpoints. Changes to a ticket's checklist answer with the whole
checklist and the ticket's new version (also as the ETag); the version sent (body, query or
If-Match) is the ticket's. Templates are managed by administrators and case managers (the
services decide; DELETE only deactivates, like macros)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from tierdesk.accounts.api_auth import request_channel, require_staff
from tierdesk.accounts.api_base import ERRORS, paginate
from tierdesk.tickets import selectors, services
from tierdesk.tickets.api import _expected_version
from tierdesk.tickets.models import Category
from tierdesk.tickets.schemas import VersionIn
from tierdesk.tickets.schemas_checklists import (
    ChecklistAddIn,
    ChecklistItemPatch,
    ChecklistOut,
    ChecklistTemplateIn,
    ChecklistTemplateOut,
    ChecklistTemplatePage,
    ChecklistTemplatePatch,
    ChecklistTemplateQuery,
    VersionQuery,
    checklist_out,
)
from tierdesk.tickets.selectors_checklists import (
    checklist_for,
    checklist_template_get_for,
    checklist_template_list_for,
)

router = Router(tags=["checklists"])

CHECKLIST = {200: ChecklistOut, **ERRORS}
TEMPLATE = {200: ChecklistTemplateOut, **ERRORS}


def _answer(request: HttpRequest, response: HttpResponse, number: str) -> ChecklistOut:
    """The ticket's checklist as it is now, with the ticket's version as the ETag."""
    user = require_staff(request)
    ticket = selectors.ticket_get_for(user=user, number=number)
    response["ETag"] = f'"{ticket.version}"'
    return checklist_out(checklist_for(user=user, ticket=ticket), version=ticket.version)


def _category(category_id: int | None) -> Category | None:
    return None if category_id is None else selectors.category_get(category_id=category_id)


@router.get("/tickets/{number}/checklist", response=CHECKLIST, summary="The ticket's checklist (staff)")
def checklist_get(request: HttpRequest, response: HttpResponse, number: str) -> Any:
    return _answer(request, response, number)


@router.post(
    "/tickets/{number}/checklist", response={201: ChecklistOut, **ERRORS}, summary="Add checklist items (staff)"
)
def checklist_add(request: HttpRequest, response: HttpResponse, number: str, payload: ChecklistAddIn) -> Any:
    user = require_staff(request)
    services.ticket_checklist_add(
        ticket=selectors.ticket_get_for(user=user, number=number),
        texts=payload.items,
        by=user,
        channel=request_channel(request),
        expected_version=_expected_version(request, payload.version),
    )
    return Status(201, _answer(request, response, number))


@router.patch(
    "/tickets/{number}/checklist/{int:item_id}", response=CHECKLIST, summary="Tick an item done or reopen it (staff)"
)
def checklist_toggle(
    request: HttpRequest, response: HttpResponse, number: str, item_id: int, payload: ChecklistItemPatch
) -> Any:
    user = require_staff(request)
    services.ticket_checklist_toggle(
        ticket=selectors.ticket_get_for(user=user, number=number),
        item_id=item_id,
        done=payload.done,
        by=user,
        channel=request_channel(request),
        expected_version=_expected_version(request, payload.version),
    )
    return _answer(request, response, number)


@router.delete("/tickets/{number}/checklist/{int:item_id}", response=CHECKLIST, summary="Remove an item (staff)")
def checklist_remove(
    request: HttpRequest, response: HttpResponse, number: str, item_id: int, query: Query[VersionQuery]
) -> Any:
    user = require_staff(request)
    services.ticket_checklist_remove(
        ticket=selectors.ticket_get_for(user=user, number=number),
        item_id=item_id,
        by=user,
        channel=request_channel(request),
        expected_version=_expected_version(request, query.version),
    )
    return _answer(request, response, number)


@router.post(
    "/tickets/{number}/checklist/apply-template/{int:template_id}",
    response=CHECKLIST,
    summary="Copy a template's items onto the ticket, skipping texts it has (staff)",
)
def checklist_apply_template(
    request: HttpRequest, response: HttpResponse, number: str, template_id: int, payload: VersionIn | None = None
) -> Any:
    user = require_staff(request)
    template = checklist_template_get_for(user=user, template_id=template_id)
    services.ticket_checklist_apply_template(
        ticket=selectors.ticket_get_for(user=user, number=number),
        template=template,
        by=user,
        channel=request_channel(request),
        expected_version=_expected_version(request, payload.version if payload else None),
    )
    return _answer(request, response, number)


@router.get("/checklist-templates", response={200: ChecklistTemplatePage, **ERRORS}, summary="Templates (staff)")
def checklist_template_list(request: HttpRequest, filters: Query[ChecklistTemplateQuery]) -> Any:
    templates = checklist_template_list_for(user=require_staff(request), include_inactive=filters.include_inactive)
    return paginate(templates, filters)


@router.post(
    "/checklist-templates",
    response={201: ChecklistTemplateOut, **ERRORS},
    summary="New template (administrators, case managers)",
)
def checklist_template_create(request: HttpRequest, payload: ChecklistTemplateIn) -> Any:
    user = require_staff(request)
    template = services.checklist_template_create(
        by=user,
        name=payload.name,
        items=payload.items,
        category=_category(payload.category),
        is_active=payload.is_active,
    )
    return Status(201, checklist_template_get_for(user=user, template_id=template.pk))


@router.get("/checklist-templates/{int:template_id}", response=TEMPLATE, summary="One template (staff)")
def checklist_template_get(request: HttpRequest, template_id: int) -> Any:
    return checklist_template_get_for(user=require_staff(request), template_id=template_id)


@router.patch(
    "/checklist-templates/{int:template_id}",
    response=TEMPLATE,
    summary="Change a template (administrators, case managers)",
)
def checklist_template_update(request: HttpRequest, template_id: int, payload: ChecklistTemplatePatch) -> Any:
    user = require_staff(request)
    template = checklist_template_get_for(user=user, template_id=template_id)
    changes = payload.changes()
    if "category" in changes:
        changes["category"] = _category(changes["category"])
    services.checklist_template_update(template=template, by=user, **changes)
    return checklist_template_get_for(user=user, template_id=template_id)


@router.delete(
    "/checklist-templates/{int:template_id}",
    response=TEMPLATE,
    summary="Deactivate a template (administrators, case managers)",
)
def checklist_template_deactivate(request: HttpRequest, template_id: int) -> Any:
    user = require_staff(request)
    template = checklist_template_get_for(user=user, template_id=template_id)
    services.checklist_template_update(template=template, by=user, is_active=False)
    return checklist_template_get_for(user=user, template_id=template_id)
