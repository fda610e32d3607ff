"""The gate of /desk/ and the page-or-fragment rendering shared by the desk views."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render, resolve_url
from django.utils.cache import patch_vary_headers

from tierdesk.accounts.permissions import is_staff_member
from tierdesk.core.htmx import is_partial

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def navigate_to(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect; for htmx an HX-Redirect instead, since htmx would follow a 302 inside its
    request and swap the sign-in page (or the portal) into the middle of the board."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def staff_required(view: View) -> View:
    """Only staff members use the desk.

    Anonymous visitors go to the sign-in page; signed-in customers are sent to "home", which
    takes them to the portal, or refused with 403 when they try to change something."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return navigate_to(request, redirect_to_login(request.get_full_path())["Location"])
        if not is_staff_member(user):
            if request.method in ("GET", "HEAD"):
                return navigate_to(request, resolve_url("home"))
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def render_page_or_partial(
    request: HttpRequest,
    *,
    page: str,
    partial: str,
    context: Mapping[str, Any],
    status: int = 200,
) -> HttpResponse:
    """The full page for a normal request, the fragment for an htmx one (same context)."""
    template = partial if is_partial(request) else page
    response = render(request, template, dict(context), status=status)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response
