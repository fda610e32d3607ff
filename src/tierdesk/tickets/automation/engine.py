"""The rules engine: after a change, run the event rules that listen for it and (re)plan the
timers of the time rules; when a timer is due, run its rule. A rule fires when all its conditions
hold and it has not fired for the ticket's current state yet (state.py); its actions run as the
automation user in one transaction with the record of the firing, so that a task run again after
a killed worker finds the firing and does nothing twice.

A rule whose action fails (e.g. escalating a ticket that is resolved meanwhile) is recorded as a
failed firing, its actions rolled back, and not tried again in the same state. A chain of rules
that keeps changing the ticket stops at TIERDESK_RULE_CHAIN_LIMIT with an error in the log."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import default_task_backend

from tierdesk.accounts.services import automation_user
from tierdesk.core.errors import DomainError
from tierdesk.sla.models import BusinessCalendar
from tierdesk.tickets import history
from tierdesk.tickets.automation.actions import run_actions
from tierdesk.tickets.automation.conditions import holds
from tierdesk.tickets.automation.dispatch import Chain, in_chain
from tierdesk.tickets.automation.facts import TicketFacts
from tierdesk.tickets.automation.fields import FIELDS
from tierdesk.tickets.automation.state import state_key
from tierdesk.tickets.choices import Channel, HistoryAction, Status
from tierdesk.tickets.errors import TicketNotFound
from tierdesk.tickets.locks import lock_ticket
from tierdesk.tickets.models import FiringOutcome, Rule, RuleFiring, RuleTimer, RuleTrigger, Ticket

logger = logging.getLogger(__name__)

DEFAULT_CHAIN_LIMIT = 10
# Tickets in these statuses can still change by time; closed ones cannot.
_PLANNED_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING, Status.RESOLVED)


def chain_limit() -> int:
    return int(getattr(settings, "TIERDESK_RULE_CHAIN_LIMIT", DEFAULT_CHAIN_LIMIT))


def enabled_rules() -> list[Rule]:
    return list(Rule.objects.filter(is_enabled=True).order_by("position", "id"))


def _load(ticket_id: int) -> Ticket | None:
    """The ticket rules may act on; None when it is gone or merged into another (a husk whose
    conversation lives on in the other ticket, where the rules act)."""
    return (
        Ticket.objects.select_related("organisation", "assignee", "category")
        .prefetch_related("tags")
        .filter(pk=ticket_id, merged_into__isnull=True)
        .first()
    )


def evaluate_ticket(
    *, ticket_id: int, actions: Iterable[str], chain: Chain | None = None, now: datetime | None = None
) -> list[int]:
    """Run the rules after the ticket underwent `actions` (HistoryAction values), as part of
    `chain` (none: a change by a person starts a new one); returns the ids of the rules that fired."""
    chain = chain if chain is not None and chain.id else Chain(uuid.uuid4().hex, 0)
    if chain.depth > chain_limit():
        logger.error(
            "rule loop stopped: ticket %s changed by rules %d times in a row (last changes: %s); "
            "check the enabled rules for actions that undo each other",
            ticket_id,
            chain.depth,
            ", ".join(sorted(actions)),
        )
        return []
    rules = enabled_rules()
    if not rules:
        return []
    now = now or timezone.now()
    happened = set(actions)
    ticket = _load(ticket_id)
    if ticket is None:
        return []
    facts = TicketFacts(ticket, now)
    timers = {timer.rule_id: timer for timer in RuleTimer.objects.filter(ticket_id=ticket_id)}
    fired: list[int] = []
    for rule in rules:
        if rule.trigger == RuleTrigger.EVENT:
            due = now if happened & set(rule.events) and _all_hold(rule, facts) else None
        else:
            due = _plan_timer(rule, facts, timers.get(rule.pk), now)
        if due is None or due > now:
            continue
        if fire(rule=rule, ticket_id=ticket_id, chain=chain, now=now, calendar=facts.loaded_calendar):
            fired.append(rule.pk)
            ticket = _load(ticket_id)
            if ticket is None:
                break
            facts = TicketFacts(ticket, now)  # the next rules see what this one changed
    return fired


def _all_hold(rule: Rule, facts: TicketFacts) -> bool:
    return all(holds(condition, facts.value(condition["field"])) for condition in rule.conditions)


def rule_due(rule: Rule, facts: TicketFacts) -> datetime | None:
    """When all the rule's conditions will hold: now, an instant some clock reaches, or None
    (a condition fails that time alone will not change)."""
    due = facts.now
    for condition in rule.conditions:
        if FIELDS[condition["field"]].clock is None:
            if not holds(condition, facts.value(condition["field"])):
                return None
            continue
        when = facts.due(condition)
        if when is None:
            return None
        due = max(due, when)
    return due


def _plan_timer(rule: Rule, facts: TicketFacts, timer: RuleTimer | None, now: datetime) -> datetime | None:
    """Keep the rule's timer on the ticket in step with its due instant; returns it."""
    due = rule_due(rule, facts) if facts.ticket.status in _PLANNED_STATUSES else None
    if due is None or due <= now:
        if timer is not None:
            RuleTimer.objects.filter(pk=timer.pk).delete()
        return due
    if timer is not None and timer.due_at == due:
        return due  # planned already; its task is waiting
    if timer is None:
        timer, _created = RuleTimer.objects.update_or_create(
            ticket_id=facts.ticket.pk, rule_id=rule.pk, defaults={"due_at": due}
        )
    else:
        timer.due_at, timer.token = due, timer.token + 1
        timer.save(update_fields=["due_at", "token"])
    _schedule(timer)
    return due


