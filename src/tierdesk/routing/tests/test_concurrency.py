"""Several workers assigning at once on a real PostgreSQL: the round-robin turn is a single writer
(the policy's row lock), so no turn is handed out twice and the rotation stays exact; the
maximum of open tickets holds across two policies that share agents (the presence row lock)."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections

from tierdesk.routing.services_assignment import ticket_auto_assign
from tierdesk.routing.tests.factories import make_agent, make_policy
from tierdesk.tickets.choices import HistoryAction
from tierdesk.tickets.models import Category, HistoryEvent, Ticket
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks across connections need PostgreSQL"),
    pytest.mark.postgres_only,
]

WORKERS = 8
TICKETS = 60


def assign_all(ticket_ids: list[int]) -> list[int | None]:
    """Each of WORKERS threads (own connection) assigns its share of the tickets, all at once."""
    barrier = threading.Barrier(WORKERS)
    shares = [ticket_ids[i::WORKERS] for i in range(WORKERS)]

    def work(share: list[int]) -> list[int | None]:
        try:
            barrier.wait(timeout=30)
            results = []
            for ticket_id in share:
                agent = ticket_auto_assign(ticket_id=ticket_id)
                results.append(agent.pk if agent else None)
            return results
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return [agent for batch in pool.map(work, shares) for agent in batch]


def test_concurrent_workers_never_hand_out_the_same_round_robin_turn(personas: Any) -> None:
    agents = [make_agent(f"rr{i}") for i in range(3)]
    # the tickets first: these transactions commit, and with a policy their creation would assign them
    ids = [make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject=f"T{i}").pk for i in range(TICKETS)]
    make_policy(personas.admin)

    winners = assign_all(ids)

    assert None not in winners
    assert Counter(winners) == {agent.pk: TICKETS // 3 for agent in agents}
    # the turns, in the order they were taken (history ids grow under the policy lock), rotate exactly
    order = list(
        HistoryEvent.objects.filter(action=HistoryAction.ASSIGNED_AUTOMATICALLY)
        .order_by("id")
        .values_list("new_value", flat=True)
    )
    assert order == [agent.username for agent in agents] * (TICKETS // 3)
    assert not Ticket.objects.filter(assignee__isnull=True).exists()


def test_the_maximum_holds_when_two_policies_share_the_agents_concurrently(personas: Any) -> None:
    agents = [make_agent(f"mx{i}") for i in range(3)]
    printing = Category.objects.create(name="Printing")
    ids = [
        make_ticket(
            by=personas.agent_l1,
            requester=personas.contact_a,
            subject=f"T{i}",
            category=printing if i % 2 else None,
        ).pk
        for i in range(20)
    ]
    make_policy(personas.admin, max_open_tickets=4)
    make_policy(personas.admin, name="Printing queue", category_id=printing.pk, max_open_tickets=4)

    winners = assign_all(ids)

    counts = Counter(Ticket.objects.filter(assignee__isnull=False).values_list("assignee_id", flat=True))
    assert counts == {agent.pk: 4 for agent in agents}  # 12 assigned, nobody above 4
    assert winners.count(None) == 8
