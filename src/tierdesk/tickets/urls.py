"""URLs of the agent desk, mounted at /desk/."""

from __future__ import annotations

from django.urls import URLPattern, path

from tierdesk.tickets.views import attachments, board, organisations, ticket

app_name = "tickets"
urlpatterns: list[URLPattern] = [
    path("", board.board, name="board"),
    path("tickets/<int:number>/", ticket.ticket_detail, name="ticket"),
    path("tickets/<int:number>/<slug:action>/", ticket.ticket_action, name="ticket_action"),
    path("attachments/<int:attachment_id>/", attachments.attachment_download, name="attachment"),
    path("organisations/", organisations.organisation_list, name="organisations"),
    path("organisations/<int:organisation_id>/", organisations.organisation_detail, name="organisation"),
    path(
        "organisations/<int:organisation_id>/access-notes/",
        organisations.access_note_add,
        name="access_note_add",
    ),
    path(
        "organisations/<int:organisation_id>/access-notes/<int:note_id>/show/",
        organisations.access_note_show,
        name="access_note_show",
    ),
]
