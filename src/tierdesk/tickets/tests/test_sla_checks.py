"""SLA checks: the version token bumped by every plan of the deadlines, the warning and breach
recorded once each at their exact instants, the no-ops (stale plan, clock standing still), the
decision to enqueue the deferred check, and the SLA badge of the board's cards.

Default policy "Standard" on the default calendar (Monday to Friday 08:00-16:00
Europe/Amsterdam, UTC+1 in November 2026), warning at 80 %. A P1 opened on Monday 09:00 must be
answered by 09:15 (warning at 09:12, when 3 of 15 minutes are left) and resolved by 13:00
(warning at 12:12, when 48 of 240 minutes are left). The clock is `django.utils.timezone.now`,
patched per test; the check gets its `now` passed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from django_tasks import default_task_backend

from tierdesk.accounts.tests.api_support import client_for, send
from tierdesk.core.events import _handlers, subscribe
from tierdesk.core.testing.queries import assert_max_queries
from tierdesk.sla.services import TargetValues, policy_create
from tierdesk.sla.tests.factories import office_calendar
from tierdesk.tickets import tasks
from tierdesk.tickets.choices import HistoryAction
from tierdesk.tickets.events import TicketSlaBreached
from tierdesk.tickets.models import HistoryEvent, Ticket
from tierdesk.tickets.services import ticket_comment_add, ticket_resume, ticket_update, ticket_wait
from tierdesk.tickets.services.sla import ticket_sla_check
from tierdesk.tickets.sla_clock import sla_view
from tierdesk.tickets.tests.factories import make_ticket
from tierdesk.tickets.views.board import countdown_text

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def utc(hour: int, minute: int = 0, day: int = 23) -> datetime:
    """An instant on Monday 23 November 2026 given in Amsterdam local time (UTC+1)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=1)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    now = [utc(9)]
    monkeypatch.setattr(timezone, "now", lambda: now[0])
    return now


@pytest.fixture
def p1(personas, clock) -> Ticket:
    """A P1 opened on Monday 09:00."""
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency="high", impact="high")


@pytest.fixture
def breaches() -> Iterator[list[TicketSlaBreached]]:
    seen: list[TicketSlaBreached] = []

    def handler(event: TicketSlaBreached) -> None:
        seen.append(event)

    subscribe(TicketSlaBreached)(handler)
    yield seen
    _handlers[TicketSlaBreached].remove(handler)


def check(ticket: Ticket, at: datetime, *, version: int | None = None) -> list[str]:
    fresh = Ticket.objects.get(pk=ticket.pk)
    return ticket_sla_check(ticket_id=ticket.pk, sla_version=fresh.sla_version if version is None else version, now=at)


def sla_rows(ticket: Ticket) -> list[tuple[str, str, str, bool]]:
    rows = HistoryEvent.objects.filter(
        ticket=ticket, action__in=[HistoryAction.SLA_WARNING, HistoryAction.SLA_BREACHED]
    ).order_by("id")
    return [(row.action, row.field, row.new_value, row.is_internal) for row in rows]


def sla_checks_enqueued() -> list[tuple[tuple[int, int], datetime | None]]:
    return [
        (tuple(result.args), result.task.run_after)  # type: ignore[misc]
        for result in default_task_backend.results  # type: ignore[attr-defined]
        if result.task.func is tasks.sla_check.func
    ]


# --- the version token ---------------------------------------------------------------------------


def test_every_plan_of_the_deadlines_bumps_the_version(personas, p1, clock):
    def version() -> int:
        return Ticket.objects.get(pk=p1.pk).sla_version

    # given a new ticket: planned once
    assert version() == 1
    # when it waits on the customer, then the wait ends
    ticket_wait(ticket=p1, on="customer", by=personas.agent_l1)
    assert version() == 2
    clock[0] = utc(9, 5)
    ticket_resume(ticket=p1, by=personas.agent_l1)
    assert version() == 3
    # when its priority changes
    ticket_update(ticket=p1, by=personas.agent_l1, impact="medium")
    assert version() == 4
    # when staff answer first
    ticket_comment_add(ticket=p1, body="Looking into it.", by=personas.agent_l1)
    assert version() == 5


# --- warnings and breaches -----------------------------------------------------------------------


