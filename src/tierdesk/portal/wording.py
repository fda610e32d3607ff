"""How the portal says things to customers: ticket states and history in plain words.

History rows are shown by action and field only, never by their free-text note: a public row
may still carry text written for colleagues (an approved second-level request records the
handover note), and the customer reads every reply in the conversation anyway."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tierdesk.tickets.choices import HistoryAction, Priority, SecondLevelDecision, Status, WaitingOn
from tierdesk.tickets.models import HistoryEvent, Ticket

STATUS_WORDS: dict[str, Promise] = {
    Status.NEW: gettext_lazy("Received, not yet picked up"),
    Status.OPEN: gettext_lazy("We are working on it"),
    Status.WAITING: gettext_lazy("Waiting for someone else"),
    Status.RESOLVED: gettext_lazy("Solved, waiting for your confirmation"),
    Status.CLOSED: gettext_lazy("Closed"),
}
WAITING_FOR_YOU = gettext_lazy("Waiting for your answer")

ACTION_WORDS: dict[str, Promise] = {
    HistoryAction.CREATED: gettext_lazy("Ticket received"),
    HistoryAction.COMMENTED: gettext_lazy("Reply added"),
    HistoryAction.ATTACHMENT_ADDED: gettext_lazy("File added"),
    HistoryAction.WAITING: gettext_lazy("Put on hold"),
    HistoryAction.RESOLVED: gettext_lazy("Solved"),
    HistoryAction.CONFIRMED: gettext_lazy("Solution confirmed"),
    HistoryAction.REOPENED: gettext_lazy("Reopened"),
    HistoryAction.SECOND_LEVEL_REQUESTED: gettext_lazy("Specialist requested"),
    HistoryAction.SECOND_LEVEL_DECIDED: gettext_lazy("Request for a specialist answered"),
}
# Of the plain "changed" rows, only these fields mean something to the customer.
CHANGED_FIELD_WORDS: dict[str, Promise] = {
    "status": gettext_lazy("Status changed"),
    "priority": gettext_lazy("Priority changed"),
    "subject": gettext_lazy("Subject changed"),
}


def status_in_words(ticket: Ticket) -> str:
    """The customer's view of the ticket's state; "waiting" says on whom."""
    if ticket.status == Status.WAITING and ticket.waiting_on == WaitingOn.CUSTOMER:
        return str(WAITING_FOR_YOU)
    return status_value_in_words(ticket.status)


def status_value_in_words(value: str) -> str:
    """A bare status value (from a history row) in plain words."""
    return str(STATUS_WORDS.get(value, value))


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: str
    text: str


def _label(choices: type[Priority] | type[SecondLevelDecision], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _detail(event: HistoryEvent) -> str:
    """What changed, in words ("" when the action says it all)."""
    if event.field == "status":
        return f"{status_value_in_words(event.old_value)} → {status_value_in_words(event.new_value)}"
    if event.field == "priority":
        return f"{_label(Priority, event.old_value)} → {_label(Priority, event.new_value)}"
    if event.field == "subject":
        return event.new_value
    if event.action == HistoryAction.ATTACHMENT_ADDED:
        return event.new_value
    if event.action == HistoryAction.SECOND_LEVEL_DECIDED:
        return _label(SecondLevelDecision, event.new_value)
    return ""


def history_lines(events: Iterable[HistoryEvent]) -> list[HistoryLine]:
    """The public history rows as lines for the ticket page (callers pass only public rows)."""
    lines: list[HistoryLine] = []
    for event in events:
        if event.action == HistoryAction.CHANGED:
            words = CHANGED_FIELD_WORDS.get(event.field)
        else:
            words = ACTION_WORDS.get(event.action)
        if words is None:  # not something a customer needs to follow
            continue
        action, detail = str(words), _detail(event)
        actor = event.actor.display_name if event.actor is not None else _("Automatic")
        lines.append(HistoryLine(at=event.at, actor=actor, text=f"{action}: {detail}" if detail else action))
    return lines
