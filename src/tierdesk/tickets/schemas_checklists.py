"""Input and output shapes of checklists and checklist templates in the API (staff only).

Texts are plain strings capped here at the model's length; the services trim them and answer
blank ones with their own `checklist.*` codes, the same ones the desk's forms show."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

from ninja import Field, Schema

from tierdesk.accounts.api_base import OutSchema, PageParams, PatchSchema
from tierdesk.tickets.models import ChecklistItem
from tierdesk.tickets.models.checklists import MAX_ITEM_LENGTH
from tierdesk.tickets.schemas import CategoryRef, UserRef, Version
from tierdesk.tickets.services.checklists import MAX_ITEMS_PER_TICKET, MAX_TEMPLATE_NAME_LENGTH

ItemText = Annotated[str, Field(max_length=MAX_ITEM_LENGTH)]
Name = Annotated[str, Field(max_length=MAX_TEMPLATE_NAME_LENGTH)]
ITEMS_HELP = f"Item texts in order, 1 to {MAX_ITEMS_PER_TICKET}, each 1 to {MAX_ITEM_LENGTH} characters"


class ChecklistItemOut(OutSchema):
    id: int
    text: str
    position: int
    is_done: bool
    done_at: datetime | None = Field(description="When it was ticked done; null while open")
    done_by: UserRef | None = Field(description="Who ticked it done; null while open")
    created_by: UserRef | None = Field(description="Who added it; null when a template added it on creation")
    created_at: datetime


class ChecklistOut(OutSchema):
    """A ticket's checklist; `version` is the ticket's (send it back with the next change)."""

    items: list[ChecklistItemOut]
    done: int
    total: int
    version: int


def checklist_out(items: list[ChecklistItem], *, version: int) -> ChecklistOut:
    return ChecklistOut(
        items=[ChecklistItemOut.model_validate(item) for item in items],
        done=sum(1 for item in items if item.is_done),
        total=len(items),
        version=version,
    )


class ChecklistAddIn(Schema):
    items: list[ItemText] = Field(min_length=1, max_length=MAX_ITEMS_PER_TICKET, description=ITEMS_HELP)
    version: Version = None


class ChecklistItemPatch(Schema):
    done: bool = Field(description="true ticks the item done (recording you and now); false reopens it")
    version: Version = None


class VersionQuery(Schema):
    version: Version = None


class ChecklistTemplateItemOut(OutSchema):
    text: str
    position: int


class ChecklistTemplateOut(OutSchema):
    id: int
    name: str
    category: CategoryRef | None = Field(description="Applied to new tickets of this category; null: of any category")
    is_active: bool
    items: list[ChecklistTemplateItemOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_items(obj: object) -> list[object]:
        return list(obj.items.all())  # type: ignore[attr-defined]  # prefetched by the selector


class ChecklistTemplatePage(OutSchema):
    count: int
    limit: int
    offset: int
    items: list[ChecklistTemplateOut]


class ChecklistTemplateQuery(PageParams):
    include_inactive: bool = Field(False, description="Also deactivated templates (administrators, case managers)")


class ChecklistTemplateIn(Schema):
    name: Name
    category: int | None = Field(None, ge=1, description="A category's id; null: new tickets of any category")
    items: list[ItemText] = Field(min_length=1, max_length=MAX_ITEMS_PER_TICKET, description=ITEMS_HELP)
    is_active: bool = True


class ChecklistTemplatePatch(PatchSchema):
    nullable: ClassVar[frozenset[str]] = frozenset({"category"})

    name: Name | None = None
    category: int | None = Field(None, ge=1, description="A category's id; null: new tickets of any category")
    items: list[ItemText] | None = Field(
        None, min_length=1, max_length=MAX_ITEMS_PER_TICKET, description=ITEMS_HELP + " (replaces the list)"
    )
    is_active: bool | None = Field(None, description="false takes the template out of use; true brings it back")
