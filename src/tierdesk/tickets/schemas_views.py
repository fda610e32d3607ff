"""Input and output shapes of saved views in the API (staff only).

`filters` is an object of TicketFilter fields (status, level, priority: lists of values;
organisation_ids, assignee_ids: lists of ids; unassigned, mine: booleans; q: text) and
custom-field filters `cf_<key>[__gte|__lte|__contains|__isset]`; the services clean and check it
(view_spec.py). A view's tickets come back as rows holding exactly the view's columns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from ninja import Field, Schema

from tierdesk.accounts.api_base import OutSchema, PageParams, PatchSchema
from tierdesk.tickets import view_spec
from tierdesk.tickets.models import SavedView, Ticket
from tierdesk.tickets.models.views import MAX_VIEW_NAME_LENGTH, SortDirection
from tierdesk.tickets.permissions_views import can_change_saved_view
from tierdesk.tickets.schemas import UserRef

Name = Annotated[str, Field(max_length=MAX_VIEW_NAME_LENGTH, description="Unique among the owner's views")]
FILTERS_HELP = (
    "status, level, priority: lists of values; organisation_ids, assignee_ids: lists of ids; unassigned, "
    "mine: booleans; q: text; cf_<key>: a custom-field filter"
)
COLUMNS_HELP = "Column keys in display order, each once: " + ", ".join(view_spec.COLUMNS)
SORT_HELP = "One of: " + ", ".join(view_spec.SORTS)


class SavedViewOut(OutSchema):
    id: int
    name: str
    owner: UserRef
    is_shared: bool
    filters: dict[str, Any]
    columns: list[str]
    sort_field: str
    sort_direction: SortDirection
    position: int
    can_change: bool = Field(description="Whether you may change or delete it (owner; administrators: shared views)")
    created_at: datetime
    updated_at: datetime


def saved_view_out(view: SavedView, *, user: Any) -> SavedViewOut:
    return SavedViewOut(
        id=view.pk,
        name=view.name,
        owner=UserRef.model_validate(view.owner),
        is_shared=view.is_shared,
        filters=dict(view.filters or {}),
        columns=list(view.columns or []),
        sort_field=view.sort_field,
        sort_direction=SortDirection(view.sort_direction),
        position=view.position,
        can_change=can_change_saved_view(user, view),
        created_at=view.created_at,
        updated_at=view.updated_at,
    )


class SavedViewIn(Schema):
    name: Name
    is_shared: bool = Field(False, description="Listed for every staff member")
    filters: dict[str, Any] = Field(default_factory=dict, description=FILTERS_HELP)
    columns: list[str] = Field(default_factory=lambda: list(view_spec.DEFAULT_COLUMNS), description=COLUMNS_HELP)
    sort_field: str = Field(view_spec.DEFAULT_SORT[0], description=SORT_HELP)
    sort_direction: SortDirection = SortDirection.ASC


class SavedViewPatch(PatchSchema):
    name: Name | None = None
    is_shared: bool | None = None
    filters: dict[str, Any] | None = Field(None, description=FILTERS_HELP)
    columns: list[str] | None = Field(None, description=COLUMNS_HELP)
    sort_field: str | None = Field(None, description=SORT_HELP)
    sort_direction: SortDirection | None = None
    nullable: ClassVar[frozenset[str]] = frozenset()


class SavedViewList(Schema):
    items: list[SavedViewOut]


class SavedViewOrderIn(Schema):
    ids: list[int] = Field(description="Every one of your own views' ids, once, in the new order")


class SavedViewCountOut(Schema):
    id: int
    count: int


class SavedViewCounts(Schema):
    items: list[SavedViewCountOut]


class ViewTicketsQuery(PageParams):
    pass


class ViewTicketsPage(Schema):
    """One page of a view's tickets: each row has `number` and the view's columns."""

    count: int
    limit: int
    offset: int
    columns: list[str]
    items: list[dict[str, Any]]


def _user(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "username": user.username, "display_name": user.display_name}


def _cell(ticket: Ticket, column: str) -> Any:
    if column == "organisation":
        return {"id": ticket.organisation_id, "name": ticket.organisation.name}
    if column == "requester":
        requester = ticket.requester
        return None if requester is None else {"id": requester.pk, "name": requester.name}
    if column == "assignee":
        return _user(ticket.assignee)
    if column == "category":
        return None if ticket.category is None else {"id": ticket.category_id, "name": ticket.category.name}
    if column == "tags":
        return sorted(tag.name for tag in ticket.tags.all())
    value = getattr(ticket, column)
    return value.isoformat() if isinstance(value, datetime) else value


def ticket_row(ticket: Ticket, columns: list[str]) -> dict[str, Any]:
    """A ticket as a row of a view: its number (always) and the view's columns."""
    row: dict[str, Any] = {"number": ticket.number}
    row.update({column: _cell(ticket, column) for column in columns})
    return row
