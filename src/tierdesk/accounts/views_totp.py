"""The second step of a staff sign-in (a code from the authenticator app or a recovery code) and
setting the app up. Both work on the pending sign-in (`sign_in_flow`); set-up also works for a
signed-in staff member who chooses to add a second factor."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tierdesk.accounts.errors import NotAllowed
from tierdesk.accounts.forms import SecondFactorForm
from tierdesk.accounts.permissions import is_staff_member
from tierdesk.accounts.services_totp import totp_enrol_begin, totp_enrol_confirm, totp_verify
from tierdesk.accounts.sign_in_flow import ENROL, VERIFIED_KEY, VERIFY, complete_sign_in, pending_sign_in
from tierdesk.core.errors import DomainError


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    pending = pending_sign_in(request, step=VERIFY)
    if pending is None:
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    user, data = pending
    form = SecondFactorForm(request.POST or None)
    error: DomainError | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            used_recovery = totp_verify(user=user, code=form.cleaned_data["code"], ip_address=_ip(request))
        except DomainError as exc:
            error, status = exc, exc.http_status
        else:
            target = complete_sign_in(request, user, data)
            if used_recovery:
                messages.warning(request, _("You used a recovery code; each works once. Ask an admin for a reset."))
            return redirect(target)
    return render(request, "accounts/second_factor_verify.html", {"form": form, "error": error}, status=status)


@never_cache  # the secret and the recovery codes must not stay in a cache
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    pending = pending_sign_in(request, step=ENROL)
    if pending is not None:
        user, data = pending
    elif is_staff_member(request.user):
        user, data = request.user, {}  # type: ignore[assignment]
    else:
        # Customers have no second factor; anonymous visitors sign in first.
        return redirect("home" if request.user.is_authenticated else "login")
    try:
        enrolment = totp_enrol_begin(user=user)
    except NotAllowed as exc:
        messages.info(request, exc.message)
        return redirect("home")
    form = SecondFactorForm(request.POST or None)
    error: DomainError | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_enrol_confirm(user=user, code=form.cleaned_data["code"], ip_address=_ip(request))
        except DomainError as exc:
            error, status = exc, exc.http_status
        else:
            if data:
                target = complete_sign_in(request, user, data)
            else:
                request.session[VERIFIED_KEY] = user.pk
                target = "home"
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": resolve_url(target)})
    context = {"form": form, "error": error, "enrolment": enrolment}
    return render(request, "accounts/second_factor_enrol.html", context, status=status)
