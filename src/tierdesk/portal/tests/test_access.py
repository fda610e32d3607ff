"""Who gets into the portal: contacts in, staff to the desk, anonymous to the sign-in page."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import pytest
from django.test import Client
from tests.personas import Personas

from tierdesk.accounts.models import User
from tierdesk.accounts.tests.factories import UserFactory
from tierdesk.tickets.tests.factories import make_ticket

PORTAL_PAGES = ["/portal/", "/portal/new/", "/portal/tickets/{number}/", "/portal/attachments/1/"]


@pytest.mark.parametrize("page", PORTAL_PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(personas: Personas, page: str) -> None:
    # given a ticket and nobody signed in
    ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a)
    url = page.format(number=ticket.number)

    # when an anonymous visitor opens a portal page
    response = Client().get(url)

    # then they are sent to the sign-in page, coming back afterwards
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("persona", ["agent_l1", "case_manager", "admin"])
@pytest.mark.parametrize("page", PORTAL_PAGES)
def test_staff_are_sent_to_the_desk(
    personas: Personas, login: Callable[[User], Client], persona: str, page: str
) -> None:
    # given a ticket and a signed-in staff member
    ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a)

    # when they open a portal page
    response = login(getattr(personas, persona)).get(page.format(number=ticket.number))

    # then they land on the agent desk instead
    assert response.status_code == 302
    assert response["Location"] == "/desk/"


def test_customer_login_without_a_contact_is_refused(db: None, login: Callable[[User], Client]) -> None:
    # given a customer login that is not linked to any contact
    orphan = cast(User, UserFactory(username="orphan"))

    # when it opens the portal
    response = login(orphan).get("/portal/")

    # then it is refused: there is no organisation to show
    assert response.status_code == 403


def test_contact_of_an_inactive_organisation_is_refused(personas: Personas, login: Callable[[User], Client]) -> None:
    # given organisation A has been deactivated
    personas.org_a.is_active = False
    personas.org_a.save(update_fields=["is_active"])

    # when its contact opens the portal
    response = login(personas.customer_a).get("/portal/")

    # then it is refused
    assert response.status_code == 403


def test_layout_shows_organisation_contact_language_switch_and_sign_out(
    personas: Personas, login: Callable[[User], Client]
) -> None:
    # given a signed-in customer
    client = login(personas.customer_a)

    # when they open the portal
    html = client.get("/portal/").content.decode()

    # then the layout names their organisation and themself, and offers language and sign-out forms
    assert '<span class="portal-organisation" data-testid="organisation-name">Harbour Freight Systems</span>' in html
    assert '<span data-testid="signed-in-contact">Anna Vermeulen</span>' in html
    assert 'data-testid="language-form"' in html
    assert 'name="language"' in html
    assert 'data-testid="logout-form"' in html
    assert "/static/tierdesk/htmx.min.js" in html
