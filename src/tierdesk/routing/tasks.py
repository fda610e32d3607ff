"""Background jobs of routing: thin wrappers that take ids, call one service, and are safe to run
twice (a ticket that has an assignee is left alone)."""

from __future__ import annotations

from django_tasks import task

from tierdesk.routing.services_assignment import (
    ticket_auto_assign,
    tickets_assign_after_release,
    tickets_assign_waiting,
)


@task()
def assign_ticket(ticket_id: int) -> int | None:
    """A ticket is new or entered a level: returns the id of the agent who got it, or None."""
    agent = ticket_auto_assign(ticket_id=ticket_id)
    return agent.pk if agent is not None else None


@task()
def assign_waiting(agent_id: int) -> int:
    """An agent became available: returns how many waiting tickets were handed out."""
    return tickets_assign_waiting(agent_id=agent_id)


@task()
def assign_after_release(ticket_id: int) -> int:
    """A ticket was resolved or closed: its assignee's free slot goes to a waiting ticket."""
    return tickets_assign_after_release(ticket_id=ticket_id)
