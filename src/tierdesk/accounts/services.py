"""Writes of the accounts domain: organisations, contacts, staff and customer users, access
notes, API tokens and login unlocks. Each function is the one path for its change."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.audit import audit_record
from tierdesk.accounts.choices import AUTOMATION_USERNAME, CUSTOMER_ROLES, STAFF_ROLES, AuditAction, Level, Role
from tierdesk.accounts.crypto import decrypt_text, encrypt_text, token_digest
from tierdesk.accounts.domains import normalise_domain
from tierdesk.accounts.errors import DuplicateOrganisation, NotAllowed
from tierdesk.accounts.models import (
    AccessNote,
    AgentProfile,
    ApiToken,
    Contact,
    ContactPhone,
    Organisation,
    OrganisationDomain,
    User,
)
from tierdesk.accounts.permissions import can_manage_organisations, can_read_access_notes, can_unlock_logins
from tierdesk.accounts.phones import normalise_phone
from tierdesk.accounts.selectors import staff_users
from tierdesk.core.errors import ValidationFailed

TOKEN_PREFIX = "tdk_"  # noqa: S105 - a public marker that tells tokens apart, not a secret


# "Leave as it is", where None means "clear".
UNCHANGED = object()


def _case_manager(user_id: Any) -> User | None:
    if user_id is None:
        return None
    try:
        return staff_users().get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError):
        raise ValidationFailed(
            _("The case manager must be an active staff member."),
            code="organisation.invalid_case_manager",
            field="case_manager_id",
        ) from None


def _require_manager(by: User) -> None:
    if not can_manage_organisations(by):
        raise NotAllowed(_("Only staff members may change organisations and contacts."))


def _set_domains(organisation: Organisation, domains: Iterable[str]) -> None:
    """Replace the organisation's e-mail domains; a domain of another organisation is refused."""
    wanted: list[str] = []
    for raw in domains:
        try:
            domain = normalise_domain(raw)
        except ValueError:
            raise ValidationFailed(
                _("%(value)r is not a domain name.") % {"value": raw},
                code="organisation.invalid_domain",
                field="domains",
            ) from None
        if domain not in wanted:
            wanted.append(domain)
    taken = (
        OrganisationDomain.objects.filter(domain__in=wanted)
        .exclude(organisation=organisation)
        .values_list("domain", flat=True)
        .first()
    )
    if taken is not None:
        raise ValidationFailed(
            _("The domain %(domain)s belongs to another organisation.") % {"domain": taken},
            code="organisation.domain_taken",
            field="domains",
        )
    organisation.domains.exclude(domain__in=wanted).delete()
    existing = set(organisation.domains.values_list("domain", flat=True))
    try:
        with transaction.atomic():
            OrganisationDomain.objects.bulk_create(
                [OrganisationDomain(organisation=organisation, domain=d) for d in wanted if d not in existing]
            )
    except IntegrityError as exc:  # another organisation took it meanwhile
        raise ValidationFailed(
            _("A domain belongs to another organisation."), code="organisation.domain_taken", field="domains"
        ) from exc


@transaction.atomic
def organisation_create(
    *,
    by: User,
    name: str,
    country: str = "",
    language: str = "en",
    notes: str = "",
    domains: Iterable[str] = (),
) -> Organisation:
    _require_manager(by)
    name = name.strip()
    if not name:
        raise ValidationFailed(_("An organisation needs a name."), code="organisation.name_required", field="name")
    if Organisation.objects.filter(name__iexact=name).exists():
        raise DuplicateOrganisation(_("An organisation named %(name)r exists already.") % {"name": name}, field="name")
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(
                name=name, country=country.upper(), language=language, notes=notes
            )
    except IntegrityError as exc:
        raise DuplicateOrganisation(
            _("An organisation named %(name)r exists already.") % {"name": name}, field="name"
        ) from exc
    _set_domains(organisation, domains)
    return organisation


