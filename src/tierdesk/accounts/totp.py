"""Time-based one-time passwords (RFC 6238) through PyOTP: secrets, the otpauth:// URI, the QR
code, and which time step a code belongs to. Pure functions; the rules (replay, lock) are in
`services_totp`."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

import pyotp
import segno

STEP_SECONDS = 30
DIGITS = 6
# Codes of the step before and after now are accepted too: phone clocks drift.
WINDOW = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper


def new_secret() -> str:
    """160 random bits in base32, the size RFC 4226 recommends."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg_data_uri(uri: str) -> str:
    """The URI as a QR code in an SVG data URI (the CSP allows data: images, no script needed)."""
    data_uri: str = segno.make(uri, error="m").svg_data_uri(scale=5)
    return data_uri


def time_step(at: datetime) -> int:
    return int(at.timestamp()) // STEP_SECONDS


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def matching_step(secret: str, code: str, *, at: datetime) -> int | None:
    """The time step (within the window around `at`) whose code this is, or None."""
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = time_step(at)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if hmac.compare_digest(code_at_step(secret, step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes of 16 characters (80 bits each), shown in groups of four."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    return codes


def normalise_recovery_code(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


def normalise_code(value: str) -> str:
    return "".join(value.split())
