"""The history is append-only: the model, its queryset and the database itself refuse edits."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from tierdesk.tickets.models import HistoryEvent
from tierdesk.tickets.services import ticket_take
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture
def event(personas) -> HistoryEvent:
    ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a)
    ticket_take(ticket=ticket, by=personas.agent_l1)
    return HistoryEvent.objects.filter(ticket=ticket).earliest("at", "id")


def test_model_refuses_update_and_delete(event):
    event.note = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_queryset_refuses_bulk_update_and_delete(event):
    with pytest.raises(PermissionError):
        HistoryEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(PermissionError):
        HistoryEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE tickets_historyevent SET note = 'rewritten'",
        "DELETE FROM tickets_historyevent",
    ],
)
def test_database_refuses_raw_sql(event, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert HistoryEvent.objects.get(pk=event.pk).note == event.note


def test_every_change_names_actor_and_channel(personas):
    ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a)
    ticket_take(ticket=ticket, by=personas.agent_l1, channel="phone")
    rows = list(HistoryEvent.objects.filter(ticket=ticket).values_list("actor__username", "channel", "action", "field"))
    assert rows == [
        ("anna", "portal", "created", ""),
        ("l1", "phone", "changed", "status"),
        ("l1", "phone", "changed", "assignee"),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL flushes with TRUNCATE, unseen by row triggers")
def test_flush_of_transactional_tests_keeps_the_guard(personas):
    # given history rows on SQLite, where a flush is DELETE
    make_ticket(by=personas.customer_a, requester=personas.contact_a)
    # when the test database is flushed (as after every transactional test)
    call_command("flush", interactive=False, verbosity=0)
    # then it is empty, and the append-only triggers are in place again
    assert HistoryEvent.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tickets_historyevent'")
        assert sorted(row[0] for row in cursor.fetchall()) == ["tickets_history_no_delete", "tickets_history_no_update"]
