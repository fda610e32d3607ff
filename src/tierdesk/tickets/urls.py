"""URLs of the tickets web UI."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "tickets"
urlpatterns: list[URLPattern] = []