@transaction.atomic
def organisation_update(
    *,
    by: User,
    organisation: Organisation,
    name: str | None = None,
    country: str | None = None,
    language: str | None = None,
    notes: str | None = None,
    is_active: bool | None = None,
    case_manager_id: int | object | None = UNCHANGED,
    domains: Iterable[str] | None = None,
) -> Organisation:
    """Change the fields given; `case_manager_id=None` clears the case manager; `domains` replaces
    the e-mail domains single sign-on assigns new contacts by."""
    _require_manager(by)
    if name is not None:
        name = name.strip()
        if not name:
            raise ValidationFailed(_("An organisation needs a name."), code="organisation.name_required", field="name")
        if Organisation.objects.filter(name__iexact=name).exclude(pk=organisation.pk).exists():
            raise DuplicateOrganisation(
                _("An organisation named %(name)r exists already.") % {"name": name}, field="name"
            )
        organisation.name = name
    if country is not None:
        organisation.country = country.upper()
    if language is not None:
        organisation.language = language
    if notes is not None:
        organisation.notes = notes
    if is_active is not None:
        organisation.is_active = is_active
    if case_manager_id is not UNCHANGED:
        organisation.case_manager = _case_manager(case_manager_id)
    organisation.save()
    if domains is not None:
        _set_domains(organisation, domains)
    return organisation


def _normalised_phones(phones: Iterable[str], region: str) -> list[str]:
    numbers: list[str] = []
    for raw in phones:
        number = normalise_phone(raw, default_region=region or None)
        if number not in numbers:
            numbers.append(number)
    return numbers


@transaction.atomic
def contact_create(
    *,
    by: User,
    organisation: Organisation,
    name: str,
    email: str = "",
    phones: Iterable[str] = (),
    language: str | None = None,
    is_system_admin: bool = False,
) -> Contact:
    _require_manager(by)
    if not name.strip():
        raise ValidationFailed(_("A contact needs a name."), code="contact.name_required", field="name")
    numbers = _normalised_phones(phones, organisation.country)
    contact = Contact.objects.create(
        organisation=organisation,
        name=name.strip(),
        email=email.strip().lower(),
        language=language or organisation.language,
        is_system_admin=is_system_admin,
    )
    ContactPhone.objects.bulk_create([ContactPhone(contact=contact, number=n) for n in numbers])
    return contact


@transaction.atomic
def contact_update(
    *,
    by: User,
    contact: Contact,
    name: str | None = None,
    email: str | None = None,
    phones: Iterable[str] | None = None,
    language: str | None = None,
    is_system_admin: bool | None = None,
    is_active: bool | None = None,
) -> Contact:
    _require_manager(by)
    if name is not None:
        if not name.strip():
            raise ValidationFailed(_("A contact needs a name."), code="contact.name_required", field="name")
        contact.name = name.strip()
    if email is not None:
        contact.email = email.strip().lower()
    if language is not None:
        contact.language = language
    if is_system_admin is not None:
        contact.is_system_admin = is_system_admin
    if is_active is not None:
        contact.is_active = is_active
    if phones is not None:
        numbers = _normalised_phones(phones, contact.organisation.country)
        contact.phones.all().delete()
        ContactPhone.objects.bulk_create([ContactPhone(contact=contact, number=n) for n in numbers])
    contact.save()
    return contact


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    password: str | None,
    role: Role = Role.AGENT,
    level: Level = Level.FIRST,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "en",
    languages: Iterable[str] = (),
    channels: Iterable[str] = (),
) -> User:
    """Create an agent, case manager or admin with its agent profile."""
    if role not in STAFF_ROLES:
        raise ValidationFailed(
            _("%(role)s is not a staff role.") % {"role": role}, code="user.invalid_role", field="role"
        )
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        role=role,
        language=language,
        is_staff=role == Role.ADMIN,  # Django admin site access
        is_superuser=role == Role.ADMIN,
    )
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    AgentProfile.objects.create(
        user=user, level=level, languages=list(languages or [language]), channels=list(channels)
    )
    return user


