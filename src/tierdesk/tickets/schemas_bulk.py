"""Input and output shapes of bulk actions (`POST /api/v1/tickets/bulk`).

`params` is checked against the action's own shape here, so a malformed call is a 422 naming
the parameter before any ticket is looked at; the service checks again for other callers."""

from __future__ import annotations

from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from tierdesk.accounts.api_base import ErrorOut
from tierdesk.tickets.choices import Priority, WaitingOn
from tierdesk.tickets.services.bulk import MAX_BULK_TICKETS, BulkAction
from tierdesk.tickets.services.create import MAX_TAGS

Number = Annotated[int, Field(ge=1, description="A ticket number")]
TagName = Annotated[str, Field(min_length=1, max_length=50)]
Text = Annotated[str, Field(max_length=10_000)]


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssignParams(_Params):
    assignee: int | None = Field(description="The agent's user id; null unassigns")


class WaitParams(_Params):
    on: WaitingOn
    note: Text = ""


class ResumeParams(_Params):
    note: Text = ""


class ResolveParams(_Params):
    resolution: Annotated[str, Field(min_length=1, max_length=10_000)]


class ReopenParams(_Params):
    reason: Annotated[str, Field(min_length=1, max_length=10_000)]


class PriorityParams(_Params):
    priority: Priority


class TagsParams(_Params):
    tags: list[TagName] = Field(min_length=1, max_length=MAX_TAGS)


class MacroParams(_Params):
    macro: int = Field(description="The macro's id")


class MergeParams(_Params):
    into: int = Field(ge=1, description="The ticket the selection is merged into (may be part of the selection)")


PARAMS: dict[BulkAction, type[_Params]] = {
    BulkAction.ASSIGN: AssignParams,
    BulkAction.WAIT: WaitParams,
    BulkAction.RESUME: ResumeParams,
    BulkAction.RESOLVE: ResolveParams,
    BulkAction.REOPEN: ReopenParams,
    BulkAction.SET_PRIORITY: PriorityParams,
    BulkAction.ADD_TAGS: TagsParams,
    BulkAction.REMOVE_TAGS: TagsParams,
    BulkAction.APPLY_MACRO: MacroParams,
    BulkAction.MERGE: MergeParams,
}


class BulkIn(Schema):
    numbers: list[Number] = Field(min_length=1, max_length=MAX_BULK_TICKETS, description="The selection (distinct)")
    action: BulkAction
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="assign: {assignee}; wait: {on, note?}; resume: {note?}; resolve: {resolution}; "
        "reopen: {reason}; set_priority: {priority}; add_tags/remove_tags: {tags}; apply_macro: {macro}; merge: {into}",
    )

    @model_validator(mode="after")
    def _check(self) -> BulkIn:
        if len(set(self.numbers)) != len(self.numbers):
            raise ValueError(_("Each ticket may be selected once."))
        try:
            parsed = PARAMS[self.action].model_validate(self.params)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise ValueError(_("params.%(field)s: %(message)s") % {"field": where, "message": first["msg"]}) from None
        self.params = parsed.model_dump(mode="json")
        return self


class BulkTicketOut(Schema):
    number: int
    version: int


class BulkOut(Schema):
    action: BulkAction
    tickets: list[BulkTicketOut] = Field(description="The selection after the change, in number order")


class BulkErrorOut(ErrorOut):
    """`bulk.failed`: which ticket refused and its own error; nothing was changed."""

    number: int | None = None
    reason_code: str | None = None
    reason: str | None = None
