"""URLs of the agent desk, mounted at /desk/."""

from __future__ import annotations

from django.urls import URLPattern, path

from tierdesk.tickets.views import attachments, board, organisations, rules, ticket, ticket_list
from tierdesk.tickets.views import checklist_templates as checklist_template_views
from tierdesk.tickets.views import custom_fields as custom_field_views
from tierdesk.tickets.views.agenda import agenda, agenda_feed, team_calendar

app_name = "tickets"
urlpatterns: list[URLPattern] = [
    path("", board.board, name="board"),
    path("agenda/", agenda, name="agenda"),
    path("agenda.ics", agenda_feed, name="agenda_feed"),
    path("calendar/", team_calendar, name="team_calendar"),
    path("tickets/", ticket_list.ticket_list, name="ticket_list"),
    path("tickets/export.csv", custom_field_views.ticket_export, name="ticket_export"),
    path("custom-fields/", custom_field_views.custom_field_list, name="custom_fields"),
    path("custom-fields/new/", custom_field_views.custom_field_new, name="custom_field_new"),
    path("custom-fields/<int:field_id>/", custom_field_views.custom_field_detail, name="custom_field"),
    path("tickets/bulk/", ticket_list.bulk_apply, name="ticket_bulk"),
    path("tickets/views/", ticket_list.view_create, name="view_create"),
    path("tickets/views/counts/", ticket_list.view_counts_fragment, name="view_counts"),
    path("tickets/views/<int:view_id>/", ticket_list.view_update, name="view_update"),
    path("tickets/views/<int:view_id>/delete/", ticket_list.view_delete, name="view_delete"),
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
        "organisations/<int:organisation_id>/domains/",
        organisations.organisation_domains,
        name="organisation_domains",
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
    path("checklist-templates/", checklist_template_views.checklist_template_list, name="checklist_templates"),
    path("checklist-templates/new/", checklist_template_views.checklist_template_new, name="checklist_template_new"),
    path(
        "checklist-templates/<int:template_id>/",
        checklist_template_views.checklist_template_detail,
        name="checklist_template",
    ),
    path(
        "checklist-templates/<int:template_id>/active/",
        checklist_template_views.checklist_template_active,
        name="checklist_template_active",
    ),
    path("rules/", rules.rule_list, name="rules"),
    path("rules/new/", rules.rule_new, name="rule_new"),
    path("rules/restore/", rules.rules_restore, name="rules_restore"),
    path("rules/<int:rule_id>/", rules.rule_detail, name="rule"),
    path("rules/<int:rule_id>/toggle/", rules.rule_toggle, name="rule_toggle"),
    path("rules/<int:rule_id>/delete/", rules.rule_remove, name="rule_delete"),
]
