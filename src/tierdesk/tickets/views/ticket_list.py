"""The desk's ticket list at /desk/tickets/: a table of the chosen columns, sorted on an index and
paginated in SQL, the saved views in a sidebar with their live counts (one aggregate query,
polled by htmx), saving and changing views, and bulk actions on the ticked tickets.

The number of queries does not depend on the number of tickets or of views."""

from __future__ import annotations

import json
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from tierdesk.accounts.models import User
from tierdesk.accounts.selectors import organisation_list_for, staff_users
from tierdesk.core.errors import DomainError, NotFound
from tierdesk.tickets import view_spec
from tierdesk.tickets.choices import Channel
from tierdesk.tickets.forms_views import (
    BULK_LABELS,
    BulkForm,
    SavedViewForm,
    TicketListFilterForm,
    custom_field_filters_of,
)
from tierdesk.tickets.models import SavedView
from tierdesk.tickets.permissions_views import can_change_saved_view
from tierdesk.tickets.selectors import macro_choices
from tierdesk.tickets.selectors_views import ViewSpec, saved_view_get_for, saved_views_for, view_counts, view_tickets
from tierdesk.tickets.services.bulk import BulkAction, ticket_bulk_apply
from tierdesk.tickets.services.views import saved_view_create, saved_view_delete, saved_view_update
from tierdesk.tickets.views.access import staff_required

PAGE_SIZE = 50
# Polling interval of the sidebar's counts (seconds).
COUNTS_EVERY_S = 30


def _staff(request: HttpRequest) -> User:
    return cast(User, request.user)  # staff_required lets only staff members reach these views


def _list_url() -> str:
    return reverse("tickets:ticket_list")


def _active_view(request: HttpRequest, views: list[SavedView]) -> SavedView | None:
    raw = request.GET.get("view", "")
    if not raw:
        return None
    found = next((view for view in views if str(view.pk) == raw), None)
    if found is None:
        raise Http404(_("No such view."))
    return found


def _sort(request: HttpRequest, active: SavedView | None) -> tuple[str, str]:
    """The sort asked for in the URL (a column header), else the view's, else the queue order."""
    field, direction = (active.sort_field, active.sort_direction) if active else view_spec.DEFAULT_SORT
    wanted = request.GET.get("sort", "")
    if wanted in view_spec.SORTS:
        field = wanted
        direction = request.GET.get("dir", "") if request.GET.get("dir") in view_spec.DIRECTIONS else view_spec.ASC
    return field, direction


