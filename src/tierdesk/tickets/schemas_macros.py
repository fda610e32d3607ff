"""Input and output shapes of the macros API (canned replies).

Choice fields are plain strings here: the service checks them and answers with its own
`macro.*` codes, the same ones the admin's form shows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema

from tierdesk.accounts.api_base import OutSchema, PageParams, PatchSchema
from tierdesk.tickets.macros import PLACEHOLDERS
from tierdesk.tickets.schemas import MAX_TAGS, Text, UserRef

BODY_HELP = (
    "The reply text. Placeholders: "
    + ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    + " (the requester's name, the ticket's reference such as TD#100042, its subject, the applying agent's "
    "name, the organisation's name); anything else in braces is kept as typed."
)
STATUS_HELP = 'Blank, "waiting_customer", "waiting_third_party" or "resolved" (the text becomes the resolution)'
Name = Annotated[str, Field(max_length=100)]
Language = Annotated[str, Field(max_length=8, description="A language code of the desk: en, nl, nb, pl or de")]
Choice = Annotated[str, Field(max_length=20)]
TagName = Annotated[str, Field(max_length=50)]


class MacroOut(OutSchema):
    id: int
    name: str
    language: str
    body: str = Field(description=BODY_HELP)
    is_internal: bool
    set_status: str = Field(description=STATUS_HELP)
    set_urgency: str
    set_impact: str
    add_tags: list[str]
    is_active: bool
    created_by: UserRef | None
    created_at: datetime
    updated_at: datetime


class MacroPage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[MacroOut]


class MacroQuery(PageParams):
    language: str | None = Field(None, max_length=8, description="Only macros of this language")
    include_inactive: bool = Field(False, description="Also deactivated macros (administrators and case managers)")


class MacroIn(Schema):
    name: Name
    language: Language
    body: Text = Field(description=BODY_HELP)
    is_internal: bool = Field(False, description="Post as an internal note instead of a public reply")
    set_status: Choice = Field("", description=STATUS_HELP)
    set_urgency: Choice = Field("", description='Blank, "high", "medium" or "low"')
    set_impact: Choice = Field("", description='Blank, "high", "medium" or "low"')
    add_tags: list[TagName] = Field(default_factory=list, max_length=MAX_TAGS)


class MacroPatch(PatchSchema):
    name: Name | None = None
    language: Language | None = None
    body: Text | None = Field(None, description=BODY_HELP)
    is_internal: bool | None = None
    set_status: Choice | None = Field(None, description=STATUS_HELP)
    set_urgency: Choice | None = None
    set_impact: Choice | None = None
    add_tags: list[TagName] | None = Field(None, max_length=MAX_TAGS)
    is_active: bool | None = Field(None, description="false takes the macro out of use; true brings it back")
