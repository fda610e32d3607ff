"""Reads of the tickets domain, always starting from what the caller may see."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, When
from django.utils.translation import gettext as _

from tierdesk.accounts.permissions import contact_of, is_case_manager, is_staff_member
from tierdesk.core.errors import NotFound, ValidationFailed
from tierdesk.tickets.choices import Impact, Priority, Urgency
from tierdesk.tickets.errors import AttachmentNotFound, TicketNotFound
from tierdesk.tickets.models import (
    Attachment,
    Category,
    Comment,
    HistoryEvent,
    Macro,
    PriorityMatrixCell,
    SecondLevelRequest,
    Ticket,
)
from tierdesk.tickets.permissions import can_see_internal, visible_tickets
from tierdesk.tickets.rules import DEFAULT_PRIORITY_MATRIX
from tierdesk.tickets.selectors_checklists import with_checklist_progress
from tierdesk.tickets.selectors_custom_fields import CustomFieldFilter, filter_by_custom_fields

# The default queue order: priority, then deadline, then age (FIFO within a priority).
QUEUE_ORDER = ("priority", "due_at", "created_at", "id")


def priority_matrix() -> Mapping[tuple[Urgency, Impact], Priority]:
    """The ITIL default with the administrator's overrides applied."""
    matrix = dict(DEFAULT_PRIORITY_MATRIX)
    for cell in PriorityMatrixCell.objects.all():
        matrix[(Urgency(cell.urgency), Impact(cell.impact))] = Priority(cell.priority)
    return matrix


def _parse_number(number: Any) -> int:
    try:
        value = int(str(number).strip().lstrip("#"))
    except (TypeError, ValueError):
        raise TicketNotFound(_("No such ticket.")) from None
    if value <= 0 or value > 2**62:
        raise TicketNotFound(_("No such ticket."))
    return value


def ticket_get_for(*, user: Any, number: Any, follow_merge: bool = True) -> Ticket:
    """One ticket by its number, if the user may see it; otherwise TicketNotFound (either way).

    The number of a merged ticket leads to the ticket it was merged into (services/merge.py), so
    that old numbers keep working; `follow_merge=False` returns the merged ticket itself, for the
    places that answer with the pointer."""
    tickets: QuerySet[Ticket] = (
        visible_tickets(user)
        .select_related("organisation", "requester", "assignee", "category")
        .annotate(merged_into_number=F("merged_into__number"))  # the pointer a merged ticket answers with
    )
    if can_see_internal(user):
        tickets = with_checklist_progress(tickets)  # in the same query, for the staff's view
    tickets = tickets.prefetch_related("tags")
    try:
        ticket = tickets.get(number=_parse_number(number))
        if follow_merge and ticket.merged_into_id is not None:
            # One hop: a merge re-points the tickets merged into its source.
            ticket = tickets.get(pk=ticket.merged_into_id)
    except Ticket.DoesNotExist:
        raise TicketNotFound(_("No such ticket.")) from None
    return ticket


def ticket_by_reference(number: int) -> Ticket | None:
    """The live ticket a number refers to, following a merge, for system callers (mail threading)
    that scope by other means; None when there is no such ticket."""
    ticket = Ticket.objects.filter(number=number).only("pk", "merged_into_id").first()
    if ticket is None:
        return None
    return Ticket.objects.select_related("organisation", "requester").get(pk=ticket.merged_into_id or ticket.pk)


@dataclass(frozen=True)
class TicketFilter:
    """The queue filters shared by the API, the board and the portal: several values per field,
    and `mine` (staff: assigned to me; customers: requested by me). Only these fields exist, so no
    caller can pass free-form lookups."""

    status: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    organisation_ids: tuple[int, ...] = ()
    assignee_ids: tuple[int, ...] = ()
    unassigned: bool = False
    mine: bool = False
    q: str = ""
    # cf_<key>[__lookup]=value filters (selectors_custom_fields); a bad one raises ValidationFailed.
    custom_fields: tuple[CustomFieldFilter, ...] = ()


def ticket_filter_condition(*, user: Any, f: TicketFilter) -> Q:
    """The filter's fields (all but the custom fields) as one condition on tickets: the list
    below and the saved views' counts (selectors_views.py) share it."""
    condition = Q()
    if f.status:
        condition &= Q(status__in=f.status)
    if f.level:
        condition &= Q(level__in=f.level)
    if f.priority:
        condition &= Q(priority__in=f.priority)
    if f.organisation_ids:
        condition &= Q(organisation_id__in=f.organisation_ids)
    if f.assignee_ids or f.unassigned:
        owner = Q(assignee_id__in=f.assignee_ids) if f.assignee_ids else Q(pk__in=[])
        condition &= owner | Q(assignee__isnull=True) if f.unassigned else owner
    if f.mine:
        contact = contact_of(user)
        condition &= Q(requester_id=contact.pk) if contact is not None else Q(assignee_id=user.pk)
    if f.q:
        text = f.q.strip()
        search = Q(subject__icontains=text)
        if text.lstrip("#").isdigit():
            search |= Q(number=int(text.lstrip("#")))
        condition &= search
    return condition


