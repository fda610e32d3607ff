"""URLs of the portal web UI."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "portal"
urlpatterns: list[URLPattern] = []
