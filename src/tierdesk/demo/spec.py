"""The shape of the demo data: plain frozen records that `loader.py` turns into service calls.

A ticket is described as the story of its life (opened by someone, then steps such as take,
reply, escalate, wait, resolve), so that every row it leaves behind comes from the real services.
"""

from __future__ import annotations

from dataclasses import dataclass

from tierdesk.accounts.choices import Level, Role
from tierdesk.tickets.choices import Channel, Impact, Urgency, WaitingOn


def demo_password(username: str) -> str:
    """Every demo login's password: easy to remember, printed by `tierdesk demo`."""
    return f"demo-{username}"


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    role: Role
    level: Level
    languages: tuple[str, ...]
    channels: tuple[str, ...] = ()

    @property
    def language(self) -> str:
        return self.languages[0]


@dataclass(frozen=True)
class ContactSpec:
    name: str
    email: str
    language: str
    phones: tuple[str, ...] = ()
    is_system_admin: bool = False
    login: str = ""  # username of the contact's portal login; empty for none
    is_customer_admin: bool = False


@dataclass(frozen=True)
class AccessNoteSpec:
    title: str
    body: str


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    country: str
    language: str
    notes: str
    contacts: tuple[ContactSpec, ...]
    access_notes: tuple[AccessNoteSpec, ...] = ()


# Steps of a ticket's story. `by` is a username: a staff member or a customer login.


@dataclass(frozen=True)
class Take:
    by: str


@dataclass(frozen=True)
class Assign:
    by: str
    to: str


@dataclass(frozen=True)
class Reply:
    """A public reply; a customer's reply to a waiting ticket takes it back into work."""

    by: str
    text: str


@dataclass(frozen=True)
class Note:
    """An internal note, for staff only."""

    by: str
    text: str


@dataclass(frozen=True)
class LogTime:
    by: str
    minutes: int
    note: str
    is_billable: bool = True


@dataclass(frozen=True)
class Escalate:
    by: str
    to_level: Level
    handover_note: str
    bug_key: str = ""
    bug_url: str = ""
    assignee: str = ""


@dataclass(frozen=True)
class Wait:
    by: str
    on: WaitingOn
    note: str = ""


@dataclass(frozen=True)
class Resolve:
    by: str
    resolution: str


@dataclass(frozen=True)
class Confirm:
    by: str
    note: str = ""


@dataclass(frozen=True)
class Reopen:
    by: str
    reason: str


@dataclass(frozen=True)
class AskSecondLevel:
    by: str
    reason: str


@dataclass(frozen=True)
class DecideSecondLevel:
    """Decides the ticket's pending second-level request (the latest AskSecondLevel)."""

    by: str
    approve: bool
    note: str


Step = (
    Take
    | Assign
    | Reply
    | Note
    | LogTime
    | Escalate
    | Wait
    | Resolve
    | Confirm
    | Reopen
    | AskSecondLevel
    | DecideSecondLevel
)


@dataclass(frozen=True)
class TicketSpec:
    """One ticket: who opened it, for whom, and what happened to it since.

    The subject is unique within its organisation: it is how a second load recognises the ticket."""

    organisation: str
    requester: str  # the contact's e-mail address
    opened_by: str  # a customer login (portal) or a staff member (phone, e-mail)
    channel: Channel
    subject: str
    description: str
    urgency: Urgency = Urgency.MEDIUM
    impact: Impact = Impact.LOW
    tags: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
