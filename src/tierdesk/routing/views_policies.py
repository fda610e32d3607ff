"""Assignment policies in the desk (/desk/routing/policies/): every staff member reads how tickets
are handed out, with the agent the round robin gave the last ticket to; administrators (who may
manage them, routing/permissions.py) add a policy, change one and delete one after a
confirmation. The services check every field; their errors are shown next to the field."""

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
from django.views.decorators.http import require_GET, require_http_methods

from tierdesk.accounts.models import User
from tierdesk.core.errors import DomainError, NotFound
from tierdesk.routing.forms_policies import PolicyForm, new_policy_initial, policy_initial
from tierdesk.routing.models import AssignmentPolicy
from tierdesk.routing.permissions import can_manage_policies, can_see_policies
from tierdesk.routing.selectors import policy_get_for, policy_list_for
from tierdesk.routing.services import policy_create, policy_delete, policy_update
from tierdesk.tickets.models import Category
from tierdesk.tickets.views.access import render_page_or_partial, staff_required

POLICIES_PER_PAGE = 100

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def _gate(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    """The desk's gate (staff only), then `allowed`: other staff get 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(View, staff_required(wrapper))

    return decorate


readers_only = _gate(can_see_policies)
admins_only = _gate(can_manage_policies)


def _admin(request: HttpRequest) -> User:
    return cast(User, request.user)


def _get_policy(request: HttpRequest, policy_id: int) -> AssignmentPolicy:
    try:
        return policy_get_for(user=request.user, policy_id=policy_id)
    except NotFound:
        raise Http404 from None


def _form(request: HttpRequest, *, policy: AssignmentPolicy | None = None) -> PolicyForm:
    categories = Category.objects.order_by("name")
    if request.method == "POST":
        return PolicyForm(request.POST, categories=categories)
    return PolicyForm(initial=policy_initial(policy) if policy else new_policy_initial(), categories=categories)


def _render_form(
    request: HttpRequest,
    form: PolicyForm,
    *,
    policy: AssignmentPolicy | None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {"form": form, "policy": policy, "error": error}
    return render(request, "routing/policy_form.html", context, status=status)


def _save(request: HttpRequest, policy: AssignmentPolicy | None) -> HttpResponse:
    form = _form(request, policy=policy)
    if not form.is_valid():
        return _render_form(request, form, policy=policy, status=422)
    try:
        if policy is None:
            saved = policy_create(by=_admin(request), **form.policy_fields())
            notice = _("Assignment policy “%(name)s” added.")
        else:
            saved = policy_update(by=_admin(request), policy=policy, **form.policy_fields())
            notice = _("Assignment policy “%(name)s” saved.")
    except DomainError as error:
        field = form.field_of(error.field)
        if field is not None:
            form.add_error(field, error.message)
        return _render_form(request, form, policy=policy, error=error, status=error.http_status)
    messages.success(request, notice % {"name": saved.name})
    return redirect("routing:policies")


@readers_only
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(policy_list_for(user=request.user), POLICIES_PER_PAGE).get_page(request.GET.get("page"))
    return render_page_or_partial(
        request,
        page="routing/policy_list.html",
        partial="routing/partials/_policy_list.html",
        context={"page_obj": page, "may_manage": can_manage_policies(request.user)},
    )


@admins_only
@require_http_methods(["GET", "POST"])
def policy_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save(request, None)
    return _render_form(request, _form(request), policy=None)


@admins_only
@require_http_methods(["GET", "POST"])
def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = _get_policy(request, policy_id)
    if request.method == "POST":
        return _save(request, policy)
    return _render_form(request, _form(request, policy=policy), policy=policy)


@admins_only
@require_http_methods(["GET", "POST"])
def policy_remove(request: HttpRequest, policy_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the policy (its level falls back to its general
    policy, or to assignment by hand)."""
    policy = _get_policy(request, policy_id)
    if request.method == "GET":
        return render(request, "routing/policy_delete.html", {"policy": policy})
    try:
        policy_delete(by=_admin(request), policy=policy)
    except DomainError as error:
        messages.error(request, _("Not deleted: %(message)s") % {"message": error.message})
        return redirect("routing:policies")
    messages.success(request, _("Assignment policy “%(name)s” deleted.") % {"name": policy.name})
    return redirect("routing:policies")
