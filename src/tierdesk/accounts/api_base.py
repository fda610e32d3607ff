"""Plumbing shared by every API router: the error body, limit/offset pagination
({count, items, limit, offset}), and the bases of role-picked output and PATCH input schemas.

It knows no domain noun (it would sit in core/ if core depended on ninja); the tickets router
uses it too, which the layer order allows."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.db.models import Model, QuerySet
from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import ConfigDict, ModelWrapValidatorHandler, ValidationInfo, field_validator, model_validator

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

M = TypeVar("M", bound=Model)


class OutSchema(Schema):
    """An output schema that an endpoint may build itself (to pick it by the caller's role).

    ninja re-validates what an endpoint returns against the declared response; its Schema
    would run the resolvers again on the built object. A built instance of exactly this
    class is passed through unchanged instead, so `TicketOut | CustomerTicketOut` keeps the
    schema the endpoint chose, and a customer's object can never be widened to staff's."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        if type(values) is cls:
            return values
        return handler(DjangoGetter(values, cls, info.context))


class ErrorOut(Schema):
    """Every error: a stable code, a message for people, and the input field when there is one."""

    code: str
    message: str
    field: str | None = None
    detail: list[dict[str, Any]] | None = Field(None, description="Validation errors (422 only)")


# Documented on every operation so that OpenAPI clients know the error shape.
ERRORS: dict[int, type[ErrorOut]] = dict.fromkeys((400, 401, 403, 404, 409, 422), ErrorOut)


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, description=f"Rows per page (at most {MAX_LIMIT}).")
    offset: int = Field(0, ge=0, le=10**9, description="Rows to skip.")


def paginate(queryset: QuerySet[M], params: PageParams) -> dict[str, Any]:
    """One COUNT and one sliced SELECT; a limit above MAX_LIMIT is lowered to it (and says so)."""
    limit = min(params.limit, MAX_LIMIT)
    items = list(queryset[params.offset : params.offset + limit])
    return {"count": queryset.count(), "items": items, "limit": limit, "offset": params.offset}


class PatchSchema(Schema):
    """A PATCH body: absent fields stay as they are; `null` is refused except for the fields
    named in `nullable`, so that `{"subject": null}` is a 422 and never the text "None"."""

    # An unknown field is refused, not ignored: {"status": "closed"} must not look like it worked.
    model_config = ConfigDict(extra="forbid")
    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        # Runs only for fields the client sent (defaults are not validated).
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("cannot be null")
        return value

    def changes(self, *, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The fields the client sent, by name."""
        return {name: getattr(self, name) for name in self.model_fields_set - exclude}
