"""The history is append-only: the model, its queryset and the database itself refuse edits."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from tierdesk.tickets.models import HistoryEvent
from tierdesk.tickets.services import ticket_take
from tierdesk.tickets.tests.factories import make_ticket


@pytest.fixture
def event(personas) -> HistoryEvent:
    ticket = make_ticket(by=personas.customer_a, requester=personas.contact_a)
    ticket_take(ticket=ticket, by=personas.agent_l1)
    return HistoryEvent.objects.filter(ticket=ticket).first()


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
