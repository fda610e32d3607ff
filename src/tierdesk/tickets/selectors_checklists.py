"""Reads of checklists and their templates. Checklists are internal work: staff only (the API
answers customers 403 before looking anything up, the desk is staff only).

The board and the ticket list show each ticket's progress ("3/5"). It is computed in the ticket
query itself, by two correlated subqueries on the (ticket, position, id) index, and not by a JOIN
with GROUP BY: grouping would make the database count the items of every ticket that matches the
filters before it can sort and cut the page, where the queue order now walks an index and stops
after the page (bench/tickets.py, 100,000 tickets). A correlated subquery runs for the rows
returned only, so the list and the board keep both their query count and their speed."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from tierdesk.accounts.permissions import is_case_manager, is_staff_member
from tierdesk.core.errors import NotFound
from tierdesk.tickets.models import ChecklistItem, ChecklistTemplate, Ticket


def _count(condition: Q) -> Coalesce:
    items = (
        ChecklistItem.objects.filter(condition, ticket_id=OuterRef("pk"))
        .order_by()
        .values("ticket_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(items, output_field=IntegerField()), Value(0))


def with_checklist_progress(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """`checklist_done` and `checklist_total` on each ticket (0 and 0 without a checklist)."""
    return tickets.annotate(
        checklist_total=_count(Q()),
        checklist_done=_count(Q(done_at__isnull=False)),
    )


def checklist_for(*, user: Any, ticket: Ticket) -> list[ChecklistItem]:
    """The ticket's checklist in order, with who ticked each item, in one query; empty for
    anybody but staff (the caller passes a ticket from ticket_get_for)."""
    if not is_staff_member(user):
        return []
    return list(ChecklistItem.objects.filter(ticket_id=ticket.pk).select_related("done_by", "created_by"))


def checklist_template_choices(*, include_inactive: bool = False) -> QuerySet[ChecklistTemplate]:
    """Templates for the desk's form, which only staff reach (like `macro_choices`), by name."""
    templates = ChecklistTemplate.objects.order_by("name", "id")
    return templates if include_inactive else templates.filter(is_active=True)


def checklist_template_list_for(*, user: Any, include_inactive: bool = False) -> QuerySet[ChecklistTemplate]:
    """Templates by name with their items: staff see the active ones; those who manage them
    may ask for the inactive ones too. Nobody else sees any."""
    if not is_staff_member(user):
        return ChecklistTemplate.objects.none()
    templates = ChecklistTemplate.objects.select_related("category").prefetch_related("items").order_by("name", "id")
    if include_inactive and is_case_manager(user):
        return templates
    return templates.filter(is_active=True)


def checklist_template_get_for(*, user: Any, template_id: int) -> ChecklistTemplate:
    """One template, active or not, for staff; NotFound for everybody else, as for unknown ids."""
    if not is_staff_member(user):
        raise NotFound(_("No such checklist template."), code="checklist.template_not_found")
    template = (
        ChecklistTemplate.objects.select_related("category").prefetch_related("items").filter(pk=template_id).first()
    )
    if template is None:
        raise NotFound(_("No such checklist template."), code="checklist.template_not_found")
    return template
