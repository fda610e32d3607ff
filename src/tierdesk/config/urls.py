"""URL map: the API, the agent desk, the customer portal, sign-in and the admin site."""

from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from tierdesk.config.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("desk/", include("tierdesk.tickets.urls")),
    path("portal/", include("tierdesk.portal.urls")),
    path("admin/", admin.site.urls),
    path("", include("tierdesk.accounts.urls")),
]
