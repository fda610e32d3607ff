"""The last step of every web sign-in (password or single sign-on): either log in, or hold the
person in a pending state until their second factor is checked or set up.

A pending sign-in is not a session of the user: `request.user` stays anonymous, so no page,
API call or WebSocket can act as them before the code is right (ADR 0008)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tierdesk.accounts.models import User
from tierdesk.accounts.permissions import is_staff_member
from tierdesk.accounts.services_totp import totp_is_enrolled

PENDING_KEY = "tierdesk_pending_sign_in"
# Set on the session once the second factor was checked; the middleware looks for it.
VERIFIED_KEY = "tierdesk_second_factor"
PENDING_SECONDS = 300
VERIFY = "verify"
ENROL = "enrol"


def second_step_for(user: User) -> str | None:
    """What a staff member must do after the password or the provider: nothing, verify or enrol."""
    if not is_staff_member(user):
        return None
    if totp_is_enrolled(user):
        return VERIFY
    if settings.TIERDESK_REQUIRE_AGENT_2FA:
        return ENROL
    return None


def finish_sign_in(request: HttpRequest, user: User, *, backend: str, method: str, next_url: str) -> HttpResponse:
    step = second_step_for(user)
    if step is None:
        login(request, user, backend=backend)
        return redirect(next_url)
    # A new session key for the pending state too: a planted session id learns nothing.
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": backend,
        "method": method,
        "next": next_url,
        "step": step,
        "until": time.time() + PENDING_SECONDS,
    }
    return redirect("second_factor_verify" if step == VERIFY else "second_factor_enrol")


def pending_sign_in(request: HttpRequest, *, step: str | None = None) -> tuple[User, dict[str, Any]] | None:
    """The person waiting for their second step (and its data), or None when there is none, it
    expired, or it is for another step."""
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or data.get("until", 0) < time.time():
        request.session.pop(PENDING_KEY, None)
        return None
    if step is not None and data.get("step") != step:
        return None
    user_id = data.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    return user, data


def complete_sign_in(request: HttpRequest, user: User, data: dict[str, Any]) -> str:
    """Log the pending person in after their second step; returns where they were going."""
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=data["backend"])
    request.session[VERIFIED_KEY] = user.pk
    return str(data.get("next") or settings.LOGIN_REDIRECT_URL)


def second_factor_checked(request: HttpRequest) -> bool:
    return bool(request.session.get(VERIFIED_KEY) == getattr(request.user, "pk", None))
