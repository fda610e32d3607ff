"""When routing acts, through the real events and tasks (immediate queue in the tests): a new
ticket, an escalated one, an agent who becomes available (the waiting tickets, a bounded batch,
head of the queue first), and a slot freed by a resolved ticket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tierdesk.accounts.choices import Level
from tierdesk.routing import subscriptions
from tierdesk.routing.choices import PresenceStatus
from tierdesk.routing.services import presence_set
from tierdesk.routing.services_assignment import tickets_assign_waiting
from tierdesk.routing.tests.factories import make_agent, make_policy
from tierdesk.tickets.choices import HistoryAction, Urgency
from tierdesk.tickets.models import HistoryEvent, Ticket
from tierdesk.tickets.services import ticket_create, ticket_escalate, ticket_resolve, ticket_take
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.usefixtures("no_rules")

Committed = Callable[[], Any]


def assignee_of(ticket: Ticket) -> str | None:
    ticket.refresh_from_db()
    return ticket.assignee.username if ticket.assignee else None


def test_a_new_ticket_is_assigned_after_its_creation_commits(personas: Any, committed: Committed) -> None:
    make_agent("ann")
    make_policy(personas.admin)
    with committed():
        ticket = ticket_create(by=personas.customer_a, subject="VPN drops every hour")
        assert assignee_of(ticket) is None  # not inside the creating transaction
    assert assignee_of(ticket) == "ann"
    # one automatic row, and it triggered nothing more
    assert HistoryEvent.objects.filter(ticket=ticket, action=HistoryAction.ASSIGNED_AUTOMATICALLY).count() == 1


def test_without_a_policy_nothing_happens_and_no_task_is_queued(
    personas: Any, committed: Committed, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_agent("ann")
    make_policy(personas.admin, mode="off")
    queued: list[str] = []
    for name in ("assign_ticket", "assign_after_release", "assign_waiting"):
        task = getattr(subscriptions, name)
        monkeypatch.setattr(subscriptions, name, _Spy(task, name, queued))
    with committed():
        ticket = ticket_create(by=personas.customer_a, subject="VPN drops every hour")
    with committed():
        presence_set(by=personas.agent_l1, agent=personas.agent_l1, status=PresenceStatus.AVAILABLE)
    with committed():
        ticket_resolve(ticket=ticket, resolution="Router replaced.", by=personas.agent_l1)
    assert assignee_of(ticket) is None
    assert queued == []


class _Spy:
    """Records which routing task a subscription would enqueue, then enqueues it."""

    def __init__(self, task: Any, name: str, seen: list[str]) -> None:
        self.task, self.name, self.seen = task, name, seen

    def enqueue(self, **kwargs: Any) -> Any:
        self.seen.append(self.name)
        return self.task.enqueue(**kwargs)


def test_the_spy_sees_a_task_when_a_policy_assigns(
    personas: Any, committed: Committed, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_agent("ann")
    make_policy(personas.admin)
    queued: list[str] = []
    monkeypatch.setattr(subscriptions, "assign_ticket", _Spy(subscriptions.assign_ticket, "assign_ticket", queued))
    with committed():
        ticket_create(by=personas.customer_a, subject="VPN drops every hour")
    assert queued == ["assign_ticket"]


def test_a_ticket_taken_in_its_creating_transaction_stays_with_its_taker(personas: Any, committed: Committed) -> None:
    make_agent("ann")
    make_policy(personas.admin)
    with committed():
        ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
        ticket_take(ticket=ticket, by=personas.agent_l1)
    assert assignee_of(ticket) == "l1"


def test_an_escalated_ticket_is_assigned_at_its_new_level(personas: Any, committed: Committed) -> None:
    ann = make_agent("ann")
    make_agent("sam", level=Level.SECOND)
    make_policy(personas.admin)
    make_policy(personas.admin, name="Second level desk", level=Level.SECOND)
    with committed():
        ticket = ticket_create(by=personas.customer_a, subject="Database locks up")
    assert assignee_of(ticket) == "ann"
    with committed():
        ticket_escalate(ticket=ticket, to_level=Level.SECOND, handover_note="Locks on the order table.", by=ann)
    assert assignee_of(ticket) == "sam"


def test_an_agent_who_becomes_available_gets_the_waiting_tickets(personas: Any, committed: Committed) -> None:
    ann = make_agent("ann", status=PresenceStatus.BREAK)
    make_policy(personas.admin)
    with committed():
        waiting = [ticket_create(by=personas.customer_a, subject=f"Mail bounces {i}") for i in range(3)]
    assert [assignee_of(ticket) for ticket in waiting] == [None, None, None]
    with committed():
        presence_set(by=ann, agent=ann, status=PresenceStatus.AVAILABLE)
    assert [assignee_of(ticket) for ticket in waiting] == ["ann", "ann", "ann"]


def test_the_waiting_batch_is_bounded_and_takes_the_head_of_the_queue(personas: Any) -> None:
    ann = make_agent("ann", status=PresenceStatus.OFFLINE)
    make_policy(personas.admin)
    low = make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency=Urgency.LOW, subject="Low")
    older = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Older")
    newer = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="Newer")
    urgent = make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency=Urgency.HIGH, subject="Urgent")
    assert tickets_assign_waiting(agent_id=ann.pk, limit=2) == 0  # not available: nothing
    presence_set(by=ann, agent=ann, status=PresenceStatus.AVAILABLE)
    assert tickets_assign_waiting(agent_id=ann.pk, limit=2) == 2
    assert [assignee_of(t) for t in (urgent, older, newer, low)] == ["ann", "ann", None, None]


def test_a_resolved_ticket_frees_a_slot_for_a_waiting_one(personas: Any, committed: Committed) -> None:
    ann = make_agent("ann")
    make_policy(personas.admin, max_open_tickets=1)
    with committed():
        first = ticket_create(by=personas.customer_a, subject="Laptop will not start")
        second = ticket_create(by=personas.customer_a, subject="Monitor flickers")
    assert (assignee_of(first), assignee_of(second)) == ("ann", None)
    with committed():
        ticket_resolve(ticket=first, by=ann, resolution="Battery replaced.")
    assert assignee_of(second) == "ann"
