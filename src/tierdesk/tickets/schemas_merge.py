"""Input shapes of merging tickets and splitting a comment off (the answers are tickets)."""

from __future__ import annotations

from ninja import Field, Schema

from tierdesk.tickets.schemas_links import Number, Version


class MergeIn(Schema):
    into: Number = Field(description="The ticket this one is merged into; it keeps the conversation")
    note: str = Field("", max_length=2000, description="Why, for the history of both tickets")
    version: Version = None


class SplitIn(Schema):
    comment: int = Field(ge=1, description="The id of the comment that becomes a ticket of its own")
    subject: str = Field("", max_length=250, description="The new ticket's subject; default: the comment's first line")
    version: Version = None
