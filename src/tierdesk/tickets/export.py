"""CSV export of a filtered ticket list with its custom field columns, streamed.

The rows are read in pages of EXPORT_PAGE tickets by keyset (number > the last one sent, on the
unique number index): one `values_list` query of exactly the exported columns (organisation,
requester, category and assignee joined for their names) and one of the page's custom field
values, mapped to the columns in Python. No model instance is built per row: building ~11 of them
per ticket held the export to 5-7 % of a raw SELECT's rate (bench/workspace.py). An export of any
size thus runs two queries per page, never one per ticket, and holds one page in memory.
Under ASGI the pages are read in a worker thread between the chunks sent (an async iterator), so
the response really streams; under WSGI a plain iterator does the same.

Formula injection: a spreadsheet runs a cell that starts with =, +, -, @ (or a tab or carriage
return) as a formula. Such cells get a leading apostrophe, which spreadsheets show as text;
numbers like -12.5 are left as they are (they are not formulas)."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.permissions import is_staff_member
from tierdesk.tickets.choices_custom_fields import FieldType
from tierdesk.tickets.models import CustomField, CustomFieldValue, Ticket
from tierdesk.tickets.selectors_custom_fields import custom_field_list_for, display_value, values_from_rows

# Every page re-runs the list's filter: a custom-field filter is `id IN (subquery)`, which both
# databases evaluate in full and then sort by number for each page (bench/workspace.py, 10,030
# rows: 21 pages of 500 were half the export's time on SQLite and 3/4 on PostgreSQL). Fewer,
# larger pages cut that; 2,000 rows are a few MB in memory.
EXPORT_PAGE = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# The columns of a page, in export_header's order: `id` (to attach the custom field values), then
# one per fixed column; the assignee's three name parts make its display name as User does.
ROW_COLUMNS = (
    "id",
    "number",
    "subject",
    "organisation__name",
    "requester__name",
    "status",
    "level",
    "priority",
    "category__name",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
    "channel",
    "created_at",
    "due_at",
    "resolved_at",
)
VALUE_COLUMNS = (
    "ticket_id",
    "field_id",
    "value_text",
    "value_number",
    "value_date",
    "value_user__first_name",
    "value_user__last_name",
    "value_user__username",
)


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
    """The row of one ticket instance with its prefetched `custom_field_rows` (the export itself
    reads columns instead, see ExportPages.page; both give the same cells)."""
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


def _person(first: str | None, last: str | None, username: str | None) -> str:
    """User.display_name from the columns (full name, else user name); "" without a user."""
    if username is None:
        return ""
    return f"{first or ''} {last or ''}".strip() or username


def _values_row(row: Sequence[Any], cells: dict[int, Any], fields: Sequence[CustomField]) -> list[str]:
    """One CSV row from a page row (ROW_COLUMNS) and its custom field values (field id → value)."""
    (
        _id,
        number,
        subject,
        organisation,
        requester,
        status,
        level,
        priority,
        category,
        assignee_first,
        assignee_last,
        assignee_username,
        channel,
        created_at,
        due_at,
        resolved_at,
    ) = row
    return [
        str(number),
        subject,
        organisation,
        requester or "",
        status,
        level,
        priority,
        category or "",
        _person(assignee_first, assignee_last, assignee_username),
        channel,
        _when(created_at),
        _when(due_at),
        _when(resolved_at),
    ] + [display_value(cells.get(field.pk)) for field in fields]


def _page_values(ticket_ids: Sequence[int], fields: Sequence[CustomField]) -> dict[int, dict[int, Any]]:
    """ticket id → field id → value (as display_value reads it: a list for a multiple choice,
    a user's display name) of the page's tickets, in one query. Only the exported fields' rows
    are read, so customers never get the values of fields they may not see."""
    if not fields or not ticket_ids:
        return {}
    kinds = {field.pk: field.field_type for field in fields}
    rows = (
        CustomFieldValue.objects.filter(ticket_id__in=ticket_ids, field_id__in=kinds)
        .order_by("ticket_id", "field_id", "ordinal")
        .values_list(*VALUE_COLUMNS)
    )
    values: dict[int, dict[int, Any]] = defaultdict(dict)
    for ticket_id, field_id, text, number, day, first, last, username in rows:
        kind = kinds[field_id]
        if kind == FieldType.MULTI_CHOICE:
            values[ticket_id].setdefault(field_id, []).append(text)
        elif kind == FieldType.USER:
            values[ticket_id][field_id] = _person(first, last, username)
        elif kind == FieldType.NUMBER:
            values[ticket_id][field_id] = number
        elif kind == FieldType.DATE:
            values[ticket_id][field_id] = day
        else:
            values[ticket_id][field_id] = text
    return values


def export_fields(*, user: Any) -> list[CustomField]:
    """The custom field columns: the active fields the user sees, in form order."""
    fields = list(custom_field_list_for(user=user))
    return fields if is_staff_member(user) else [field for field in fields if field.visible_to_customer]


class ExportPages:
    """The header and the pages of an export of `tickets` (a filtered ticket_list_for) for `user`."""

    def __init__(self, *, user: Any, tickets: QuerySet[Ticket]) -> None:
        self.fields = export_fields(user=user)
        self.header = export_header(self.fields)
        # The list's prefetches (assignee) are dropped: the names come by join in the page's query.
        self.tickets = tickets.prefetch_related(None).order_by("number")

    def page(self, after: int) -> tuple[list[list[str]], int | None]:
        """The rows of the tickets numbered after `after`, and the number to continue after
        (None at the end)."""
        chunk = list(self.tickets.filter(number__gt=after).values_list(*ROW_COLUMNS)[:EXPORT_PAGE])
        values = _page_values([row[0] for row in chunk], self.fields)
        rows = [_values_row(row, values.get(row[0], {}), self.fields) for row in chunk]
        return rows, chunk[-1][1] if len(chunk) == EXPORT_PAGE else None


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
