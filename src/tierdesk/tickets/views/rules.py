"""Automation rules in the desk (administrators; other staff get 403 like the lock-out page): the
list with each rule's figures, a page per rule with its form and latest firings, a new rule,
switching a rule on or off, deleting one after a confirmation, and putting back the shipped rules.

Conditions and actions are typed in the text syntax; the rule services parse and check them, and
their errors (with the line number) are shown next to the textarea they belong to."""

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
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tierdesk.accounts.models import User
from tierdesk.core.errors import DomainError, NotFound
from tierdesk.core.htmx import is_partial
from tierdesk.tickets.automation.vocabulary import actions_text, conditions_text, vocabulary
from tierdesk.tickets.errors import RuleVersionConflict
from tierdesk.tickets.forms_rules import RuleEditForm, RuleForm, field_of, rule_initial
from tierdesk.tickets.models import Rule
from tierdesk.tickets.permissions import can_manage_rules
from tierdesk.tickets.selectors_rules import rule_firings_for, rule_get_for, rule_list_for
from tierdesk.tickets.services.rules import rule_create, rule_delete, rule_update, rules_seed
from tierdesk.tickets.views.access import render_page_or_partial, staff_required

RULES_PER_PAGE = 100
FIRINGS_SHOWN = 20

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def rules_admin_required(view: View) -> View:
    """The desk's gate (staff only), then administrators only: other staff get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not can_manage_rules(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return cast(View, staff_required(wrapper))


def _admin(request: HttpRequest) -> User:
    return cast(User, request.user)


def _get_rule(request: HttpRequest, rule_id: int) -> Rule:
    try:
        return rule_get_for(user=request.user, rule_id=rule_id)
    except NotFound:
        raise Http404 from None


def _render_list(request: HttpRequest, *, error: DomainError | None = None, status: int = 200) -> HttpResponse:
    page = Paginator(rule_list_for(user=request.user), RULES_PER_PAGE).get_page(request.GET.get("page"))
    return render_page_or_partial(
        request,
        page="tickets/rule_list.html",
        partial="tickets/partials/_rule_list.html",
        context={"page_obj": page, "error": error},
        status=status,
    )


def _render_form(
    request: HttpRequest,
    form: RuleForm,
    *,
    rule: Rule | None = None,
    error: DomainError | None = None,
    conflict: Rule | None = None,
    status: int = 200,
) -> HttpResponse:
    # A stored rule whose JSON has no text form (a line break in a value, possible through the API).
    untexted = rule is not None and (conditions_text(rule.conditions) is None or actions_text(rule.actions) is None)
    context: dict[str, Any] = {
        "form": form,
        "rule": rule,
        "error": error,
        "vocabulary": vocabulary(),
        "firings": rule_firings_for(user=request.user, rule=rule, limit=FIRINGS_SHOWN) if rule else [],
        "untexted": untexted,
        "conflict": conflict,
    }
    return render(request, "tickets/rule_form.html", context, status=status)


def _refused(form: RuleForm, error: DomainError) -> DomainError | None:
    """Put a service error next to its field; returns it when it belongs to no field (a banner)."""
    field = field_of(error.field)
    if field is None:
        return error
    form.add_error(field, error.message)
    return None


@rules_admin_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


@rules_admin_required
@require_http_methods(["GET", "POST"])
def rule_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render_form(request, RuleForm())
    form = RuleForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, status=422)
    try:
        rule = rule_create(by=_admin(request), **form.rule_fields())
    except DomainError as error:
        return _render_form(request, form, error=_refused(form, error), status=error.http_status)
    messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
    return redirect("tickets:rule", rule_id=rule.pk)


@rules_admin_required
@require_http_methods(["GET", "POST"])
def rule_detail(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = _get_rule(request, rule_id)
    if request.method == "GET":
        return _render_form(request, RuleEditForm(initial=rule_initial(rule)), rule=rule)
    form = RuleEditForm(request.POST)
    if not form.is_valid():
        return _render_form(request, form, rule=rule, status=422)
    try:
        rule = rule_update(
            rule=rule, by=_admin(request), expected_version=form.cleaned_data["version"], **form.rule_fields()
        )
    except RuleVersionConflict as error:
        # Keep everything typed; the hidden version moves to the stored one, so saving again is a
        # deliberate overwrite of the other change, which the page shows beside the form.
        current = _get_rule(request, rule_id)
        data = request.POST.copy()
        data["version"] = str(current.version)
        return _render_form(
            request, RuleEditForm(data), rule=current, error=error, conflict=current, status=error.http_status
        )
    except DomainError as error:
        return _render_form(request, form, rule=rule, error=_refused(form, error), status=error.http_status)
    messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule.name})
    return redirect("tickets:rule", rule_id=rule.pk)


@rules_admin_required
@require_POST
def rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Switch a rule on or off. The form says which (not "the opposite"), so a double click or two
    admins at once end in the state they asked for."""
    rule = _get_rule(request, rule_id)
    enable = request.POST.get("is_enabled") == "1"
    try:
        rule_update(rule=rule, by=_admin(request), is_enabled=enable)
    except DomainError as error:
        if is_partial(request):
            return _render_list(request, error=error, status=error.http_status)
        messages.error(request, _("Not saved: %(message)s") % {"message": error.message})
        return redirect("tickets:rules")
    if is_partial(request):
        return _render_list(request)  # the row shows the new state
    if enable:
        messages.success(request, _("Rule “%(name)s” enabled.") % {"name": rule.name})
    else:
        messages.success(request, _("Rule “%(name)s” disabled.") % {"name": rule.name})
    return redirect("tickets:rules")


@rules_admin_required
@require_http_methods(["GET", "POST"])
def rule_remove(request: HttpRequest, rule_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the rule with its record of firings."""
    rule = _get_rule(request, rule_id)
    if request.method == "GET":
        return render(request, "tickets/rule_delete.html", {"rule": rule})
    rule_delete(rule=rule, by=_admin(request))
    messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule.name})
    return redirect("tickets:rules")


@rules_admin_required
@require_POST
def rules_restore(request: HttpRequest) -> HttpResponse:
    """Put back the shipped rules that were deleted; existing rules are left as they are."""
    created = rules_seed(by=_admin(request))
    if created:
        count = len(created)
        message = ngettext("%(count)d shipped rule restored.", "%(count)d shipped rules restored.", count) % {
            "count": count
        }
    else:
        message = _("Every shipped rule is there already.")
    messages.success(request, message)
    return redirect("tickets:rules")
