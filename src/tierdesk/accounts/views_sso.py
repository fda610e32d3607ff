"""Single sign-on pages: "Sign in with <provider>" starts here, the provider sends the browser
back to the callback. The protocol is in `sso_client`, who the person is in `services_sso`."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from tierdesk.accounts.errors import SignInRefused
from tierdesk.accounts.services_sso import sso_failure_record, sso_sign_in
from tierdesk.accounts.sign_in_flow import finish_sign_in
from tierdesk.accounts.sso_client import authorization_redirect, verified_claims
from tierdesk.accounts.sso_providers import ProviderConfig, identity_provider_get

NEXT_KEY = "tierdesk_sso_next"
# Sessions of SSO users are ordinary Django sessions; the model backend loads the user per request.
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _provider(slug: str) -> ProviderConfig:
    provider = identity_provider_get(slug)
    if provider is None:
        raise Http404
    return provider


def _refused_page(request: HttpRequest, error: SignInRefused) -> HttpResponse:
    return render(request, "accounts/sso_refused.html", {"error": error}, status=error.http_status)


@require_GET
def sso_start(request: HttpRequest, slug: str) -> HttpResponse:
    """A link, not a form: the page's CSP (form-action 'self') would stop a form's redirect to the
    provider. Starting costs nothing to the visitor; only the callback signs in, and only with the
    state this session holds."""
    provider = _provider(slug)
    candidate = request.GET.get("next", "")
    safe = candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    request.session[NEXT_KEY] = candidate if safe else ""
    redirect_uri = request.build_absolute_uri(reverse("sso_callback", args=[provider.slug]))
    try:
        return authorization_redirect(request, provider, redirect_uri)
    except SignInRefused as error:
        sso_failure_record(provider_slug=provider.slug, code=error.code, ip_address=request.META.get("REMOTE_ADDR"))
        return _refused_page(request, error)


@require_GET
def sso_callback(request: HttpRequest, slug: str) -> HttpResponse:
    provider = _provider(slug)
    ip_address = request.META.get("REMOTE_ADDR")
    try:
        claims = verified_claims(request, provider)
    except SignInRefused as error:
        sso_failure_record(provider_slug=provider.slug, code=error.code, ip_address=ip_address)
        return _refused_page(request, error)
    try:
        user = sso_sign_in(provider=provider, claims=claims, ip_address=ip_address)
    except SignInRefused as error:
        return _refused_page(request, error)
    next_url = request.session.pop(NEXT_KEY, "") or reverse(settings.LOGIN_REDIRECT_URL)
    return finish_sign_in(request, user, backend=SESSION_BACKEND, method=f"sso:{provider.slug}", next_url=next_url)
