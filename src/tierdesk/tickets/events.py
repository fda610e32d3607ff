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
class TicketSlaBreached:
    ticket_id: int
    deadline: str  # the deadline field missed: "first_response_due" or "resolution_due"
