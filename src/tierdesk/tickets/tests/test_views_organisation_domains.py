"""The e-mail domains on the desk's organisation page (single sign-on places new customers by
them): staff, who may edit organisations, replace them one per line; the service's refusals (not a
domain, a domain of another organisation) are shown on the form with nothing changed; customers
and anonymous visitors change nothing; the page's query count does not grow with domains."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tierdesk.accounts.models import Organisation, OrganisationDomain
from tierdesk.accounts.schemas import MAX_DOMAINS
from tierdesk.accounts.services import organisation_update
from tierdesk.accounts.tests.api_support import client_for
from tierdesk.core.testing.queries import assert_max_queries

pytestmark = pytest.mark.django_db


def page_url(organisation: Organisation) -> str:
    return f"/desk/organisations/{organisation.pk}/"


def domains_url(organisation: Organisation) -> str:
    return f"/desk/organisations/{organisation.pk}/domains/"


def domains_of(organisation: Organisation) -> list[str]:
    return sorted(OrganisationDomain.objects.filter(organisation=organisation).values_list("domain", flat=True))


def every_domain() -> list[tuple[int, str]]:
    return sorted(OrganisationDomain.objects.values_list("organisation_id", "domain"))


@pytest.fixture
def domains(personas: Any) -> None:
    organisation_update(by=personas.admin, organisation=personas.org_a, domains=["harbour.example"])
    organisation_update(by=personas.admin, organisation=personas.org_b, domains=["fjordline.example"])


@pytest.mark.parametrize("who", ["agent_l1", "agent_l2", "case_manager", "admin"])
def test_staff_see_the_domains_and_replace_them_one_per_line(personas, domains, who):
    client = client_for(getattr(personas, who))
    page = client.get(page_url(personas.org_a)).content.decode()
    assert "<li><code>harbour.example</code></li>" in page
    assert 'data-testid="organisation-domains-form"' in page
    assert "harbour.example</textarea>" in page
    response = client.post(
        domains_url(personas.org_a), {"domains": "@Harbour-Freight.EXAMPLE.\r\n\r\n  mail.harbour.example \n"}
    )
    assert (response.status_code, response["Location"]) == (302, page_url(personas.org_a))
    assert domains_of(personas.org_a) == ["harbour-freight.example", "mail.harbour.example"]
    assert domains_of(personas.org_b) == ["fjordline.example"]
    page = client.get(page_url(personas.org_a)).content.decode()
    assert "E-mail domains saved." in page
    assert "<li><code>mail.harbour.example</code></li>" in page


def test_an_empty_form_removes_every_domain(personas, domains):
    response = client_for(personas.agent_l1).post(domains_url(personas.org_a), {"domains": "\n  \n"})
    assert response.status_code == 302
    assert domains_of(personas.org_a) == []
    page = client_for(personas.agent_l1).get(page_url(personas.org_a)).content.decode()
    assert 'data-testid="no-organisation-domains"' in page


@pytest.mark.parametrize(
    ("typed", "code", "message"),
    [
        (
            "harbour.example\nFjordline.example",
            "organisation.domain_taken",
            "The domain fjordline.example belongs to another organisation.",
        ),
        ("harbour.example\nnot a domain", "organisation.invalid_domain", "is not a domain name."),
        ("localhost", "organisation.invalid_domain", "is not a domain name."),
    ],
)
def test_a_refused_domain_is_shown_on_the_form_and_nothing_changes(personas, domains, typed, code, message):
    before = every_domain()
    response = client_for(personas.case_manager).post(domains_url(personas.org_a), {"domains": typed})
    html = response.content.decode()
    assert response.status_code == 422
    assert f'data-error-code="{code}"' in html
    assert message in html
    form = html.split('data-testid="organisation-domains-form"')[1].split("</form>")[0]
    assert '<p class="field-error" role="alert">' in form  # on the form, next to the textarea
    assert f"{typed}</textarea>" in form  # what was typed stays
    assert every_domain() == before


def test_more_domains_than_the_api_takes_are_refused(personas, domains):
    before = every_domain()
    typed = "\n".join(f"site{number}.harbour.example" for number in range(MAX_DOMAINS + 1))
    response = client_for(personas.agent_l1).post(domains_url(personas.org_a), {"domains": typed})
    assert response.status_code == 422
    assert f"At most {MAX_DOMAINS} domains." in response.content.decode()
    assert every_domain() == before


@pytest.mark.parametrize("who", ["customer_a", "customer_admin_a", "customer_b"])
def test_customers_change_nothing(personas, domains, who):
    client = client_for(getattr(personas, who))
    before = every_domain()
    response = client.post(domains_url(personas.org_a), {"domains": "evil.example"})
    assert response.status_code == 403
    page = client.get(page_url(personas.org_a))
    assert (page.status_code, page["Location"]) == (302, "/")  # sent to the portal, not the desk
    assert every_domain() == before


def test_anonymous_visitors_are_sent_to_sign_in(personas, domains):
    before = every_domain()
    response = Client().post(domains_url(personas.org_a), {"domains": "evil.example"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert every_domain() == before


def test_an_unknown_organisation_is_404(personas):
    response = client_for(personas.agent_l1).post("/desk/organisations/999999/domains/", {"domains": "a.example"})
    assert response.status_code == 404
    assert not OrganisationDomain.objects.exists()


def test_only_post_changes_domains(personas, domains):
    assert client_for(personas.agent_l1).get(domains_url(personas.org_a)).status_code == 405
    assert domains_of(personas.org_a) == ["harbour.example"]


def test_the_page_query_count_does_not_grow_with_domains(personas, domains):
    client = client_for(personas.agent_l1)
    with assert_max_queries(10) as few:
        client.get(page_url(personas.org_a))
    organisation_update(
        by=personas.admin,
        organisation=personas.org_a,
        domains=[f"site{number}.harbour.example" for number in range(30)],
    )
    with assert_max_queries(10) as many:
        html = client.get(page_url(personas.org_a)).content.decode()
    assert html.count("<li><code>site") == 30
    assert len(many.captured_queries) == len(few.captured_queries)
