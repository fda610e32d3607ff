"""URLs of the routing desk pages, mounted at /desk/routing/."""

from __future__ import annotations

from django.urls import URLPattern, path

from tierdesk.routing import views, views_policies

app_name = "routing"
urlpatterns: list[URLPattern] = [
    path("presence/", views.presence_switch, name="presence"),
    path("policies/", views_policies.policy_list, name="policies"),
    path("policies/new/", views_policies.policy_new, name="policy_new"),
    path("policies/<int:policy_id>/", views_policies.policy_detail, name="policy"),
    path("policies/<int:policy_id>/delete/", views_policies.policy_remove, name="policy_delete"),
]
