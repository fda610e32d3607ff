"""Input and output shapes of the tickets API.

Customers get their own output schemas (Customer*Out): no internal notes or history rows, no
time entries, no bug references or tags, and of the assigned agent only a display name.
`*_out_for(user, ...)` picks the schema by role, so an endpoint cannot forget to."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator

from tierdesk.accounts.api_base import OutSchema, PageParams, PatchSchema
from tierdesk.accounts.models import Contact, User
from tierdesk.tickets import sla_clock
from tierdesk.tickets.choices import Impact, Level, Priority, Status, Urgency, WaitingOn
from tierdesk.tickets.models import Attachment, Comment, HistoryEvent, SecondLevelRequest, Ticket
from tierdesk.tickets.permissions import can_see_internal
from tierdesk.tickets.schemas_custom_fields import CUSTOM_FIELDS_HELP, ValueIn, ValueOut, ticket_values_json
from tierdesk.tickets.schemas_links import RELATIONS, TicketRelationsOut
from tierdesk.tickets.schemas_watchers import WATCHERS, CustomerTicketWatchersOut, TicketWatchersOut
from tierdesk.tickets.selectors import TicketFilter
from tierdesk.tickets.selectors_links import ticket_relations_for
from tierdesk.tickets.selectors_watchers import ticket_watchers_for

MAX_TAGS = 20
Text = Annotated[str, Field(max_length=100_000)]
Note = Annotated[str, Field(max_length=10_000)]
Version = Annotated[int | None, Field(ge=1, description="The version you read; a changed ticket answers 409")]


def _display_name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


# --- references --------------------------------------------------------------------------


class UserRef(OutSchema):
    id: int
    username: str
    display_name: str


class OrganisationRef(OutSchema):
    id: int
    name: str


class ContactRef(OutSchema):
    id: int
    name: str


class StaffContactRef(ContactRef):
    email: str


class CategoryRef(OutSchema):
    id: int
    name: str


# --- tickets -----------------------------------------------------------------------------


class CustomerTicketSummaryOut(OutSchema):
    number: int
    reference: str
    subject: str
    status: Status
    waiting_on: str
    level: Level
    priority: Priority
    urgency: Urgency
    impact: Impact
    organisation: OrganisationRef
    requester: ContactRef | None
    assignee_name: str | None
    category: CategoryRef | None
    due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    custom_fields: dict[str, ValueOut] = Field(description=CUSTOM_FIELDS_HELP)

    @staticmethod
    def resolve_assignee_name(obj: Ticket) -> str | None:
        return _display_name(obj.assignee)

    @staticmethod
    def resolve_custom_fields(obj: Ticket) -> dict[str, ValueOut]:
        return ticket_values_json(obj, customer=True)  # the fields customers see only


class TicketSummaryOut(CustomerTicketSummaryOut):
    channel: str
    requester: StaffContactRef | None
    assignee: UserRef | None
    business_minutes_left: int | None = Field(
        description="Business minutes from now to due_at on the SLA calendar; negative when late, null when done"
    )
    sla_state: Literal["ok", "warning", "breached", "none"]
    is_breached: bool = Field(description="Any SLA deadline of the ticket was recorded as missed")
    checklist_done: int = Field(0, description="Checklist items done (internal; 0 without a checklist)")
    checklist_total: int = Field(0, description="Checklist items in all (internal; 0 without a checklist)")

    @staticmethod
    def resolve_custom_fields(obj: Ticket) -> dict[str, ValueOut]:
        return ticket_values_json(obj, customer=False)

    @staticmethod
    def resolve_is_breached(obj: Ticket) -> bool:
        return any(
            getattr(obj, mark) is not None
            for mark in ("first_response_breached_at", "resolution_breached_at", "next_update_breached_at")
        )

    @staticmethod
    def resolve_business_minutes_left(obj: Ticket) -> int | None:
        return sla_clock.sla_view_cached(obj, timezone.now()).business_minutes_left

    @staticmethod
    def resolve_sla_state(obj: Ticket) -> str:
        return sla_clock.sla_view_cached(obj, timezone.now()).state


class TicketMergeOut(OutSchema):
    merged_into: int | None = Field(
        None,
        description="Set when this ticket was merged into another: that ticket's number. Every other "
        "endpoint under this number acts on that ticket.",
    )

    @staticmethod
    def resolve_merged_into(obj: Ticket) -> int | None:
        # Annotated by selectors.ticket_get_for; one query more for a ticket read another way.
        if obj.merged_into_id is None:
            return None
        return getattr(obj, "merged_into_number", None) or Ticket.objects.get(pk=obj.merged_into_id).number


class CustomerTicketOut(CustomerTicketSummaryOut, TicketRelationsOut, CustomerTicketWatchersOut, TicketMergeOut):
    description: str
    channel: str
    resolution: str
    resolved_at: datetime | None
    closed_at: datetime | None


class TicketOut(TicketSummaryOut, TicketRelationsOut, TicketWatchersOut, TicketMergeOut):
    description: str
    resolution: str
    resolved_at: datetime | None
    closed_at: datetime | None
    paused_at: datetime | None
    tags: list[str]
    bug_key: str
    bug_url: str
    first_response_due: datetime | None
    resolution_due: datetime | None
    next_update_due: datetime | None = Field(description="The next public update owed (policies with that target)")
    first_responded_at: datetime | None
    first_response_breached_at: datetime | None = Field(description="When the SLA check recorded the breach")
    resolution_breached_at: datetime | None
    next_update_breached_at: datetime | None

    @staticmethod
    def resolve_tags(obj: Ticket) -> list[str]:
        return [tag.name for tag in obj.tags.all()]


class TicketPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[TicketSummaryOut]


class CustomerTicketPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[CustomerTicketSummaryOut]


class TicketIn(Schema):
    subject: str = Field(max_length=250)
    description: Text = ""
    urgency: Urgency = Urgency.MEDIUM
    impact: Impact = Impact.LOW
    category: int | None = None
    tags: list[Annotated[str, Field(max_length=50)]] = Field(default_factory=list, max_length=MAX_TAGS)
    organisation: int | None = Field(None, description="Staff: the customer (defaults to the requester's)")
    requester: int | None = Field(None, description="Staff: the contact who asks; customers are always themselves")
    custom_fields: dict[Annotated[str, Field(max_length=40)], ValueIn] = Field(
        default_factory=dict, description="Custom field values by key, checked like PUT /tickets/{number}/custom-fields"
    )


class TicketPatch(PatchSchema):
    nullable: ClassVar[frozenset[str]] = frozenset({"category", "version"})

    subject: str | None = Field(None, max_length=250)
    description: Text | None = None
    urgency: Urgency | None = None
    impact: Impact | None = None
    category: int | None = None
    tags: list[Annotated[str, Field(max_length=50)]] | None = Field(None, max_length=MAX_TAGS)
    version: int | None = Field(None, ge=1, description="Required here, unless sent as the If-Match header")


class TicketQuery(PageParams):
    """Queue filters; each may be repeated (?status=new&status=open) or comma-separated."""

    status: list[Status] = Field(default_factory=list)
    level: list[Level] = Field(default_factory=list)
    priority: list[Priority] = Field(default_factory=list)
    organisation: list[int] = Field(default_factory=list)
    assignee: list[int | None] = Field(default_factory=list, description='Agent ids, or "none" for unassigned')
    mine: bool = Field(False, description="Assigned to me (staff) or requested by me (customers)")
    q: str = Field("", max_length=200, description="Text in the subject, or a ticket number")

    @field_validator("status", "level", "priority", "organisation", "assignee", mode="before")
    @classmethod
    def _split_commas(cls, value: Any) -> Any:
        values = value if isinstance(value, list) else [value]
        parts = [part.strip() for item in values for part in str(item).split(",") if part.strip()]
        return [None if part.lower() == "none" else part for part in parts]

    def to_filter(self) -> TicketFilter:
        return TicketFilter(
            status=tuple(self.status),
            level=tuple(self.level),
            priority=tuple(self.priority),
            organisation_ids=tuple(self.organisation),
            assignee_ids=tuple(agent for agent in self.assignee if agent is not None),
            unassigned=None in self.assignee,
            mine=self.mine,
            q=self.q.strip(),
        )


# --- what people add -------------------------------------------------------------------------


class AttachmentOut(OutSchema):
    id: int
    filename: str
    content_type: str
    size: int
    is_internal: bool
    created_at: datetime
    download_url: str

    @staticmethod
    def resolve_download_url(obj: Attachment) -> str:
        return reverse("api-v1:attachment_download", kwargs={"attachment_id": obj.pk})


class CustomerCommentOut(OutSchema):
    id: int
    body: str
    author_name: str | None
    author_is_staff: bool
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_author_name(obj: Comment) -> str | None:
        return _display_name(obj.author)

    @staticmethod
    def resolve_author_is_staff(obj: Comment) -> bool:
        return obj.author is not None and obj.author.is_staff_member

    @staticmethod
    def resolve_attachments(obj: Comment) -> list[Attachment]:
        return list(obj.attachments.all())


class CommentOut(CustomerCommentOut):
    is_internal: bool
    channel: str
    author: UserRef | None


class CommentIn(Schema):
    body: Text
    is_internal: bool = False
    version: Version = None
    seen_comment_id: int | None = Field(
        None,
        ge=0,
        description="Collision detection: the id of the newest public comment you saw (0: none). A public reply "
        "is then refused with 409 ticket.reply_conflict when a newer public reply by someone else arrived meanwhile",
    )
    confirm_despite_newer: bool = Field(
        False, description="Send the public reply although newer public replies arrived (skips that check)"
    )


class TimeEntryIn(Schema):
    minutes: int = Field(ge=1, le=24 * 60)
    note: str = Field("", max_length=500)
    is_billable: bool = True


class TimeEntryOut(OutSchema):
    id: int
    minutes: int
    note: str
    is_billable: bool
    user: UserRef
    created_at: datetime


class CustomerHistoryOut(OutSchema):
    id: int
    at: datetime
    action: str
    field: str
    old_value: str
    new_value: str
    note: str
    channel: str
    actor_name: str | None

    @staticmethod
    def resolve_actor_name(obj: HistoryEvent) -> str | None:
        return _display_name(obj.actor)


class HistoryOut(CustomerHistoryOut):
    is_internal: bool
    actor: UserRef | None


# --- transitions ------------------------------------------------------------------------------


class VersionIn(Schema):
    version: Version = None


class AssignIn(VersionIn):
    assignee: int | None = Field(description="An agent's id, or null to release the ticket")


class EscalateIn(VersionIn):
    to_level: Level
    handover_note: Note
    bug_key: str = Field("", max_length=200, description="Required when escalating to development")
    bug_url: str = Field("", max_length=500)
    assignee: int | None = Field(None, description="Hand it straight to this agent of the new level")


class WaitIn(VersionIn):
    on: WaitingOn
    note: Note = ""


class NoteIn(VersionIn):
    note: Note = ""


class ResolveIn(VersionIn):
    resolution: Text
    despite_open_children: bool = Field(
        False, description="Resolve a parent although child tickets are open (otherwise 409 ticket.open_children)"
    )


class ReasonIn(VersionIn):
    reason: Note


class SecondLevelRequestIn(Schema):
    reason: Note


class SecondLevelDecisionIn(Schema):
    approve: bool
    note: Note


class SecondLevelRequestOut(OutSchema):
    id: int
    ticket_number: int
    ticket_subject: str
    organisation: OrganisationRef
    reason: str
    decision: str
    requested_by_name: str
    created_at: datetime
    decided_by_name: str | None
    decided_at: datetime | None
    decision_note: str

    @staticmethod
    def resolve_ticket_number(obj: SecondLevelRequest) -> int:
        return obj.ticket.number

    @staticmethod
    def resolve_ticket_subject(obj: SecondLevelRequest) -> str:
        return obj.ticket.subject

    @staticmethod
    def resolve_organisation(obj: SecondLevelRequest) -> Any:
        return obj.ticket.organisation

    @staticmethod
    def resolve_requested_by_name(obj: SecondLevelRequest) -> str:
        return obj.requested_by.display_name

    @staticmethod
    def resolve_decided_by_name(obj: SecondLevelRequest) -> str | None:
        return _display_name(obj.decided_by)


class SecondLevelRequestPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[SecondLevelRequestOut]


# --- the phone rings ----------------------------------------------------------------------------


class PhoneLookupQuery(Schema):
    phone: str = Field(max_length=40, description="The caller's number; send + as %2B")

    @field_validator("phone", mode="before")
    @classmethod
    def _restore_plus(cls, value: Any) -> Any:
        # An unencoded "+" in a query string arrives as a space: "+31..." becomes " 31...".
        text = str(value)
        return "+" + text.lstrip() if text.startswith(" ") and text.strip()[:1].isdigit() else text


class CallerContactOut(OutSchema):
    id: int
    name: str
    email: str
    language: str
    is_system_admin: bool
    phones: list[str]

    @staticmethod
    def resolve_phones(obj: Contact) -> list[str]:
        return [phone.number for phone in obj.phones.all()]


class CallerOrganisationOut(OutSchema):
    id: int
    name: str
    country: str
    language: str
    notes: str
    is_active: bool


class CallerTicketOut(OutSchema):
    number: int
    subject: str
    status: Status
    level: Level
    priority: Priority
    due_at: datetime | None
    requester_name: str | None
    assignee_name: str | None

    @staticmethod
    def resolve_requester_name(obj: Ticket) -> str | None:
        return obj.requester.name if obj.requester is not None else None

    @staticmethod
    def resolve_assignee_name(obj: Ticket) -> str | None:
        return _display_name(obj.assignee)


class PhoneLookupOut(OutSchema):
    contact: CallerContactOut
    organisation: CallerOrganisationOut
    open_tickets: list[CallerTicketOut]


# --- role-based rendering -----------------------------------------------------------------------


def ticket_out_for(user: Any, ticket: Ticket) -> CustomerTicketOut | TicketOut:
    schema = TicketOut if can_see_internal(user) else CustomerTicketOut
    relations = ticket_relations_for(user=user, ticket=ticket)  # parent, children, links the user may see
    watchers = ticket_watchers_for(user=user, ticket=ticket)  # followers as the user may see them
    return schema.model_validate(ticket, context={RELATIONS: relations, WATCHERS: watchers})


def ticket_page_for(user: Any, page: dict[str, Any]) -> CustomerTicketPage | TicketPage:
    if not can_see_internal(user):
        return CustomerTicketPage.model_validate(page)
    sla_clock.attach_sla_views(page["items"], timezone.now())  # the policies once for the page
    return TicketPage.model_validate(page)


def comments_out_for(user: Any, comments: Any) -> list[CustomerCommentOut] | list[CommentOut]:
    schema = CommentOut if can_see_internal(user) else CustomerCommentOut
    return [schema.model_validate(comment) for comment in comments]


def history_out_for(user: Any, events: Any) -> list[CustomerHistoryOut] | list[HistoryOut]:
    schema = HistoryOut if can_see_internal(user) else CustomerHistoryOut
    return [schema.model_validate(event) for event in events]
