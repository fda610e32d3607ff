"""URLs of the agent desk, mounted at /desk/."""

from __future__ import annotations

from django.urls import URLPattern, path

from tierdesk.tickets.views import attachments, board, organisations, rules, ticket

app_name = "tickets"
urlpatterns: list[URLPattern] = [
    path("", board.board, name="board"),
    path("tickets/<int:number>/", ticket.ticket_detail, name="ticket"),
    path("tickets/<int:number>/<slug:action>/", ticket.ticket_action, name="ticket_action"),
    path("attachments/<int:attachment_id>/", attachments.attachment_download, name="attachment"),
    path("organisations/", organisations.organisation_list, name="organisations"),
    path("organisations/<int:organisation_id>/", organisations.organisation_detail, name="organisation"),
    path(
        "organisations/<int:organisation_id>/case-manager/",
        organisations.organisation_case_manager,
        name="organisation_case_manager",
    ),
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
    path("rules/", rules.rule_list, name="rules"),
    path("rules/new/", rules.rule_new, name="rule_new"),
    path("rules/restore/", rules.rules_restore, name="rules_restore"),
    path("rules/<int:rule_id>/", rules.rule_detail, name="rule"),
    path("rules/<int:rule_id>/toggle/", rules.rule_toggle, name="rule_toggle"),
    path("rules/<int:rule_id>/delete/", rules.rule_remove, name="rule_delete"),
]
