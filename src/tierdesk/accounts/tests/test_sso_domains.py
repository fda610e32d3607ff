"""E-mail domains of organisations (what single sign-on assigns new contacts by): normalised,
one organisation per domain, set through the API by staff only, hidden from customers."""

from __future__ import annotations

import pytest

from tierdesk.accounts.domains import email_domain, normalise_domain
from tierdesk.accounts.models import OrganisationDomain
from tierdesk.accounts.services import organisation_update
from tierdesk.accounts.tests.api_support import client_for, send, token_client
from tierdesk.core.errors import ValidationFailed


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Harbour.Example", "harbour.example"),
        ("@harbour.example.", "harbour.example"),
        (" sub.harbour.example ", "sub.harbour.example"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_domains_are_normalised(raw, expected):
    assert normalise_domain(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "localhost", "harbour..example", "-bad.example", "a b.example", "x" * 64 + ".example"]
)
def test_non_domains_are_refused(raw):
    with pytest.raises(ValueError, match="not a domain name"):
        normalise_domain(raw)


@pytest.mark.parametrize(
    ("email", "domain"),
    [("anna@Harbour.example", "harbour.example"), ("no-at-sign", None), ("@harbour.example", None), ("a@b", None)],
)
def test_email_domain(email, domain):
    assert email_domain(email) == domain


def test_staff_set_domains_through_the_api(personas):
    # when
    response = send(
        client_for(personas.agent_l1),
        "PATCH",
        f"/organisations/{personas.org_a.pk}",
        {"domains": ["Harbour.example", "harbour-freight.example", "harbour.example"]},
    )
    # then
    assert response.status_code == 200, response.json()
    assert response.json()["domains"] == ["harbour-freight.example", "harbour.example"]
    listed = send(client_for(personas.agent_l1), "GET", "/organisations?q=harbour").json()
    assert listed["items"][0]["domains"] == ["harbour-freight.example", "harbour.example"]


def test_a_new_organisation_gets_its_domains(personas):
    response = send(
        token_client(personas.case_manager),
        "POST",
        "/organisations",
        {"name": "Polder Logistics", "domains": ["polder.example"]},
    )
    assert response.status_code == 201
    assert response.json()["domains"] == ["polder.example"]


def test_a_domain_belongs_to_one_organisation_only(personas):
    OrganisationDomain.objects.create(organisation=personas.org_b, domain="fjordline.example")
    response = send(
        client_for(personas.agent_l1),
        "PATCH",
        f"/organisations/{personas.org_a.pk}",
        {"domains": ["FJORDLINE.example"]},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "organisation.domain_taken"
    assert OrganisationDomain.objects.get(domain="fjordline.example").organisation == personas.org_b


def test_an_invalid_domain_is_refused(personas):
    response = send(
        client_for(personas.agent_l1), "PATCH", f"/organisations/{personas.org_a.pk}", {"domains": ["not a domain"]}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "organisation.invalid_domain"


def test_an_empty_list_removes_the_domains(personas):
    OrganisationDomain.objects.create(organisation=personas.org_a, domain="harbour.example")
    organisation_update(by=personas.agent_l1, organisation=personas.org_a, domains=[])
    assert not OrganisationDomain.objects.exists()


@pytest.mark.parametrize("role", ["customer_a", "customer_admin_a", "customer_b", "anonymous"])
def test_customers_and_strangers_cannot_set_domains(personas, role):
    response = send(
        client_for(getattr(personas, role)),
        "PATCH",
        f"/organisations/{personas.org_a.pk}",
        {"domains": ["evil.example"]},
    )
    assert response.status_code in {401, 403, 404}
    assert not OrganisationDomain.objects.exists()


def test_customers_do_not_see_domains(personas):
    OrganisationDomain.objects.create(organisation=personas.org_a, domain="harbour.example")
    body = send(client_for(personas.customer_admin_a), "GET", f"/organisations/{personas.org_a.pk}").json()
    assert "domains" not in body


def test_the_service_refuses_a_taken_domain(personas):
    OrganisationDomain.objects.create(organisation=personas.org_b, domain="fjordline.example")
    with pytest.raises(ValidationFailed) as error:
        organisation_update(by=personas.agent_l1, organisation=personas.org_a, domains=["fjordline.example"])
    assert error.value.code == "organisation.domain_taken"
