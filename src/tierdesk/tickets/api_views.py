"""HTTP endpoints of saved views (staff only): list, create, change, delete and reorder them, the
ticket count of every view at once, and one view's tickets, paginated, with its columns.

Customers get 403 (`auth.staff_only`) before anything is looked up, anonymous callers 401; a
colleague's personal view is 404 like an unknown id; a shared view of someone else is readable
and, unless the caller is an administrator, 403 `saved_view.forbidden` to change."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from tierdesk.accounts.api_auth import require_staff
from tierdesk.accounts.api_base import ERRORS, MAX_LIMIT
from tierdesk.tickets.schemas_views import (
    SavedViewCountOut,
    SavedViewCounts,
    SavedViewIn,
    SavedViewList,
    SavedViewOrderIn,
    SavedViewOut,
    SavedViewPatch,
    ViewTicketsPage,
    ViewTicketsQuery,
    saved_view_out,
    ticket_row,
)
from tierdesk.tickets.selectors_views import (
    ViewSpec,
    saved_view_get_for,
    saved_views_for,
    view_counts,
    view_tickets,
)
from tierdesk.tickets.services.views import (
    saved_view_create,
    saved_view_delete,
    saved_view_reorder,
    saved_view_update,
)

router = Router(tags=["views"])

VIEW = {200: SavedViewOut, **ERRORS}


@router.get("/views", response={200: SavedViewList, **ERRORS}, summary="Your views and the shared ones (staff)")
def view_list(request: HttpRequest) -> Any:
    user = require_staff(request)
    return SavedViewList(items=[saved_view_out(view, user=user) for view in saved_views_for(user=user)])


@router.post("/views", response={201: SavedViewOut, **ERRORS}, summary="Save a view (staff)")
def view_create(request: HttpRequest, payload: SavedViewIn) -> Any:
    user = require_staff(request)
    view = saved_view_create(by=user, **payload.model_dump())
    return Status(201, saved_view_out(saved_view_get_for(user=user, view_id=view.pk), user=user))


@router.get("/views/counts", response={200: SavedViewCounts, **ERRORS}, summary="The ticket count of each view (staff)")
def view_count_list(request: HttpRequest) -> Any:
    user = require_staff(request)
    counts = view_counts(user=user, views=saved_views_for(user=user))
    return SavedViewCounts(items=[SavedViewCountOut(id=pk, count=count) for pk, count in counts.items()])


@router.put("/views/order", response={200: SavedViewList, **ERRORS}, summary="Reorder your own views (staff)")
def view_reorder(request: HttpRequest, payload: SavedViewOrderIn) -> Any:
    user = require_staff(request)
    saved_view_reorder(by=user, view_ids=payload.ids)
    return SavedViewList(items=[saved_view_out(view, user=user) for view in saved_views_for(user=user)])


@router.get("/views/{int:view_id}", response=VIEW, summary="One view (staff)")
def view_get(request: HttpRequest, view_id: int) -> Any:
    user = require_staff(request)
    return saved_view_out(saved_view_get_for(user=user, view_id=view_id), user=user)


@router.patch("/views/{int:view_id}", response=VIEW, summary="Change a view (its owner; administrators: shared views)")
def view_update(request: HttpRequest, view_id: int, payload: SavedViewPatch) -> Any:
    user = require_staff(request)
    view = saved_view_update(view=saved_view_get_for(user=user, view_id=view_id), by=user, **payload.changes())
    return saved_view_out(view, user=user)


@router.delete(
    "/views/{int:view_id}",
    response={204: None, **ERRORS},
    summary="Delete a view (its owner; administrators: shared views)",
)
def view_delete(request: HttpRequest, view_id: int) -> Any:
    user = require_staff(request)
    saved_view_delete(view=saved_view_get_for(user=user, view_id=view_id), by=user)
    return Status(204, None)


@router.get(
    "/views/{int:view_id}/tickets",
    response={200: ViewTicketsPage, **ERRORS},
    summary="A view's tickets, sorted and paginated, with its columns (staff)",
)
def view_ticket_list(request: HttpRequest, view_id: int, page: Query[ViewTicketsQuery]) -> Any:
    user = require_staff(request)
    spec = ViewSpec.of(saved_view_get_for(user=user, view_id=view_id))
    tickets = view_tickets(user=user, spec=spec)
    limit = min(page.limit, MAX_LIMIT)
    rows = list(tickets[page.offset : page.offset + limit])
    columns = list(spec.columns)
    return ViewTicketsPage(
        count=tickets.count(),
        limit=limit,
        offset=page.offset,
        columns=columns,
        items=[ticket_row(ticket, columns) for ticket in rows],
    )
