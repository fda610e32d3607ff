"""Single sign-on against a real OpenID provider on 127.0.0.1 (oidc_provider.py), not a mock:
our login URL redirects to its /authorize, which sends the browser back with a code; our callback
exchanges the code at its /token over HTTP and checks the ID token against its /jwks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from django.http import HttpResponse
from django.test import Client

from tierdesk.accounts.choices import AuditAction, Role
from tierdesk.accounts.crypto import encrypt_text
from tierdesk.accounts.models import (
    AgentProfile,
    AuditEntry,
    Contact,
    ExternalIdentity,
    IdentityProvider,
    OrganisationDomain,
    User,
)
from tierdesk.accounts.tests.factories import OrganisationFactory
from tierdesk.accounts.tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, LocalProvider, running_provider
from tierdesk.accounts.tests.totp_support import enrol, next_code

SLUG = "test-idp"
START_URL = f"/login/sso/{SLUG}/"
CALLBACK_PATH = f"/login/sso/{SLUG}/callback/"


def identity(**claims: Any) -> dict[str, Any]:
    return {
        "sub": "idp-user-1",
        "email": "dirk@harbour.example",
        "email_verified": True,
        "name": "Dirk Visser",
        "given_name": "Dirk",
        "family_name": "Visser",
        **claims,
    }


@pytest.fixture
def provider() -> Iterator[LocalProvider]:
    with running_provider(identity()) as running:
        yield running


@pytest.fixture
def idp(provider: LocalProvider, personas: Any) -> IdentityProvider:
    OrganisationDomain.objects.create(organisation=personas.org_a, domain="harbour.example")
    return IdentityProvider.objects.create(
        slug=SLUG,
        name="Lighthouse ID",
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_secret_ciphertext=encrypt_text(CLIENT_SECRET),
        agent_groups="tierdesk-agents",
    )


def to_provider_and_back(
    client: Client, provider: LocalProvider, *, start_url: str = START_URL, slug: str = SLUG
) -> str:
    """Our start URL, then the provider's /authorize over real HTTP; returns our callback URL."""
    start = client.get(start_url)
    assert start.status_code == 302, start.content
    authorize = start["Location"]
    assert authorize.startswith(f"{provider.issuer}/authorize?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["code_challenge_method"] == ["S256"]
    assert query["nonce"][0]
    assert query["state"][0]
    hop = httpx.get(authorize, follow_redirects=False)
    assert hop.status_code == 302
    back = urlsplit(hop.headers["location"])
    assert (back.netloc, back.path) == ("testserver", f"/login/sso/{slug}/callback/")
    return f"{back.path}?{back.query}"


def sign_in_with_sso(client: Client, provider: LocalProvider) -> Any:
    return client.get(to_provider_and_back(client, provider))


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def refusal_code(response: HttpResponse) -> str:
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="sso-refused"' in html
    return html.split('data-code="', 1)[1].split('"', 1)[0]


def test_sign_in_page_offers_the_provider(client, idp):
    html = client.get("/login/").content.decode()
    assert f'href="{START_URL}"' in html
    assert "Sign in with Lighthouse ID" in html


def test_a_new_customer_signs_in_and_joins_the_organisation_of_their_domain(client, provider, idp, personas):
    # when
    response = sign_in_with_sso(client, provider)
    # then signed in, through a real code exchange and key fetch
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "POST /token" in provider.requests_seen
    assert "GET /jwks" in provider.requests_seen
    user = signed_in_user(client)
    assert user is not None
    assert user.role == Role.CUSTOMER
    assert user.email == "dirk@harbour.example"
    assert not user.has_usable_password()
    contact = Contact.objects.get(user=user)
    assert contact.organisation == personas.org_a
    assert contact.name == "Dirk Visser"
    assert ExternalIdentity.objects.get(user=user).subject == "idp-user-1"
    assert AuditEntry.objects.filter(action=AuditAction.SSO_USER_CREATED, actor=user).exists()
    assert client.get("/")["Location"].startswith("/portal/")


def test_the_second_sign_in_finds_the_same_account(client, provider, idp):
    sign_in_with_sso(client, provider)
    first = signed_in_user(client)
    client.post("/logout/")
    # when
    response = sign_in_with_sso(client, provider)
    # then
    assert response.status_code == 302
    assert signed_in_user(client) == first
    assert User.objects.filter(email="dirk@harbour.example").count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.SSO_SIGNED_IN, actor=first).count() == 1


def test_a_verified_address_links_the_existing_account(client, provider, idp, personas):
    # given the provider vouches for the address of an existing customer
    provider.identity = identity(sub="idp-anna", email="Anna@Harbour.example")
    # when
    response = sign_in_with_sso(client, provider)
    # then
    assert response.status_code == 302
    assert signed_in_user(client) == personas.customer_a
    assert ExternalIdentity.objects.get(subject="idp-anna").user == personas.customer_a
    assert AuditEntry.objects.filter(action=AuditAction.SSO_LINKED, actor=personas.customer_a).exists()