def test_the_warning_is_recorded_at_the_exact_instant_and_not_a_minute_before(p1):
    # when checked one minute before 80 % of the first-response target is used
    assert check(p1, utc(9, 11)) == []
    # then nothing is recorded, as the clock shows
    assert sla_view(p1, utc(9, 11)).state == "ok"
    assert sla_rows(p1) == []
    # when checked at the instant
    assert check(p1, utc(9, 12)) == ["first_response_warned_at"]
    # then the warning is recorded (internal), as the clock shows
    assert sla_view(p1, utc(9, 12)).state == "warning"
    assert sla_rows(p1) == [("sla_warning", "first_response_due", utc(9, 15).isoformat(), True)]
    assert Ticket.objects.get(pk=p1.pk).first_response_warned_at == utc(9, 12)


def test_the_breach_is_recorded_at_the_exact_deadline(p1, breaches, django_capture_on_commit_callbacks):
    # when checked one minute before the first-response deadline
    with django_capture_on_commit_callbacks(execute=True):
        assert check(p1, utc(9, 14)) == ["first_response_warned_at"]
    assert breaches == []
    # when checked at the deadline
    with django_capture_on_commit_callbacks(execute=True):
        assert check(p1, utc(9, 15)) == ["first_response_breached_at"]
    # then the breach is recorded and published
    assert sla_rows(p1)[-1] == ("sla_breached", "first_response_due", utc(9, 15).isoformat(), True)
    assert breaches == [TicketSlaBreached(ticket_id=p1.pk, deadline="first_response_due")]


def test_the_resolution_deadline_is_checked_after_the_first_response(personas, p1, clock):
    # given a first response in time
    ticket_comment_add(ticket=p1, body="On it.", by=personas.agent_l1)
    # when checked before and at 80 % of the resolution target, then at its deadline
    assert check(p1, utc(12, 11)) == []
    assert check(p1, utc(12, 12)) == ["resolution_warned_at"]
    assert check(p1, utc(13)) == ["resolution_breached_at"]
    # then only the resolution deadline was ever warned of or breached
    assert [(action, field) for action, field, _new, _internal in sla_rows(p1)] == [
        ("sla_warning", "resolution_due"),
        ("sla_breached", "resolution_due"),
    ]


def test_a_late_check_records_everything_due_once_even_when_run_twice(p1, breaches, django_capture_on_commit_callbacks):
    # when the check runs late (both deadlines passed), twice
    with django_capture_on_commit_callbacks(execute=True):
        first = check(p1, utc(14))
    with django_capture_on_commit_callbacks(execute=True):
        second = check(p1, utc(14))
    # then every warning and breach is recorded exactly once
    assert first == [
        "first_response_warned_at",
        "first_response_breached_at",
        "resolution_warned_at",
        "resolution_breached_at",
    ]
    assert second == []
    assert len(sla_rows(p1)) == 4
    assert breaches == [
        TicketSlaBreached(ticket_id=p1.pk, deadline="first_response_due"),
        TicketSlaBreached(ticket_id=p1.pk, deadline="resolution_due"),
    ]


def test_a_check_of_a_replaced_plan_does_nothing(personas, p1):
    # given the check scheduled for the first plan, and a new priority since
    old_version = Ticket.objects.get(pk=p1.pk).sla_version
    ticket_update(ticket=p1, by=personas.agent_l1, impact="medium")
    # when the old check runs long after every deadline
    # then it does nothing
    assert check(p1, utc(16), version=old_version) == []
    assert sla_rows(p1) == []


def test_a_ticket_waiting_on_the_customer_is_not_checked(personas, p1):
    # given a ticket waiting on the customer
    ticket_wait(ticket=p1, on="customer", by=personas.agent_l1)
    # when its current plan is checked long after the old deadlines
    # then nothing is recorded: its clock stands still
    assert check(p1, utc(16)) == []
    assert sla_rows(p1) == []


def test_a_resolved_ticket_is_not_checked(personas, p1):
    Ticket.objects.filter(pk=p1.pk).update(status="resolved")
    assert check(p1, utc(16)) == []


def test_a_missing_ticket_is_not_checked(p1):
    assert ticket_sla_check(ticket_id=p1.pk + 1000, sla_version=1, now=utc(16)) == []


