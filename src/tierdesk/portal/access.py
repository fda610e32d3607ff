"""Who gets into the portal: signed-in customer contacts only.

Anonymous visitors go to the sign-in page, staff to their desk, and a customer login without
an active contact (or organisation) gets a 403: it has no tickets to show.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch

from tierdesk.accounts.choices import Role
from tierdesk.accounts.models import Contact
from tierdesk.accounts.permissions import contact_of, is_staff_member

P = ParamSpec("P")
PortalView = Callable[Concatenate[HttpRequest, Contact, P], HttpResponseBase]

STAFF_HOME = "/desk/"
# The shared sign-in lives at this path; used only while its named URL is not registered,
# so the portal keeps working whichever of the two lands first.
LOGIN_PATH_FALLBACK = "/login/"


def login_url() -> str:
    try:
        return resolve_url(settings.LOGIN_URL)
    except NoReverseMatch:
        return LOGIN_PATH_FALLBACK


def portal_view(view: PortalView[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """Let only customer contacts through and hand the view their contact record."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        user: Any = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url())
        if is_staff_member(user):
            return HttpResponseRedirect(STAFF_HOME)
        contact = contact_of(user)
        if contact is None:
            raise PermissionDenied
        return view(request, contact, *args, **kwargs)

    return wrapper


def sees_organisation_tickets(user: Any) -> bool:
    """A customer admin reads the whole organisation's tickets (see tickets.permissions),
    so the portal offers them the mine/all filter and shows who asked."""
    return bool(getattr(user, "role", None) == Role.CUSTOMER_ADMIN)
