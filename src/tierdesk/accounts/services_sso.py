"""Who a verified OpenID Connect sign-in is (ADR 0008, docs/sso.md).

1. A known (issuer, subject) signs in its linked account.
2. Otherwise the provider must vouch for the e-mail address (`email_verified`); an unverified
   address never links to an account nor picks an organisation (the SSO account takeover the
   security catalogue describes).
3. An existing account with that address is linked (exactly one, or none is).
4. Else a new account: an agent when the signed ID token's groups claim names one of the
   provider's agent groups; otherwise a customer contact of the organisation that owns the
   address's domain, or of the provider's default organisation, or nobody (refused).

The claims come from the signed ID token only, never from the unsigned userinfo answer."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tierdesk.accounts.audit import audit_record
from tierdesk.accounts.choices import AUTOMATION_USERNAME, AuditAction, Role
from tierdesk.accounts.domains import email_domain
from tierdesk.accounts.errors import SignInRefused
from tierdesk.accounts.models import Contact, ExternalIdentity, Organisation, OrganisationDomain, User
from tierdesk.accounts.permissions import is_customer
from tierdesk.accounts.services import automation_user, contact_create, customer_user_create, staff_user_create
from tierdesk.accounts.sso_providers import ProviderConfig


def _refuse(reason: str, message: str) -> SignInRefused:
    return SignInRefused(message, code=f"sso.{reason}")


def _email_verified(claims: Mapping[str, Any]) -> bool:
    # Some providers send the boolean as the string "true".
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _groups(claims: Mapping[str, Any], claim: str) -> set[str]:
    value = claims.get(claim) if claim else None
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {str(v) for v in value}
    return set()


def _username_for(email: str) -> str:
    base = email[:140]
    if not User.objects.filter(username__iexact=base).exists():
        return base
    return f"{base[:130]}-{secrets.token_hex(4)}"


def _names(claims: Mapping[str, Any], email: str) -> tuple[str, str, str]:
    first = str(claims.get("given_name") or "")[:150]
    last = str(claims.get("family_name") or "")[:150]
    full = str(claims.get("name") or f"{first} {last}".strip() or email.partition("@")[0])[:200]
    return first, last, full


def _organisation_for(provider: ProviderConfig, email: str) -> Organisation | None:
    domain = email_domain(email)
    if domain is not None:
        owner = (
            OrganisationDomain.objects.select_related("organisation")
            .filter(domain=domain, organisation__is_active=True)
            .first()
        )
        if owner is not None:
            return owner.organisation
    if provider.default_organisation_id is not None:
        return Organisation.objects.filter(pk=provider.default_organisation_id, is_active=True).first()
    return None


def _check_may_sign_in(provider: ProviderConfig, user: User) -> None:
    if not user.is_active or user.username == AUTOMATION_USERNAME:
        raise _refuse("inactive", _("This account is disabled."))
    if is_customer(user) and not provider.allow_customers:
        raise _refuse("customers_not_allowed", _("Customers cannot sign in with %(name)s.") % {"name": provider.name})


def _create_user(provider: ProviderConfig, claims: Mapping[str, Any], email: str) -> User:
    first, last, full = _names(claims, email)
    if provider.agent_groups and _groups(claims, provider.groups_claim) & provider.agent_groups:
        return staff_user_create(
            username=_username_for(email), password=None, role=Role.AGENT, first_name=first, last_name=last, email=email
        )
    if not provider.allow_customers:
        raise _refuse("customers_not_allowed", _("Customers cannot sign in with %(name)s.") % {"name": provider.name})
    # A contact the desk knows already (from mail or the phone) gets the login, not a twin.
    known = list(
        Contact.objects.select_related("organisation").filter(
            email__iexact=email, user__isnull=True, is_active=True, organisation__is_active=True
        )[:2]
    )
    if len(known) == 1:
        contact = known[0]
    else:
        organisation = _organisation_for(provider, email)
        if organisation is None:
            raise _refuse(
                "unknown_domain",
                _("Your e-mail domain belongs to no customer of this service desk. Please contact the service desk."),
            )
        # Through the one write path of contacts, as the automation user (nobody typed it in).
        contact = contact_create(by=automation_user(), organisation=organisation, name=full, email=email)
    return customer_user_create(contact=contact, username=_username_for(email), password=None)


@transaction.atomic
def _sign_in(*, provider: ProviderConfig, claims: Mapping[str, Any], ip_address: str | None) -> User:
    issuer, subject = str(claims["iss"]), str(claims["sub"])
    identity = ExternalIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    if identity is not None:
        _check_may_sign_in(provider, identity.user)
        identity.last_login_at = timezone.now()
        identity.save(update_fields=["last_login_at"])
        audit_record(
            action=AuditAction.SSO_SIGNED_IN,
            actor=identity.user,
            target=f"user:{identity.user_id}",
            ip_address=ip_address,
            detail={"provider": provider.slug, "subject": subject},
        )
        return identity.user

    email = str(claims.get("email") or "").strip().lower()
    if not email:
        raise _refuse("no_email", _("%(name)s did not tell us your e-mail address.") % {"name": provider.name})
    if not _email_verified(claims):
        raise _refuse(
            "email_not_verified",
            _("%(name)s has not verified your e-mail address, so it cannot sign you in here.")
            % {"name": provider.name},
        )
    matches = list(
        User.objects.filter(Q(email__iexact=email) | Q(contact__email__iexact=email))
        .exclude(username=AUTOMATION_USERNAME)
        .distinct()[:2]
    )
    if len(matches) > 1:
        raise _refuse(
            "ambiguous_email", _("Several accounts use this e-mail address. Please contact the service desk.")
        )
    created = not matches
    user = matches[0] if matches else _create_user(provider, claims, email)
    _check_may_sign_in(provider, user)
    ExternalIdentity.objects.create(
        user=user,
        issuer=issuer,
        subject=subject,
        provider_slug=provider.slug,
        email=email,
        last_login_at=timezone.now(),
    )
    audit_record(
        action=AuditAction.SSO_USER_CREATED if created else AuditAction.SSO_LINKED,
        actor=user,
        target=f"user:{user.pk}",
        ip_address=ip_address,
        detail={"provider": provider.slug, "subject": subject, "email": email, "role": str(user.role)},
    )
    return user


def sso_sign_in(*, provider: ProviderConfig, claims: Mapping[str, Any], ip_address: str | None = None) -> User:
    """The account these verified ID-token claims sign in to; a refusal is audited and raised."""
    try:
        return _sign_in(provider=provider, claims=claims, ip_address=ip_address)
    except SignInRefused as refusal:
        # After the rollback, so that the refusal's own record stays.
        audit_record(
            action=AuditAction.SSO_REFUSED,
            actor=None,
            target=f"email:{str(claims.get('email') or '')[:180]}",
            ip_address=ip_address,
            detail={"provider": provider.slug, "subject": str(claims.get("sub", "")), "reason": refusal.code},
        )
        raise


def sso_failure_record(*, provider_slug: str, code: str, ip_address: str | None = None) -> None:
    """Audit a sign-in the protocol checks refused (state, nonce, signature, issuer, exchange)."""
    audit_record(
        action=AuditAction.SSO_REFUSED,
        actor=None,
        target=f"provider:{provider_slug}",
        ip_address=ip_address,
        detail={"provider": provider_slug, "reason": code},
    )
