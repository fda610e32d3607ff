"""Checklist templates in the desk (/desk/checklist-templates/): every staff member reads the
active templates with their items; administrators and case managers (who may manage them, as in
services/checklists.py) also see the inactive ones, add a template, change one, and deactivate or
reactivate it. There is no delete: like the API's DELETE, taking a template out of use
deactivates it, and tickets keep the items copied earlier.

Items are typed in one textarea, one per line; the services check names and items, and their
errors are shown next to the field they name."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tierdesk.accounts.models import User
from tierdesk.accounts.permissions import is_case_manager
from tierdesk.core.errors import DomainError, NotFound
from tierdesk.core.htmx import is_partial
from tierdesk.tickets.forms_checklist_templates import ChecklistTemplateEditForm, template_initial
from tierdesk.tickets.models import Category, ChecklistTemplate
from tierdesk.tickets.selectors_checklists import checklist_template_get_for, checklist_template_list_for
from tierdesk.tickets.services import checklist_template_create, checklist_template_update
from tierdesk.tickets.views.access import render_page_or_partial, staff_required

TEMPLATES_PER_PAGE = 100

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def may_manage_templates(user: Any) -> bool:
    """The services' own test (checklists._require_manager): administrators and case managers."""
    return is_case_manager(user)


def managers_required(view: View) -> View:
    """The desk's gate (staff only), then those who manage templates: other staff get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not may_manage_templates(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return cast(View, staff_required(wrapper))


def _manager(request: HttpRequest) -> User:
    return cast(User, request.user)


def _get_template(request: HttpRequest, template_id: int) -> ChecklistTemplate:
    try:
        return checklist_template_get_for(user=request.user, template_id=template_id)
    except NotFound:
        raise Http404 from None


def _render_list(request: HttpRequest, *, error: DomainError | None = None, status: int = 200) -> HttpResponse:
    manages = may_manage_templates(request.user)
    templates = checklist_template_list_for(user=request.user, include_inactive=manages)
    page = Paginator(templates, TEMPLATES_PER_PAGE).get_page(request.GET.get("page"))
    return render_page_or_partial(
        request,
        page="tickets/checklist_template_list.html",
        partial="tickets/partials/_checklist_template_list.html",
        context={"page_obj": page, "may_manage": manages, "error": error},
        status=status,
    )


def _form(request: HttpRequest, *, template: ChecklistTemplate | None = None) -> ChecklistTemplateEditForm:
    categories = Category.objects.order_by("name")
    if request.method == "POST":
        return ChecklistTemplateEditForm(request.POST, categories=categories)
    initial = template_initial(template) if template else {"is_active": True}
    return ChecklistTemplateEditForm(initial=initial, categories=categories)


def _render_form(
    request: HttpRequest,
    form: ChecklistTemplateEditForm,
    *,
    template: ChecklistTemplate | None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "template": template, "error": error}
    return render(request, "tickets/checklist_template_form.html", context, status=status)


def _save(request: HttpRequest, template: ChecklistTemplate | None) -> HttpResponse:
    form = _form(request, template=template)
    if not form.is_valid():
        return _render_form(request, form, template=template, status=422)
    try:
        if template is None:
            saved = checklist_template_create(by=_manager(request), **form.template_fields())
            notice = _("Checklist template “%(name)s” added.")
        else:
            saved = checklist_template_update(template=template, by=_manager(request), **form.template_fields())
            notice = _("Checklist template “%(name)s” saved.")
    except DomainError as error:
        if error.field and error.field in form.fields:
            form.add_error(error.field, error.message)
        return _render_form(request, form, template=template, error=error, status=error.http_status)
    messages.success(request, notice % {"name": saved.name})
    return redirect("tickets:checklist_templates")


@staff_required
@require_GET
def checklist_template_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


@managers_required
@require_http_methods(["GET", "POST"])
def checklist_template_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    return _render_form(request, _form(request), template=None)


@managers_required
@require_http_methods(["GET", "POST"])
def checklist_template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _get_template(request, template_id)
    if request.method == "POST":
        return _save(request, template)
    return _render_form(request, _form(request, template=template), template=template)


@managers_required
@require_POST
def checklist_template_active(request: HttpRequest, template_id: int) -> HttpResponse:
    """Deactivate or reactivate a template. The form says which (not "the opposite"), so a double
    click or two managers at once end in the state they asked for."""
    template = _get_template(request, template_id)
    active = request.POST.get("is_active") == "1"
    try:
        checklist_template_update(template=template, by=_manager(request), is_active=active)
    except DomainError as error:
        if is_partial(request):
            return _render_list(request, error=error, status=error.http_status)
        messages.error(request, _("Not saved: %(message)s") % {"message": error.message})
        return redirect("tickets:checklist_templates")
    if is_partial(request):
        return _render_list(request)  # the row shows the new state
    if active:
        messages.success(request, _("Checklist template “%(name)s” is in use again.") % {"name": template.name})
    else:
        messages.success(request, _("Checklist template “%(name)s” deactivated.") % {"name": template.name})
    return redirect("tickets:checklist_templates")
