"""Saved views of the ticket list: create, change, delete and reorder them (staff only).

Each stored part is cleaned by view_spec (filters, columns, sort), custom-field filters are
checked against the field definitions, and a view is changed only by its owner, or, when it is
shared, by an administrator (permissions_views). A new view goes to the end of its owner's list.

Error codes: saved_view.forbidden (403), saved_view.not_found (404), saved_view.name_required,
saved_view.name_too_long, saved_view.duplicate_name, saved_view.invalid_filters,
saved_view.invalid_columns, saved_view.invalid_sort, saved_view.invalid_order,
saved_view.field_not_editable; custom_field.invalid_filter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.core.errors import Forbidden, ValidationFailed
from tierdesk.tickets import view_spec
from tierdesk.tickets.models import SavedView
from tierdesk.tickets.models.views import MAX_VIEW_NAME_LENGTH
from tierdesk.tickets.permissions_views import can_change_saved_view, can_use_saved_views
from tierdesk.tickets.selectors_views import check_custom_field_filters

EDITABLE_FIELDS = frozenset({"name", "is_shared", "filters", "columns", "sort_field", "sort_direction"})


def _require_staff(by: User) -> None:
    if not can_use_saved_views(by):
        raise Forbidden(_("Only staff members have saved views."), code="saved_view.forbidden")


def _clean_name(name: Any) -> str:
    text = str(name or "").strip()
    if not text:
        raise ValidationFailed(_("A view needs a name."), code="saved_view.name_required", field="name")
    if len(text) > MAX_VIEW_NAME_LENGTH:
        raise ValidationFailed(
            _("A view's name has at most %(count)d characters.") % {"count": MAX_VIEW_NAME_LENGTH},
            code="saved_view.name_too_long",
            field="name",
        )
    return text


def _duplicate(name: str) -> ValidationFailed:
    return ValidationFailed(
        _("You already have a view named %(name)r.") % {"name": name}, code="saved_view.duplicate_name", field="name"
    )


def _save(view: SavedView) -> None:
    # The unique (owner, name) constraint decides races; a savepoint keeps the outer transaction usable.
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError:
        raise _duplicate(view.name) from None


def _clean_filters(*, by: User, filters: Any) -> dict[str, Any]:
    cleaned = view_spec.clean_filters(filters)
    check_custom_field_filters(user=by, filters=cleaned)
    return cleaned


@transaction.atomic
def saved_view_create(
    *,
    by: User,
    name: str,
    filters: Any = None,
    columns: Sequence[str] | None = None,
    sort_field: str = view_spec.DEFAULT_SORT[0],
    sort_direction: str = view_spec.DEFAULT_SORT[1],
    is_shared: bool = False,
) -> SavedView:
    """A new view of `by`'s, at the end of their list."""
    _require_staff(by)
    clean_name = _clean_name(name)
    cleaned_filters = _clean_filters(by=by, filters=filters)
    cleaned_columns = view_spec.clean_columns(list(columns) if columns is not None else list(view_spec.DEFAULT_COLUMNS))
    field, direction = view_spec.clean_sort(sort_field, sort_direction)
    if SavedView.objects.filter(owner=by, name=clean_name).exists():
        raise _duplicate(clean_name)
    last = SavedView.objects.filter(owner=by).aggregate(last=Max("position"))["last"]
    view = SavedView(
        owner=by,
        name=clean_name,
        is_shared=bool(is_shared),
        filters=cleaned_filters,
        columns=cleaned_columns,
        sort_field=field,
        sort_direction=direction,
        position=0 if last is None else last + 1,
    )
    _save(view)
    return view


def _require_change(*, view: SavedView, by: User) -> None:
    _require_staff(by)
    if not can_change_saved_view(by, view):
        raise Forbidden(
            _("Only the owner of this view or an administrator may change it."), code="saved_view.forbidden"
        )


@transaction.atomic
def saved_view_update(*, view: SavedView, by: User, **changes: Any) -> SavedView:
    """Change any of name, is_shared, filters, columns, sort_field, sort_direction."""
    _require_change(view=view, by=by)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationFailed(
            _("These cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            code="saved_view.field_not_editable",
            field=sorted(unknown)[0],
        )
    if "name" in changes:
        view.name = _clean_name(changes["name"])
        if SavedView.objects.filter(owner_id=view.owner_id, name=view.name).exclude(pk=view.pk).exists():
            raise _duplicate(view.name)
    if "is_shared" in changes:
        view.is_shared = bool(changes["is_shared"])
    if "filters" in changes:
        view.filters = _clean_filters(by=by, filters=changes["filters"])
    if "columns" in changes:
        view.columns = view_spec.clean_columns(changes["columns"])
    if "sort_field" in changes or "sort_direction" in changes:
        view.sort_field, view.sort_direction = view_spec.clean_sort(
            changes.get("sort_field", view.sort_field), changes.get("sort_direction", view.sort_direction)
        )
    _save(view)
    return view


@transaction.atomic
def saved_view_delete(*, view: SavedView, by: User) -> None:
    _require_change(view=view, by=by)
    view.delete()


@transaction.atomic
def saved_view_reorder(*, by: User, view_ids: Sequence[int]) -> list[SavedView]:
    """Put the caller's own views in the given order: `view_ids` lists each of them once."""
    _require_staff(by)
    own = {view.pk: view for view in SavedView.objects.select_for_update().filter(owner=by).order_by("pk")}
    ids = list(view_ids)
    if len(set(ids)) != len(ids) or set(ids) != set(own):
        raise ValidationFailed(
            _("List each of your own views once, in the new order."), code="saved_view.invalid_order", field="ids"
        )
    ordered = [own[pk] for pk in ids]
    for position, view in enumerate(ordered):
        view.position = position
    SavedView.objects.bulk_update(ordered, ["position"])
    return ordered
