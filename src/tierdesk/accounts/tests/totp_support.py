"""Helpers for tests that need a staff member with an authenticator app."""

from __future__ import annotations

from django.utils import timezone

from tierdesk.accounts import totp
from tierdesk.accounts.models import TotpDevice, User
from tierdesk.accounts.services_totp import totp_enrol_begin, totp_enrol_confirm


def enrol(user: User) -> tuple[str, list[str]]:
    """Set up an authenticator for `user` through the services; returns its secret and recovery codes."""
    secret = totp_enrol_begin(user=user).secret
    codes = totp_enrol_confirm(user=user, code=totp.code_at_step(secret, totp.time_step(timezone.now())))
    return secret, codes


def next_code(user: User, secret: str) -> str:
    """The code of the step after the last one accepted: never a replay, inside the drift window."""
    device = TotpDevice.objects.get(user=user)
    step = device.last_used_step + 1 if device.last_used_step is not None else totp.time_step(timezone.now())
    return totp.code_at_step(secret, step)
