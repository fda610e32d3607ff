"""Providers are configured in the admin: the client secret is write-only and stored encrypted,
and an issuer must be https (plain http only on this machine)."""

from __future__ import annotations

from tierdesk.accounts.crypto import decrypt_text
from tierdesk.accounts.models import IdentityProvider

ADD_URL = "/admin/accounts/identityprovider/add/"


def form(**overrides: str) -> dict[str, str]:
    return {
        "name": "Lighthouse ID",
        "slug": "lighthouse",
        "issuer": "https://id.lighthouse.example/realms/desk",
        "client_id": "tierdesk",
        "client_secret": "s3cret-from-the-provider",
        "scopes": "openid email profile",
        "groups_claim": "groups",
        "agent_groups": "tierdesk-agents",
        "allow_customers": "on",
        "is_active": "on",
        **overrides,
    }


def test_an_admin_adds_a_provider_and_its_secret_is_stored_encrypted(client, personas):
    client.force_login(personas.admin)
    response = client.post(ADD_URL, form())
    assert response.status_code == 302
    provider = IdentityProvider.objects.get(slug="lighthouse")
    assert decrypt_text(provider.client_secret_ciphertext) == "s3cret-from-the-provider"
    assert b"s3cret" not in bytes(provider.client_secret_ciphertext)
    change = client.get(f"/admin/accounts/identityprovider/{provider.pk}/change/").content.decode()
    assert "s3cret-from-the-provider" not in change


def test_an_empty_secret_on_edit_keeps_the_stored_one(client, personas):
    client.force_login(personas.admin)
    client.post(ADD_URL, form())
    provider = IdentityProvider.objects.get(slug="lighthouse")
    response = client.post(
        f"/admin/accounts/identityprovider/{provider.pk}/change/", form(client_secret="", name="Lighthouse")
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.name == "Lighthouse"
    assert decrypt_text(provider.client_secret_ciphertext) == "s3cret-from-the-provider"


def test_a_plain_http_issuer_elsewhere_is_refused(client, personas):
    client.force_login(personas.admin)
    response = client.post(ADD_URL, form(issuer="http://id.lighthouse.example"))
    assert response.status_code == 200
    assert "Use an https address" in response.content.decode()
    assert not IdentityProvider.objects.exists()
