"""Which OpenID Connect providers exist: the active `IdentityProvider` rows (admin) plus at most one
described by environment variables (`TIERDESK_OIDC_*`, docs/sso.md). Both become the same
`ProviderConfig`, so the rest of single sign-on has one code path."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from tierdesk.accounts.crypto import decrypt_text
from tierdesk.accounts.models import IdentityProvider, Organisation

logger = logging.getLogger(__name__)

# Plain http is accepted only for a provider on this machine (development, the tests).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class ProviderConfig:
    slug: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"
    groups_claim: str = "groups"
    agent_groups: frozenset[str] = frozenset()
    allow_customers: bool = True
    default_organisation_id: int | None = None

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def issuer_is_acceptable(issuer: str) -> bool:
    """https, or http to a loopback host; no credentials, query or fragment in it."""
    parts = urlsplit(issuer)
    if parts.username or parts.password or parts.query or parts.fragment or not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS)


def _groups(raw: str) -> frozenset[str]:
    return frozenset(g.strip() for g in raw.split(",") if g.strip())


def _from_row(row: IdentityProvider) -> ProviderConfig | None:
    try:
        secret = decrypt_text(row.client_secret_ciphertext) if row.client_secret_ciphertext else ""
    except ValueError:
        # SECRET_KEY / TIERDESK_FIELD_KEY changed: leave the provider out rather than break the sign-in page.
        logger.warning("identity provider %s: the client secret cannot be decrypted; enter it again", row.slug)
        return None
    return ProviderConfig(
        slug=row.slug,
        name=row.name,
        issuer=row.issuer,
        client_id=row.client_id,
        client_secret=secret,
        scopes=row.scopes,
        groups_claim=row.groups_claim,
        agent_groups=_groups(row.agent_groups),
        allow_customers=row.allow_customers,
        default_organisation_id=row.default_organisation_id,
    )


def _from_environment() -> ProviderConfig | None:
    issuer = settings.TIERDESK_OIDC_ISSUER
    if not issuer or not settings.TIERDESK_OIDC_CLIENT_ID:
        return None
    default_name = settings.TIERDESK_OIDC_DEFAULT_ORGANISATION
    default_id = (
        Organisation.objects.filter(name=default_name, is_active=True).values_list("pk", flat=True).first()
        if default_name
        else None
    )
    return ProviderConfig(
        slug=settings.TIERDESK_OIDC_SLUG,
        name=settings.TIERDESK_OIDC_NAME,
        issuer=issuer,
        client_id=settings.TIERDESK_OIDC_CLIENT_ID,
        client_secret=settings.TIERDESK_OIDC_CLIENT_SECRET,
        scopes=settings.TIERDESK_OIDC_SCOPES,
        groups_claim=settings.TIERDESK_OIDC_GROUPS_CLAIM,
        agent_groups=_groups(settings.TIERDESK_OIDC_AGENT_GROUPS),
        allow_customers=settings.TIERDESK_OIDC_ALLOW_CUSTOMERS,
        default_organisation_id=default_id,
    )


def identity_providers() -> list[ProviderConfig]:
    """The providers offered on the sign-in page, in button order; unusable issuers are left out."""
    providers = [p for row in IdentityProvider.objects.filter(is_active=True) if (p := _from_row(row)) is not None]
    from_env = _from_environment()
    if from_env is not None and all(p.slug != from_env.slug for p in providers):
        providers.append(from_env)
    return [p for p in providers if issuer_is_acceptable(p.issuer)]


def identity_provider_get(slug: str) -> ProviderConfig | None:
    return next((p for p in identity_providers() if p.slug == slug), None)