@transaction.atomic
def customer_user_create(
    *, contact: Contact, username: str, password: str | None, is_customer_admin: bool = False
) -> User:
    """Give a contact a portal login; a customer admin sees the whole organisation's tickets."""
    if contact.user_id is not None:
        raise ValidationFailed(_("This contact has a login already."), code="contact.has_login")
    first, _space, last = contact.name.partition(" ")
    user = User(
        username=username,
        email=contact.email,
        first_name=first,
        last_name=last,
        role=Role.CUSTOMER_ADMIN if is_customer_admin else Role.CUSTOMER,
        language=contact.language,
    )
    user.set_password(password) if password else user.set_unusable_password()
    user.save()
    contact.user = user
    contact.save(update_fields=["user", "updated_at"])
    return user


def user_set_language(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(
            _("Unsupported language %(value)r.") % {"value": language}, code="user.invalid_language", field="language"
        )
    user.language = language
    user.save(update_fields=["language"])
    if user.role in CUSTOMER_ROLES:
        Contact.objects.filter(user=user).update(language=language)
    return user


@transaction.atomic
def access_note_set(
    *, by: User, organisation: Organisation, title: str, body: str, note: AccessNote | None = None
) -> AccessNote:
    if not can_read_access_notes(by):
        raise NotAllowed(_("Only staff members may keep access notes."))
    if not title.strip():
        raise ValidationFailed(_("An access note needs a title."), code="access_note.title_required", field="title")
    if note is None:
        note = AccessNote(organisation=organisation)
    note.title = title.strip()
    note.ciphertext = encrypt_text(body)
    note.updated_by = by
    note.save()
    audit_record(
        action=AuditAction.ACCESS_NOTE_CHANGED, actor=by, target=f"organisation:{organisation.pk}/note:{note.pk}"
    )
    return note


def access_note_reveal(*, by: User, note: AccessNote, ip_address: str | None = None) -> str:
    """Decrypt a note for a staff member and record that they saw it."""
    if not can_read_access_notes(by):
        raise NotAllowed(_("Only staff members may read access notes."))
    plain = decrypt_text(note.ciphertext)
    audit_record(
        action=AuditAction.ACCESS_NOTE_VIEWED,
        actor=by,
        target=f"organisation:{note.organisation_id}/note:{note.pk}",
        ip_address=ip_address,
    )
    return plain


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once, never stored


@transaction.atomic
def api_token_create(*, user: User, name: str, by: User | None = None) -> IssuedToken:
    if not user.is_active:
        raise ValidationFailed(_("Tokens can only be issued to active users."), code="token.inactive_user")
    if user.username == AUTOMATION_USERNAME:
        raise ValidationFailed(_("The automation user cannot have tokens."), code="token.automation_user")
    secret = secrets.token_urlsafe(32)
    raw = f"{TOKEN_PREFIX}{secret}"
    token = ApiToken.objects.create(
        user=user, name=name.strip() or "token", prefix=raw[: len(TOKEN_PREFIX) + 6], digest=token_digest(raw)
    )
    audit_record(action=AuditAction.TOKEN_CREATED, actor=by or user, target=f"user:{user.pk}/token:{token.pk}")
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    if by.pk != token.user_id and not can_unlock_logins(by):
        raise NotAllowed(_("Only the owner or an admin may revoke a token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(action=AuditAction.TOKEN_REVOKED, actor=by, target=f"user:{token.user_id}/token:{token.pk}")
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a bearer token, or None. One indexed lookup, no password hasher."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write last use at most once a minute: a busy integration must not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def login_unlock(*, by: User, username: str, ip_address: str | None = None) -> int:
    """Lift a lock-out; returns how many lock-out records were cleared."""
    if not can_unlock_logins(by):
        raise NotAllowed(_("Only an admin may unlock a login."))
    cleared = axes_reset(username=username)
    audit_record(
        action=AuditAction.LOGIN_UNLOCKED,
        actor=by,
        target=f"username:{username}",
        ip_address=ip_address,
        detail={"cleared": cleared},
    )
    return int(cleared)


def automation_user() -> User:
    """The user automation rules act as: a case manager (so that it may assign and close) with no
    usable password and no API token, created on first use."""
    user, created = User.objects.get_or_create(
        username=AUTOMATION_USERNAME, defaults={"role": Role.CASE_MANAGER, "first_name": "Automation"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
