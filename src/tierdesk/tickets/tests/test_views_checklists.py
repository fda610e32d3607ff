"""The desk's checklist: the ticket page's Checklist panel (add, tick with who and when, reopen,
remove, apply a template, refusals) and the board's "done/total" progress per card, computed in
the board's own queries (the count does not grow with tickets or items)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets.models import ChecklistItem, HistoryEvent, Ticket
from tierdesk.tickets.services import checklist_template_create, ticket_checklist_add, ticket_checklist_toggle
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

BOARD_URL = "/desk/"
BOARD_QUERY_CEILING = 18  # as in test_views_board.py: the progress adds no query


@pytest.fixture
def ticket(personas: Any) -> Ticket:
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a)


@pytest.fixture
def desk(personas: Any) -> Client:
    client = Client()
    client.force_login(personas.agent_l1)
    return client


def post(client: Client, ticket: Ticket, action: str, **data: Any) -> Any:
    version = Ticket.objects.get(pk=ticket.pk).version
    return client.post(f"/desk/tickets/{ticket.number}/{action}/", {"version": version, **data}, HTTP_HX_REQUEST="true")


def texts(ticket: Ticket) -> list[str]:
    return list(ChecklistItem.objects.filter(ticket=ticket).values_list("text", flat=True))


def test_the_panel_adds_ticks_reopens_and_removes(personas, ticket, desk):
    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert 'data-testid="checklist-panel"' in page
    assert "No checklist yet." in page
    response = post(desk, ticket, "checklist_add", text="Swap the disk")
    assert response.status_code == 200
    assert "Checklist item added." in response.content.decode()
    item = ChecklistItem.objects.get(ticket=ticket)
    response = post(desk, ticket, "checklist_toggle", item=item.pk, done="1")
    html = response.content.decode()
    assert f'data-testid="checklist-done-by-{item.pk}"' in html
    assert personas.agent_l1.display_name in html
    assert 'data-testid="checklist-progress">1/1<' in html
    assert ChecklistItem.objects.get(pk=item.pk).done_by == personas.agent_l1
    post(desk, ticket, "checklist_toggle", item=item.pk, done="0")
    assert not ChecklistItem.objects.get(pk=item.pk).is_done
    response = post(desk, ticket, "checklist_remove", item=item.pk)
    assert response.status_code == 200
    assert texts(ticket) == []


def test_the_panel_applies_a_template(personas, ticket, desk):
    template = checklist_template_create(by=personas.admin, name="New starter", items=["Account", "Laptop"])
    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "New starter" in page
    response = post(desk, ticket, "checklist_template", template=template.pk)
    assert response.status_code == 200
    assert "2 items added" in response.content.decode()
    assert texts(ticket) == ["Account", "Laptop"]


def test_refusals_show_the_error_and_change_nothing(personas, ticket, desk):
    [item] = ticket_checklist_add(ticket=ticket, texts=["One"], by=personas.agent_l1)
    blank = post(desk, ticket, "checklist_add", text=" ")
    assert blank.status_code == 422
    stale = desk.post(
        f"/desk/tickets/{ticket.number}/checklist_toggle/",
        {"version": 1, "item": item.pk, "done": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert stale.status_code == 409
    inactive = checklist_template_create(by=personas.admin, name="Old", items=["Fax"], is_active=False)
    refused = post(desk, ticket, "checklist_template", template=inactive.pk)
    assert refused.status_code == 422
    assert "checklist.template_inactive" in refused.content.decode()
    other = make_ticket(by=personas.agent_l1, requester=personas.contact_b)
    [foreign] = ticket_checklist_add(ticket=other, texts=["Elsewhere"], by=personas.agent_l1)
    assert post(desk, ticket, "checklist_remove", item=foreign.pk).status_code == 404
    assert texts(ticket) == ["One"]
    assert texts(other) == ["Elsewhere"]
    assert not ChecklistItem.objects.get(pk=item.pk).is_done


def test_customers_cannot_reach_the_panel(personas, ticket):
    client = Client()
    client.force_login(personas.customer_a)
    before = HistoryEvent.objects.count()
    response = client.post(f"/desk/tickets/{ticket.number}/checklist_add/", {"version": 1, "text": "Mine"})
    assert response.status_code in (302, 403, 404)
    assert texts(ticket) == []
    assert HistoryEvent.objects.count() == before


def _tickets_with_lists(personas: Any, count: int) -> list[Ticket]:
    made = []
    for i in range(count):
        ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject=f"Case {i}")
        if i % 2 == 0:
            items = ticket_checklist_add(ticket=ticket, texts=["A", "B", "C", "D", "E"], by=personas.agent_l1)
            for item in items[:3]:
                ticket_checklist_toggle(ticket=ticket, item_id=item.pk, done=True, by=personas.agent_l1)
        made.append(ticket)
    return made


def test_the_board_shows_progress_for_tickets_with_a_checklist(personas, desk):
    with_list, without = _tickets_with_lists(personas, 2)
    html = desk.get(BOARD_URL).content.decode()
    assert f'data-testid="checklist-progress-{with_list.number}"' in html
    assert "3/5" in html
    assert f'data-testid="checklist-progress-{without.number}"' not in html


def test_the_board_query_count_does_not_grow_with_checklists(personas, desk):
    _tickets_with_lists(personas, 3)
    with assert_max_queries(BOARD_QUERY_CEILING) as few:
        assert desk.get(BOARD_URL).status_code == 200
    _tickets_with_lists(personas, 30)
    with assert_max_queries(BOARD_QUERY_CEILING) as many:
        assert desk.get(BOARD_URL).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    # the progress comes in the column queries, not in the count of the columns
    column_queries = [q["sql"] for q in many.captured_queries if "tickets_checklistitem" in q["sql"]]
    assert column_queries
    assert all("LIMIT" in sql for sql in column_queries)
