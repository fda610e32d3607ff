"""Background jobs of the tickets app: thin wrappers that take ids and scalars, call one service,
and are safe to run twice (the SLA check records each warning and breach once, and does nothing
for a plan that has been replaced; a rule fires once per ticket state)."""

from __future__ import annotations

from django_tasks import task

from tierdesk.tickets.automation import engine
from tierdesk.tickets.automation.dispatch import Chain
from tierdesk.tickets.services.appointments import appointment_start
from tierdesk.tickets.services.sla import ticket_sla_check

# Timers wait in the queue by the tens of thousands (one or more per open ticket). Below the tasks
# that are due at once (evaluations, mails), so that claiming one of those never scans past them
# (bench/sla.py: a claim fell from ~50 ms to ~3 ms on PostgreSQL with 86,000 waiting timers).
TIMER_PRIORITY = -10


@task(priority=TIMER_PRIORITY)
def sla_check(ticket_id: int, sla_version: int) -> list[str]:
    """Returns the ticket fields the check recorded (e.g. "resolution_breached_at")."""
    return ticket_sla_check(ticket_id=ticket_id, sla_version=sla_version)


@task()
def rules_evaluate(ticket_id: int, actions: list[str], depth: int = 0, chain_id: str = "") -> list[int]:
    """After a change: returns the ids of the rules that fired."""
    return engine.evaluate_ticket(ticket_id=ticket_id, actions=actions, chain=Chain(chain_id, depth))


@task(priority=TIMER_PRIORITY)
def rule_timer_due(ticket_id: int, rule_id: int, token: int) -> bool:
    """A time rule's timer: returns whether the rule fired."""
    return engine.timer_due(ticket_id=ticket_id, rule_id=rule_id, token=token)


@task()
def rule_plan(rule_id: int) -> int:
    """After a time rule was created or changed: returns how many tickets were planned."""
    return engine.plan_rule(rule_id=rule_id)


@task(priority=TIMER_PRIORITY)
def appointment_due(appointment_id: int, token: int) -> bool:
    """An appointment's start timer: returns whether it took the parked ticket back into work
    (nothing when the appointment moved or was cancelled, `token` being its old version)."""
    return appointment_start(appointment_id=appointment_id, token=token)
