"""Sign-in, sign-out, the role-based landing page and the per-user language switch.

Views are thin: the lock-out counting is django-axes' (through the authentication backend),
and the language change is `accounts.services.user_set_language`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView, redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tierdesk.accounts.forms import LanguageForm, SignInForm
from tierdesk.accounts.permissions import can_unlock_logins, is_staff_member
from tierdesk.accounts.selectors import locked_logins
from tierdesk.accounts.services import login_unlock, user_set_language
from tierdesk.accounts.sign_in_flow import finish_sign_in
from tierdesk.accounts.sso_providers import identity_providers
from tierdesk.core.errors import DomainError

# Used until the portal names its ticket list; the literal path keeps "home" working meanwhile.
PORTAL_FALLBACK_PATH = "/portal/"


class SignInView(LoginView):
    """Django's LoginView: `login()` rotates the session key, axes counts failures."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # The lock-out rule as configured (AXES_COOLOFF_TIME is in hours), so the hint never lies.
        context["failure_limit"] = settings.AXES_FAILURE_LIMIT
        context["lockout_minutes"] = round(float(settings.AXES_COOLOFF_TIME) * 60)
        context["sso_providers"] = identity_providers()
        return context

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        # Instead of LoginView's plain login(): staff with a second factor are asked for it first.
        user = form.get_user()
        return finish_sign_in(
            self.request, user, backend=user.backend, method="password", next_url=self.get_success_url()
        )


class SignOutView(LogoutView):
    """POST only (Django's default): a link or an image tag cannot sign anyone out."""


def portal_home_url() -> str:
    try:
        return reverse("portal:tickets")
    except NoReverseMatch:
        return PORTAL_FALLBACK_PATH


def home(request: HttpRequest) -> HttpResponse:
    """Where "/" and a fresh sign-in land: staff on the board, customers in the portal."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if is_staff_member(request.user):
        return redirect("tickets:board")
    return HttpResponseRedirect(portal_home_url())


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _language_page(request: HttpRequest, form: LanguageForm, error: DomainError | None, status: int) -> HttpResponse:
    context = {"form": form, "error": error, "languages": LanguageForm.language_choices()}
    return render(request, "accounts/language.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def language_set(request: HttpRequest) -> HttpResponse:
    """GET shows the choice; POST saves it. The language middleware applies the user's
    language to every request, so the redirect target already speaks the new one."""
    if request.method == "GET":
        form = LanguageForm(initial={"language": request.user.language, "next": request.GET.get("next", "")})  # type: ignore[union-attr]
        return _language_page(request, form, None, 200)
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return _language_page(request, form, None, 422)
    try:
        user_set_language(user=request.user, language=form.cleaned_data["language"])  # type: ignore[arg-type]
    except DomainError as error:
        return _language_page(request, form, error, error.http_status)
    translation.activate(form.cleaned_data["language"])
    messages.success(request, _("Language changed."))
    return redirect(_safe_next(request, form.cleaned_data["next"]))


@login_required
@require_http_methods(["GET", "POST"])
def lockouts(request: HttpRequest) -> HttpResponse:
    """Admins see the locked sign-ins and lift one (audited by `login_unlock`)."""
    if not can_unlock_logins(request.user):
        raise PermissionDenied
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        if username:
            login_unlock(by=request.user, username=username, ip_address=request.META.get("REMOTE_ADDR"))  # type: ignore[arg-type]
            messages.success(request, _("%(username)s can sign in again.") % {"username": username})
        return redirect("lockouts")
    return render(request, "accounts/lockouts.html", {"locked": locked_logins(user=request.user)})
