"""URL map: the API, the agent desk, the customer portal, sign-in and the admin site."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.utils.translation import gettext as _

from tierdesk.config.api import api


def api_not_found(request: HttpRequest) -> JsonResponse:
    """Unknown API paths (or ids of the wrong type) answer in the API's JSON error shape."""
    return JsonResponse({"code": "not_found", "message": _("No such API endpoint or object.")}, status=404)


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("desk/routing/", include("tierdesk.routing.urls")),
    path("desk/", include("tierdesk.tickets.urls")),
    path("portal/", include("tierdesk.portal.urls")),
    path("admin/", admin.site.urls),
    path("", include("tierdesk.accounts.urls")),
]
