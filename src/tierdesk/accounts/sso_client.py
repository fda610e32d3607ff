"""The OpenID Connect relying party, built on Authlib's Django client (ADR 0008).

Authlib does the protocol: discovery, state (kept in the session), nonce, PKCE (S256), the code
exchange, and the ID token's checks (signature against the provider's JWKS, iss, aud, exp, nonce,
at_hash). We add what it leaves to the application: the discovery document's issuer must be the
configured one, an ID token is required, and every failure becomes one `SignInRefused`."""

from __future__ import annotations

from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import DjangoOAuth2App
from authlib.integrations.django_client.integration import DjangoIntegration
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from tierdesk.accounts.errors import SignInRefused
from tierdesk.accounts.sso_providers import ProviderConfig


def _client(provider: ProviderConfig) -> DjangoOAuth2App:
    """A fresh client per request: a provider edited in the admin applies at once, and nothing
    about one provider (cached metadata, keys) can leak into another's sign-in."""
    return DjangoOAuth2App(
        DjangoIntegration(f"tierdesk-sso-{provider.slug}"),
        name=provider.slug,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        server_metadata_url=provider.discovery_url,
        client_kwargs={
            "scope": provider.scopes,
            "code_challenge_method": "S256",
            "default_timeout": settings.TIERDESK_SSO_TIMEOUT_SECONDS,
        },
    )


def _refused(reason: str) -> SignInRefused:
    return SignInRefused(_("Single sign-on failed. Please try again."), code=f"sso.{reason}")


def _checked_metadata(client: DjangoOAuth2App, provider: ProviderConfig) -> None:
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as exc:
        raise _refused("provider_unreachable") from exc
    # OpenID Connect Discovery 1.0, section 4.3: the issuer in the document must be the one we asked.
    if str(metadata.get("issuer", "")).rstrip("/") != provider.issuer.rstrip("/"):
        raise _refused("issuer_mismatch")


def authorization_redirect(request: HttpRequest, provider: ProviderConfig, redirect_uri: str) -> HttpResponse:
    """The redirect to the provider; state, nonce and the PKCE verifier wait in the session."""
    client = _client(provider)
    _checked_metadata(client, provider)
    response: HttpResponse = client.authorize_redirect(request, redirect_uri)
    return response


def verified_claims(request: HttpRequest, provider: ProviderConfig) -> dict[str, Any]:
    """The claims of the provider's ID token for this callback, after every check passed."""
    client = _client(provider)
    _checked_metadata(client, provider)
    try:
        token = client.authorize_access_token(request)
    except OAuthError as exc:
        raise _refused(str(exc.error or "oauth_error").replace(" ", "_")[:40]) from exc
    except (JoseError, AuthlibBaseError) as exc:
        raise _refused("invalid_id_token") from exc
    except (requests.RequestException, ValueError, KeyError) as exc:
        raise _refused("token_exchange_failed") from exc
    userinfo = token.get("userinfo")
    if not userinfo or not userinfo.get("sub"):
        raise _refused("no_id_token")
    return dict(userinfo)
