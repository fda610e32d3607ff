"""Input and output shapes of appointments in the API. Staff see every field; a customer sees the
upcoming appointments of their ticket without the desk's bookkeeping (iCalendar identity,
version, who planned it)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from ninja import Field, Schema
from pydantic import AwareDatetime

from tierdesk.accounts.api_base import OutSchema, PageParams, PatchSchema
from tierdesk.tickets.choices_appointments import AppointmentKind, AppointmentStatus
from tierdesk.tickets.models import Appointment
from tierdesk.tickets.models.appointments import MAX_DURATION_MINUTES, MIN_DURATION_MINUTES
from tierdesk.tickets.schemas import StaffContactRef, UserRef
from tierdesk.tickets.services.appointments import MAX_LOCATION_LENGTH, MAX_NOTE_LENGTH

Duration = Annotated[
    int,
    Field(
        ge=MIN_DURATION_MINUTES,
        le=MAX_DURATION_MINUTES,
        description=f"Minutes, {MIN_DURATION_MINUTES} to {MAX_DURATION_MINUTES}",
    ),
]
Location = Annotated[str, Field(max_length=MAX_LOCATION_LENGTH, description="A remote session link, phone or address")]
Note = Annotated[str, Field(max_length=MAX_NOTE_LENGTH, description="For the customer: part of the invitation")]
AppointmentVersion = Annotated[
    int | None, Field(ge=1, description="The appointment's version you read; a changed appointment answers 409")
]


class CustomerAppointmentOut(OutSchema):
    id: int
    kind: AppointmentKind
    status: AppointmentStatus
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    agent_name: str
    location: str
    note: str

    @staticmethod
    def resolve_agent_name(obj: Appointment) -> str:
        return obj.agent.display_name


class AppointmentOut(CustomerAppointmentOut):
    ticket: int = Field(description="The ticket's number")
    agent: UserRef
    contact: StaffContactRef
    uid: str = Field(description="The iCalendar UID: never changes")
    sequence: int = Field(description="The iCalendar SEQUENCE: rises with every change sent to the attendees")
    version: int
    created_by: UserRef | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_ticket(obj: Appointment) -> int:
        return obj.ticket.number


class AppointmentPage(Schema):
    count: int
    items: list[AppointmentOut]
    limit: int
    offset: int


class AppointmentIn(Schema):
    kind: AppointmentKind
    starts_at: AwareDatetime = Field(description="With its offset, e.g. 2026-12-03T10:00:00+01:00; in the future")
    duration_minutes: Duration
    agent: int | None = Field(None, ge=1, description="The agent's user id; default: you")
    contact: int | None = Field(
        None, ge=1, description="A contact of the ticket's organisation; default: the requester"
    )
    location: Location = ""
    note: Note = ""
    version: int | None = Field(None, ge=1, description="The ticket's version you read; a changed ticket answers 409")


class AppointmentPatch(PatchSchema):
    """Absent fields stay; the attendees get the changed invitation."""

    kind: AppointmentKind | None = None
    starts_at: AwareDatetime | None = None
    duration_minutes: Duration | None = None
    agent: int | None = Field(None, ge=1)
    contact: int | None = Field(None, ge=1)
    location: Location | None = None
    note: Note | None = None
    version: AppointmentVersion = None
    nullable: ClassVar[frozenset[str]] = frozenset({"version"})


class AppointmentCloseIn(Schema):
    reason: Note = Field("", description="Why (cancel) or how it went (done); in the ticket's history")
    version: AppointmentVersion = None


class AppointmentQuery(PageParams):
    agent: int | None = Field(None, ge=1, description="Only this agent's appointments")
    starts_from: AwareDatetime | None = Field(
        None, alias="from", description="Appointments still running at or after this instant"
    )
    starts_before: AwareDatetime | None = Field(
        None, alias="to", description="Appointments starting before this instant"
    )
    status: list[AppointmentStatus] = Field(default_factory=list, description="Any of these states; default: all")
