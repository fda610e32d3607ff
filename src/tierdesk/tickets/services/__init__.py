"""Every write to a ticket goes through one of these functions (convention 1).

`grep -r "def ticket_" src/tierdesk/tickets/services` lists what a ticket can undergo."""

from tierdesk.tickets.services.bulk import ticket_bulk_apply
from tierdesk.tickets.services.checklists import (
    checklist_template_create,
    checklist_template_update,
    ticket_checklist_add,
    ticket_checklist_apply_template,
    ticket_checklist_remove,
    ticket_checklist_toggle,
)
from tierdesk.tickets.services.confirmation import ticket_confirm_by_link, ticket_reopen_by_link
from tierdesk.tickets.services.conversation import (
    ticket_attachment_add,
    ticket_comment_add,
    ticket_time_log,
)
from tierdesk.tickets.services.create import ticket_create
from tierdesk.tickets.services.custom_fields import (
    custom_field_create,
    custom_field_update,
    ticket_custom_fields_set,
)
from tierdesk.tickets.services.edit import ticket_update
from tierdesk.tickets.services.links import (
    ticket_child_create,
    ticket_detach_child,
    ticket_link_add,
    ticket_link_remove,
    ticket_set_parent,
)
from tierdesk.tickets.services.macros import macro_create, macro_deactivate, macro_update, ticket_macro_apply
from tierdesk.tickets.services.merge import ticket_merge, ticket_split_comment
from tierdesk.tickets.services.numbering import ticket_number_next
from tierdesk.tickets.services.second_level import ticket_request_second_level, ticket_second_level_decide
from tierdesk.tickets.services.transitions import (
    ticket_assign,
    ticket_confirm,
    ticket_escalate,
    ticket_reopen,
    ticket_resolve,
    ticket_resume,
    ticket_take,
    ticket_wait,
)
from tierdesk.tickets.services.watchers import ticket_unwatch, ticket_watch

__all__ = [
    "checklist_template_create",
    "checklist_template_update",
    "custom_field_create",
    "custom_field_update",
    "macro_create",
    "macro_deactivate",
    "macro_update",
    "ticket_assign",
    "ticket_attachment_add",
    "ticket_bulk_apply",
    "ticket_checklist_add",
    "ticket_checklist_apply_template",
    "ticket_checklist_remove",
    "ticket_checklist_toggle",
    "ticket_child_create",
    "ticket_comment_add",
    "ticket_confirm",
    "ticket_confirm_by_link",
    "ticket_create",
    "ticket_custom_fields_set",
    "ticket_detach_child",
    "ticket_escalate",
    "ticket_link_add",
    "ticket_link_remove",
    "ticket_macro_apply",
    "ticket_merge",
    "ticket_number_next",
    "ticket_reopen",
    "ticket_reopen_by_link",
    "ticket_request_second_level",
    "ticket_resolve",
    "ticket_resume",
    "ticket_second_level_decide",
    "ticket_set_parent",
    "ticket_split_comment",
    "ticket_take",
    "ticket_time_log",
    "ticket_unwatch",
    "ticket_update",
    "ticket_wait",
    "ticket_watch",
]
