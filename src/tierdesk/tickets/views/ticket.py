"""The ticket page and the posts of its forms.

One view renders the page (or, for htmx, the ticket fragment); one view takes every form post,
looks the action up in `actions.ACTIONS` and answers success, invalid input and domain errors
the same way for all of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tierdesk.core.errors import DomainError, NotFound
from tierdesk.core.htmx import is_partial
from tierdesk.tickets.choices import Level, Status
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.permissions import can_assign_others
from tierdesk.tickets.rules import ACTIVE_STATUSES, can_change_status
from tierdesk.tickets.selectors import (
    attachments_for,
    comments_for,
    history_for,
    pending_second_level_requests,
    ticket_get_for,
)
from tierdesk.tickets.selectors_appointments import ticket_appointments_for
from tierdesk.tickets.selectors_checklists import checklist_for
from tierdesk.tickets.selectors_links import TicketRelations, ticket_relations_for
from tierdesk.tickets.selectors_watchers import ticket_watchers_for
from tierdesk.tickets.views.access import render_page_or_partial, staff_required
from tierdesk.tickets.views.actions import ACTIONS, escalation_levels
from tierdesk.tickets.views.collision import prepare_reply_form
from tierdesk.tickets.views.timeline import build_timeline


@dataclass(frozen=True)
class AvailableActions:
    """Which forms the page offers. Only what to show: the services decide what is allowed."""

    assign_others: bool
    take: bool
    release: bool
    escalate_levels: list[Level]
    wait: bool
    resume: bool
    resolve: bool
    reopen: bool
    confirm: bool
    edit: bool
    add_child: bool
    set_parent: bool
    merge: bool
    split: bool


def available_actions(user: Any, ticket: Ticket, relations: TicketRelations) -> AvailableActions:
    status = Status(ticket.status)
    is_active = status in ACTIVE_STATUSES
    return AvailableActions(
        assign_others=can_assign_others(user) and status != Status.CLOSED,
        take=ticket.assignee_id != user.pk and status != Status.CLOSED,
        release=ticket.assignee_id == user.pk and status != Status.CLOSED,
        escalate_levels=escalation_levels(ticket) if is_active else [],
        wait=is_active,
        resume=status == Status.WAITING,
        resolve=can_change_status(status, Status.RESOLVED),
        reopen=status in (Status.RESOLVED, Status.CLOSED),
        confirm=status == Status.RESOLVED,
        edit=status != Status.CLOSED,
        # Child tickets go one level deep (services/links.py).
        add_child=is_active and ticket.parent_id is None,
        set_parent=not relations.children,
        # Closed tickets are merged into, never; an active or resolved one may be merged away.
        merge=status != Status.CLOSED,
        split=True,
    )


def _get_ticket(request: HttpRequest, number: int) -> Ticket:
    try:
        return ticket_get_for(user=request.user, number=number)
    except NotFound:
        raise Http404 from None


def _initial(ticket: Ticket) -> dict[str, dict[str, Any]]:
    return {
        "assign": {"assignee": ticket.assignee_id},
        "priority": {"urgency": ticket.urgency, "impact": ticket.impact},
        "time": {"is_billable": True},
        "wait": {"on": "customer"},
    }


def render_ticket(
    request: HttpRequest,
    ticket: Ticket,
    *,
    bound: tuple[str, forms.Form] | None = None,
    error: DomainError | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    pending = pending_second_level_requests(user=user).filter(ticket_id=ticket.pk).first()
    initial = _initial(ticket)
    if pending is not None:
        initial["decide"] = {"request": pending.pk}
    ticket_forms = {name: action.make_form(name, ticket, initial=initial.get(name)) for name, action in ACTIONS.items()}
    relations = ticket_relations_for(user=user, ticket=ticket)
    if not relations.open_children:
        # The override means something only for a parent with open children: not offered otherwise.
        del ticket_forms["resolve"].fields["despite_open_children"]
    if bound is not None:
        ticket_forms[bound[0]] = bound[1]
    comments = list(comments_for(user=user, ticket=ticket))
    reply_conflict = prepare_reply_form(ticket_forms, comments=comments, error=error)
    checklist = checklist_for(user=user, ticket=ticket)
    context = {
        "ticket": ticket,
        "checklist": checklist,
        "checklist_done": sum(1 for item in checklist if item.is_done),
        "timeline": build_timeline(comments, history_for(user=user, ticket=ticket)),
        "reply_conflict": reply_conflict,
        "attachments": list(attachments_for(user=user, ticket=ticket)),
        "pending_request": pending,
        "forms": ticket_forms,
        "failed_action": bound[0] if bound is not None else "",
        "available": available_actions(user, ticket, relations),
        "relations": relations,
        "watchers": ticket_watchers_for(user=user, ticket=ticket),
        "appointments": ticket_appointments_for(user=user, ticket=ticket),
        "error": error,
        "notice": notice,
        "reload_url": reverse("tickets:ticket", args=[ticket.number]),
    }
    return render_page_or_partial(
        request,
        page="tickets/ticket_detail.html",
        partial="tickets/partials/_ticket.html",
        context=context,
        status=status,
    )


@staff_required
@require_GET
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    ticket = _get_ticket(request, number)
    if ticket.number != number:  # a merged ticket's number: on to where its conversation is
        messages.info(request, _("#%(old)s was merged into #%(new)s.") % {"old": number, "new": ticket.number})
        return redirect("tickets:ticket", number=ticket.number)
    return render_ticket(request, ticket)


@staff_required
@require_POST
def ticket_action(request: HttpRequest, number: int, action: str) -> HttpResponse:
    """Validate the action's form, call its service, and answer: the fresh ticket (htmx) or a
    redirect back to it; on a refusal the page again, with the error, its code and its status."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    ticket = _get_ticket(request, number)
    form = spec.make_form(action, ticket, request=request)
    if not form.is_valid():
        return render_ticket(request, ticket, bound=(action, form), status=422)
    try:
        notice = spec.perform(request, ticket, form.cleaned_data)
    except NotFound:
        raise Http404 from None
    except DomainError as error:
        if error.field and error.field in form.fields:
            form.add_error(error.field, error.message)
        return render_ticket(request, ticket, bound=(action, form), error=error, status=error.http_status)
    fresh = _get_ticket(request, number)
    if is_partial(request) and fresh.number == number:
        return render_ticket(request, fresh, notice=notice)
    messages.success(request, notice)
    if is_partial(request):  # merged away: the page moves to the ticket it was merged into
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("tickets:ticket", args=[fresh.number])
        return response
    return redirect("tickets:ticket", number=fresh.number)
