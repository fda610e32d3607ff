"""The SLA clock of a ticket: its policy and deadlines in business time (first response and
resolution), the pause while it waits on the customer, the first response, a new priority, and
what the staff API shows (business minutes left, ok/warning/breached).

`due_at` stays the nearest deadline still open (the first response until there is one, then the
resolution), because the queue and the board sort by it. A ticket without a policy (none exists,
or its calendar cannot answer) runs on the wall-clock defaults of rules.py, as before policies.
The functions change the ticket in memory; the services save the fields and write the history.

Every (re)plan bumps `sla_version` (the timer's version token) and, once the transaction commits,
schedules the next SLA check (tasks.sla_check) at the next warning instant or deadline still to
be recorded; a check of an older plan finds the version changed and does nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend

from tierdesk.accounts.models import User
from tierdesk.sla.calendar import CalendarSpec, business_seconds_between
from tierdesk.sla.errors import SlaPolicyNotFound, SlaUnavailable
from tierdesk.sla.models import SlaPolicy, SlaTarget
from tierdesk.sla.selectors import (
    add_business_time,
    calendar_spec_for_range,
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
DEADLINE_FIELDS = ("first_response_due", "resolution_due", "next_update_due")
# What a (re)plan changes and the services save: the deadlines, due_at, the version token and the
# warning and breach marks (a new priority may take them back).
CLOCK_FIELDS = (
    *DEADLINE_FIELDS,
    "due_at",
    "sla_version",
    "first_response_warned_at",
    "first_response_breached_at",
    "resolution_warned_at",
    "resolution_breached_at",
    "next_update_warned_at",
    "next_update_breached_at",
)

# Per deadline field: the ticket fields that record its warning and its breach (once each).
MARK_FIELDS = {
    "first_response_due": ("first_response_warned_at", "first_response_breached_at"),
    "resolution_due": ("resolution_warned_at", "resolution_breached_at"),
    "next_update_due": ("next_update_warned_at", "next_update_breached_at"),
}

SLA_OK = "ok"
SLA_WARNING = "warning"
SLA_BREACHED = "breached"
SLA_NONE = "none"


def open_deadline(ticket: Ticket) -> datetime | None:
    """The nearest deadline still open: the first response's until there is one, then the
    resolution's or the next update's, whichever comes first."""
    if ticket.first_responded_at is None and ticket.first_response_due is not None:
        return ticket.first_response_due
    if ticket.next_update_due is not None and ticket.resolution_due is not None:
        return min(ticket.next_update_due, ticket.resolution_due)
    return ticket.resolution_due or ticket.next_update_due


def _target_minutes(target: SlaTarget, deadline: str) -> int | None:
    """The business minutes a deadline field is planned with (None: the policy sets no such target)."""
    if deadline == "first_response_due":
        return target.first_response_minutes
    if deadline == "next_update_due":
        return target.next_update_minutes
    return target.resolution_minutes


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
    replan(ticket)


def recompute(ticket: Ticket) -> None:
    """New deadlines for a new priority: from creation, plus the business time paused so far.
    A deadline that moves into the future sheds its recorded warning and breach: they belonged
    to the old target, and the new plan's checks record them again if they come due."""
    before = {name: getattr(ticket, name) for name in DEADLINE_FIELDS}
    _plan_for_priority(ticket)
    now = timezone.now()
    for name, old in before.items():
        new = getattr(ticket, name)
        if new != old and new is not None and new > now:
            for mark in MARK_FIELDS[name]:
                setattr(ticket, mark, None)


def _plan_for_priority(ticket: Ticket) -> None:
    policy = _policy(ticket)
    if policy is not None:
        try:
            ticket.first_response_due, ticket.resolution_due = deadlines(
                policy, ticket.priority, ticket.created_at, paused_seconds=ticket.sla_paused_seconds
            )
            ticket.due_at = open_deadline(ticket)
            replan(ticket)
            return
        except SlaUnavailable:
            pass
    ticket.resolution_due = ticket.created_at + resolution_time_for(ticket.priority)
    ticket.due_at = open_deadline(ticket)
    replan(ticket)


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
            replan(ticket)
            return
    shift = max(now - paused_at, timedelta(0))
    for name in open_fields:
        setattr(ticket, name, getattr(ticket, name) + shift)
    if ticket.resolution_due is None and ticket.due_at is not None:
        ticket.due_at += shift  # a ticket from before the deadline fields
    else:
        ticket.due_at = open_deadline(ticket)
    replan(ticket)