def _schedule(timer: RuleTimer) -> None:
    """After commit, a task for the timer's current token at its due instant. A backend that cannot
    defer (the tests' immediate one) would run it at once, before its time: the row waits instead."""
    ticket_id, rule_id, token, due = timer.ticket_id, timer.rule_id, timer.token, timer.due_at

    def enqueue() -> None:
        if default_task_backend.supports_defer:
            from tierdesk.tickets.tasks import rule_timer_due  # tasks -> engine: imported when used

            rule_timer_due.using(run_after=due).enqueue(ticket_id, rule_id, token)

    transaction.on_commit(enqueue)


def timer_due(*, ticket_id: int, rule_id: int, token: int, now: datetime | None = None) -> bool:
    """A timer's task: run its rule if the timer is still the one planned (`token`) and the rule
    is due; replan it if the due instant moved on. Returns whether the rule fired."""
    now = now or timezone.now()
    timer = RuleTimer.objects.filter(ticket_id=ticket_id, rule_id=rule_id, token=token).first()
    rule = Rule.objects.filter(pk=rule_id, is_enabled=True).first()
    if timer is None:
        return False  # replanned or done meanwhile: a newer task (if any) takes over
    ticket = _load(ticket_id)
    if rule is None or ticket is None:
        RuleTimer.objects.filter(pk=timer.pk).delete()
        return False
    facts = TicketFacts(ticket, now)
    with transaction.atomic():
        due = _plan_timer(rule, facts, timer, now)
    if due is None or due > now:
        return False
    return fire(
        rule=rule, ticket_id=ticket_id, chain=Chain(uuid.uuid4().hex, 0), now=now, calendar=facts.loaded_calendar
    )


def fire(*, rule: Rule, ticket_id: int, chain: Chain, now: datetime, calendar: BusinessCalendar | None = None) -> bool:
    """Run the rule's actions if its conditions hold under the ticket lock and it has not fired for
    this state; returns whether it fired (a failed firing counts: it is not tried again). `calendar`:
    the ticket's business calendar when the caller read it already (the same step, the same ticket). Coming
    back to a state it fired for earlier in the same chain is a loop: logged as an error."""
    with transaction.atomic():
        try:
            ticket = lock_ticket(ticket_id)
        except TicketNotFound:
            return False
        facts = TicketFacts(ticket, now, calendar=calendar)
        if not _all_hold(rule, facts):
            return False
        key = state_key(rule.conditions, facts)
        earlier = RuleFiring.objects.filter(rule=rule, ticket=ticket, state_key=key).only("chain_id").first()
        if earlier is not None:
            if chain.depth > 0 and earlier.chain_id == chain.id:
                logger.error(
                    "rule loop stopped: rule %s (%s) would fire again on ticket %s for a state it fired for "
                    "earlier in the same chain of rules; check the enabled rules for actions that undo each other",
                    rule.pk,
                    rule.name,
                    ticket_id,
                )
            return False
        try:
            with transaction.atomic():
                firing = RuleFiring.objects.create(rule=rule, ticket=ticket, state_key=key, chain_id=chain.id)
        except IntegrityError:
            return False  # another worker fired it for this state a moment ago
        bot = automation_user()
        try:
            with transaction.atomic(), in_chain(Chain(chain.id, chain.depth + 1)):
                history.record(
                    ticket=ticket,
                    by=bot,
                    channel=Channel.SYSTEM,
                    action=HistoryAction.RULE_APPLIED,
                    note=rule.name,
                    is_internal=True,
                )
                run_actions(rule=rule, firing=firing, facts=facts, by=bot)
        except DomainError as error:
            firing.outcome, firing.detail = FiringOutcome.FAILED, error.message
            firing.save(update_fields=["outcome", "detail"])
            logger.warning("rule %s (%s) failed on ticket %s: %s", rule.pk, rule.name, ticket_id, error.message)
    return True


def plan_rule(*, rule_id: int, ticket_ids: Sequence[int] | None = None, now: datetime | None = None) -> int:
    """Plan (or drop) a time rule's timers on every ticket still in play, e.g. after the rule was
    created, changed or enabled; returns how many tickets were looked at. Works in chunks."""
    now = now or timezone.now()
    rule = Rule.objects.filter(pk=rule_id).first()
    if rule is None or rule.trigger != RuleTrigger.TIME or not rule.is_enabled:
        RuleTimer.objects.filter(rule_id=rule_id).delete()
        return 0
    tickets = Ticket.objects.filter(status__in=_PLANNED_STATUSES).order_by("pk")
    if ticket_ids is not None:
        tickets = tickets.filter(pk__in=ticket_ids)
    seen, last = 0, 0
    while True:
        chunk = list(
            tickets.filter(pk__gt=last)
            .select_related("organisation", "assignee", "category")
            .prefetch_related("tags")[:500]
        )
        if not chunk:
            return seen
        timers = {t.ticket_id: t for t in RuleTimer.objects.filter(rule_id=rule_id, ticket__in=chunk)}
        for ticket in chunk:
            with transaction.atomic():
                due = _plan_timer(rule, TicketFacts(ticket, now), timers.get(ticket.pk), now)
            if due is not None and due <= now:
                fire(rule=rule, ticket_id=ticket.pk, chain=Chain(uuid.uuid4().hex, 0), now=now)
        seen += len(chunk)
        last = chunk[-1].pk
