"""The CSV export with custom field columns: GET /api/v1/tickets/export.csv and
/desk/tickets/export.csv per role, the same filters as the lists, formula injection guarded,
paging by keyset in SQL (every ticket once, across pages), a query count that does not grow with
the rows, and a real stream under ASGI."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client

from tierdesk.accounts.tests.api_support import ROLES, client_for, token_client
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.tickets import export
from tierdesk.tickets.export import ExportPages, csv_safe, export_lines, export_row
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.selectors import ticket_list_for
from tierdesk.tickets.selectors_custom_fields import with_custom_field_values
from tierdesk.tickets.services import ticket_custom_fields_set
from tierdesk.tickets.tests.cf_support import Fields, make_fields
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

API_EXPORT = "/api/v1/tickets/export.csv"
DESK_EXPORT = "/desk/tickets/export.csv"


@pytest.fixture
def fields(personas: Any) -> Fields:
    return make_fields(personas)


def rows_of(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def make_rows(personas: Any, count: int, **values: Any) -> list[Any]:
    tickets = []
    for index in range(count):
        ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject=f"Case {index}")
        ticket_custom_fields_set(
            ticket=ticket, by=personas.agent_l1, values={"asset_tag": f"PC-{index}", "os": "linux", **values}
        )
        tickets.append(ticket)
    return tickets


@pytest.mark.parametrize("who", ROLES)
def test_api_export_is_for_staff(personas, fields, who):
    make_rows(personas, 1)
    response = client_for(getattr(personas, who, None)).get(API_EXPORT)
    if who in ("agent_l1", "case_manager", "admin"):
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="tickets.csv"'
        assert response.streaming
    else:
        assert response.status_code == (401 if who == "anonymous" else 403)


def test_rows_carry_the_custom_field_columns(personas, fields):
    [ticket] = make_rows(personas, 1, cost="1500", owner=personas.case_manager.pk, parts=["fan", "disk"])
    rows = rows_of(token_client(personas.agent_l1).get(API_EXPORT))
    header, row = rows
    assert header[:3] == ["Number", "Subject", "Organisation"]
    assert header[-6:] == ["Asset tag", "Cost", "Broken since", "Operating system", "Parts", "Budget owner"]
    assert row[0] == str(ticket.number)
    assert row[-6:] == ["PC-0", "1500", "", "linux", "disk, fan", personas.case_manager.display_name]


def test_filters_are_those_of_the_list(personas, fields):
    linux = make_rows(personas, 2)
    windows = make_ticket(by=personas.agent_l1, requester=personas.contact_b, subject="Other")
    ticket_custom_fields_set(ticket=windows, by=personas.agent_l1, values={"asset_tag": "W", "os": "windows"})
    client = client_for(personas.agent_l1)
    numbers = {row[0] for row in rows_of(client.get(API_EXPORT, {"cf_os": "linux"}))[1:]}
    assert numbers == {str(t.number) for t in linux}
    by_org = {row[0] for row in rows_of(client.get(API_EXPORT, {"organisation": personas.org_b.pk}))[1:]}
    assert by_org == {str(windows.number)}
    bad = client.get(API_EXPORT, {"cf_os__gte": "x"})
    assert (bad.status_code, bad.json()["code"]) == (422, "custom_field.invalid_filter")
    desk = {row[0] for row in rows_of(client.get(DESK_EXPORT, {"cf_os": "windows"}))[1:]}
    assert desk == {str(windows.number)}


def test_formula_injection_is_defused(personas, fields):
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject='=HYPERLINK("http://x.example")')
    ticket_custom_fields_set(ticket=ticket, by=personas.agent_l1, values={"asset_tag": "@SUM(A1)", "cost": "-5"})
    [_header, row] = rows_of(client_for(personas.agent_l1).get(API_EXPORT))
    assert row[1] == '\'=HYPERLINK("http://x.example")'
    assert row[-6] == "'@SUM(A1)"
    assert row[-5] == "-5"  # a negative number is not a formula


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("-12.5", "-12.5"),
        ("a=b", "a=b"),
    ],
)
def test_csv_safe(cell, safe):
    assert csv_safe(cell) == safe


def test_pages_by_keyset_send_every_ticket_once(personas, fields, monkeypatch):
    monkeypatch.setattr(export, "EXPORT_PAGE", 3)
    tickets = make_rows(personas, 7)
    rows = rows_of(client_for(personas.agent_l1).get(API_EXPORT))[1:]
    assert [row[0] for row in rows] == [str(t.number) for t in sorted(tickets, key=lambda t: t.number)]


def test_query_count_does_not_grow_with_the_rows(personas, fields):
    client = client_for(personas.agent_l1)
    counts = []
    for rows in (2, 25):
        make_rows(personas, rows, owner=personas.admin.pk, parts=["fan"])
        # Session, user, the export's field columns, the filter's fields, then two per page
        # (the page's columns, its custom field values).
        with assert_max_queries(6) as captured:
            response = client.get(API_EXPORT, {"cf_os": "linux"})
            assert len(rows_of(response)) > rows
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_page_cells_are_those_of_the_ticket_objects(personas, fields):
    """The page reads columns, not model instances; every cell must come out as the ticket
    object with its prefetched values gives it (names, labels, numbers, dates, users)."""
    [full] = make_rows(
        personas, 1, cost="12.50", since="2026-03-04", owner=personas.case_manager.pk, parts=["screen", "disk"]
    )
    Ticket.objects.filter(pk=full.pk).update(assignee=personas.agent_l1, category=fields.hardware)
    bare = make_ticket(by=personas.agent_l1, requester=personas.contact_b, subject="-bare")
    Ticket.objects.filter(pk=bare.pk).update(requester=None)
    tickets = ticket_list_for(user=personas.agent_l1)
    pages = ExportPages(user=personas.agent_l1, tickets=tickets)
    rows, after = pages.page(0)
    objects = with_custom_field_values(
        Ticket.objects.select_related("organisation", "requester", "category", "assignee").order_by("number"),
        user=personas.agent_l1,
    )
    assert rows == [export_row(ticket, pages.fields) for ticket in objects]
    assert after is None
    assert rows[0][7:9] == ["Hardware", personas.agent_l1.display_name]
    assert rows[0][-5:] == ["12.5", "2026-03-04", "linux", "disk, screen", personas.case_manager.display_name]
    assert rows[1][3] == ""
    assert rows[1][-6:] == [""] * 6


def test_two_queries_per_page(personas, fields, monkeypatch):
    monkeypatch.setattr(export, "EXPORT_PAGE", 3)
    make_rows(personas, 7, owner=personas.admin.pk, parts=["fan"])
    tickets = ticket_list_for(user=personas.agent_l1)
    with assert_max_queries(7) as captured:  # the field columns, then 3 pages x (columns, values)
        lines = "".join(export_lines(user=personas.agent_l1, tickets=tickets))
    assert len(captured.captured_queries) == 7
    assert lines.count("PC-") == 7


def test_desk_export_is_for_staff(personas, fields):
    make_rows(personas, 1)
    assert client_for(personas.agent_l1).get(DESK_EXPORT).status_code == 200
    assert client_for(personas.customer_a).get(DESK_EXPORT).status_code == 302  # to the portal
    assert Client().get(DESK_EXPORT).status_code == 302  # to sign in


def test_asgi_streams_with_an_async_iterator(personas, fields):
    make_rows(personas, 2)
    client = AsyncClient()
    client.force_login(personas.agent_l1)

    async def fetch() -> tuple[bool, bytes]:
        response = await client.get(DESK_EXPORT)
        assert response.status_code == 200
        chunks = [chunk async for chunk in response.streaming_content]
        return response.is_async, b"".join(chunks)

    is_async, body = async_to_sync(fetch)()
    assert is_async
    assert body.decode().count("PC-") == 2