def pause_clock(ticket: Ticket, now: datetime) -> list[str]:
    """Start a wait on the customer: the clock stands still from `now` (resume_clock moves the
    deadlines on). Returns the fields it changed."""
    if ticket.paused_at is not None:
        return []
    ticket.paused_at = now
    replan(ticket)  # the checks of the running plan are void while the clock stands still
    return ["paused_at", "sla_version"]


def mark_first_response(ticket: Ticket, now: datetime) -> list[str]:
    """The first public reply by staff (or the resolution) meets the first-response deadline;
    due_at moves on to the resolution. Returns the fields it changed."""
    if ticket.first_responded_at is not None:
        return []
    ticket.first_responded_at = now
    ticket.due_at = open_deadline(ticket)
    replan(ticket)
    return ["first_responded_at", "due_at", "sla_version"]


def mark_public_update(ticket: Ticket, now: datetime) -> list[str]:
    """A public reply from staff: the next update is owed `next_update_minutes` of business time
    from `now` (when the policy sets that target), with its warning and breach to be recorded anew.
    Returns the fields it changed; nothing for a policy without the target."""
    policy = _policy(ticket)
    target = target_for(policy, ticket.priority) if policy is not None else None
    if policy is None or target is None or target.next_update_minutes is None:
        return []
    try:
        due = add_business_time(policy_spec(policy, now), now, target.next_update_minutes * 60)
    except SlaUnavailable:
        return []
    ticket.next_update_due = due
    ticket.next_update_warned_at = ticket.next_update_breached_at = None
    ticket.due_at = open_deadline(ticket)
    replan(ticket)
    return ["next_update_due", "next_update_warned_at", "next_update_breached_at", "due_at", "sla_version"]


def clear_next_update(ticket: Ticket) -> list[str]:
    """No update is owed on a resolved ticket; returns the fields it changed."""
    if ticket.next_update_due is None:
        return []
    ticket.next_update_due = None
    ticket.due_at = open_deadline(ticket)
    return ["next_update_due", "due_at"]


def deadlines_of(ticket: Ticket) -> dict[str, datetime | int | None]:
    """The clock's fields as they are now, to compare with after a change (`record_deadlines`)."""
    return {name: getattr(ticket, name) for name in CLOCK_FIELDS}


def record_deadlines(
    ticket: Ticket, *, before: dict[str, datetime | int | None], by: User | None, channel: str
) -> list[str]:
    """History rows (internal: customers do not see deadlines) for the deadlines that moved since
    `before`; returns the names of the clock fields that changed, for the caller's save."""
    changes = {
        name: (_iso(cast("datetime | None", before[name])), _iso(getattr(ticket, name))) for name in DEADLINE_FIELDS
    }
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

    def preload(self, tickets: list[Ticket]) -> None:
        """Read the policies of all `tickets` at once (a fixed number of queries, none when no
        ticket has a policy), so that a page of tickets costs the same whatever its length."""
        wanted = {ticket.sla_policy_id for ticket in tickets if ticket.sla_policy_id is not None} - set(self.policies)
        if not wanted:
            return
        found = {
            policy.pk: policy
            for policy in SlaPolicy.objects.filter(pk__in=wanted)
            .select_related("calendar")
            .prefetch_related("targets", "calendar__opening_hours", "calendar__closed_days")
        }
        self.policies.update({policy_id: found.get(policy_id) for policy_id in wanted})

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
    if ticket.first_responded_at is None:
        deadline = "first_response_due"
    elif ticket.due_at == ticket.next_update_due:
        deadline = "next_update_due"
    else:
        deadline = "resolution_due"
    budget = (_target_minutes(target, deadline) or 0) * 60
    if budget <= 0:
        return SlaView(minutes, SLA_OK)
    used = budget - left
    return SlaView(minutes, SLA_WARNING if used * 100 >= policy.warning_percent * budget else SLA_OK)


