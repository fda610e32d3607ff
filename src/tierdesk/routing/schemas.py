"""Input and output shapes of the routing API: presence (staff) and assignment policies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema

from tierdesk.accounts.api_base import OutSchema, PatchSchema
from tierdesk.routing.models import MAX_OPEN_TICKETS_LIMIT, AssignmentPolicy
from tierdesk.routing.selectors import Presence

STATUS_HELP = "available, break, lunch, meeting or offline; only available agents are given tickets"
MODE_HELP = "round_robin (in turn), least_loaded (fewest open tickets) or off (assign by hand)"
CATEGORY_HELP = "Only tickets of this category (the queue); null: every ticket of the level without its own policy"
MAX_HELP = "An agent with this many unfinished (new, open, waiting) tickets gets no more"
LANGUAGE_HELP = "Prefer agents who list the requester's language; anybody eligible when none of them is"

Reason = Annotated[str, Field(max_length=200, description="Why, in a few words (e.g. dentist)")]
Name = Annotated[str, Field(max_length=100)]
MaxOpen = Annotated[int, Field(ge=1, le=MAX_OPEN_TICKETS_LIMIT, description=MAX_HELP)]


class PresenceOut(OutSchema):
    user_id: int
    username: str
    display_name: str
    level: str | None = Field(description="The agent's support level (null: no agent profile)")
    status: str = Field(description=STATUS_HELP)
    reason: str
    changed_at: datetime | None = Field(description="Since when; null: never set (offline)")

    @staticmethod
    def resolve_user_id(obj: Presence) -> int:
        return int(obj.user.pk)

    @staticmethod
    def resolve_username(obj: Presence) -> str:
        return str(obj.user.username)

    @staticmethod
    def resolve_display_name(obj: Presence) -> str:
        return str(obj.user.display_name)

    @staticmethod
    def resolve_level(obj: Presence) -> str | None:
        profile = getattr(obj.user, "agent", None)
        return str(profile.level) if profile is not None else None


class PresencePage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[PresenceOut]


class PresenceIn(Schema):
    status: str = Field(description=STATUS_HELP)
    reason: Reason = ""


class PresenceFilter(Schema):
    status: str | None = Field(None, description=STATUS_HELP)
    level: str | None = Field(None, description="first, second or development")


class AssignmentPolicyOut(OutSchema):
    id: int
    name: str
    level: str
    category_id: int | None = Field(description=CATEGORY_HELP)
    category_name: str | None
    mode: str = Field(description=MODE_HELP)
    max_open_tickets: int = Field(description=MAX_HELP)
    respect_language: bool = Field(description=LANGUAGE_HELP)
    is_active: bool
    last_assigned_user: str | None = Field(description="User name of the agent who got the last ticket (the turn)")
    last_assigned_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_category_name(obj: AssignmentPolicy) -> str | None:
        return obj.category.name if obj.category is not None else None

    @staticmethod
    def resolve_last_assigned_user(obj: AssignmentPolicy) -> str | None:
        return obj.last_assigned_user.username if obj.last_assigned_user is not None else None


class AssignmentPolicyPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[AssignmentPolicyOut]


class AssignmentPolicyIn(Schema):
    name: Name
    level: str = Field(description="first, second or development")
    category_id: int | None = Field(None, description=CATEGORY_HELP)
    mode: str = Field("round_robin", description=MODE_HELP)
    max_open_tickets: MaxOpen = 10
    respect_language: bool = Field(True, description=LANGUAGE_HELP)
    is_active: bool = True


class AssignmentPolicyPatch(PatchSchema):
    nullable = frozenset({"category_id"})

    name: Name | None = None
    level: str | None = None
    category_id: int | None = Field(None, description=CATEGORY_HELP)
    mode: str | None = Field(None, description=MODE_HELP)
    max_open_tickets: MaxOpen | None = None
    respect_language: bool | None = None
    is_active: bool | None = None
