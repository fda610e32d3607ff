"""Domain events the tickets app publishes (after commit) for higher layers to act on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TicketCreated:
    ticket_id: int
    by_id: int | None
    channel: str


@dataclass(frozen=True)
class TicketStatusChanged:
    ticket_id: int
    old: str
    new: str
    by_id: int | None
    channel: str
    history_id: int  # the history row of this change: a stable identity for idempotent handlers


@dataclass(frozen=True)
class TicketPublicReplyAdded:
    ticket_id: int
    comment_id: int
    by_id: int | None
    channel: str


@dataclass(frozen=True)
class TicketUpdated:
    """Once per ticket and committed transaction that changed it: the history actions it underwent
    ("created", "changed", "commented", ...), sorted (automation/dispatch.py publishes it)."""

    ticket_id: int
    actions: tuple[str, ...]


@dataclass(frozen=True)
class TicketSlaBreached:
    ticket_id: int
    deadline: str  # the deadline field missed: "first_response_due" or "resolution_due"


@dataclass(frozen=True)
class RuleAlertRequested:
    """A rule's `notify` action: e-mail these staff users about the ticket (mail sends it)."""

    ticket_id: int
    firing_id: int  # with the recipient, a stable identity: the alert is sent once per firing
    recipient_ids: tuple[int, ...]
    rule_name: str
    message: str


@dataclass(frozen=True)
class TicketCloseReminderRequested:
    """A rule's `remind_requester` action: remind the requester that the resolved ticket will
    close unless they answer (mail sends it, with the confirmation link)."""

    ticket_id: int
    firing_id: int


@dataclass(frozen=True)
class StaffMentioned:
    """Colleagues named with @username in an internal note (mail tells each of them once)."""

    ticket_id: int
    comment_id: int  # with the recipient, a stable identity: one mail per note and colleague
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class TicketMerged:
    """`source_id` was merged into `target_id` (services/merge.py): its requester hears where
    the case goes on."""

    source_id: int
    target_id: int
    by_id: int | None


@dataclass(frozen=True)
class AppointmentChanged:
    """An appointment was scheduled, changed or cancelled: the customer contact and the agent get
    the iCalendar invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL) at `sequence`;
    a former agent or contact, replaced by this change, gets a cancellation (mail sends them)."""

    appointment_id: int
    ticket_id: int
    sequence: int  # with the recipient, a stable identity: one mail per appointment, sequence and person
    is_cancelled: bool
    by_id: int | None
    former_agent_id: int | None = None
    former_contact_id: int | None = None
