"""Concurrent writers on a real PostgreSQL: numbers never collide, version checks hold."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from tierdesk.tickets.errors import TicketVersionConflict
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.services import ticket_create, ticket_take, ticket_update

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across connections need PostgreSQL"),
]

CREATORS = 16
PER_CREATOR = 5


def test_sixteen_concurrent_creators_never_share_a_number(personas):
    barrier = threading.Barrier(CREATORS)

    def create_many(index: int) -> list[int]:
        try:
            barrier.wait(timeout=30)
            return [
                ticket_create(by=personas.agent_l1, requester=personas.contact_a, subject=f"c{index}-{i}").number
                for i in range(PER_CREATOR)
            ]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=CREATORS) as pool:
        numbers = [n for batch in pool.map(create_many, range(CREATORS)) for n in batch]

    assert len(numbers) == CREATORS * PER_CREATOR
    assert len(set(numbers)) == len(numbers)
    assert Ticket.objects.count() == len(numbers)
    # gapless: a committed creation never skips a number
    assert sorted(numbers) == list(range(min(numbers), min(numbers) + len(numbers)))


def test_two_writers_with_the_same_version_one_wins(personas):
    ticket = ticket_create(by=personas.customer_a, subject="Shared")
    version = ticket.version
    barrier = threading.Barrier(2)

    def write(kind: str) -> str:
        try:
            barrier.wait(timeout=30)
            if kind == "take":
                ticket_take(ticket=ticket, by=personas.agent_l1, expected_version=version)
            else:
                ticket_update(ticket=ticket, by=personas.agent_l2, expected_version=version, subject="Edited")
        except TicketVersionConflict:
            return "conflict"
        finally:
            connections.close_all()
        return "ok"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(write, ["take", "edit"]))

    assert outcomes == ["conflict", "ok"]
    assert Ticket.objects.get(pk=ticket.pk).version == version + 1
