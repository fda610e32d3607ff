"""Portal pages: submit a ticket, list and read one's tickets, reply, confirm, reopen, ask for
second level, follow a ticket (get its updates by e-mail) and download files.

Each view parses, calls a tickets selector or service with the signed-in contact's user, and
renders; the tickets app decides scope and rules. Every form works as a plain POST; htmx only
swaps the same pages in place."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tierdesk.accounts.models import Contact, User
from tierdesk.core.errors import DomainError, NotFound
from tierdesk.core.htmx import is_partial
from tierdesk.portal import wording
from tierdesk.portal.access import portal_view, sees_organisation_tickets
from tierdesk.portal.custom_fields import add_custom_field_errors, custom_values, new_ticket_form
from tierdesk.portal.forms import (
    SCOPE_CHOICES,
    STATUS_FILTER_CHOICES,
    ReopenForm,
    ReplyForm,
    SecondLevelForm,
    TicketListFilterForm,
)
from tierdesk.portal.selectors import portal_ticket_list, second_level_pending
from tierdesk.tickets.choices import Channel, Level, Status
from tierdesk.tickets.downloads import attachment_download_for
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.rules import ACTIVE_STATUSES
from tierdesk.tickets.selectors import (
    attachments_for,
    comments_for,
    history_for,
    ticket_get_for,
)
from tierdesk.tickets.selectors_appointments import ticket_appointments_for
from tierdesk.tickets.selectors_watchers import ticket_watchers_for
from tierdesk.tickets.services import (
    ticket_attachment_add,
    ticket_comment_add,
    ticket_confirm,
    ticket_create,
    ticket_reopen,
    ticket_request_second_level,
    ticket_unwatch,
    ticket_watch,
)
from tierdesk.tickets.services.custom_fields import CustomFieldsInvalid

PAGE_SIZE = 20
INVALID_FORM_STATUS = 422
# Services name the upload "file"; the portal's forms call it "attachment".
FIELD_ALIASES = {"file": "attachment"}


def _add_domain_error(form: forms.Form, error: DomainError) -> None:
    field = FIELD_ALIASES.get(error.field or "", error.field)
    form.add_error(field if field in form.fields else None, error.message)


def _signed_in(request: HttpRequest) -> User:
    # `portal_view` lets only signed-in customer contacts reach a view.
    return cast(User, request.user)


def _ticket_or_404(request: HttpRequest, number: int) -> Ticket:
    try:
        return ticket_get_for(user=request.user, number=number)
    except NotFound:
        raise Http404 from None


@require_GET
@portal_view
def ticket_list(request: HttpRequest, contact: Contact) -> HttpResponse:
    form = TicketListFilterForm(request.GET)
    chosen = form.cleaned_data if form.is_valid() else {}
    sees_organisation = sees_organisation_tickets(request.user)
    scope = chosen.get("scope") or "all"
    status_group = chosen.get("status") or ""
    tickets = portal_ticket_list(
        user=request.user, contact=contact, only_mine=sees_organisation and scope == "mine", status_group=status_group
    )
    context = {
        "contact": contact,
        "page": Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page")),
        "sees_organisation": sees_organisation,
        "scope": scope,
        "status_group": status_group,
        "scope_choices": SCOPE_CHOICES,
        "status_choices": STATUS_FILTER_CHOICES,
    }
    template = "portal/partials/_ticket_list.html" if is_partial(request) else "portal/ticket_list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@portal_view
def ticket_new(request: HttpRequest, contact: Contact) -> HttpResponse:
    user = _signed_in(request)
    if request.method != "POST":
        form = new_ticket_form(user=user, contact=contact, source=request.GET, bound=False)
        return render(request, "portal/ticket_new.html", {"contact": contact, "form": form})
    form = new_ticket_form(user=user, contact=contact, source=request.POST, files=request.FILES, bound=True)
    if not form.is_valid():
        return render(request, "portal/ticket_new.html", {"contact": contact, "form": form}, status=INVALID_FORM_STATUS)
    data = form.cleaned_data
    try:
        # One transaction: a refused file must not leave a ticket behind without it.
        with transaction.atomic():
            ticket = ticket_create(
                by=user,
                subject=data["subject"],
                description=data["description"],
                urgency=data["urgency"],
                impact=data["impact"],
                channel=Channel.PORTAL,
                category=data.get("category"),
                custom_fields=custom_values(data),
            )
            if data["attachment"]:
                ticket_attachment_add(ticket=ticket, upload=data["attachment"], by=user, channel=Channel.PORTAL)
    except CustomFieldsInvalid as error:  # every bad field named next to it; nothing typed is lost
        add_custom_field_errors(form, error)
        return render(request, "portal/ticket_new.html", {"contact": contact, "form": form}, status=error.http_status)
    except DomainError as error:
        _add_domain_error(form, error)
        return render(request, "portal/ticket_new.html", {"contact": contact, "form": form}, status=error.http_status)
    messages.success(request, _("Thank you. We received your ticket #%(number)s.") % {"number": ticket.number})
    return redirect("portal:ticket", number=ticket.number)


def _second_level_state(request: HttpRequest, ticket: Ticket) -> str:
    """What the second-level box shows: "pending", "available" (the form) or "" (nothing)."""
    if second_level_pending(user=request.user, ticket=ticket):
        return "pending"
    if ticket.level == Level.FIRST and ticket.status in ACTIVE_STATUSES:
        return "available"
    return ""


def _detail_page(
    request: HttpRequest,
    contact: Contact,
    ticket: Ticket,
    *,
    status: int = 200,
    **bound_forms: forms.Form,
) -> HttpResponse:
    """The ticket page; an action that failed passes its bound form (with the error) and status."""
    context: dict[str, Any] = {
        "contact": contact,
        "ticket": ticket,
        "here": reverse("portal:ticket", kwargs={"number": ticket.number}),
        "comments": comments_for(user=request.user, ticket=ticket),
        "history": wording.history_lines(history_for(user=request.user, ticket=ticket)),
        "attachments": attachments_for(user=request.user, ticket=ticket),
        "can_reply": ticket.status != Status.CLOSED,
        "second_level": _second_level_state(request, ticket),
        # The requester gets every update already; other contacts who see it may follow it.
        "watchers": ticket_watchers_for(user=request.user, ticket=ticket),
        "appointments": ticket_appointments_for(user=request.user, ticket=ticket),
        "can_follow": ticket.requester_id != contact.pk,
        "follow_form": forms.Form(),
        "reply_form": ReplyForm(),
        "confirm_form": forms.Form(),
        "reopen_form": ReopenForm(),
        "second_level_form": SecondLevelForm(),
        **bound_forms,
    }
    return render(request, "portal/ticket_detail.html", context, status=status)


@require_GET
@portal_view
def ticket_detail(request: HttpRequest, contact: Contact, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    if ticket.number != number:  # a merged ticket's number: on to where its conversation is
        messages.info(
            request,
            _("Ticket %(old)s was merged into ticket %(new)s; the conversation continues here.")
            % {"old": number, "new": ticket.number},
        )
        return redirect("portal:ticket", number=ticket.number)
    return _detail_page(request, contact, ticket)


def _done(request: HttpRequest, ticket: Ticket, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("portal:ticket", number=ticket.number)


@require_POST
@portal_view
def ticket_reply(request: HttpRequest, contact: Contact, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = ReplyForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail_page(request, contact, ticket, status=INVALID_FORM_STATUS, reply_form=form)
    user = _signed_in(request)
    try:
        # One transaction: a refused file must not leave the reply posted without it.
        with transaction.atomic():
            comment = None
            if form.cleaned_data["body"].strip():
                comment = ticket_comment_add(
                    ticket=ticket, body=form.cleaned_data["body"], by=user, channel=Channel.PORTAL
                )
            if form.cleaned_data["attachment"]:
                ticket_attachment_add(
                    ticket=ticket,
                    upload=form.cleaned_data["attachment"],
                    by=user,
                    comment=comment,
                    channel=Channel.PORTAL,
                )
    except DomainError as error:
        _add_domain_error(form, error)
        return _detail_page(request, contact, ticket, status=error.http_status, reply_form=form)
    return _done(request, ticket, _("Your reply has been added."))


@require_POST
@portal_view
def ticket_confirm_solved(request: HttpRequest, contact: Contact, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = forms.Form(request.POST)
    try:
        ticket_confirm(ticket=ticket, by=_signed_in(request), channel=Channel.PORTAL)
    except DomainError as error:
        _add_domain_error(form, error)
        return _detail_page(request, contact, ticket, status=error.http_status, confirm_form=form)
    return _done(request, ticket, _("Thank you for confirming. The ticket is closed."))


@require_POST
@portal_view
def ticket_still_a_problem(request: HttpRequest, contact: Contact, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, contact, ticket, status=INVALID_FORM_STATUS, reopen_form=form)
    try:
        ticket_reopen(ticket=ticket, reason=form.cleaned_data["reason"], by=_signed_in(request), channel=Channel.PORTAL)
    except DomainError as error:
        _add_domain_error(form, error)
        return _detail_page(request, contact, ticket, status=error.http_status, reopen_form=form)
    return _done(request, ticket, _("We are sorry it is not solved yet. The ticket is open again."))


@require_POST
@portal_view
def ticket_ask_second_level(request: HttpRequest, contact: Contact, number: int) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = SecondLevelForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, contact, ticket, status=INVALID_FORM_STATUS, second_level_form=form)
    try:
        ticket_request_second_level(
            ticket=ticket,
            reason=form.cleaned_data["reason"],
            by=_signed_in(request),
            channel=Channel.PORTAL,
        )
    except DomainError as error:
        _add_domain_error(form, error)
        return _detail_page(request, contact, ticket, status=error.http_status, second_level_form=form)
    return _done(request, ticket, _("Your request for a specialist has been sent. An agent will decide on it."))


@require_POST
@portal_view
def ticket_follow(request: HttpRequest, contact: Contact, number: int) -> HttpResponse:
    return _follow_or_not(request, contact, number, follow=True)


@require_POST
@portal_view
def ticket_unfollow(request: HttpRequest, contact: Contact, number: int) -> HttpResponse:
    return _follow_or_not(request, contact, number, follow=False)


def _follow_or_not(request: HttpRequest, contact: Contact, number: int, *, follow: bool) -> HttpResponse:
    ticket = _ticket_or_404(request, number)
    form = forms.Form(request.POST)
    change = ticket_watch if follow else ticket_unwatch
    try:
        change(ticket=ticket, by=_signed_in(request), contact=contact, channel=Channel.PORTAL)
    except DomainError as error:
        _add_domain_error(form, error)
        return _detail_page(request, contact, ticket, status=error.http_status, follow_form=form)
    if follow:
        return _done(request, ticket, _("You follow this ticket now: its updates come to you by e-mail."))
    return _done(request, ticket, _("You no longer follow this ticket."))


@require_GET
@portal_view
def attachment_download(request: HttpRequest, contact: Contact, attachment_id: int) -> FileResponse:
    try:
        return attachment_download_for(user=request.user, attachment_id=attachment_id)
    except NotFound:
        raise Http404 from None