# --- scheduling ----------------------------------------------------------------------------------


@override_settings(TASKS=DUMMY_TASKS)
def test_a_new_ticket_schedules_its_first_check_at_the_warning_instant(
    personas, clock, django_capture_on_commit_callbacks
):
    # given a backend that can defer
    assert default_task_backend.supports_defer is True
    # when a P1 is opened on Monday 09:00 and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency="high", impact="high")
    # then one check of plan 1 is enqueued for 09:12
    assert sla_checks_enqueued() == [((ticket.pk, 1), utc(9, 12))]


@override_settings(TASKS=DUMMY_TASKS)
def test_a_check_schedules_the_next_one_of_the_same_plan(p1, django_capture_on_commit_callbacks):
    # when the check at the warning instant commits
    with django_capture_on_commit_callbacks(execute=True):
        check(p1, utc(9, 12))
    # then the next check of plan 1 is at the first-response deadline
    assert sla_checks_enqueued() == [((p1.pk, 1), utc(9, 15))]


@override_settings(TASKS=DUMMY_TASKS)
def test_the_last_check_schedules_nothing(p1, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        check(p1, utc(14))
    assert sla_checks_enqueued() == []


@override_settings(TASKS=DUMMY_TASKS)
def test_a_wait_on_the_customer_schedules_nothing_and_its_end_schedules_the_new_plan(
    personas, p1, clock, django_capture_on_commit_callbacks
):
    # when the ticket waits on the customer
    with django_capture_on_commit_callbacks(execute=True):
        ticket_wait(ticket=p1, on="customer", by=personas.agent_l1)
    # then no check is scheduled
    assert sla_checks_enqueued() == []
    # when the wait ends ten business minutes later
    clock[0] = utc(9, 10)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_resume(ticket=p1, by=personas.agent_l1)
    # then the moved warning instant of the new plan is scheduled
    assert sla_checks_enqueued() == [((p1.pk, 3), utc(9, 22))]


def test_the_immediate_backend_gets_no_check_to_run_before_its_time(
    personas, clock, django_capture_on_commit_callbacks
):
    # given the tests' immediate backend, which cannot defer
    assert default_task_backend.supports_defer is False
    # when a ticket is opened and the transaction commits
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency="high", impact="high")
    # then no check ran (it would have run at once, before the warning instant)
    assert sla_rows(ticket) == []
    assert Ticket.objects.get(pk=ticket.pk).first_response_warned_at is None


def test_the_task_calls_the_check(p1, clock):
    # given the moment after the first-response deadline
    clock[0] = utc(9, 20)
    # when the task runs (immediate backend; no run_after)
    result = tasks.sla_check.enqueue(p1.pk, 1)
    # then it recorded the warning and the breach
    assert result.return_value == ["first_response_warned_at", "first_response_breached_at"]


# --- the board's badge ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "text"),
    [(80, "1 h 20 min left"), (120, "2 h left"), (35, "35 min left"), (0, "0 min left"), (-35, "35 min overdue")],
)
def test_countdown_text(minutes, text):
    assert countdown_text(minutes) == text


@pytest.mark.parametrize(
    ("at", "state", "tone", "text"),
    [
        (utc(9), "ok", "low", "15 min left"),
        (utc(9, 12), "warning", "high", "3 min left"),
        (utc(10, 35), "breached", "critical", "1 h 20 min overdue"),
    ],
)
def test_the_board_card_shows_the_sla_badge(client: Client, personas, p1, clock, at, state, tone, text):
    # given the board at a moment
    client.force_login(personas.agent_l1)
    clock[0] = at
    # when
    html = client.get("/desk/").content.decode()
    # then the card carries the badge
    assert f'<span class="badge sla-badge sla-{state} tone-{tone}" data-sla-state="{state}">{text}</span>' in html


def test_a_resolved_card_shows_no_sla_badge(client: Client, personas, p1):
    Ticket.objects.filter(pk=p1.pk).update(status="resolved")
    client.force_login(personas.agent_l1)
    assert "sla-badge" not in client.get("/desk/").content.decode()


# --- the staff API's list rows -------------------------------------------------------------------


