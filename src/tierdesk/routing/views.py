"""The presence switch in the desk header: a fragment that base.html loads with htmx (so that the
pages themselves run no query for it), and a small page for browsers without JavaScript."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from tierdesk.accounts.models import User
from tierdesk.core.errors import DomainError
from tierdesk.core.htmx import is_partial
from tierdesk.routing.choices import PresenceStatus
from tierdesk.routing.forms import PresenceForm
from tierdesk.routing.permissions import can_have_presence
from tierdesk.routing.selectors import presence_of
from tierdesk.routing.services import MAX_REASON_LENGTH, presence_set


@require_http_methods(["GET", "POST"])
def presence_switch(request: HttpRequest) -> HttpResponseBase:
    """GET: the switch; POST: set one's presence and answer with the switch again (or, without
    htmx, go back to the page)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_have_presence(request.user):
        raise PermissionDenied
    user = cast(User, request.user)
    error: DomainError | None = None
    status = 200
    if request.method == "POST":
        form = PresenceForm(request.POST)
        if form.is_valid():
            try:
                presence_set(
                    by=user, agent=user, status=form.cleaned_data["status"], reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                error, status = exc, exc.http_status
        else:
            status = 422
        if status == 200 and not is_partial(request):
            return redirect("routing:presence")
    template = "routing/partials/_presence_switch.html" if is_partial(request) else "routing/presence.html"
    context = {
        "presence": presence_of(user=user),
        "statuses": PresenceStatus.choices,
        "error": error,
        "invalid": status == 422 and error is None,
        "presence_page": True,
        "max_reason": MAX_REASON_LENGTH,
    }
    response: HttpResponse = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
