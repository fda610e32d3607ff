"""Organisation pages of the desk: the list, and one organisation with its contacts, open
tickets and access notes. An access note's body is decrypted only on an explicit POST, which
`accounts.services.access_note_reveal` records in the audit log."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tierdesk.accounts.models import AccessNote, Organisation, User
from tierdesk.accounts.permissions import can_manage_organisations
from tierdesk.accounts.selectors import (
    access_notes_for,
    contact_list_for,
    organisation_get_for,
    organisation_list_for,
    staff_users,
)
from tierdesk.accounts.services import access_note_reveal, access_note_set, organisation_update
from tierdesk.core.errors import DomainError, NotFound
from tierdesk.core.htmx import is_partial
from tierdesk.tickets.forms import AccessNoteForm
from tierdesk.tickets.forms_organisation_domains import OrganisationDomainsForm
from tierdesk.tickets.selectors import open_tickets_of_organisation
from tierdesk.tickets.views.access import render_page_or_partial, staff_required

ORGANISATIONS_PER_PAGE = 50
CONTACTS_PER_PAGE = 50
OPEN_TICKETS_SHOWN = 20


def _get_organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    try:
        return organisation_get_for(user=request.user, organisation_id=organisation_id)
    except NotFound:
        raise Http404 from None


def _get_note(request: HttpRequest, organisation: Organisation, note_id: int) -> AccessNote:
    note = access_notes_for(user=request.user, organisation=organisation).filter(pk=note_id).first()
    if note is None:
        raise Http404
    return note


@staff_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    page = Paginator(organisation_list_for(user=request.user, q=q), ORGANISATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render_page_or_partial(
        request,
        page="tickets/organisation_list.html",
        partial="tickets/partials/_organisation_list.html",
        context={"page_obj": page, "q": q},
    )


def render_organisation(
    request: HttpRequest,
    organisation: Organisation,
    *,
    note_form: AccessNoteForm | None = None,
    revealed: dict[int, str] | None = None,
    domains_form: OrganisationDomainsForm | None = None,
    error: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    domains = [row.domain for row in organisation.domains.all()]
    contacts = Paginator(contact_list_for(user=request.user, organisation_id=organisation.pk), CONTACTS_PER_PAGE)
    context: dict[str, Any] = {
        "organisation": organisation,
        "contacts_page": contacts.get_page(request.GET.get("page")),
        "open_tickets": open_tickets_of_organisation(
            user=request.user, organisation_id=organisation.pk, limit=OPEN_TICKETS_SHOWN
        ),
        "open_tickets_limit": OPEN_TICKETS_SHOWN,
        # (note, body): body is None unless this request revealed it.
        "access_notes": [
            (note, (revealed or {}).get(note.pk))
            for note in access_notes_for(user=request.user, organisation=organisation)
        ],
        "note_form": note_form or AccessNoteForm(auto_id="note-%s"),
        "staff": staff_users(),
        "domains": domains,
        "may_edit_organisation": can_manage_organisations(request.user),
        "domains_form": domains_form
        or OrganisationDomainsForm(initial={"domains": "\n".join(domains)}, auto_id="domains-%s"),
        "error": error,
    }
    response = render_page_or_partial(
        request,
        page="tickets/organisation_detail.html",
        partial="tickets/partials/_organisation.html",
        context=context,
        status=status,
    )
    if revealed:
        # A revealed secret must not stay in a browser or proxy cache.
        add_never_cache_headers(response)
    return response


@staff_required
@require_GET
def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return render_organisation(request, _get_organisation(request, organisation_id))


@staff_required
@require_POST
def access_note_show(request: HttpRequest, organisation_id: int, note_id: int) -> HttpResponse:
    """Decrypt one note for the signed-in agent; the service writes the audit entry."""
    organisation = _get_organisation(request, organisation_id)
    note = _get_note(request, organisation, note_id)
    try:
        body = access_note_reveal(by=cast(User, request.user), note=note, ip_address=request.META.get("REMOTE_ADDR"))
    except DomainError as error:
        return render_organisation(request, organisation, error=error, status=error.http_status)
    if is_partial(request):
        # htmx swaps just this note; the rest of the page stays as it was.
        response = render(
            request, "tickets/partials/_access_note.html", {"organisation": organisation, "note": note, "body": body}
        )
        patch_vary_headers(response, ["HX-Request"])
        add_never_cache_headers(response)
        return response
    return render_organisation(request, organisation, revealed={note.pk: body})


@staff_required
@require_POST
def access_note_add(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _get_organisation(request, organisation_id)
    form = AccessNoteForm(request.POST, auto_id="note-%s")
    if not form.is_valid():
        return render_organisation(request, organisation, note_form=form, status=422)
    try:
        access_note_set(
            by=cast(User, request.user),
            organisation=organisation,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
        )
    except DomainError as error:
        if error.field and error.field in form.fields:
            form.add_error(error.field, error.message)
        return render_organisation(request, organisation, note_form=form, error=error, status=error.http_status)
    messages.success(request, _("Access note saved."))
    return redirect("tickets:organisation", organisation_id=organisation.pk)


@staff_required
@require_POST
def organisation_case_manager(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """Name the staff member whom rules alert about this customer (empty: nobody in particular)."""
    organisation = _get_organisation(request, organisation_id)
    chosen = request.POST.get("case_manager", "").strip()
    try:
        organisation = organisation_update(
            by=cast(User, request.user), organisation=organisation, case_manager_id=chosen or None
        )
    except DomainError as error:
        return render_organisation(request, organisation, error=error, status=error.http_status)
    messages.success(request, _("Case manager saved."))
    return redirect("tickets:organisation", organisation_id=organisation.pk)


@staff_required
@require_POST
def organisation_domains(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """Replace the e-mail domains single sign-on places new customers by (one per line)."""
    organisation = _get_organisation(request, organisation_id)
    form = OrganisationDomainsForm(request.POST, auto_id="domains-%s")
    if not form.is_valid():
        return render_organisation(request, organisation, domains_form=form, status=422)
    try:
        organisation = organisation_update(
            by=cast(User, request.user), organisation=organisation, domains=form.cleaned_data["domains"]
        )
    except DomainError as error:
        if error.field in form.fields:
            form.add_error(error.field, error.message)
        return render_organisation(request, organisation, domains_form=form, error=error, status=error.http_status)
    messages.success(request, _("E-mail domains saved."))
    return redirect("tickets:organisation", organisation_id=organisation.pk)
