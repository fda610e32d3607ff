"""Reads of saved views: the views a staff member may use, a view's tickets (filtered, sorted,
with what its columns need, to be paginated in SQL) and the ticket count of every view at once.

A view's filters become one SQL condition (`view_condition`), the same as
`selectors.ticket_list_for` applies for a TicketFilter (a test keeps the two in step), so that
the counts of all the sidebar's views are one aggregate query: COUNT(*) FILTER (WHERE ...) per
view over the tickets the user may see."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from tierdesk.core.errors import NotFound
from tierdesk.tickets import view_spec
from tierdesk.tickets.models import CustomField, SavedView, Ticket
from tierdesk.tickets.permissions import visible_tickets
from tierdesk.tickets.permissions_views import can_use_saved_views
from tierdesk.tickets.selectors import TicketFilter, ticket_filter_condition
from tierdesk.tickets.selectors_custom_fields import (
    custom_field_filters_from,
    custom_fields_by_key,
    filter_by_custom_fields,
)

# Columns -> what the rows need loaded with them (joins for single rows, prefetches for lists).
_JOINS = {"organisation": "organisation", "requester": "requester", "category": "category"}
# The assignee comes by prefetch, not by join, as in ticket_list_for (SQLite sorts before LIMIT).
_PREFETCHES = {"assignee": "assignee", "tags": "tags"}


@dataclass(frozen=True)
class ViewSpec:
    """What the list shows: cleaned filters, columns and sort (a saved view's, or the page's own)."""

    filters: Mapping[str, Any] = field(default_factory=dict)
    columns: tuple[str, ...] = view_spec.DEFAULT_COLUMNS
    sort_field: str = view_spec.DEFAULT_SORT[0]
    sort_direction: str = view_spec.DEFAULT_SORT[1]

    @classmethod
    def of(cls, view: SavedView) -> ViewSpec:
        return cls(
            filters=dict(view.filters or {}),
            columns=tuple(view.columns or view_spec.DEFAULT_COLUMNS),
            sort_field=view.sort_field,
            sort_direction=view.sort_direction,
        )


def saved_views_for(*, user: Any) -> QuerySet[SavedView]:
    """The user's own views (in their order), then the views others share (by their order):
    staff only; nobody else has any."""
    if not can_use_saved_views(user):
        return SavedView.objects.none()
    own = Case(When(owner_id=user.pk, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        SavedView.objects.filter(Q(owner_id=user.pk) | Q(is_shared=True))
        .select_related("owner")
        .order_by(own, "position", "id")
    )


def saved_view_get_for(*, user: Any, view_id: Any) -> SavedView:
    """One view the user may use; `saved_view.not_found` for others' personal views, unknown ids
    and callers who are not staff alike."""
    try:
        return saved_views_for(user=user).get(pk=int(view_id))
    except (SavedView.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such view."), code="saved_view.not_found") from None


def ticket_filter_from(filters: Mapping[str, Any]) -> TicketFilter:
    """The TicketFilter fields of cleaned view filters."""
    return TicketFilter(
        status=tuple(filters.get("status", ())),
        level=tuple(filters.get("level", ())),
        priority=tuple(filters.get("priority", ())),
        organisation_ids=tuple(filters.get("organisation_ids", ())),
        assignee_ids=tuple(filters.get("assignee_ids", ())),
        unassigned=bool(filters.get("unassigned", False)),
        mine=bool(filters.get("mine", False)),
        q=str(filters.get("q", "")),
    )


def _custom_field_params(filters: Mapping[str, Any]) -> dict[str, list[str]]:
    """`cf_*` filters as the query-string shape selectors_custom_fields reads (strings)."""
    params: dict[str, list[str]] = {}
    for key, value in filters.items():
        if key.startswith(view_spec.CUSTOM_FIELD_PREFIX):
            values = value if isinstance(value, list) else [value]
            params[key] = [str(v).lower() if isinstance(v, bool) else str(v) for v in values]
    return params


def check_custom_field_filters(*, user: Any, filters: Mapping[str, Any]) -> None:
    """Refuse `cf_` filters naming no field or a value its type cannot hold
    (`custom_field.invalid_filter`), when a view is saved. Reads the field definitions only."""
    params = _custom_field_params(filters)
    if params:
        filter_by_custom_fields(Ticket.objects.none(), custom_field_filters_from(params), user=user, strict=True)


def view_condition(*, user: Any, filters: Mapping[str, Any], fields: Mapping[str, CustomField] | None = None) -> Q:
    """The view's filters as one condition on tickets (within visible_tickets(user)).

    A custom-field filter whose field was removed after the view was saved is left out rather
    than breaking the view (as on the board). `fields`: the custom field definitions loaded once
    for many views (custom_fields_by_key)."""
    condition = ticket_filter_condition(user=user, f=ticket_filter_from(filters))
    params = _custom_field_params(filters)
    if params:
        matching = filter_by_custom_fields(
            Ticket.objects.all(), custom_field_filters_from(params), user=user, strict=False, fields=fields
        )
        condition &= Q(pk__in=matching.values("pk"))
    return condition


def view_tickets(*, user: Any, spec: ViewSpec) -> QuerySet[Ticket]:
    """The tickets of a view, sorted on an index (view_spec.SORTS), with what its columns show
    loaded in a fixed number of queries: slice it (LIMIT/OFFSET) to paginate."""
    qs = visible_tickets(user).filter(view_condition(user=user, filters=spec.filters))
    joins = [_JOINS[c] for c in spec.columns if c in _JOINS]
    prefetches = [_PREFETCHES[c] for c in spec.columns if c in _PREFETCHES]
    if joins:
        qs = qs.select_related(*joins)
    if prefetches:
        qs = qs.prefetch_related(*prefetches)
    return qs.order_by(*view_spec.order_by(spec.sort_field, spec.sort_direction))


def view_counts(*, user: Any, views: Iterable[SavedView]) -> dict[int, int]:
    """The number of tickets of each view, by view id, in one aggregate query (and one more for
    the custom field definitions when some view filters on them, not one per view)."""
    wanted = list(views)
    if not wanted or not can_use_saved_views(user):
        return {}
    keys = {item.key for view in wanted for item in custom_field_filters_from(_custom_field_params(view.filters))}
    fields = custom_fields_by_key(keys, user=user) if keys else {}
    conditions = {f"v{view.pk}": view_condition(user=user, filters=view.filters, fields=fields) for view in wanted}
    counts = (
        visible_tickets(user)
        .order_by()
        .aggregate(**{name: Count("pk", filter=condition) for name, condition in conditions.items()})
    )
    return {view.pk: int(counts[f"v{view.pk}"] or 0) for view in wanted}
