"""The second factor of staff sign-ins: enrolment, verification with replay refusal and a lock
after repeated wrong codes, single-use recovery codes, and the admin's reset. Every change is
audited. API tokens are not affected: they are their own credential (docs/sso.md)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tierdesk.accounts import totp
from tierdesk.accounts.audit import audit_record
from tierdesk.accounts.choices import AuditAction
from tierdesk.accounts.crypto import decrypt_text, encrypt_text, recovery_code_digest
from tierdesk.accounts.errors import NotAllowed, SecondFactorInvalid, SecondFactorLocked
from tierdesk.accounts.models import RecoveryCode, TotpDevice, User
from tierdesk.accounts.permissions import can_unlock_logins, is_staff_member

ISSUER_LABEL = "Tierdesk"


def totp_is_enrolled(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    qr_data_uri: str


@transaction.atomic
def totp_enrol_begin(*, user: User) -> Enrolment:
    """Create (or show again) the unconfirmed secret of a staff member without a second factor."""
    if not is_staff_member(user):
        raise NotAllowed(_("Only staff members set up two-factor authentication."))
    device = TotpDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.confirmed_at is not None:
        raise NotAllowed(_("Two-factor authentication is set up already; an admin can reset it."))
    if device is None:
        # Reloading the page keeps the secret already scanned; only a reset makes a new one.
        secret = totp.new_secret()
        device = TotpDevice.objects.create(user=user, secret_ciphertext=encrypt_text(secret))
    secret = decrypt_text(device.secret_ciphertext)
    uri = totp.provisioning_uri(secret, account=user.email or user.username, issuer=ISSUER_LABEL)
    return Enrolment(secret=secret, uri=uri, qr_data_uri=totp.qr_svg_data_uri(uri))


class _Outcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    RECOVERY = "recovery"


def _locked_message() -> str:
    minutes = settings.TIERDESK_TOTP_LOCK_MINUTES
    return ngettext(
        "Too many wrong codes. Try again in %(minutes)d minute or ask an admin.",
        "Too many wrong codes. Try again in %(minutes)d minutes or ask an admin.",
        minutes,
    ) % {"minutes": minutes}


def _count_failure(device: TotpDevice, *, ip_address: str | None, reason: str) -> _Outcome:
    device.failed_attempts += 1
    outcome = _Outcome.WRONG
    if device.failed_attempts >= settings.TIERDESK_TOTP_MAX_FAILURES:
        device.locked_until = timezone.now() + timedelta(minutes=settings.TIERDESK_TOTP_LOCK_MINUTES)
        device.failed_attempts = 0
        outcome = _Outcome.LOCKED
    device.save(update_fields=["failed_attempts", "locked_until"])
    audit_record(
        action=AuditAction.TOTP_LOCKED if outcome is _Outcome.LOCKED else AuditAction.TOTP_FAILED,
        actor=device.user,
        target=f"user:{device.user_id}",
        ip_address=ip_address,
        detail={"reason": reason},
    )
    return outcome


def _check(device: TotpDevice, raw: str, *, ip_address: str | None) -> _Outcome:
    """One attempt against a locked device row; the row keeps the count and the last step."""
    now = timezone.now()
    if device.locked_until is not None and device.locked_until > now:
        return _Outcome.LOCKED
    code = totp.normalise_code(raw)
    step = totp.matching_step(decrypt_text(device.secret_ciphertext), code, at=now)
    if step is not None:
        if device.last_used_step is not None and step <= device.last_used_step:
            # The same code (or an older one) again: someone watched it being typed, or replays it.
            return _count_failure(device, ip_address=ip_address, reason="replayed")
        device.last_used_step = step
        device.failed_attempts = 0
        device.locked_until = None
        device.save(update_fields=["last_used_step", "failed_attempts", "locked_until"])
        return _Outcome.OK
    if device.confirmed_at is not None:
        digest = recovery_code_digest(totp.normalise_recovery_code(raw))
        used = RecoveryCode.objects.filter(user_id=device.user_id, digest=digest, used_at__isnull=True).update(
            used_at=now
        )
        if used:
            device.failed_attempts = 0
            device.save(update_fields=["failed_attempts"])
            audit_record(
                action=AuditAction.RECOVERY_CODE_USED,
                actor=device.user,
                target=f"user:{device.user_id}",
                ip_address=ip_address,
                detail={"left": RecoveryCode.objects.filter(user_id=device.user_id, used_at__isnull=True).count()},
            )
            return _Outcome.RECOVERY
    return _count_failure(device, ip_address=ip_address, reason="wrong")


def _raise_for(outcome: _Outcome) -> None:
    # Outside the transaction: the failure count above is committed before the error leaves.
    if outcome is _Outcome.LOCKED:
        raise SecondFactorLocked(_locked_message())
    if outcome is _Outcome.WRONG:
        raise SecondFactorInvalid(_("That code is not right. Use the current code of your app."), field="code")


def totp_verify(*, user: User, code: str, ip_address: str | None = None) -> bool:
    """Accept the current code of the user's app or one unused recovery code. Returns True when a
    recovery code was used. Raises SecondFactorInvalid / SecondFactorLocked."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        if device is None:
            raise NotAllowed(_("Two-factor authentication is not set up."))
        outcome = _check(device, code, ip_address=ip_address)
    _raise_for(outcome)
    return outcome is _Outcome.RECOVERY


def totp_enrol_confirm(*, user: User, code: str, ip_address: str | None = None) -> list[str]:
    """Confirm the new secret with a code from the app; returns the recovery codes (shown once)."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
        if device is None:
            raise NotAllowed(_("Start the set-up first."))
        outcome = _check(device, code, ip_address=ip_address)
        codes: list[str] = []
        if outcome is _Outcome.OK:
            device.confirmed_at = timezone.now()
            device.save(update_fields=["confirmed_at"])
            codes = _replace_recovery_codes(user)
            audit_record(action=AuditAction.TOTP_ENABLED, actor=user, target=f"user:{user.pk}", ip_address=ip_address)
    _raise_for(outcome)
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = totp.new_recovery_codes()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, digest=recovery_code_digest(totp.normalise_recovery_code(c))) for c in codes]
    )
    return codes


@transaction.atomic
def totp_reset(*, by: User, user: User, ip_address: str | None = None) -> bool:
    """An admin removes a staff member's authenticator and recovery codes (a lost phone); with
    TIERDESK_REQUIRE_AGENT_2FA on they set up a new one at their next sign-in."""
    if not can_unlock_logins(by):
        raise NotAllowed(_("Only an admin may reset two-factor authentication."))
    removed, _detail = TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit_record(
        action=AuditAction.TOTP_RESET,
        actor=by,
        target=f"user:{user.pk}",
        ip_address=ip_address,
        detail={"had_device": bool(removed)},
    )
    return bool(removed)