@pytest.mark.parametrize("verified", [False, "false", None])
def test_an_unverified_address_never_takes_over_an_existing_account(client, provider, idp, personas, verified):
    # given the staff member l1's address, not verified by the provider (the account takeover of the security catalogue)
    provider.identity = identity(sub="attacker", email=personas.agent_l1.email, email_verified=verified)
    # when
    response = sign_in_with_sso(client, provider)
    # then
    assert refusal_code(response) == "sso.email_not_verified"
    assert signed_in_user(client) is None
    assert not ExternalIdentity.objects.exists()
    refusal = AuditEntry.objects.get(action=AuditAction.SSO_REFUSED)
    assert refusal.detail["reason"] == "sso.email_not_verified"


def test_an_unverified_address_does_not_pick_an_organisation_either(client, provider, idp):
    provider.identity = identity(email_verified=False)
    response = sign_in_with_sso(client, provider)
    assert refusal_code(response) == "sso.email_not_verified"
    assert not User.objects.filter(email="dirk@harbour.example").exists()


def test_an_unknown_domain_is_refused_with_a_clear_message(client, provider, idp):
    provider.identity = identity(email="eve@unknown-domain.example")
    response = sign_in_with_sso(client, provider)
    assert refusal_code(response) == "sso.unknown_domain"
    assert "belongs to no customer" in response.content.decode()
    assert not User.objects.filter(email="eve@unknown-domain.example").exists()


def test_an_unknown_domain_lands_in_the_default_organisation_when_one_is_set(client, provider, idp):
    fallback = OrganisationFactory(name="Walk-in Customers")
    idp.default_organisation = fallback
    idp.save()
    provider.identity = identity(email="eve@unknown-domain.example")
    response = sign_in_with_sso(client, provider)
    assert response.status_code == 302
    assert Contact.objects.get(email="eve@unknown-domain.example").organisation == fallback


def test_a_member_of_the_agent_group_becomes_an_agent(client, provider, idp):
    provider.identity = identity(sub="idp-agent", email="pim@tierdesk-staff.example", groups=["tierdesk-agents"])
    response = sign_in_with_sso(client, provider)
    assert response.status_code == 302
    user = signed_in_user(client)
    assert user is not None
    assert user.role == Role.AGENT
    assert AgentProfile.objects.filter(user=user).exists()
    assert not Contact.objects.filter(user=user).exists()
    assert client.get("/")["Location"] == "/desk/"


def test_other_groups_do_not_make_staff(client, provider, idp):
    provider.identity = identity(groups=["tierdesk-agents-not", "everyone"])
    sign_in_with_sso(client, provider)
    user = signed_in_user(client)
    assert user is not None
    assert user.role == Role.CUSTOMER


def test_the_agent_group_with_an_unverified_address_makes_nobody_staff(client, provider, idp):
    provider.identity = identity(email="pim@tierdesk-staff.example", email_verified=False, groups=["tierdesk-agents"])
    response = sign_in_with_sso(client, provider)
    assert refusal_code(response) == "sso.email_not_verified"
    assert not User.objects.filter(role=Role.AGENT, email="pim@tierdesk-staff.example").exists()


def test_a_wrong_state_is_refused(client, provider, idp):
    callback = to_provider_and_back(client, provider)
    path, _sep, query = callback.partition("?")
    params = {k: v[0] for k, v in parse_qs(query).items()}
    params["state"] = "forged-state"
    response = client.get(f"{path}?{urlencode(params)}")
    assert refusal_code(response) == "sso.mismatching_state"
    assert signed_in_user(client) is None
    assert "POST /token" not in provider.requests_seen


def test_a_callback_cannot_be_replayed(client, provider, idp):
    callback = to_provider_and_back(client, provider)
    client.get(callback)
    client.post("/logout/")
    response = client.get(callback)
    assert refusal_code(response) == "sso.mismatching_state"
    assert signed_in_user(client) is None


def test_a_callback_from_another_browser_is_refused(client, provider, idp):
    # given the provider's answer to one browser's sign-in, delivered to another one (login CSRF)
    callback = to_provider_and_back(client, provider)
    victim = Client()
    response = victim.get(callback)
    assert refusal_code(response) == "sso.mismatching_state"
    assert "_auth_user_id" not in victim.session


@pytest.mark.parametrize("tamper", ["nonce", "signature", "audience", "expired", "issuer_claim"])
def test_an_id_token_that_fails_a_check_is_refused(client, provider, idp, tamper):
    provider.tamper = tamper
    response = sign_in_with_sso(client, provider)
    assert refusal_code(response) == "sso.invalid_id_token"
    assert signed_in_user(client) is None
    assert not User.objects.filter(email="dirk@harbour.example").exists()
    assert AuditEntry.objects.filter(action=AuditAction.SSO_REFUSED, detail__reason="sso.invalid_id_token").exists()


