"""Links and child tickets under concurrent writers on a real PostgreSQL: the locks on both
tickets, in id order, let no cycle and no second copy of a link through."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections

from tierdesk.core.errors import DomainError
from tierdesk.tickets.models import Ticket, TicketLink
from tierdesk.tickets.services import ticket_link_add, ticket_set_parent
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across connections need PostgreSQL"),
]

ROUNDS = 10


def race(*calls: Callable[[], Any]) -> list[str]:
    """Start the calls at the same instant, each on its own connection; their outcomes, sorted."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> str:
        try:
            barrier.wait(timeout=30)
            call()
        except DomainError as error:
            return error.code
        finally:
            connections.close_all()
        return "ok"

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return sorted(pool.map(run, calls))


def test_two_tickets_put_under_each_other_at_once_make_no_cycle(personas):
    for _ in range(ROUNDS):
        a = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="A")
        b = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="B")
        outcomes = race(
            lambda a=a, b=b: ticket_set_parent(ticket=a, parent=b, by=personas.agent_l1),
            lambda a=a, b=b: ticket_set_parent(ticket=b, parent=a, by=personas.agent_l2),
        )
        assert outcomes == ["ok", "ticket.parent_nested"]
        parents = {Ticket.objects.get(pk=a.pk).parent_id, Ticket.objects.get(pk=b.pk).parent_id}
        assert None in parents


def test_the_same_link_added_from_both_sides_at_once_is_stored_once(personas):
    for _ in range(ROUNDS):
        a = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="A")
        b = make_ticket(by=personas.agent_l1, requester=personas.contact_b, subject="B")
        outcomes = race(
            lambda a=a, b=b: ticket_link_add(ticket=a, other=b, kind="duplicate_of", by=personas.agent_l1),
            lambda a=a, b=b: ticket_link_add(ticket=b, other=a, kind="duplicates", by=personas.agent_l2),
        )
        assert outcomes == ["link.exists", "ok"]
        assert TicketLink.objects.filter(from_ticket=a, to_ticket=b).count() == 1
