"""URLs of the routing desk pages, mounted at /desk/routing/."""

from __future__ import annotations

from django.urls import URLPattern, path

from tierdesk.routing import views

app_name = "routing"
urlpatterns: list[URLPattern] = [
    path("presence/", views.presence_switch, name="presence"),
]