def test_a_discovery_document_for_another_issuer_is_refused(client, provider, idp):
    provider.tamper = "discovery_issuer"
    response = client.get(START_URL)
    assert refusal_code(response) == "sso.issuer_mismatch"


def test_an_unreachable_provider_is_refused_politely(client, idp):
    idp.issuer = "http://127.0.0.1:9"  # discard port: nothing listens
    idp.save()
    response = client.get(START_URL)
    assert refusal_code(response) == "sso.provider_unreachable"


def test_customers_are_refused_when_the_provider_is_for_staff_only(client, provider, idp):
    idp.allow_customers = False
    idp.save()
    response = sign_in_with_sso(client, provider)
    assert refusal_code(response) == "sso.customers_not_allowed"


def test_an_unknown_or_inactive_provider_is_not_found(client, idp):
    assert client.get("/login/sso/nobody/").status_code == 404
    idp.is_active = False
    idp.save()
    assert client.get(START_URL).status_code == 404


def test_a_safe_next_is_followed_and_an_unsafe_one_ignored(client, provider, idp):
    response = client.get(to_provider_and_back(client, provider, start_url=f"{START_URL}?next=/portal/"))
    assert response["Location"] == "/portal/"
    client.post("/logout/")
    response = client.get(to_provider_and_back(client, provider, start_url=f"{START_URL}?next=https://evil.example/"))
    assert response["Location"] == "/"


def test_an_http_issuer_elsewhere_than_this_machine_is_not_offered(client, idp):
    idp.issuer = "http://idp.example"
    idp.save()
    assert "Lighthouse ID" not in client.get("/login/").content.decode()
    assert client.get(START_URL).status_code == 404


def test_staff_with_an_authenticator_still_give_their_code_after_single_sign_on(client, provider, idp, personas):
    # given an agent with an authenticator, whose address the provider vouches for
    secret, _codes = enrol(personas.agent_l1)
    provider.identity = identity(sub="idp-l1", email=personas.agent_l1.email)
    # when
    response = sign_in_with_sso(client, provider)
    # then the provider's word is not enough (ADR 0008: we do not trust `amr`)
    assert response["Location"] == "/login/two-factor/"
    assert signed_in_user(client) is None
    response = client.post("/login/two-factor/", {"code": next_code(personas.agent_l1, secret)})
    assert response["Location"] == "/"
    assert signed_in_user(client) == personas.agent_l1


def test_when_required_a_new_agent_from_single_sign_on_sets_up_an_authenticator_first(client, provider, idp, settings):
    settings.TIERDESK_REQUIRE_AGENT_2FA = True
    provider.identity = identity(sub="idp-agent", email="pim@tierdesk-staff.example", groups=["tierdesk-agents"])
    response = sign_in_with_sso(client, provider)
    assert response["Location"] == "/account/two-factor/"
    assert signed_in_user(client) is None
    assert client.get("/desk/")["Location"].startswith("/login/")


def test_when_required_a_customer_from_single_sign_on_is_not_asked(client, provider, idp, settings):
    settings.TIERDESK_REQUIRE_AGENT_2FA = True
    response = sign_in_with_sso(client, provider)
    assert response["Location"] == "/"
    assert signed_in_user(client) is not None


def test_a_secret_that_no_longer_decrypts_hides_the_provider_instead_of_breaking_the_page(client, idp):
    idp.client_secret_ciphertext = b"garbage-from-an-old-key"
    idp.save()
    response = client.get("/login/")
    assert response.status_code == 200
    assert "Lighthouse ID" not in response.content.decode()


def test_a_provider_from_the_environment_signs_in_the_same_way(client, provider, personas, settings):
    # given no provider row, only the environment's (as config/settings.py reads it)
    OrganisationDomain.objects.create(organisation=personas.org_a, domain="harbour.example")
    settings.TIERDESK_OIDC_ISSUER = provider.issuer
    settings.TIERDESK_OIDC_CLIENT_ID = CLIENT_ID
    settings.TIERDESK_OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.TIERDESK_OIDC_NAME = "Company ID"
    assert "Sign in with Company ID" in client.get("/login/").content.decode()
    # when
    response = client.get(to_provider_and_back(client, provider, start_url="/login/sso/oidc/", slug="oidc"))
    # then
    assert response.status_code == 302
    user = signed_in_user(client)
    assert user is not None
    assert Contact.objects.get(user=user).organisation == personas.org_a
    assert ExternalIdentity.objects.get(user=user).provider_slug == "oidc"
