"""The "Use a macro" form on the ticket page: which macros it offers (the agent's language
first), applying one (page and htmx), and its refusals (inactive macro, stale version, no choice,
customers)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tierdesk.accounts.services import user_set_language
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.choices import HistoryAction, Status
from tierdesk.tickets.models import Comment, HistoryEvent, Macro, Ticket
from tierdesk.tickets.services import macro_create, macro_deactivate
from tierdesk.tickets.tests.api_support import ticket_state
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture
def ticket(personas) -> Ticket:
    return make_ticket(by=personas.customer_a, requester=personas.contact_a, subject="Printer offline on floor 2")


def new_macro(personas: Any, **fields: Any) -> Macro:
    return macro_create(
        by=personas.case_manager,
        **{"name": "Photo please", "language": "en", "body": "Dear {customer_name}, a photo please.", **fields},
    )


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, ticket: Ticket) -> str:
    response = client.get(f"/desk/tickets/{ticket.number}/")
    assert response.status_code == 200
    return str(response.content.decode())


def apply(client: Client, ticket: Ticket, macro: Macro | None, version: int | None = None, **extra: Any) -> Any:
    data = {"version": version or Ticket.objects.get(pk=ticket.pk).version, "macro": macro.pk if macro else ""}
    return client.post(f"/desk/tickets/{ticket.number}/macro/", data, **extra)


# --- the form on the page -------------------------------------------------------------------


def test_the_page_offers_active_macros_in_the_agents_language_first(personas, ticket):
    # given an agent who works in Dutch, and macros in three languages
    user_set_language(user=personas.agent_l1, language="nl")
    english = new_macro(personas, name="Photo please")
    dutch = new_macro(personas, name="Foto graag", language="nl")
    german = new_macro(personas, name="Foto bitte", language="de", is_internal=True)
    old = new_macro(personas, name="Old reply", language="nl")
    macro_deactivate(macro=old, by=personas.admin)
    # when
    html = page(signed_in(personas.agent_l1), ticket)
    # then
    form = html[html.index('data-testid="macro-form"') : html.index("</form>", html.index('data-testid="macro-form"'))]
    assert f'name="version" value="{ticket.version}"' in form
    assert 'data-testid="macro-form-submit"' in form
    positions = [form.index(f'<option value="{macro.pk}"') for macro in (dutch, german, english)]
    assert positions == sorted(positions)
    assert "Old reply" not in form
    assert f'<option value="{german.pk}">Foto bitte (' in form  # marked as an internal note


def test_the_page_has_no_macro_form_without_macros(personas, ticket):
    # given
    macro_deactivate(macro=new_macro(personas), by=personas.admin)
    # when
    html = page(signed_in(personas.agent_l1), ticket)
    # then
    assert 'data-testid="macro-form"' not in html


def test_page_query_count_does_not_grow_with_the_macros(personas, ticket):
    # given
    client = signed_in(personas.case_manager)
    new_macro(personas)
    # (the Followers panel adds 3: its followers, the colleagues and the contacts to add;
    # the Checklist panel 2: its items, the templates to apply; the Custom fields panel 2: the
    # values and the fields that apply; the Appointments panel 3)
    with assert_max_queries(22) as few:
        page(client, ticket)
    for i in range(20):
        new_macro(personas, name=f"Reply {i}", language=("en", "nl", "de")[i % 3])
    # when
    with assert_max_queries(22) as many:
        html = page(client, ticket)
    # then
    assert "Reply 19" in html
    assert len(many.captured_queries) == len(few.captured_queries)


# --- applying -------------------------------------------------------------------------------


def test_applying_a_macro_posts_the_rendered_reply_and_redirects_back(personas, ticket):
    # given
    macro = new_macro(personas, set_status="waiting_customer")
    # when
    response = apply(signed_in(personas.agent_l1), ticket, macro)
    # then
    assert (response.status_code, response["Location"]) == (302, f"/desk/tickets/{ticket.number}/")
    comment = Comment.objects.get(ticket=ticket)
    assert (comment.body, comment.is_internal, comment.channel) == (
        "Dear Anna Vermeulen, a photo please.",
        False,
        "web",
    )
    assert Ticket.objects.get(pk=ticket.pk).status == Status.WAITING
    assert HistoryEvent.objects.get(ticket=ticket, action=HistoryAction.MACRO_APPLIED).new_value == "Photo please"


def test_applying_with_htmx_answers_the_fresh_ticket_with_a_notice(personas, ticket):
    # given
    macro = new_macro(personas, is_internal=True, body="Checked {ticket_number}.")
    # when
    response = apply(signed_in(personas.agent_l1), ticket, macro, headers={"HX-Request": "true"})
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "Macro “Photo please” applied." in html
    assert f"Checked TD#{ticket.number}." in html
    assert Comment.objects.get(ticket=ticket).is_internal is True


def test_an_inactive_macro_is_refused_with_its_code(personas, ticket):
    # given a page read while the macro was still active
    macro = new_macro(personas)
    macro_deactivate(macro=macro, by=personas.admin)
    before = ticket_state(ticket)
    # when
    response = apply(signed_in(personas.agent_l1), ticket, macro, headers={"HX-Request": "true"})
    # then
    assert response.status_code == 422
    assert 'data-error-code="macro.inactive"' in response.content.decode()
    assert ticket_state(ticket) == before


def test_a_stale_version_is_a_conflict(personas, ticket):
    # given
    macro = new_macro(personas)
    client = signed_in(personas.agent_l1)
    client.post(f"/desk/tickets/{ticket.number}/take/", {"version": ticket.version})
    before = ticket_state(ticket)
    # when
    response = apply(client, ticket, macro, version=1)
    # then
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-error-code="ticket.version_conflict"' in html
    assert 'data-testid="reload-link"' in html
    assert ticket_state(ticket) == before


@pytest.mark.parametrize("choice", ["", "999999", "abc"])
def test_no_or_an_unknown_choice_is_invalid_input(personas, ticket, choice):
    # given
    new_macro(personas)
    before = ticket_state(ticket)
    # when
    response = signed_in(personas.agent_l1).post(
        f"/desk/tickets/{ticket.number}/macro/", {"version": ticket.version, "macro": choice}
    )
    # then
    assert response.status_code == 422
    assert 'data-testid="form-invalid"' in response.content.decode()
    assert ticket_state(ticket) == before


def test_customers_cannot_post_the_form(personas, ticket):
    # given
    macro = new_macro(personas)
    before = ticket_state(ticket)
    # when
    response = apply(signed_in(personas.customer_a), ticket, macro)
    # then
    assert response.status_code == 403
    assert ticket_state(ticket) == before
