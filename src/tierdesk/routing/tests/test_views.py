"""The presence switch in the desk header: loaded by htmx into every staff page (which pays no
query for it), set with one POST that answers with the switch again; a page for browsers without
JavaScript; customers and anonymous visitors have none."""

from __future__ import annotations

from typing import Any

import pytest

from tierdesk.accounts.tests.api_support import client_for
from tierdesk.routing.choices import PresenceStatus
from tierdesk.routing.models import AgentPresence, PresenceChange

URL = "/desk/routing/presence/"
HTMX = {"HX-Request": "true"}


def test_staff_pages_carry_the_slot_customers_pages_do_not(personas: Any) -> None:
    desk = client_for(personas.agent_l1).get("/desk/").content.decode()
    assert 'data-testid="presence-slot"' in desk
    assert f'hx-get="{URL}"' in desk
    portal = client_for(personas.customer_a).get("/portal/", follow=True).content.decode()
    assert "presence-slot" not in portal


def test_the_fragment_shows_the_current_presence(personas: Any) -> None:
    AgentPresence.objects.create(
        user=personas.agent_l1, status=PresenceStatus.LUNCH, reason="Canteen", changed_at="2026-01-05T12:00:00Z"
    )
    response = client_for(personas.agent_l1).get(URL, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="presence-switch"' in html
    assert 'data-status="lunch"' in html
    assert '<option value="lunch" selected>' in html
    assert 'value="Canteen"' in html
    assert "<html" not in html  # a fragment


def test_posting_sets_the_presence_and_answers_with_the_switch(personas: Any) -> None:
    response = client_for(personas.agent_l1).post(URL, {"status": "available", "reason": ""}, headers=HTMX)
    assert response.status_code == 200
    assert 'data-status="available"' in response.content.decode()
    assert AgentPresence.objects.get(user=personas.agent_l1).status == PresenceStatus.AVAILABLE
    assert PresenceChange.objects.filter(user=personas.agent_l1, changed_by=personas.agent_l1).count() == 1


@pytest.mark.parametrize("data", [{"status": "asleep"}, {"status": "break", "reason": "x" * 201}])
def test_invalid_input_answers_422_with_the_error_in_the_switch(personas: Any, data: dict[str, str]) -> None:
    response = client_for(personas.agent_l1).post(URL, data, headers=HTMX)
    assert response.status_code == 422
    assert 'data-testid="presence-error"' in response.content.decode()
    assert not PresenceChange.objects.exists()


def test_without_javascript_the_page_sets_and_comes_back(personas: Any) -> None:
    client = client_for(personas.agent_l1)
    page = client.get(URL)
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    assert "presence-slot" not in page.content.decode()  # the page has the switch itself
    response = client.post(URL, {"status": "meeting", "reason": "Team meeting"})
    assert (response.status_code, response["Location"]) == (302, URL)
    assert AgentPresence.objects.get(user=personas.agent_l1).reason == "Team meeting"


def test_customers_are_refused_and_anonymous_visitors_sent_to_sign_in(personas: Any) -> None:
    assert client_for(personas.customer_a).get(URL).status_code == 403
    assert client_for(personas.customer_a).post(URL, {"status": "available"}).status_code == 403
    anonymous = client_for(personas.anonymous).get(URL)
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]
    assert not AgentPresence.objects.exists()
