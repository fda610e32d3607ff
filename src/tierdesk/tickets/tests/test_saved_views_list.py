"""The desk's ticket list at /desk/tickets/: access, columns of the chosen view, sort and
pagination in SQL, a query count that does not grow with tickets or views, the sidebar's counts
fragment, saving, changing and deleting views, and bulk actions on the selection (all or nothing,
a refusal half-way leaves every ticket as it was and names the ticket)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tierdesk.tickets.choices import Priority, Status
from tierdesk.tickets.models import SavedView, Ticket
from tierdesk.tickets.services import ticket_resolve, ticket_update
from tierdesk.tickets.services.views import saved_view_create
from tierdesk.tickets.tests.api_support import ticket_state
from tierdesk.tickets.tests.factories import make_ticket
from tierdesk.tickets.views import ticket_list as list_views

LIST = "/desk/tickets/"
BULK = "/desk/tickets/bulk/"


@pytest.fixture
def agent(client: Client, personas: Any) -> Client:
    client.force_login(personas.agent_l1)
    return client


def make(personas: Any, count: int, prefix: str = "Till") -> list[Ticket]:
    return [
        make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject=f"{prefix} {i}") for i in range(count)
    ]


def row_numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-testid="list-row-(\d+)"', html)]


def flash(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- access ---------------------------------------------------------------------------------------


def test_anonymous_go_to_sign_in_and_customers_to_their_portal(client: Client, personas: Any) -> None:
    assert "/login/" in client.get(LIST)["Location"]
    client.force_login(personas.customer_admin_a)
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/desk/" not in response["Location"]
    assert client.post(BULK, {"action": "set_priority", "numbers": ["1"], "priority": "p1"}).status_code == 403
    assert client.get(f"{LIST}views/counts/").status_code == 302


def test_the_list_shows_tickets_with_the_default_columns_and_a_nav_link(agent: Client, personas: Any) -> None:
    tickets = make(personas, 2)
    response = agent.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert set(row_numbers(html)) == {t.number for t in tickets}
    assert 'data-testid="nav-ticket-list"' in html
    assert 'data-testid="shortcuts-dialog"' in html  # the ? overlay is on every desk page
    assert 'data-testid="sort-priority"' in html


# --- views, columns, sort, pagination ---------------------------------------------------------------


def test_a_view_applies_its_filters_columns_and_sort(agent: Client, personas: Any) -> None:
    tickets = make(personas, 3)
    ticket_update(ticket=tickets[1], by=personas.agent_l1, tags=["till"])
    ticket_resolve(ticket=tickets[0], resolution="Rebooted.", by=personas.agent_l1)
    view = saved_view_create(
        by=personas.agent_l1,
        name="Unresolved newest",
        filters={"status": ["new", "open"]},
        columns=["subject", "tags"],
        sort_field="number",
        sort_direction="desc",
    )
    html = agent.get(LIST, {"view": view.pk}).content.decode()
    assert row_numbers(html) == [tickets[2].number, tickets[1].number]
    assert 'data-testid="priority-' not in html  # the priority column is not in this view
    assert '<span class="badge">till</span>' in html
    # a column header re-sorts without changing the view
    html = agent.get(LIST, {"view": str(view.pk), "sort": "number", "dir": "asc"}).content.decode()
    assert row_numbers(html) == [tickets[1].number, tickets[2].number]


def test_a_colleagues_personal_view_is_not_found(agent: Client, personas: Any) -> None:
    private = saved_view_create(by=personas.agent_l2, name="Private")
    assert agent.get(LIST, {"view": private.pk}).status_code == 404


def test_sort_and_pagination_happen_in_sql(agent: Client, personas: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(list_views, "PAGE_SIZE", 2)
    tickets = make(personas, 5)
    numbers = sorted(t.number for t in tickets)
    pages = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as ctx:
            html = agent.get(LIST, {"sort": "number", "dir": "desc", "page": page}).content.decode()
        pages.append(row_numbers(html))
        listing = [
            q["sql"] for q in ctx.captured_queries if 'FROM "tickets_ticket"' in q["sql"] and "LIMIT" in q["sql"]
        ]
        assert listing, "the page's rows come from one LIMITed query"
        assert 'ORDER BY "tickets_ticket"."number" DESC' in listing[0]
    assert pages == [numbers[::-1][0:2], numbers[::-1][2:4], numbers[::-1][4:5]]


def page_queries(client: Client, **params: str | int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_tickets_or_views(agent: Client, personas: Any) -> None:
    columns = [
        "number",
        "subject",
        "organisation",
        "requester",
        "status",
        "level",
        "priority",
        "assignee",
        "category",
        "tags",
        "due_at",
        "created_at",
        "updated_at",
    ]
    view = saved_view_create(by=personas.agent_l1, name="All columns", columns=columns)
    make(personas, 2)
    few = page_queries(agent, view=view.pk)
    for i, ticket in enumerate(make(personas, 20, prefix="Kiosk")):
        ticket_update(ticket=ticket, by=personas.agent_l1, tags=[f"k{i}"])
    for i in range(6):
        saved_view_create(by=personas.agent_l2, name=f"Shared {i}", filters={"priority": ["p1"]}, is_shared=True)
    many = page_queries(agent, view=view.pk)
    assert many == few
    assert many <= 16


# --- the sidebar's counts ---------------------------------------------------------------------------


def test_counts_fragment_is_live(agent: Client, personas: Any) -> None:
    view = saved_view_create(by=personas.agent_l1, name="Critical", filters={"priority": ["p1"]})
    shared = saved_view_create(by=personas.agent_l2, name="Everything", is_shared=True)
    make(personas, 2)
    html = agent.get(f"{LIST}views/counts/").content.decode()
    assert f'data-testid="view-count-{view.pk}">0<' in html
    assert f'data-testid="view-count-{shared.pk}">2<' in html
    assert 'hx-trigger="every 30s"' in html
    make_ticket(
        by=personas.agent_l1, requester=personas.contact_a, subject="Server down", urgency="high", impact="high"
    )
    html = agent.get(f"{LIST}views/counts/").content.decode()
    assert f'data-testid="view-count-{view.pk}">1<' in html
    assert f'data-testid="view-count-{shared.pk}">3<' in html


# --- saving, changing and deleting views ---------------------------------------------------------------


def test_save_the_current_filter_as_a_view(agent: Client, personas: Any) -> None:
    response = agent.post(
        f"{LIST}views/",
        {
            "name": "Waiting on customers",
            "is_shared": "on",
            "columns": ["subject", "number"],
            "sort_field": "updated_at",
            "sort_direction": "desc",
            "filters": json.dumps({"status": ["waiting"]}),
            "next": f"{LIST}?status=waiting",
        },
    )
    view = SavedView.objects.get(name="Waiting on customers")
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?view={view.pk}"
    assert (view.owner, view.is_shared, view.filters, view.columns) == (
        personas.agent_l1,
        True,
        {"status": ["waiting"]},
        ["subject", "number"],
    )
    assert (view.sort_field, view.sort_direction) == ("updated_at", "desc")


def test_the_save_form_carries_the_current_filters(agent: Client, personas: Any) -> None:
    html = agent.get(LIST, {"f": "1", "status": ["open", "new"], "priority": "p2", "q": "vpn"}).content.decode()
    match = re.search(r'<input type="hidden" name="filters" value="([^"]*)"', html)
    assert match is not None
    assert json.loads(match.group(1).replace("&quot;", '"')) == {
        "status": ["new", "open"],
        "priority": ["p2"],
        "q": "vpn",
    }


def test_saving_with_a_bad_filter_says_why_and_saves_nothing(agent: Client, personas: Any) -> None:
    response = agent.post(
        f"{LIST}views/",
        {
            "name": "Broken",
            "columns": ["number"],
            "sort_field": "number",
            "sort_direction": "asc",
            "filters": json.dumps({"status": ["lost"]}),
            "next": LIST,
        },
    )
    assert response.status_code == 302
    assert SavedView.objects.count() == 0
    assert any("status must be a list of" in m for m in flash(response))


def test_edit_and_delete_a_view_and_only_where_allowed(agent: Client, personas: Any) -> None:
    mine = saved_view_create(by=personas.agent_l1, name="Mine")
    theirs = saved_view_create(by=personas.agent_l2, name="Theirs", is_shared=True)
    form = {
        "name": "Renamed",
        "columns": ["number"],
        "sort_field": "number",
        "sort_direction": "asc",
        "filters": json.dumps({"level": ["second"]}),
    }
    agent.post(f"{LIST}views/{mine.pk}/", form)
    mine.refresh_from_db()
    assert (mine.name, mine.filters, mine.columns) == ("Renamed", {"level": ["second"]}, ["number"])
    # the edit form is offered on own views, not on a colleague's shared one
    assert 'data-testid="edit-view-form"' in agent.get(LIST, {"view": mine.pk}).content.decode()
    assert 'data-testid="edit-view-form"' not in agent.get(LIST, {"view": theirs.pk}).content.decode()
    response = agent.post(f"{LIST}views/{theirs.pk}/", form)
    assert any("Only the owner" in m for m in flash(response))
    agent.post(f"{LIST}views/{theirs.pk}/delete/")
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"
    agent.post(f"{LIST}views/{mine.pk}/delete/")
    assert not SavedView.objects.filter(pk=mine.pk).exists()


# --- bulk actions ---------------------------------------------------------------------------------------


def test_bulk_set_priority_on_the_selection(agent: Client, personas: Any) -> None:
    tickets = make(personas, 3)
    chosen = tickets[:2]
    response = agent.post(
        BULK,
        {"numbers": [t.number for t in chosen], "action": "set_priority", "priority": "p1", "next": f"{LIST}?page=1"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?page=1"
    for ticket in chosen:
        ticket.refresh_from_db()
        assert ticket.priority == Priority.P1
        assert ticket.history.filter(field="priority", new_value=Priority.P1).count() == 1
    tickets[2].refresh_from_db()
    assert tickets[2].priority != Priority.P1
    assert any("2 tickets changed" in m for m in flash(response))


def test_bulk_assign_and_tags(agent: Client, personas: Any) -> None:
    tickets = make(personas, 2)
    numbers = [t.number for t in tickets]
    # an agent may take tickets, not hand them to a colleague (a case manager may)
    refused = agent.post(BULK, {"numbers": numbers, "action": "assign", "assignee": personas.agent_l2.pk})
    assert any("No ticket was changed" in m for m in flash(refused))
    agent.post(BULK, {"numbers": numbers, "action": "assign", "assignee": personas.agent_l1.pk})
    agent.post(BULK, {"numbers": numbers, "action": "add_tags", "tags": "Floor-3, printer"})
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.assignee == personas.agent_l1
        assert sorted(ticket.tags.values_list("name", flat=True)) == ["floor-3", "printer"]


def test_a_bulk_refusal_half_way_changes_nothing_and_names_the_ticket(agent: Client, personas: Any) -> None:
    # given a resolved ticket (first in number order, reopens fine) and an open one (refuses)
    resolved, still_open = make(personas, 2)
    ticket_resolve(ticket=resolved, resolution="Replaced the cable.", by=personas.agent_l1)
    before = [ticket_state(resolved), ticket_state(still_open)]
    # when both are reopened in bulk
    response = agent.post(
        BULK,
        {
            "numbers": [resolved.number, still_open.number],
            "action": "reopen",
            "text": "Cable fails again",
            "next": f"{LIST}?sort=number",
        },
    )
    # then nothing changed, the message names the refusing ticket, and the selection comes back
    assert [ticket_state(resolved), ticket_state(still_open)] == before
    assert Ticket.objects.get(pk=resolved.pk).status == Status.RESOLVED
    messages = flash(response)
    assert any(f"#{still_open.number}" in m and "No ticket was changed" in m for m in messages), messages
    location = response["Location"]
    assert location.startswith(LIST)
    assert f"selected={resolved.number}" in location
    assert f"selected={still_open.number}" in location
    html = agent.get(location).content.decode()
    assert re.search(rf'data-testid="select-{still_open.number}"\s+checked', html)


def test_bulk_refusals_before_any_change(agent: Client, personas: Any) -> None:
    ticket = make(personas, 1)[0]
    response = agent.post(BULK, {"numbers": [], "action": "set_priority", "priority": "p1"})
    assert any("Select at least one ticket" in m for m in flash(response))
    response = agent.post(BULK, {"numbers": [ticket.number, 99999999], "action": "set_priority", "priority": "p1"})
    assert any("#99999999" in m for m in flash(response))
    response = agent.post(BULK, {"numbers": [ticket.number], "action": "resolve", "text": ""})
    assert flash(response)
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.status) != (Priority.P1, Status.RESOLVED)


def test_bulk_next_never_leaves_the_list(agent: Client, personas: Any) -> None:
    ticket = make(personas, 1)[0]
    response = agent.post(
        BULK,
        {"numbers": [ticket.number], "action": "set_priority", "priority": "p2", "next": "https://elsewhere.example/"},
    )
    assert response["Location"] == LIST


def test_merge_is_offered_when_the_service_has_it(agent: Client, personas: Any) -> None:
    from tierdesk.tickets.services.bulk import BulkAction

    make(personas, 1)
    html = agent.get(LIST).content.decode()
    offered = 'value="merge"' in html
    assert offered == ("merge" in {a.value for a in BulkAction})
