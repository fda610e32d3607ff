"""CSV export of a filtered ticket list with its custom field columns, streamed.

The rows are read in pages of EXPORT_PAGE tickets by keyset (number > the last one sent, on the
unique number index), each page with its values in one prefetch query, so an export of any size
runs a fixed number of queries per page and never one per ticket, and holds one page in memory.
Under ASGI the pages are read in a worker thread between the chunks sent (an async iterator), so
the response really streams; under WSGI a plain iterator does the same.

Formula injection: a spreadsheet runs a cell that starts with =, +, -, @ (or a tab or carriage
return) as a formula. Such cells get a leading apostrophe, which spreadsheets show as text;
numbers like -12.5 are left as they are (they are not formulas)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.permissions import is_staff_member
from tierdesk.tickets.models import CustomField, Ticket
from tierdesk.tickets.selectors_custom_fields import (
    custom_field_list_for,
    display_value,
    values_from_rows,
    with_custom_field_values,
)

EXPORT_PAGE = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def csv_safe(cell: str) -> str:
    """The cell with a leading apostrophe when a spreadsheet would read it as a formula."""
    if cell.startswith(FORMULA_START) and not NUMBER.match(cell):
        return "'" + cell
    return cell


def _when(value: Any) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def export_header(fields: Sequence[CustomField]) -> list[str]:
    fixed = [
        _("Number"),
        _("Subject"),
        _("Organisation"),
        _("Requester"),
        _("Status"),
        _("Level"),
        _("Priority"),
        _("Category"),
        _("Assignee"),
        _("Channel"),
        _("Created"),
        _("Due"),
        _("Resolved"),
    ]
    return fixed + [field.label for field in fields]


def export_row(ticket: Ticket, fields: Sequence[CustomField]) -> list[str]:
    values = values_from_rows(getattr(ticket, "custom_field_rows", []))
    return [
        str(ticket.number),
        ticket.subject,
        ticket.organisation.name,
        ticket.requester.name if ticket.requester else "",
        ticket.status,
        ticket.level,
        ticket.priority,
        ticket.category.name if ticket.category else "",
        ticket.assignee.display_name if ticket.assignee else "",
        ticket.channel,
        _when(ticket.created_at),
        _when(ticket.due_at),
        _when(ticket.resolved_at),
    ] + [display_value(values.get(field.key)) for field in fields]


def export_fields(*, user: Any) -> list[CustomField]:
    """The custom field columns: the active fields the user sees, in form order."""
    fields = list(custom_field_list_for(user=user))
    return fields if is_staff_member(user) else [field for field in fields if field.visible_to_customer]


class ExportPages:
    """The header and the pages of an export of `tickets` (a filtered ticket_list_for) for `user`."""

    def __init__(self, *, user: Any, tickets: QuerySet[Ticket]) -> None:
        self.fields = export_fields(user=user)
        self.header = export_header(self.fields)
        self.tickets = with_custom_field_values(
            tickets.select_related("organisation", "requester", "category", "assignee").order_by("number"), user=user
        )

    def page(self, after: int) -> tuple[list[list[str]], int | None]:
        """The rows of the tickets numbered after `after`, and the number to continue after
        (None at the end)."""
        chunk = list(self.tickets.filter(number__gt=after)[:EXPORT_PAGE])
        rows = [export_row(ticket, self.fields) for ticket in chunk]
        return rows, chunk[-1].number if len(chunk) == EXPORT_PAGE else None


def _lines(rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([[csv_safe(cell) for cell in row] for row in rows])
    return buffer.getvalue()


def export_lines(*, user: Any, tickets: QuerySet[Ticket]) -> Iterator[str]:
    """The CSV text, a page at a time (with a byte order mark, so spreadsheets read UTF-8)."""
    pages = ExportPages(user=user, tickets=tickets)
    yield "\ufeff" + _lines([pages.header])
    after: int | None = 0
    while after is not None:
        rows, after = pages.page(after)
        if rows:
            yield _lines(rows)


async def _export_lines_async(*, user: Any, tickets: QuerySet[Ticket]) -> AsyncIterator[str]:
    pages = await sync_to_async(ExportPages)(user=user, tickets=tickets)
    yield "\ufeff" + _lines([pages.header])
    after: int | None = 0
    while after is not None:
        rows, after = await sync_to_async(pages.page)(after)
        if rows:
            yield _lines(rows)


def csv_export_response(
    request: HttpRequest, *, user: Any, tickets: QuerySet[Ticket], filename: str
) -> StreamingHttpResponse:
    """The streamed CSV download of `tickets` for `user` (API and desk alike)."""
    if isinstance(request, ASGIRequest):
        content: Any = _export_lines_async(user=user, tickets=tickets)
    else:
        content = export_lines(user=user, tickets=tickets)
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
