"""The SLA clock of a ticket: its policy and deadlines in business time (first response and
resolution), the pause while it waits on the customer, the first response, a new priority, and
what the staff API shows (business minutes left, ok/warning/breached).

`due_at` stays the nearest deadline still open (the first response until there is one, then the
resolution), because the queue and the board sort by it. A ticket without a policy (none exists,
or its calendar cannot answer) runs on the wall-clock defaults of rules.py, as before policies.
The functions change the ticket in memory; the services save the fields and write the history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tierdesk.accounts.models import User
from tierdesk.sla.calendar import CalendarSpec, business_seconds_between
from tierdesk.sla.errors import SlaPolicyNotFound, SlaUnavailable
from tierdesk.sla.models import SlaPolicy
from tierdesk.sla.selectors import (
    add_business_time,
    deadlines,
    policy_for_organisation,
    policy_get,
    policy_spec,
    target_for,
)
from tierdesk.tickets import history
from tierdesk.tickets.choices import HistoryAction, Status
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.rules import resolution_time_for

# The deadline fields whose changes the history records (due_at follows them).
DEADLINE_FIELDS = ("first_response_due", "resolution_due")
CLOCK_FIELDS = (*DEADLINE_FIELDS, "due_at")

SLA_OK = "ok"
SLA_WARNING = "warning"
SLA_BREACHED = "breached"
SLA_NONE = "none"


def open_deadline(ticket: Ticket) -> datetime | None:
    """The nearest deadline still open: the first response's until there is one, then the resolution's."""
    if ticket.first_responded_at is None and ticket.first_response_due is not None:
        return ticket.first_response_due
    return ticket.resolution_due


def start_clock(ticket: Ticket, now: datetime) -> None:
    """Pick the organisation's policy (or the default) and set the deadlines from `now`."""
    policy = policy_for_organisation(ticket.organisation_id)
    ticket.sla_policy = None
    ticket.first_response_due = None
    ticket.resolution_due = now + resolution_time_for(ticket.priority)
    if policy is not None:
        try:
            ticket.first_response_due, ticket.resolution_due = deadlines(policy, ticket.priority, now)
            ticket.sla_policy = policy
        except SlaUnavailable:
            pass  # the wall-clock defaults set above stay
    ticket.due_at = open_deadline(ticket)


def recompute(ticket: Ticket) -> None:
    """New deadlines for a new priority: from creation, plus the business time paused so far."""
    policy = _policy(ticket)
    if policy is not None:
        try:
            ticket.first_response_due, ticket.resolution_due = deadlines(
                policy, ticket.priority, ticket.created_at, paused_seconds=ticket.sla_paused_seconds
            )
            ticket.due_at = open_deadline(ticket)
            return
        except SlaUnavailable:
            pass
    ticket.resolution_due = ticket.created_at + resolution_time_for(ticket.priority)
    ticket.due_at = open_deadline(ticket)


def resume_clock(ticket: Ticket, now: datetime) -> None:
    """Leaving a wait on the customer: the open deadlines move by the time paused, in business time
    on the policy calendar (wall-clock time for a ticket without a policy)."""
    paused_at = ticket.paused_at
    if paused_at is None:
        return
    ticket.paused_at = None
    open_fields = [name for name in DEADLINE_FIELDS if getattr(ticket, name) is not None]
    if ticket.first_responded_at is not None and "first_response_due" in open_fields:
        open_fields.remove("first_response_due")
    policy = _policy(ticket)
    if policy is not None:
        try:
            spec = policy_spec(policy, paused_at)
            paused = max(business_seconds_between(spec, paused_at, now), 0)
            moved = {name: add_business_time(spec, getattr(ticket, name), paused) for name in open_fields}
        except SlaUnavailable:
            pass
        else:
            for name, value in moved.items():
                setattr(ticket, name, value)
            ticket.sla_paused_seconds += paused
            ticket.due_at = open_deadline(ticket)
            return
    shift = max(now - paused_at, timedelta(0))
    for name in open_fields:
        setattr(ticket, name, getattr(ticket, name) + shift)
    if ticket.resolution_due is None and ticket.due_at is not None:
        ticket.due_at += shift  # a ticket from before the deadline fields
    else:
        ticket.due_at = open_deadline(ticket)