def ticket_list_for(*, user: Any, filters: TicketFilter | None = None) -> QuerySet[Ticket]:
    """The tickets a user may see, filtered, in queue order (paginate the result in SQL)."""
    f = filters or TicketFilter()
    qs = visible_tickets(user).filter(ticket_filter_condition(user=user, f=f))
    if f.custom_fields:
        qs = filter_by_custom_fields(qs, f.custom_fields, user=user)
    # The assignee comes by prefetch, not by join: with the join SQLite sorts the whole filtered
    # table before applying LIMIT (bench/tickets.py: 40 ms instead of 3 ms at 100,000 tickets).
    qs = qs.select_related("organisation", "requester", "category").prefetch_related("assignee").order_by(*QUEUE_ORDER)
    # Staff see each ticket's checklist progress (internal work, never shown to customers).
    return with_checklist_progress(qs) if can_see_internal(user) else qs


def comments_for(*, user: Any, ticket: Ticket) -> QuerySet[Comment]:
    """The ticket's comments the user may see, each with the attachments the user may see."""
    attachments = Attachment.objects.order_by("created_at", "id")
    qs = ticket.comments.select_related("author")
    if not can_see_internal(user):
        attachments = attachments.filter(is_internal=False)
        qs = qs.filter(is_internal=False)
    return qs.prefetch_related(Prefetch("attachments", queryset=attachments)).order_by("created_at", "id")


def history_for(*, user: Any, ticket: Ticket) -> QuerySet[HistoryEvent]:
    """The ticket's history with that of the tickets merged into it (history is append-only, so
    it stays on the ticket it was written on), in the order it happened."""
    merged = Ticket.objects.filter(merged_into_id=ticket.pk).values("pk")
    qs = HistoryEvent.objects.filter(Q(ticket=ticket) | Q(ticket_id__in=merged)).select_related("actor")
    if not can_see_internal(user):
        qs = qs.filter(is_internal=False)
    return qs.order_by("at", "id")


def attachments_for(*, user: Any, ticket: Ticket) -> QuerySet[Attachment]:
    qs = ticket.attachments.all()
    if not can_see_internal(user):
        qs = qs.filter(is_internal=False)
    return qs.order_by("created_at", "id")


def attachment_get_for(*, user: Any, attachment_id: int) -> Attachment:
    qs = Attachment.objects.filter(ticket__in=visible_tickets(user)).select_related("ticket")
    if not can_see_internal(user):
        qs = qs.filter(is_internal=False)
    try:
        return qs.get(pk=attachment_id)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise AttachmentNotFound(_("No such attachment.")) from None


def pending_second_level_requests(*, user: Any) -> QuerySet[SecondLevelRequest]:
    return (
        SecondLevelRequest.objects.filter(decision="pending", ticket__in=visible_tickets(user))
        .select_related("ticket", "requested_by", "ticket__organisation")
        .order_by("created_at", "id")
    )


def open_tickets_of_organisation(*, user: Any, organisation_id: int, limit: int = 20) -> list[Ticket]:
    return list(
        visible_tickets(user)
        .filter(organisation_id=organisation_id, status__in=["new", "open", "waiting", "resolved"])
        .select_related("organisation", "assignee", "requester")
        .order_by(*QUEUE_ORDER)[:limit]
    )


def second_level_request_get_for(*, user: Any, request_id: int) -> SecondLevelRequest:
    """One second-level request on a ticket the user may see; NotFound otherwise (either way)."""
    try:
        return (
            SecondLevelRequest.objects.filter(ticket__in=visible_tickets(user))
            .select_related("ticket", "ticket__organisation", "requested_by", "decided_by")
            .get(pk=request_id)
        )
    except (SecondLevelRequest.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such second-level request."), code="second_level_request.not_found") from None


def category_get(*, category_id: int) -> Category:
    """A category named by id in an API call; an unknown id is invalid input."""
    try:
        return Category.objects.get(pk=category_id)
    except (Category.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(_("Unknown category."), code="ticket.invalid_category", field="category") from None


# --- macros (canned replies) ------------------------------------------------------------------


def macro_choices(*, language_first: str | None = None, include_inactive: bool = False) -> QuerySet[Macro]:
    """Macros for the desk's forms, which only staff reach (like `staff_users()`): the active ones
    (all with `include_inactive`), those in `language_first` before the others, each by name."""
    qs = Macro.objects.all() if include_inactive else Macro.objects.filter(is_active=True)
    order: list[Any] = ["language", "name", "id"]
    if language_first:
        order.insert(0, Case(When(language=language_first, then=0), default=1, output_field=IntegerField()))
    return qs.select_related("created_by").order_by(*order)


def macro_list_for(*, user: Any, language: str | None = None, include_inactive: bool = False) -> QuerySet[Macro]:
    """The active macros by language and name, optionally of one language: staff only (nobody
    else sees any). `include_inactive` adds deactivated ones for those who manage macros."""
    if not is_staff_member(user):
        return Macro.objects.none()
    languages = [code for code, _label in settings.LANGUAGES]
    if language is not None and language not in languages:
        raise ValidationFailed(
            _("%(value)r is not a language of the desk; choose one of: %(allowed)s.")
            % {"value": language, "allowed": ", ".join(languages)},
            code="macro.invalid_language",
            field="language",
        )
    qs = macro_choices(include_inactive=include_inactive and is_case_manager(user))
    return qs.filter(language=language) if language is not None else qs


def macro_get_for(*, user: Any, macro_id: int) -> Macro:
    """One macro, active or not, for staff; NotFound for everybody else, as for unknown ids."""
    if not is_staff_member(user):
        raise NotFound(_("No such macro."), code="macro.not_found")
    try:
        return Macro.objects.select_related("created_by").get(pk=macro_id)
    except (Macro.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such macro."), code="macro.not_found") from None
