"""URLs of the portal web UI (mounted at /portal/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from tierdesk.portal import link_views, views

app_name = "portal"
urlpatterns: list[URLPattern] = [
    path("", views.ticket_list, name="tickets"),
    path("new/", views.ticket_new, name="new"),
    path("tickets/<int:number>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:number>/reply/", views.ticket_reply, name="reply"),
    path("tickets/<int:number>/confirm/", views.ticket_confirm_solved, name="confirm"),
    path("tickets/<int:number>/reopen/", views.ticket_still_a_problem, name="reopen"),
    path("tickets/<int:number>/second-level/", views.ticket_ask_second_level, name="second_level"),
    path("tickets/<int:number>/follow/", views.ticket_follow, name="follow"),
    path("tickets/<int:number>/unfollow/", views.ticket_unfollow, name="unfollow"),
    path("attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("answer/<str:token>/", link_views.confirmation_link, name="confirmation_link"),
]
