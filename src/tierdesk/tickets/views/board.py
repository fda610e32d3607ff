"""The board: one column per stage of work, filtered by GET parameters, refreshed by htmx.

Each column is a separate SQL query capped at BOARD_COLUMN_LIMIT rows, and one aggregate
query counts all columns, so the number of queries does not depend on the number of tickets.
Each card shows its SLA state (sla_clock.sla_view), the policies read once for the whole board."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import cache, reduce
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from tierdesk.accounts.selectors import organisation_list_for, staff_users
from tierdesk.tickets import sla_clock
from tierdesk.tickets.choices import Level, Status
from tierdesk.tickets.forms import BoardFilterForm
from tierdesk.tickets.forms_custom_fields import CustomFieldFilterForm
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.rules import board_column
from tierdesk.tickets.selectors import TicketFilter, pending_second_level_requests, ticket_list_for
from tierdesk.tickets.selectors_custom_fields import (
    custom_field_filters_from,
    custom_field_list_for,
    filter_by_custom_fields,
)
from tierdesk.tickets.views.access import render_page_or_partial, staff_required

BOARD_COLUMN_LIMIT = 50
PENDING_REQUESTS_LIMIT = 20

# The columns in reading order; "done" (resolved, awaiting the customer's confirmation) is
# shown apart from the work columns. Closed tickets are not on the board.
COLUMNS: tuple[tuple[str, Promise], ...] = (
    ("first", _("First level")),
    ("second", _("Second level")),
    ("waiting", _("Waiting")),
    ("dev", _("DEV")),
    ("done", _("Done")),
)


@cache
def column_conditions() -> dict[str, Q]:
    """A SQL condition per column, derived from `rules.board_column` for every (status, level)
    pair, so the pure rule stays the only definition of which ticket goes where."""
    pairs: dict[str, list[Q]] = {key: [] for key, _label in COLUMNS}
    for status in Status:
        for level in Level:
            column = board_column(status, level)
            if column in pairs:
                pairs[column].append(Q(status=status.value, level=level.value))
    return {key: reduce(operator.or_, parts) for key, parts in pairs.items()}


# The badge tone of an SLA state, reusing the priority tones of the stylesheet.
SLA_TONES = {sla_clock.SLA_OK: "low", sla_clock.SLA_WARNING: "high", sla_clock.SLA_BREACHED: "critical"}


@dataclass(frozen=True)
class SlaBadge:
    state: str  # ok, warning or breached
    tone: str
    text: str


def countdown_text(minutes: int) -> str:
    """Business minutes left (or overdue, when negative) as "1 h 20 min left" / "35 min overdue"."""
    hours, rest = divmod(abs(minutes), 60)
    if hours and rest:
        span = gettext("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    elif hours:
        span = gettext("%(hours)s h") % {"hours": hours}
    else:
        span = gettext("%(minutes)s min") % {"minutes": rest}
    if minutes < 0:
        return gettext("%(span)s overdue") % {"span": span}
    return gettext("%(span)s left") % {"span": span}


def sla_badge(ticket: Ticket, now: Any, cache: sla_clock.ClockCache) -> SlaBadge | None:
    """The card's SLA badge; None for a ticket whose clock shows nothing (no policy, resolved)."""
    view = sla_clock.sla_view(ticket, now, cache=cache)
    if view.state == sla_clock.SLA_NONE or view.business_minutes_left is None:
        return None
    return SlaBadge(view.state, SLA_TONES[view.state], countdown_text(view.business_minutes_left))


def attach_sla_badges(tickets: list[Ticket]) -> None:
    """Set `sla_badge` on each ticket for its card, reading every policy once."""
    now = timezone.now()
    cache = sla_clock.ClockCache()
    cache.preload(tickets)
    for ticket in tickets:
        ticket.sla_badge = sla_badge(ticket, now, cache)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class BoardColumn:
    key: str
    label: Promise
    tickets: list[Ticket]
    count: int

    @property
    def hidden_count(self) -> int:
        return max(0, self.count - len(self.tickets))


def _filters_from(form: BoardFilterForm, user: Any) -> TicketFilter:
    form.is_valid()  # fills cleaned_data with the valid fields; a bad value drops only itself
    data: dict[str, Any] = getattr(form, "cleaned_data", {})
    organisation = data.get("organisation")
    assignee = data.get("assignee")
    return TicketFilter(
        organisation_ids=(organisation.pk,) if organisation is not None else (),
        assignee_ids=(assignee.pk,) if assignee is not None else (),
        mine=bool(data.get("mine")),
        priority=tuple(data.get("priority") or ()),
        q=data.get("q", "").strip(),
    )


def board_columns(tickets: QuerySet[Ticket]) -> list[BoardColumn]:
    conditions = column_conditions()
    counts = tickets.order_by().aggregate(
        **{key: Count("pk", filter=condition) for key, condition in conditions.items()}
    )
    return [
        BoardColumn(
            key=key,
            label=label,
            tickets=list(tickets.filter(conditions[key])[:BOARD_COLUMN_LIMIT]),
            count=counts[key],
        )
        for key, label in COLUMNS
    ]


@staff_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    form = BoardFilterForm(
        request.GET or None, organisations=organisation_list_for(user=request.user), staff=staff_users()
    )
    tickets = ticket_list_for(user=request.user, filters=_filters_from(form, request.user))
    # cf_<key>=value filters (forms_custom_fields.CustomFieldFilterForm); a bad one is left out.
    tickets = filter_by_custom_fields(tickets, custom_field_filters_from(request.GET), user=request.user, strict=False)
    columns = board_columns(tickets)
    attach_sla_badges([ticket for column in columns for ticket in column.tickets])
    context = {
        "form": form,
        "custom_field_filters": CustomFieldFilterForm(
            request.GET or None, fields=custom_field_list_for(user=request.user)
        ),
        "work_columns": [column for column in columns if column.key != "done"],
        "done_column": next(column for column in columns if column.key == "done"),
        "pending_requests": list(pending_second_level_requests(user=request.user)[:PENDING_REQUESTS_LIMIT]),
        "column_limit": BOARD_COLUMN_LIMIT,
    }
    return render_page_or_partial(
        request, page="tickets/board.html", partial="tickets/partials/_board.html", context=context
    )
