"""The tickets app's models: the ticket and what hangs off it (ticket.py), automation rules (automation.py),
links between tickets (links.py), who follows a ticket (watchers.py), checklists and their templates
(checklists.py),
custom fields and their values (custom_fields.py)."""

from tierdesk.tickets.models.appointments import Appointment
from tierdesk.tickets.models.automation import FiringOutcome, Rule, RuleFiring, RuleTimer, RuleTrigger
from tierdesk.tickets.models.checklists import ChecklistItem, ChecklistTemplate, ChecklistTemplateItem
from tierdesk.tickets.models.custom_fields import CustomField, CustomFieldValue
from tierdesk.tickets.models.links import TicketLink
from tierdesk.tickets.models.ticket import (
    AppendOnlyQuerySet,
    Attachment,
    Category,
    Comment,
    HistoryEvent,
    Macro,
    PriorityMatrixCell,
    SecondLevelRequest,
    Tag,
    Ticket,
    TicketCounter,
    TimeEntry,
    attachment_path,
)
from tierdesk.tickets.models.views import SavedView
from tierdesk.tickets.models.watchers import TicketWatcher

__all__ = [
    "AppendOnlyQuerySet",
    "Appointment",
    "Attachment",
    "Category",
    "ChecklistItem",
    "ChecklistTemplate",
    "ChecklistTemplateItem",
    "Comment",
    "CustomField",
    "CustomFieldValue",
    "FiringOutcome",
    "HistoryEvent",
    "Macro",
    "PriorityMatrixCell",
    "Rule",
    "RuleFiring",
    "RuleTimer",
    "RuleTrigger",
    "SavedView",
    "SecondLevelRequest",
    "Tag",
    "Ticket",
    "TicketCounter",
    "TicketLink",
    "TicketWatcher",
    "TimeEntry",
    "attachment_path",
]
