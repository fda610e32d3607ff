"""Background jobs of the tickets app: thin wrappers that take ids and scalars, call one service,
and are safe to run twice (the SLA check records each warning and breach once, and does nothing
for a plan that has been replaced)."""

from __future__ import annotations

from django_tasks import task

from tierdesk.tickets.services.sla import ticket_sla_check


@task()
def sla_check(ticket_id: int, sla_version: int) -> list[str]:
    """Returns the ticket fields the check recorded (e.g. "resolution_breached_at")."""
    return ticket_sla_check(ticket_id=ticket_id, sla_version=sla_version)
