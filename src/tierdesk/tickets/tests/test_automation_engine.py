"""The rules engine in-process: event rules after a change, once per state, failed actions rolled
back, the loop guard, and the shipped time rules at their exact instants with a controllable
clock (`timezone.now` patched; the engine gets its `now` passed).

The default calendar is open Monday to Friday 08:00-16:00 Europe/Amsterdam (UTC+1 in November
2026): a ticket opened on Monday 23 November at 09:00 has spent 30 business minutes at first level
at 09:30, and a ticket resolved that Monday at 10:00 is 4 working days old on Friday 27 at 10:00
and 5 on Monday 30 at 10:00."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tierdesk.accounts.choices import AUTOMATION_USERNAME
from tierdesk.core.events import _handlers, subscribe
from tierdesk.tickets.automation import engine
from tierdesk.tickets.automation.dispatch import Chain
from tierdesk.tickets.choices import Channel, HistoryAction, Level, Status
from tierdesk.tickets.events import RuleAlertRequested, TicketCloseReminderRequested
from tierdesk.tickets.models import Comment, FiringOutcome, HistoryEvent, Rule, RuleFiring, RuleTimer, Ticket
from tierdesk.tickets.services import (
    ticket_assign,
    ticket_comment_add,
    ticket_reopen,
    ticket_resolve,
    ticket_time_log,
)
from tierdesk.tickets.services.rules import rule_create, rules_seed
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def amsterdam(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant in November 2026 given in Amsterdam local time (UTC+1)."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC) - timedelta(hours=1)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    now = [amsterdam(23, 9)]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    return now


@pytest.fixture
def only_seeds(db: None) -> None:
    """Exactly the shipped rules (a flushed database may have lost them)."""
    Rule.objects.exclude(key__isnull=False).delete()
    rules_seed()


def collect(event_type: type) -> Iterator[list[Any]]:
    seen: list[Any] = []

    def handler(event: Any) -> None:
        seen.append(event)

    subscribe(event_type)(handler)
    yield seen
    _handlers[event_type].remove(handler)


@pytest.fixture
def alerts() -> Iterator[list[RuleAlertRequested]]:
    yield from collect(RuleAlertRequested)


@pytest.fixture
def reminders() -> Iterator[list[TicketCloseReminderRequested]]:
    yield from collect(TicketCloseReminderRequested)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def run_timer(ticket: Ticket, rule: Rule, at: datetime) -> bool:
    timer = RuleTimer.objects.get(ticket=ticket, rule=rule)
    return engine.timer_due(ticket_id=ticket.pk, rule_id=rule.pk, token=timer.token, now=at)


def seed(key: str) -> Rule:
    return Rule.objects.get(key=key)


# --- event rules ------------------------------------------------------------------------------------


def test_an_event_rule_runs_after_the_change_commits_as_the_automation_user(
    personas, clock, no_rules, django_capture_on_commit_callbacks
):
    # given a rule that tags critical tickets when they are created
    rule = rule_create(
        by=personas.admin,
        name="Tag critical tickets",
        trigger="event",
        events=["created"],
        conditions=[{"field": "priority", "op": "eq", "value": "p1"}],
        actions=[{"type": "add_tag", "tag": "critical"}, {"type": "add_note", "text": "Critical: call back."}],
    )
    # when a P1 and a P4 are opened
    with django_capture_on_commit_callbacks(execute=True):
        p1 = make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency="high", impact="high")
        p4 = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    # then only the P1 got the tag and the note, by the automation user through the system channel
    assert list(fresh(p1).tags.values_list("name", flat=True)) == ["critical"]
    assert not fresh(p4).tags.exists()
    note = Comment.objects.get(ticket=p1)
    assert (note.body, note.is_internal, note.author.username, note.channel) == (
        "Critical: call back.",
        True,
        AUTOMATION_USERNAME,
        Channel.SYSTEM,
    )
    applied = HistoryEvent.objects.get(ticket=p1, action=HistoryAction.RULE_APPLIED)
    assert (applied.note, applied.actor.username, applied.channel) == (rule.name, AUTOMATION_USERNAME, "system")
    assert RuleFiring.objects.filter(rule=rule).count() == 1


def test_a_rule_never_fires_twice_for_the_same_state(personas, clock, no_rules, django_capture_on_commit_callbacks):
    rule = rule_create(
        by=personas.admin,
        name="Note on assignment",
        trigger="event",
        events=["changed"],
        conditions=[{"field": "assignee", "op": "eq", "value": "l2"}],
        actions=[{"type": "add_note", "text": "Second level has it."}],
    )
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_assign(ticket=ticket, assignee=personas.agent_l2, by=personas.case_manager)
    # when the same change is evaluated again (a task run twice) and another change leaves the state as it is
    assert engine.evaluate_ticket(ticket_id=ticket.pk, actions=["changed"]) == []
    with django_capture_on_commit_callbacks(execute=True):
        ticket_comment_add(ticket=ticket, body="Still on it.", by=personas.agent_l2, is_internal=True)
    # then it fired once
    assert RuleFiring.objects.filter(rule=rule).count() == 1
    assert Comment.objects.filter(ticket=ticket, body="Second level has it.").count() == 1
    # when the assignee changes and changes back: the same values, and the rule names no status or
    # level whose entry would start a new state, so still the same state
    with django_capture_on_commit_callbacks(execute=True):
        ticket_assign(ticket=ticket, assignee=personas.agent_l1, by=personas.case_manager)
        ticket_assign(ticket=ticket, assignee=personas.agent_l2, by=personas.case_manager)
    assert RuleFiring.objects.filter(rule=rule).count() == 1


def test_a_failing_action_rolls_the_rule_back_and_is_recorded_once(
    personas, clock, no_rules, django_capture_on_commit_callbacks, caplog
):
    # given a rule whose second action cannot work on a new ticket (only a resolved one closes)
    rule = rule_create(
        by=personas.admin,
        name="Broken",
        trigger="event",
        events=["created"],
        conditions=[],
        actions=[{"type": "add_tag", "tag": "seen"}, {"type": "close"}],
    )
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    # then nothing of it stayed, the firing says why, and it is not tried again
    assert not fresh(ticket).tags.exists()
    firing = RuleFiring.objects.get(rule=rule)
    assert firing.outcome == FiringOutcome.FAILED
    assert "resolved" in firing.detail
    assert "failed on ticket" in caplog.text
    assert engine.evaluate_ticket(ticket_id=ticket.pk, actions=["created"]) == []
    assert RuleFiring.objects.filter(rule=rule).count() == 1


def test_a_loop_of_rules_stops_with_an_error_in_the_log(
    personas, clock, no_rules, django_capture_on_commit_callbacks, caplog
):
    # given two rules that undo each other
    common = {"trigger": "event", "events": ["changed"]}
    rule_create(
        by=personas.admin,
        name="To second level agent",
        conditions=[{"field": "assignee", "op": "eq", "value": "l1"}],
        actions=[{"type": "assign", "user": "l2"}],
        **common,
    )
    rule_create(
        by=personas.admin,
        name="Back to first level agent",
        conditions=[{"field": "assignee", "op": "eq", "value": "l2"}],
        actions=[{"type": "assign", "user": "l1"}],
        **common,
    )
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    # when an agent sets off the loop
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        ticket_assign(ticket=ticket, assignee=personas.agent_l1, by=personas.agent_l1)
    # then each rule fired once, the loop was stopped and logged, and the ticket is left as it was
    assert RuleFiring.objects.count() == 2
    assert "rule loop stopped" in caplog.text
    assert fresh(ticket).assignee == personas.agent_l1


@override_settings(TIERDESK_RULE_CHAIN_LIMIT=3)
def test_a_chain_longer_than_the_limit_is_stopped(personas, clock, no_rules, caplog):
    rule_create(
        by=personas.admin,
        name="Anything",
        trigger="event",
        events=["changed"],
        conditions=[],
        actions=[{"type": "add_tag", "tag": "x"}],
    )
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    with caplog.at_level(logging.ERROR):
        assert engine.evaluate_ticket(ticket_id=ticket.pk, actions=["changed"], chain=Chain("c" * 32, 4)) == []
    assert "changed by rules 4 times in a row" in caplog.text
    assert not RuleFiring.objects.exists()


# --- the shipped time rules ------------------------------------------------------------------------


def test_thirty_minutes_at_first_level_escalates_with_a_handover_note(personas, clock, only_seeds):
    rule = seed("escalate-after-30-minutes")
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, subject="VPN drops")
    clock[0] = amsterdam(23, 9, 10)
    ticket_comment_add(ticket=ticket, body="Asked for the client log.", by=personas.agent_l1, is_internal=True)
    engine.evaluate_ticket(ticket_id=ticket.pk, actions=["note_added"], now=clock[0])
    # then the timer waits for 30 business minutes and one second after entering first level
    assert RuleTimer.objects.get(ticket=ticket, rule=rule).due_at == amsterdam(23, 9, 30, 1)
    # when it runs a moment early (a clock skew between machines): nothing, the timer stays
    assert run_timer(ticket, rule, amsterdam(23, 9, 30)) is False
    assert fresh(ticket).level == Level.FIRST
    # when it runs on time
    clock[0] = amsterdam(23, 9, 30, 1)
    assert run_timer(ticket, rule, clock[0]) is True
    ticket = fresh(ticket)
    assert (ticket.level, ticket.assignee) == (Level.SECOND, None)
    note = Comment.objects.filter(ticket=ticket, is_internal=True).latest("id")
    assert note.author.username == AUTOMATION_USERNAME
    assert "Escalated automatically by the rule" in note.body
    assert "30 business minutes" in note.body
    assert "Asked for the client log." in note.body  # what was done, for the colleague taking over
    assert not RuleTimer.objects.filter(ticket=ticket, rule=rule).exists()


def test_thirty_minutes_count_business_time_only(personas, clock, only_seeds):
    # given a ticket opened on Friday at 15:50, ten minutes before closing
    clock[0] = amsterdam(27, 15, 50)
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    engine.evaluate_ticket(ticket_id=ticket.pk, actions=["created"], now=clock[0])
    # then it escalates on Monday at 08:20:01, not on Friday evening
    assert RuleTimer.objects.get(ticket=ticket, rule=seed("escalate-after-30-minutes")).due_at == amsterdam(
        30, 8, 20, 1
    )


def test_thirty_minutes_of_logged_work_escalate_at_once(personas, clock, only_seeds):
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    clock[0] = amsterdam(23, 9, 5)
    ticket_time_log(ticket=ticket, minutes=31, by=personas.agent_l1, note="Reinstalled the driver")
    assert engine.evaluate_ticket(ticket_id=ticket.pk, actions=["time_logged"], now=clock[0]) == [
        seed("escalate-after-30-minutes").pk
    ]
    assert fresh(ticket).level == Level.SECOND


def test_a_p1_without_response_alerts_the_case_manager_after_15_minutes(
    personas, clock, only_seeds, alerts, django_capture_on_commit_callbacks
):
    rule = seed("p1-no-response-15-minutes")
    personas.org_a.case_manager = personas.case_manager
    personas.org_a.save()
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency="high", impact="high")
    engine.evaluate_ticket(ticket_id=ticket.pk, actions=["created"], now=clock[0])
    assert RuleTimer.objects.get(ticket=ticket, rule=rule).due_at == amsterdam(23, 9, 15)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_timer(ticket, rule, amsterdam(23, 9, 15)) is True
    assert [(alert.ticket_id, alert.recipient_ids) for alert in alerts] == [(ticket.pk, (personas.case_manager.pk,))]
    # a second run (a task run again) does not alert twice
    with django_capture_on_commit_callbacks(execute=True):
        engine.evaluate_ticket(ticket_id=ticket.pk, actions=["changed"], now=amsterdam(23, 9, 20))
    assert len(alerts) == 1


def test_a_p1_answered_in_time_alerts_nobody(personas, clock, only_seeds, alerts):
    rule = seed("p1-no-response-15-minutes")
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency="high", impact="high")
    engine.evaluate_ticket(ticket_id=ticket.pk, actions=["created"], now=clock[0])
    token = RuleTimer.objects.get(ticket=ticket, rule=rule).token
    clock[0] = amsterdam(23, 9, 10)
    ticket_comment_add(ticket=ticket, body="We are on it.", by=personas.agent_l1)
    engine.evaluate_ticket(ticket_id=ticket.pk, actions=["commented"], now=clock[0])
    # then the timer is gone, and its task, when it comes, does nothing
    assert not RuleTimer.objects.filter(ticket=ticket, rule=rule).exists()
    assert engine.timer_due(ticket_id=ticket.pk, rule_id=rule.pk, token=token, now=amsterdam(23, 9, 15)) is False
    assert alerts == []


def test_a_resolved_ticket_is_reminded_after_4_and_closed_after_5_working_days(
    personas, clock, only_seeds, reminders, django_capture_on_commit_callbacks
):
    remind, close = seed("remind-before-auto-close"), seed("auto-close-after-5-working-days")
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    clock[0] = amsterdam(23, 10)
    ticket_resolve(ticket=ticket, resolution="Replaced the toner.", by=personas.agent_l1)
    engine.evaluate_ticket(ticket_id=ticket.pk, actions=["resolved"], now=clock[0])
    assert RuleTimer.objects.get(ticket=ticket, rule=remind).due_at == amsterdam(27, 10)
    assert RuleTimer.objects.get(ticket=ticket, rule=close).due_at == amsterdam(30, 10)
    with django_capture_on_commit_callbacks(execute=True):
        assert run_timer(ticket, remind, amsterdam(27, 10)) is True
    assert [event.ticket_id for event in reminders] == [ticket.pk]
    assert run_timer(ticket, close, amsterdam(30, 10)) is True
    ticket = fresh(ticket)
    assert ticket.status == Status.CLOSED
    closed = HistoryEvent.objects.get(ticket=ticket, action=HistoryAction.CLOSED)
    assert closed.actor.username == AUTOMATION_USERNAME


def test_reopening_drops_the_close_timer_and_a_new_resolution_starts_again(personas, clock, only_seeds):
    close = seed("auto-close-after-5-working-days")
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    clock[0] = amsterdam(23, 10)
    ticket_resolve(ticket=ticket, resolution="Replaced the toner.", by=personas.agent_l1)
    engine.evaluate_ticket(ticket_id=ticket.pk, actions=["resolved"], now=clock[0])
    old_token = RuleTimer.objects.get(ticket=ticket, rule=close).token
    clock[0] = amsterdam(24, 9)
    ticket_reopen(ticket=ticket, reason="Still streaky.", by=personas.customer_a, channel="portal")
    engine.evaluate_ticket(ticket_id=ticket.pk, actions=["reopened"], now=clock[0])
    assert not RuleTimer.objects.filter(ticket=ticket, rule=close).exists()
    clock[0] = amsterdam(25, 11)
    ticket_resolve(ticket=ticket, resolution="New drum unit.", by=personas.agent_l1)
    engine.evaluate_ticket(ticket_id=ticket.pk, actions=["resolved"], now=clock[0])
    assert RuleTimer.objects.get(ticket=ticket, rule=close).due_at == amsterdam(2, 11) + timedelta(days=30)
    # the first resolution's timer task does nothing when it comes
    assert engine.timer_due(ticket_id=ticket.pk, rule_id=close.pk, token=old_token, now=amsterdam(30, 10)) is False
    assert fresh(ticket).status == Status.RESOLVED


def test_a_new_time_rule_is_planned_on_the_tickets_in_play(personas, clock, no_rules):
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    done = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    Ticket.objects.filter(pk=done.pk).update(status=Status.CLOSED)
    rule = rule_create(
        by=personas.admin,
        name="Stale",
        trigger="time",
        conditions=[{"field": "minutes_since_created", "op": "gte", "value": 120}],
        actions=[{"type": "add_tag", "tag": "stale"}],
    )
    assert engine.plan_rule(rule_id=rule.pk, now=clock[0]) == 1
    assert list(RuleTimer.objects.values_list("ticket_id", "due_at")) == [(ticket.pk, amsterdam(23, 11))]


def test_a_time_rule_reads_the_ticket_calendar_once(personas, clock, only_seeds):
    # given a ticket whose 30 minutes at first level are up
    rule = seed("escalate-after-30-minutes")
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a)
    engine.evaluate_ticket(ticket_id=ticket.pk, actions=["created"], now=clock[0])
    # when its timer runs: the timer is checked, then the rule fires under the ticket lock
    with CaptureQueriesContext(connection) as queries:
        assert run_timer(ticket, rule, amsterdam(23, 9, 31)) is True
    # then the SLA policy with its calendar was read once for both steps
    assert sum('"sla_slapolicy"' in query["sql"] for query in queries.captured_queries) == 1
