"""Activates the signed-in user's own language for every request; ends staff sessions without a
second factor when one is required."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from tierdesk.accounts.permissions import is_staff_member
from tierdesk.accounts.sign_in_flow import second_factor_checked


class UserLanguageMiddleware:
    """Per-user language: the user's setting wins over the browser's Accept-Language.

    Runs after AuthenticationMiddleware; anonymous visitors get their browser's language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "language", ""):
            language = user.language
        else:
            language = translation.get_language_from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        translation.deactivate()
        return response


class SecondFactorRequiredMiddleware:
    """With TIERDESK_REQUIRE_AGENT_2FA on, a staff session without a checked second factor (one
    that began before the setting, or before an admin's reset) ends: the next sign-in asks for the
    code or the set-up. Sign-ins themselves never create such sessions (`sign_in_flow`).

    Only session users are concerned: bearer API tokens never make `request.user` and are a
    credential of their own (docs/sso.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.TIERDESK_REQUIRE_AGENT_2FA:
            user = getattr(request, "user", None)
            if is_staff_member(user) and not second_factor_checked(request):
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"code": "auth.second_factor_required", "message": _("Sign in again with your second factor.")},
                        status=401,
                    )
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
