"""Per-ticket SLA deadlines in business time (default calendar: Monday to Friday 08:00-16:00
Europe/Amsterdam, UTC+1 in November 2026): set at creation, moved by waits on the customer,
recomputed on a new priority, met by the first public staff reply; the policy of the
organisation wins; the wall-clock fallback; and the state the staff API shows.

The clock is `django.utils.timezone.now`, patched per test (the services read it there)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tierdesk.accounts.tests.api_support import client_for, send
from tierdesk.sla.models import SlaPolicy
from tierdesk.sla.services import TargetValues, policy_create, policy_update
from tierdesk.sla.tests.factories import office_calendar
from tierdesk.tickets.choices import HistoryAction
from tierdesk.tickets.models import HistoryEvent, Ticket
from tierdesk.tickets.services import (
    ticket_comment_add,
    ticket_create,
    ticket_resolve,
    ticket_resume,
    ticket_update,
    ticket_wait,
)
from tierdesk.tickets.sla_clock import sla_view
from tierdesk.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in November 2026 given in Amsterdam local time (UTC+1)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=1)


# Friday 20, Monday 23, Tuesday 24, Thursday 26, Friday 27 November 2026.
FRIDAY, MONDAY, TUESDAY, THURSDAY, NEXT_FRIDAY = 20, 23, 24, 26, 27


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = utc(MONDAY, 9)
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def at(self, instant: datetime) -> None:
        self.now = instant


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def new_ticket(personas, urgency: str, impact: str) -> Ticket:
    return make_ticket(by=personas.agent_l1, requester=personas.contact_a, urgency=urgency, impact=impact)


def deadline_rows(ticket: Ticket) -> list[tuple[str, str, str, bool]]:
    rows = HistoryEvent.objects.filter(ticket=ticket, field__in=["first_response_due", "resolution_due"])
    return [(row.field, row.old_value, row.new_value, row.is_internal) for row in rows.order_by("id")]


# --- creation ------------------------------------------------------------------------------------


def test_a_p1_on_friday_afternoon_must_be_answered_within_fifteen_business_minutes(personas, clock):
    # given Friday 15:00
    clock.at(utc(FRIDAY, 15))
    # when a P1 ticket is opened
    ticket = new_ticket(personas, "high", "high")
    # then
    t = fresh(ticket)
    assert (t.priority, t.sla_policy, t.sla_paused_seconds, t.first_responded_at) == (
        "p1",
        SlaPolicy.objects.get(name="Standard"),
        0,
        None,
    )
    assert (t.first_response_due, t.resolution_due, t.due_at) == (
        utc(FRIDAY, 15, 15),
        utc(MONDAY, 11),  # one business hour on Friday, three on Monday
        utc(FRIDAY, 15, 15),
    )


def test_a_p2_late_on_friday_is_answered_on_monday_morning(personas, clock):
    clock.at(utc(FRIDAY, 15, 30))
    ticket = new_ticket(personas, "high", "medium")
    t = fresh(ticket)
    assert (t.priority, t.first_response_due, t.due_at) == ("p2", utc(MONDAY, 8, 30), utc(MONDAY, 8, 30))


def test_the_organisations_own_policy_wins_over_the_default(personas, clock):
    # given a policy of organisation A: 30 business minutes to respond, 120 to resolve
    own = policy_create(
        by=personas.admin,
        name="Harbour gold",
        calendar_id=office_calendar().pk,
        organisation_id=personas.org_a.pk,
        targets=[TargetValues(priority, 30, 120) for priority in ("p1", "p2", "p3", "p4", "p5")],
    )
    clock.at(utc(FRIDAY, 15))
    # when A's contact and B's contact open a P1
    mine = fresh(new_ticket(personas, "high", "high"))
    theirs = fresh(make_ticket(by=personas.agent_l1, requester=personas.contact_b, urgency="high", impact="high"))
    # then
    assert (mine.sla_policy, mine.first_response_due, mine.resolution_due) == (
        own,
        utc(FRIDAY, 15, 30),
        utc(MONDAY, 9),
    )
    assert (theirs.sla_policy.name, theirs.first_response_due) == ("Standard", utc(FRIDAY, 15, 15))


def test_without_any_policy_the_wall_clock_defaults_apply(personas, clock):
    # given no default policy and none for the organisation
    policy_update(by=personas.admin, policy=SlaPolicy.objects.get(name="Standard"), is_default=False)
    clock.at(utc(FRIDAY, 15))
    # when
    ticket = ticket_create(by=personas.customer_a, subject="Down", urgency="high", impact="high")
    # then P1's four wall-clock hours, as before policies
    t = fresh(ticket)
    assert (t.sla_policy, t.first_response_due, t.resolution_due, t.due_at) == (
        None,
        None,
        utc(FRIDAY, 19),
        utc(FRIDAY, 19),
    )
    assert sla_view(t, utc(FRIDAY, 16)).state == "none"


# --- the paused clock ----------------------------------------------------------------------------


def test_a_wait_on_the_customer_moves_the_open_deadlines_by_the_paused_business_time(personas, clock):
    # given a P3 opened Monday 09:00: respond by 13:00, resolve by Thursday 09:00
    ticket = new_ticket(personas, "medium", "medium")
    assert (fresh(ticket).first_response_due, fresh(ticket).resolution_due) == (utc(MONDAY, 13), utc(THURSDAY, 9))
    # when it waits on the customer from Monday 10:00 to Tuesday 10:00 (eight business hours)
    clock.at(utc(MONDAY, 10))
    ticket_wait(ticket=ticket, on="customer", by=personas.agent_l1)
    clock.at(utc(TUESDAY, 10))
    ticket_resume(ticket=ticket, by=personas.agent_l1)
    # then both deadlines move eight business hours on
    t = fresh(ticket)
    assert (t.paused_at, t.sla_paused_seconds) == (None, 8 * 3600)
    assert (t.first_response_due, t.resolution_due, t.due_at) == (
        utc(TUESDAY, 13),
        utc(NEXT_FRIDAY, 9),
        utc(TUESDAY, 13),
    )
    assert deadline_rows(ticket) == [
        ("first_response_due", utc(MONDAY, 13).isoformat(), utc(TUESDAY, 13).isoformat(), True),
        ("resolution_due", utc(THURSDAY, 9).isoformat(), utc(NEXT_FRIDAY, 9).isoformat(), True),
    ]


def test_a_wait_outside_business_hours_moves_nothing(personas, clock):
    # given a ticket that waits on the customer from Friday 16:00 to Monday 08:00
    clock.at(utc(FRIDAY, 14))
    ticket = new_ticket(personas, "medium", "medium")
    before = fresh(ticket)
    clock.at(utc(FRIDAY, 16))
    ticket_wait(ticket=ticket, on="customer", by=personas.agent_l1)
    # when the customer answers on Monday at 08:00
    clock.at(utc(MONDAY, 8))
    ticket_comment_add(ticket=ticket, body="Here is the screenshot", by=personas.customer_a, channel="portal")
    # then
    t = fresh(ticket)
    assert (t.status, t.paused_at, t.sla_paused_seconds) == ("open", None, 0)
    assert (t.first_response_due, t.resolution_due) == (before.first_response_due, before.resolution_due)
    assert deadline_rows(ticket) == []


def test_switching_the_wait_to_a_third_party_restarts_the_clock(personas, clock):
    ticket = new_ticket(personas, "medium", "medium")
    clock.at(utc(MONDAY, 10))
    ticket_wait(ticket=ticket, on="customer", by=personas.agent_l1)
    clock.at(utc(MONDAY, 11))
    ticket_wait(ticket=ticket, on="third_party", by=personas.agent_l1)
    t = fresh(ticket)
    assert (t.paused_at, t.sla_paused_seconds, t.first_response_due) == (None, 3600, utc(MONDAY, 14))


# --- a new priority ------------------------------------------------------------------------------


def test_a_new_priority_recomputes_from_creation_plus_the_paused_time(personas, clock):
    # given a P4 opened Monday 09:00 that waited eight business hours on the customer
    ticket = new_ticket(personas, "medium", "low")
    clock.at(utc(MONDAY, 10))
    ticket_wait(ticket=ticket, on="customer", by=personas.agent_l1)
    clock.at(utc(TUESDAY, 10))
    ticket_resume(ticket=ticket, by=personas.agent_l1)
    # when it becomes a P1
    ticket_update(ticket=ticket, by=personas.agent_l1, urgency="high", impact="high")
    # then: Monday 09:00 + 15 minutes + 8 hours, and + 4 hours + 8 hours, in business time
    t = fresh(ticket)
    assert (t.priority, t.first_response_due, t.resolution_due, t.due_at) == (
        "p1",
        utc(TUESDAY, 9, 15),
        utc(TUESDAY, 13),
        utc(TUESDAY, 9, 15),
    )
    last_two = deadline_rows(ticket)[-2:]
    assert [(field, new) for field, _old, new, _internal in last_two] == [
        ("first_response_due", utc(TUESDAY, 9, 15).isoformat()),
        ("resolution_due", utc(TUESDAY, 13).isoformat()),
    ]
    due_row = HistoryEvent.objects.filter(ticket=ticket, field="due_at").get()
    assert (due_row.action, due_row.new_value) == (HistoryAction.CHANGED, utc(TUESDAY, 9, 15).isoformat())


# --- the first response --------------------------------------------------------------------------


def test_the_first_public_staff_reply_switches_due_at_to_the_resolution(personas, clock):
    ticket = new_ticket(personas, "high", "high")
    # an internal note and a customer's reply are no response
    clock.at(utc(MONDAY, 9, 5))
    ticket_comment_add(ticket=ticket, body="Checking the logs", by=personas.agent_l1, is_internal=True)
    ticket_comment_add(ticket=ticket, body="Any news?", by=personas.customer_a, channel="portal")
    assert (fresh(ticket).first_responded_at, fresh(ticket).due_at) == (None, utc(MONDAY, 9, 15))
    # when an agent answers in public
    clock.at(utc(MONDAY, 9, 10))
    ticket_comment_add(ticket=ticket, body="We are on it", by=personas.agent_l1)
    clock.at(utc(MONDAY, 9, 12))
    ticket_comment_add(ticket=ticket, body="Still on it", by=personas.agent_l1)
    # then the first reply counts, and due_at is the resolution deadline
    t = fresh(ticket)
    assert (t.first_responded_at, t.due_at, t.resolution_due) == (utc(MONDAY, 9, 10), utc(MONDAY, 13), utc(MONDAY, 13))


def test_resolving_is_a_first_response(personas, clock):
    ticket = new_ticket(personas, "high", "high")
    clock.at(utc(MONDAY, 9, 5))
    ticket_resolve(ticket=ticket, resolution="Restarted the spooler", by=personas.agent_l1)
    t = fresh(ticket)
    assert (t.first_responded_at, t.due_at) == (utc(MONDAY, 9, 5), utc(MONDAY, 13))


def test_after_the_first_response_a_wait_moves_only_the_resolution(personas, clock):
    ticket = new_ticket(personas, "high", "high")
    ticket_comment_add(ticket=ticket, body="We are on it", by=personas.agent_l1)
    clock.at(utc(MONDAY, 10))
    ticket_wait(ticket=ticket, on="customer", by=personas.agent_l1)
    clock.at(utc(MONDAY, 11))
    ticket_resume(ticket=ticket, by=personas.agent_l1)
    t = fresh(ticket)
    assert (t.first_response_due, t.resolution_due, t.due_at) == (utc(MONDAY, 9, 15), utc(MONDAY, 14), utc(MONDAY, 14))


# --- the state the API shows ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minute", "left", "state"),
    [(5, 10, "ok"), (11, 4, "ok"), (12, 3, "warning"), (15, 0, "warning"), (20, -5, "breached")],
)
def test_sla_state_follows_the_used_share_of_the_target(personas, clock, minute, left, state):
    # given a P1 opened Monday 09:00 (respond by 09:15; warning at 80 %, i.e. from 09:12)
    ticket = fresh(new_ticket(personas, "high", "high"))
    # then
    view = sla_view(ticket, utc(MONDAY, 9, minute))
    assert (view.business_minutes_left, view.state) == (left, state)


def test_a_waiting_ticket_shows_the_time_left_when_the_clock_stopped(personas, clock):
    ticket = new_ticket(personas, "high", "high")
    clock.at(utc(MONDAY, 9, 5))
    ticket_wait(ticket=ticket, on="customer", by=personas.agent_l1)
    view = sla_view(fresh(ticket), utc(MONDAY, 15))
    assert (view.business_minutes_left, view.state) == (10, "ok")


def test_a_resolved_ticket_has_no_sla_state(personas, clock):
    ticket = new_ticket(personas, "high", "high")
    ticket_resolve(ticket=ticket, resolution="Restarted the spooler", by=personas.agent_l1)
    view = sla_view(fresh(ticket), utc(MONDAY, 15))
    assert (view.business_minutes_left, view.state) == (None, "none")


def test_staff_see_the_deadlines_in_the_api_and_customers_do_not(personas, clock):
    # given a P1 opened Monday 09:00, looked at 09:12
    ticket = new_ticket(personas, "high", "high")
    clock.at(utc(MONDAY, 9, 12))
    # when
    staff = send(client_for(personas.agent_l1), "GET", f"/tickets/{ticket.number}").json()
    customer = send(client_for(personas.customer_a), "GET", f"/tickets/{ticket.number}").json()
    # then
    assert {key: staff[key] for key in ("first_response_due", "resolution_due", "first_responded_at")} == {
        "first_response_due": "2026-11-23T08:15:00Z",
        "resolution_due": "2026-11-23T12:00:00Z",
        "first_responded_at": None,
    }
    assert (staff["business_minutes_left"], staff["sla_state"]) == (3, "warning")
    sla_keys = {"first_response_due", "resolution_due", "first_responded_at", "business_minutes_left", "sla_state"}
    assert sla_keys.isdisjoint(customer)
    assert customer["due_at"] == staff["due_at"]