def _here(request: HttpRequest) -> str:
    """This page's URL without a previous selection, for the forms to come back to."""
    query = request.GET.copy()
    query.pop("selected", None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _sidebar(request: HttpRequest, views: list[SavedView], active: SavedView | None) -> dict[str, Any]:
    counts = view_counts(user=request.user, views=views)
    user_id = request.user.pk
    return {
        "own_views": [(view, counts.get(view.pk, 0)) for view in views if view.owner_id == user_id],
        "shared_views": [(view, counts.get(view.pk, 0)) for view in views if view.owner_id != user_id],
        "active_view": active,
        "counts_every": COUNTS_EVERY_S,
    }


@staff_required
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    views = list(saved_views_for(user=user))
    active = _active_view(request, views)
    organisations = organisation_list_for(user=user)
    staff = staff_users()
    # A view shows its own filters until the filter form is submitted over it (marker `f`).
    if active is not None and "f" not in request.GET:
        filters = dict(active.filters or {})
        form = TicketListFilterForm(
            initial=TicketListFilterForm.initial_from(filters), organisations=organisations, staff=staff
        )
    else:
        form = TicketListFilterForm(request.GET or None, organisations=organisations, staff=staff)
        try:
            filters = {**form.filters(), **view_spec.clean_filters(custom_field_filters_of(request.GET))}
        except DomainError as error:
            messages.error(request, str(error.message))
            filters = form.filters()
    columns = list(active.columns) if active is not None else list(view_spec.DEFAULT_COLUMNS)
    sort_field, sort_direction = _sort(request, active)
    spec = ViewSpec(filters=filters, columns=tuple(columns), sort_field=sort_field, sort_direction=sort_direction)
    page = Paginator(view_tickets(user=user, spec=spec), PAGE_SIZE).get_page(request.GET.get("page"))
    selected = {int(n) for n in request.GET.getlist("selected") if n.isdigit()}
    save_initial = {
        "columns": columns,
        "sort_field": sort_field,
        "sort_direction": sort_direction,
        "filters": json.dumps(filters),
    }
    edit_form = None
    if active is not None and can_change_saved_view(user, active):
        edit_form = SavedViewForm(
            initial={**save_initial, "name": active.name, "is_shared": active.is_shared}, column_order=columns
        )
    context = {
        "form": form,
        "page_obj": page,
        "tickets": page.object_list,
        "columns": [(key, view_spec.COLUMNS[key], key in view_spec.SORTS) for key in columns],
        "sort_field": sort_field,
        "sort_direction": sort_direction,
        "selected": selected,
        "save_form": SavedViewForm(initial=save_initial, column_order=columns),
        "edit_form": edit_form,
        "bulk_form": BulkForm(staff=staff, macros=macro_choices(language_first=getattr(user, "language", None))),
        "merge_offered": "merge" in {action.value for action in BulkAction},
        "here": _here(request),
        **_sidebar(request, views, active),
    }
    return render(request, "tickets/ticket_list.html", context)


@staff_required
@require_GET
def view_counts_fragment(request: HttpRequest) -> HttpResponse:
    """The sidebar alone, with fresh counts (htmx polls it)."""
    views = list(saved_views_for(user=request.user))
    active = next((view for view in views if str(view.pk) == request.GET.get("view", "")), None)
    return render(request, "tickets/partials/_view_sidebar.html", _sidebar(request, views, active))


def _back(request: HttpRequest, **extra: Any) -> HttpResponse:
    """Back to the list page the form was posted from (never elsewhere), with `extra` added."""
    target = request.POST.get("next", "")
    list_url = _list_url()
    if not (url_has_allowed_host_and_scheme(target, allowed_hosts=None) and target.startswith(list_url)):
        target = list_url
    if extra:
        target += ("&" if "?" in target else "?") + urlencode(extra, doseq=True)
    return redirect(target)


def _view_of(request: HttpRequest, view_id: int) -> SavedView:
    try:
        return saved_view_get_for(user=request.user, view_id=view_id)
    except NotFound:
        raise Http404(_("No such view.")) from None


def _form_errors(form: forms.Form) -> str:
    return " ".join(
        f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
    )


@staff_required
@require_POST
def view_create(request: HttpRequest) -> HttpResponse:
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request)
    try:
        view = saved_view_create(by=_staff(request), **form.cleaned_data)
    except DomainError as error:
        messages.error(request, str(error.message))
        return _back(request)
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{_list_url()}?view={view.pk}")


@staff_required
@require_POST
def view_update(request: HttpRequest, view_id: int) -> HttpResponse:
    view = _view_of(request, view_id)
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request)
    try:
        saved_view_update(view=view, by=_staff(request), **form.cleaned_data)
    except DomainError as error:
        messages.error(request, str(error.message))
        return _back(request)
    messages.success(request, _("View “%(name)s” updated.") % {"name": view.name})
    return redirect(f"{_list_url()}?view={view.pk}")


@staff_required
@require_POST
def view_delete(request: HttpRequest, view_id: int) -> HttpResponse:
    view = _view_of(request, view_id)
    try:
        saved_view_delete(view=view, by=_staff(request))
    except DomainError as error:
        messages.error(request, str(error.message))
        return _back(request)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect(_list_url())


@staff_required
@require_POST
def bulk_apply(request: HttpRequest) -> HttpResponse:
    """Apply the chosen action to the ticked tickets, all or nothing. On a refusal the page
    comes back with the same tickets ticked and the reason (which ticket, why)."""
    form = BulkForm(request.POST, staff=staff_users(), macros=macro_choices(include_inactive=False))
    numbers = form.numbers()
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return _back(request, selected=numbers)
    action = form.cleaned_data["action"]
    try:
        changed = ticket_bulk_apply(
            by=_staff(request), numbers=numbers, action=action, params=form.params(), channel=Channel.WEB
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return _back(request, selected=numbers)
    messages.success(
        request,
        ngettext("%(action)s: %(count)d ticket changed.", "%(action)s: %(count)d tickets changed.", len(changed))
        % {"action": BULK_LABELS[action], "count": len(changed)},
    )
    return _back(request)
