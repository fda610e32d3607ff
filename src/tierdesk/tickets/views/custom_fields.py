"""Custom fields in the desk: the administrators' page to define them (/desk/custom-fields/: the
list, a new field, changing one; other staff get 403 like the rules page), and the CSV export of
the board's filtered tickets with a column per custom field (/desk/tickets/export.csv, staff)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import organisation_list_for, staff_users
from tierdesk.core.errors import DomainError, NotFound
from tierdesk.tickets.export import csv_export_response
from tierdesk.tickets.forms import BoardFilterForm
from tierdesk.tickets.forms_custom_fields import CustomFieldForm, definition_initial
from tierdesk.tickets.models import Category, CustomField
from tierdesk.tickets.permissions import can_manage_custom_fields
from tierdesk.tickets.selectors import ticket_list_for
from tierdesk.tickets.selectors_custom_fields import (
    custom_field_filters_from,
    custom_field_get_for,
    custom_field_list_for,
    filter_by_custom_fields,
)
from tierdesk.tickets.services import custom_field_create, custom_field_update
from tierdesk.tickets.views.access import staff_required
from tierdesk.tickets.views.board import _filters_from

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def custom_fields_admin_required(view: View) -> View:
    """The desk's gate (staff only), then administrators only: other staff get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_manage_custom_fields(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return cast(View, staff_required(wrapper))


def _form(request: HttpRequest, *, field: CustomField | None = None) -> CustomFieldForm:
    kwargs: dict[str, Any] = {
        "organisations": organisation_list_for(user=request.user),
        "categories": Category.objects.order_by("name"),
        "editing": field is not None,
    }
    if request.method == "POST":
        return CustomFieldForm(request.POST, initial=definition_initial(field) if field else None, **kwargs)
    initial = definition_initial(field) if field else {"is_active": True}
    return CustomFieldForm(initial=initial, **kwargs)


def _render_form(
    request: HttpRequest, form: CustomFieldForm, *, field: CustomField | None, error: DomainError | None, status: int
) -> HttpResponse:
    context = {"form": form, "field": field, "error": error}
    return render(request, "tickets/custom_field_form.html", context, status=status)


def _save(request: HttpRequest, field: CustomField | None) -> HttpResponse:
    form = _form(request, field=field)
    if not form.is_valid():
        return _render_form(request, form, field=field, error=None, status=422)
    data = dict(form.cleaned_data)
    admin = cast(User, request.user)
    try:
        if field is None:
            field = custom_field_create(by=admin, **data)
            notice = _("Custom field “%(label)s” added.") % {"label": field.label}
        else:
            data.pop("key")
            field = custom_field_update(field=field, by=admin, **data)
            notice = _("Custom field “%(label)s” saved.") % {"label": field.label}
    except DomainError as error:
        if error.field and error.field in form.fields:
            form.add_error(error.field, error.message)
        return _render_form(request, form, field=field, error=error, status=error.http_status)
    messages.success(request, notice)
    return redirect("tickets:custom_fields")


@custom_fields_admin_required
@require_GET
def custom_field_list(request: HttpRequest) -> HttpResponse:
    fields = custom_field_list_for(user=request.user, include_inactive=True)
    return render(request, "tickets/custom_field_list.html", {"fields": fields})


@custom_fields_admin_required
@require_http_methods(["GET", "POST"])
def custom_field_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    return _render_form(request, _form(request), field=None, error=None, status=200)


@custom_fields_admin_required
@require_http_methods(["GET", "POST"])
def custom_field_detail(request: HttpRequest, field_id: int) -> HttpResponse:
    try:
        field = custom_field_get_for(user=request.user, field_id=field_id)
    except NotFound:
        raise Http404 from None
    if request.method == "POST":
        return _save(request, field)
    return _render_form(request, _form(request, field=field), field=field, error=None, status=200)


@staff_required
@require_GET
def ticket_export(request: HttpRequest) -> HttpResponse:
    """The board's filters (and cf_* filters; bad ones are left out, as on the board) as CSV."""
    form = BoardFilterForm(
        request.GET or None, organisations=organisation_list_for(user=request.user), staff=staff_users()
    )
    tickets = ticket_list_for(user=request.user, filters=_filters_from(form, request.user))
    tickets = filter_by_custom_fields(tickets, custom_field_filters_from(request.GET), user=request.user, strict=False)
    return csv_export_response(request, user=request.user, tickets=tickets, filename="tickets.csv")  # type: ignore[return-value]