def test_staff_list_rows_carry_the_sla_with_a_fixed_number_of_queries(personas, clock):
    # given tickets on two policies: the default and organisation A's own
    policy_create(
        by=personas.admin,
        name="Harbour gold",
        calendar_id=office_calendar().pk,
        organisation_id=personas.org_a.pk,
        targets=[TargetValues(priority, 30, 120) for priority in ("p1", "p2", "p3", "p4", "p5")],
    )
    client = client_for(personas.agent_l1)
    counts = []
    for rows in (2, 20):
        for _ in range(rows):
            make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency="high", impact="high")
            make_ticket(by=personas.agent_l1, requester=personas.contact_b, urgency="high", impact="high")
        # when the list is read ten minutes after the last ones were opened
        clock[0] = utc(9, 10)
        with assert_max_queries(11) as queries:
            items = send(client, "GET", "/tickets?limit=200").json()["items"]
        counts.append(len(queries.captured_queries))
        clock[0] = utc(9)
    # then each row shows its own policy's clock: A's 30 minutes, B's default 15
    assert {(item["organisation"]["id"], item["business_minutes_left"], item["sla_state"]) for item in items} == {
        (personas.org_a.pk, 20, "ok"),
        (personas.org_b.pk, 5, "ok"),
    }
    # and the number of queries does not grow with the rows
    assert counts[0] == counts[1]


def test_customer_list_rows_show_no_sla(personas, p1):
    item = send(client_for(personas.customer_a), "GET", "/tickets").json()["items"][0]
    assert "sla_state" not in item
    assert "business_minutes_left" not in item


# --- a new priority takes back what the old target recorded ------------------------------------------


def test_a_lower_priority_takes_back_the_breach_of_the_old_target(personas, p1, clock):
    # given the P1's first response missed at 09:15
    assert check(p1, utc(9, 12)) == ["first_response_warned_at"]
    assert check(p1, utc(9, 15)) == ["first_response_breached_at"]
    # when at 09:20 the impact turns out low: a P3, answered within 240 business minutes (13:00)
    clock[0] = utc(9, 20)
    ticket_update(ticket=p1, by=personas.agent_l1, impact="low")
    ticket = Ticket.objects.get(pk=p1.pk)
    # then the deadline moved into the future and the marks of the old target are gone
    assert ticket.first_response_due == utc(13)
    assert (ticket.first_response_warned_at, ticket.first_response_breached_at) == (None, None)
    # and the new plan records its own warning when it comes (80 % of 240 minutes: 12:12)
    assert check(ticket, utc(12, 12)) == ["first_response_warned_at"]


def test_a_higher_priority_keeps_what_is_still_past(personas, clock):
    # given a P3 opened at 09:00 whose first response is due at 13:00
    ticket = make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency="medium", impact="medium")
    assert check(ticket, utc(12, 12)) == ["first_response_warned_at"]
    # when it becomes a P1 at 12:30: due at 09:15, long past
    clock[0] = utc(12, 30)
    ticket_update(ticket=ticket, by=personas.agent_l1, urgency="high", impact="high")
    ticket = Ticket.objects.get(pk=ticket.pk)
    # then the warning stays (the deadline did not move into the future); the next check records the
    # breach, and the warning of the P1's resolution (due 13:00, warned from 12:12)
    assert ticket.first_response_warned_at is not None
    assert check(ticket, utc(12, 30)) == ["first_response_breached_at", "resolution_warned_at"]


@override_settings(TASKS=DUMMY_TASKS)
def test_a_check_reads_the_policy_once(personas, p1, clock, django_capture_on_commit_callbacks):
    # given the P1's first-response warning due at 09:12; the check records it and, after commit,
    # plans the next check (the dummy backend defers, as the database backend does)
    ticket = Ticket.objects.get(pk=p1.pk)
    with assert_max_queries(11) as queries, django_capture_on_commit_callbacks(execute=True):
        assert ticket_sla_check(ticket_id=ticket.pk, sla_version=ticket.sla_version, now=utc(9, 12)) == [
            "first_response_warned_at"
        ]
    # then the next check is planned, and the policy with its targets and calendar was read once
    assert sla_checks_enqueued()[-1] == ((ticket.pk, ticket.sla_version), utc(9, 15))
    policy_reads = [query["sql"] for query in queries.captured_queries if '"sla_slapolicy"' in query["sql"]]
    assert len(policy_reads) == 1