def attach_sla_views(tickets: list[Ticket], now: datetime) -> None:
    """Compute `sla_view` of a page of tickets, reading every policy once, and keep each on its
    ticket for `sla_view_cached` (the output schemas of the staff list)."""
    cache = ClockCache()
    cache.preload(tickets)
    for ticket in tickets:
        ticket._sla_view = sla_view(ticket, now, cache=cache)  # type: ignore[attr-defined]


def _policy(ticket: Ticket) -> SlaPolicy | None:
    if ticket.sla_policy_id is None:
        return None
    if Ticket.sla_policy.is_cached(ticket):
        # start_clock attached the policy it loaded (with targets and calendar prefetched):
        # planning the breach check right after creation must not load it a second time.
        return ticket.sla_policy
    try:
        policy = policy_get(ticket.sla_policy_id)
    except SlaPolicyNotFound:
        return None
    # Kept on the ticket object: a check and the scheduling of the next one read it once (bench/sla.py).
    ticket.sla_policy = policy
    return policy


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


# --- the SLA checks: when to look again -------------------------------------------------------------


@dataclass(frozen=True)
class CheckPoint:
    """An instant at which an SLA check records something: the warning or breach of a deadline."""

    at: datetime
    deadline: str  # "first_response_due" or "resolution_due"
    mark: str  # the ticket field that records it, e.g. "resolution_warned_at"
    breach: bool


def is_running(ticket: Ticket) -> bool:
    """Whether the clock runs: not resolved or closed, and not waiting on the customer."""
    return ticket.status not in (Status.RESOLVED, Status.CLOSED) and ticket.paused_at is None


def check_points(ticket: Ticket, *, policy: SlaPolicy | None = None) -> list[CheckPoint]:
    """The warning instant and the deadline of each open deadline, in time order. The warning
    comes when `warning_percent` of the target's business time is used, i.e. when the business
    time left reaches the rest (the moment `sla_view` turns to warning); a ticket without a
    policy (wall-clock defaults) has no warning, only its deadlines."""
    policy = policy if policy is not None else _policy(ticket)
    target = target_for(policy, ticket.priority) if policy is not None else None
    points: list[CheckPoint] = []
    for name, due in _open_deadlines(ticket):
        warned, breached = MARK_FIELDS[name]
        points.append(CheckPoint(due, name, breached, breach=True))
        if policy is None or target is None:
            continue
        minutes = _target_minutes(target, name)
        if not minutes:
            continue
        rest = minutes * 60 * (100 - policy.warning_percent) // 100
        try:
            spec = calendar_spec_for_range(policy.calendar, ticket.created_at, due)
            points.append(CheckPoint(add_business_time(spec, due, -rest), name, warned, breach=False))
        except SlaUnavailable:
            pass  # no warning where the calendar cannot answer; the breach is still checked
    return sorted(points, key=lambda point: (point.at, point.breach))


def pending_points(ticket: Ticket, *, policy: SlaPolicy | None = None) -> list[CheckPoint]:
    """The check points not recorded yet."""
    return [point for point in check_points(ticket, policy=policy) if getattr(ticket, point.mark) is None]


def replan(ticket: Ticket) -> None:
    """A new plan of the deadlines: bump the version token and, after commit, schedule its first check."""
    ticket.sla_version += 1
    schedule_check(ticket)


def schedule_check(ticket: Ticket) -> None:
    """After commit, enqueue `sla_check` for the ticket's current version at its next pending
    check point, if the clock runs. Nothing is enqueued when the task backend cannot defer (the
    immediate backend of the tests would run the check at once, before its time), nor when a
    later plan in the same transaction took over (that one schedules its own)."""
    version = ticket.sla_version

    def enqueue() -> None:
        if not default_task_backend.supports_defer or ticket.sla_version != version or not is_running(ticket):
            return
        points = pending_points(ticket)
        if points:
            # Imported here: tasks -> services -> sla_clock would otherwise import in a circle.
            from tierdesk.tickets.tasks import sla_check

            sla_check.using(run_after=points[0].at).enqueue(ticket.pk, version)

    transaction.on_commit(enqueue)


def _open_deadlines(ticket: Ticket) -> list[tuple[str, datetime]]:
    names = [] if ticket.first_responded_at is not None else ["first_response_due"]
    names += ["resolution_due", "next_update_due"]
    return [(name, due) for name in names if (due := getattr(ticket, name)) is not None]