def mark_first_response(ticket: Ticket, now: datetime) -> list[str]:
    """The first public reply by staff (or the resolution) meets the first-response deadline;
    due_at moves on to the resolution. Returns the fields it changed."""
    if ticket.first_responded_at is not None:
        return []
    ticket.first_responded_at = now
    ticket.due_at = open_deadline(ticket)
    return ["first_responded_at", "due_at"]


def deadlines_of(ticket: Ticket) -> dict[str, datetime | None]:
    """The clock's fields as they are now, to compare with after a change (`record_deadlines`)."""
    return {name: getattr(ticket, name) for name in CLOCK_FIELDS}


def record_deadlines(ticket: Ticket, *, before: dict[str, datetime | None], by: User | None, channel: str) -> list[str]:
    """History rows (internal: customers do not see deadlines) for the deadlines that moved since
    `before`; returns the names of the clock fields that changed, for the caller's save."""
    changes = {name: (_iso(before[name]), _iso(getattr(ticket, name))) for name in DEADLINE_FIELDS}
    history.record_changes(
        ticket=ticket, by=by, channel=channel, changes=changes, action=HistoryAction.CHANGED, is_internal=True
    )
    return [name for name in CLOCK_FIELDS if before[name] != getattr(ticket, name)]


@dataclass(frozen=True)
class SlaView:
    """What the staff API shows of the clock."""

    business_minutes_left: int | None
    state: str


@dataclass
class ClockCache:
    """Policies and calendar specs read for one response, so that a list of tickets reads each
    policy once (no process-wide cache: a changed policy is seen by the next request)."""

    policies: dict[int, SlaPolicy | None] = field(default_factory=dict)
    specs: dict[tuple[int, int, int], CalendarSpec] = field(default_factory=dict)

    def policy(self, ticket: Ticket) -> SlaPolicy | None:
        if ticket.sla_policy_id is not None and ticket.sla_policy_id not in self.policies:
            self.policies[ticket.sla_policy_id] = _policy(ticket)
        return self.policies.get(ticket.sla_policy_id) if ticket.sla_policy_id is not None else None

    def spec(self, policy: SlaPolicy, start: datetime, end: datetime) -> CalendarSpec:
        key = (policy.pk, start.year, end.year)
        if key not in self.specs:
            self.specs[key] = policy_spec(policy, min(start, end))
        return self.specs[key]


def sla_view(ticket: Ticket, now: datetime, *, cache: ClockCache | None = None) -> SlaView:
    """Business minutes from `now` (from the pause while the clock stands still) to `due_at`,
    negative when late, and the state: breached past due_at, warning once `warning_percent` of the
    open target is used, else ok; "none" for a resolved or closed ticket or one without a policy."""
    if ticket.status in (Status.RESOLVED, Status.CLOSED) or ticket.due_at is None:
        return SlaView(None, SLA_NONE)
    cache = cache or ClockCache()
    policy = cache.policy(ticket)
    if policy is None:
        return SlaView(None, SLA_NONE)
    clock = ticket.paused_at or now
    left = business_seconds_between(cache.spec(policy, clock, ticket.due_at), clock, ticket.due_at)
    minutes = left // 60 if left >= 0 else -(-left // 60)
    if clock > ticket.due_at:
        return SlaView(minutes, SLA_BREACHED)
    target = target_for(policy, ticket.priority)
    if target is None:
        return SlaView(minutes, SLA_OK)
    budget = (target.first_response_minutes if ticket.first_responded_at is None else target.resolution_minutes) * 60
    used = budget - left
    return SlaView(minutes, SLA_WARNING if used * 100 >= policy.warning_percent * budget else SLA_OK)


def _policy(ticket: Ticket) -> SlaPolicy | None:
    if ticket.sla_policy_id is None:
        return None
    try:
        return policy_get(ticket.sla_policy_id)
    except SlaPolicyNotFound:
        return None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def sla_view_cached(ticket: Ticket, now: datetime) -> SlaView:
    """`sla_view` computed once per ticket object, for output schemas that resolve its fields one
    by one (the value is kept on the instance, which lives as long as the response)."""
    view: SlaView | None = getattr(ticket, "_sla_view", None)
    if view is None:
        view = sla_view(ticket, now)
        ticket._sla_view = view  # type: ignore[attr-defined]
    return view
