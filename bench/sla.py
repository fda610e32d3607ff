"""SLA timers and rule evaluation with many open tickets, each set against a ceiling from the same run.

    python bench/sla.py [--tickets 100000] [--due-per-minute N] [--rounds 3] [--evaluations 2000]
    python bench/sla.py --postgres postgres://postgres@127.0.0.1:5432/postgres   # a scratch DB is created

The database (a temporary SQLite file, or a scratch PostgreSQL database created and dropped) is
migrated with `tierdesk migrate`, so it holds the default calendar (08:00-16:00 Europe/Amsterdam,
Dutch public holidays), the default SLA policy and the four shipped time rules. Then --tickets
tickets are loaded in bulk (raw SQL, ORM bulk_create for timers and tasks) in the steady state the
services, the SLA checks and the rules would have left them in at this instant, on the default
policy and counted in its business time (computed with the sla app's own arithmetic):

* 90 % open (new, open, or waiting on the customer), ages spread evenly up to 1.25 x their
  priority's resolution target (at most 5 working days), priorities P1-P5 at 2/8/30/40/20 %; the
  first response came at half its target; tickets older than 30 business minutes are above first
  level (10 % at development), as the shipped escalation rule leaves them; the warnings and
  breaches due so far are recorded. 10 % resolved up to 3 working days ago, awaiting closure.
* Every ticket has the timers the services and the engine would have planned: the next SLA
  check (an `sla_check` task for its `sla_version`) while its clock runs, and a `RuleTimer` row
  plus a `rule_timer_due` task per time rule still to come (P1 without response, 30 minutes at
  first level, reminder and closure of resolved tickets). These ~86,000 future tasks stay READY in
  the queue table, as in production, so the worker's queries see a realistic queue. A timer that
  would fall due while the benchmark runs is queued 2 hours ahead instead (its RuleTimer row keeps
  the exact instant), so that the worker runs only the minute's timers.

0. The worker's claim query (django-tasks-db's, run in-process) with that queue: nothing ready,
   a due timer ready, an immediate task (no run_after: rule evaluations, mails) ready. Timers are
   enqueued below the immediate tasks' priority (tickets/tasks.py TIMER_PRIORITY); as a what-if,
   the same with the timers at the immediate tasks' priority (as before that change).
1. One minute's due timers. Assumption: a ticket stays open 5 working days (2,400 business
   minutes) on average and meets 4 timers in that time (two SLA checks that record a warning or a
   breach, a rule timer while at first level, one after resolving), so N open tickets see
   N x 4 / 2,400 timers per business minute: 167 for 100,000 (--due-per-minute overrides it; the
   Monday 08:00 burst of a weekend's tickets is such a case). That many tickets per round are
   loaded in the state where exactly one timer fell due a business minute ago: first-response
   and resolution warnings, resolution breaches (1/6 each), escalations after 30 minutes (25 %),
   P1 alerts (5 %), close reminders and automatic closures (10 % each). Every timer does its full
   work (no stale tokens), so this is the upper end per timer. Their tasks are enqueued through
   the task API with run_after spread over the minute before the start, and one real
   `tierdesk worker --batch` drains the queue (it exits when nothing is ready; the future timers
   stay). Outside business hours the timers' business due instants lie further back than their
   run_after; the work per timer is the same. Measured: wall time less the worker's start-up
   (measured alone, nothing ready), and the first claim to the last finish from the task rows;
   every task the run ran (the timers and the follow-ups they enqueue: rule evaluations, mails);
   the effects, checked in the database; the SQL queries of one timer of each kind (in-process, on
   a spare set of due tickets). Ceiling, in the same round: as many `sla_check` tasks of tickets
   that do not exist (one SELECT each), i.e. the worker's own cost per task, with the connection
   kept between tasks (`tierdesk worker`'s default) and, as a what-if, with DATABASE_CONN_MAX_AGE=0
   (a new connection per task, as before that default). --rounds repeats it all on fresh tickets
   and prints medians: the machine may be shared.
2. Rule evaluation after a change: `engine.evaluate_ticket` in-process on --evaluations distinct
   tickets of every state, with a mix of actions, at the load's instant (`now=`), so the timers
   are in step as after any earlier change; against raw SQL reading what an evaluation cannot do
   without (the ticket row and its rule timers) on the same connection. Prints microseconds per
   evaluation (p50/p99/mean), the ratio, the SQL queries of one evaluation per ticket state, and
   how many timers the evaluations changed and rules they fired (0 and 0 in the steady state).

Only the database is contacted (127.0.0.1 for PostgreSQL); every loop is bounded by the counts
above and the worker by a timeout. Prints figures; asserts nothing (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tickets import scratch_database  # bench/tickets.py: the same scratch SQLite file / PostgreSQL database

PRIORITY_WEIGHTS = {"p1": 2, "p2": 8, "p3": 30, "p4": 40, "p5": 20}
RESOLVED_SHARE = 0.10
WAITING_SHARE = 0.25
DEVELOPMENT_SHARE = 0.10
OPEN_WORKING_DAYS = 5  # the mean time a ticket stays open, for the timer rate
TIMERS_PER_TICKET = 4  # timers a ticket meets while open, for the timer rate
BUSINESS_MINUTES_PER_DAY = 480  # the default calendar: 08:00-16:00
RESOLVED_MAX_MINUTES = 3 * BUSINESS_MINUTES_PER_DAY  # background resolved tickets: none due to a reminder
# The shipped rules' thresholds (tickets/automation/seeds.py).
P1_RULE, ESCALATE_RULE, REMIND_RULE, CLOSE_RULE = (
    "p1-no-response-15-minutes",
    "escalate-after-30-minutes",
    "remind-before-auto-close",
    "auto-close-after-5-working-days",
)
P1_SECONDS, ESCALATE_SECONDS = 15 * 60, 30 * 60 + 1  # "gte 15" and "gt 30" business minutes
ESCALATE_MINUTES = 30
REMIND_DAYS, CLOSE_DAYS = 4, 5
# A background timer that would fall due while the benchmark runs (during business hours) is queued
# this far ahead instead, so that the worker runs only the minute's timers; its RuleTimer row keeps
# the exact instant.
BACKGROUND_GUARD = timedelta(hours=2)
WORKER_TIMEOUT = 900  # seconds; the worker is killed after that
STARTUP_RUNS = 3

FR_WARNING, RES_WARNING, RES_BREACH = "first-response warning", "resolution warning", "resolution breach"
ESCALATION, P1_ALERT, REMINDER, CLOSURE = "escalation (30 min)", "P1 alert (15 min)", "close reminder", "auto-close"
DUE_MIX: tuple[tuple[str, float], ...] = (
    (FR_WARNING, 1 / 6),
    (RES_WARNING, 1 / 6),
    (RES_BREACH, 1 / 6),
    (ESCALATION, 0.25),
    (P1_ALERT, 0.05),
    (REMINDER, 0.10),
    (CLOSURE, 0.10),
)
SLA_KINDS = (FR_WARNING, RES_WARNING, RES_BREACH)
RULE_OF_KIND = {ESCALATION: ESCALATE_RULE, P1_ALERT: P1_RULE, REMINDER: REMIND_RULE, CLOSURE: CLOSE_RULE}
# The history actions a change records; the shipped rules are all time rules, which every
# evaluation replans whatever happened, so the mix matters only once event rules exist.
ACTION_MIX = (["commented"], ["changed"], ["note_added"], ["changed", "commented"], ["time_logged"], ["waiting"])


# --- the business clock ----------------------------------------------------------------------------


class BusinessClock:
    """Instants on the default policy's calendar around `now`, computed with the sla app's own
    arithmetic and cached (one call costs ~0.1 ms; 100,000 tickets need a few thousand distinct ones)."""

    def __init__(self, spec: Any, now: datetime) -> None:
        self.spec = spec
        self.now = now
        self._at: dict[int, datetime] = {}
        self._add: dict[tuple[datetime, int], datetime] = {}
        self._days: dict[tuple[datetime, int], datetime] = {}

    def at(self, minutes: int) -> datetime:
        """`minutes` business minutes after now (before it when negative)."""
        if minutes not in self._at:
            self._at[minutes] = self.add(self.now, minutes * 60)
        return self._at[minutes]

    def add(self, start: datetime, seconds: int) -> datetime:
        """What the engine and the SLA clock compute: `seconds` of business time after `start`."""
        from tierdesk.sla.selectors import add_business_time

        key = (start, seconds)
        if key not in self._add:
            self._add[key] = add_business_time(self.spec, start, seconds)
        return self._add[key]

    def add_working_days(self, start: datetime, days: int) -> datetime:
        from tierdesk.sla.calendar import add_working_days

        key = (start, days)
        if key not in self._days:
            self._days[key] = add_working_days(self.spec, start, days)
        return self._days[key]

    def resolved_for(self, days: int) -> datetime:
        """The latest instant (whole days back, a minute off) from which `days` working days have
        passed by now: a ticket resolved then has just become due for the `days` rule."""
        for back in range(days, days + 30):
            start = self.now - timedelta(days=back, minutes=1)
            if self.add_working_days(start, days) <= self.now:
                return start
        raise SystemExit(f"no instant {days} working days back: is the default calendar ever open?")


# --- the tickets to load -------------------------------------------------------------------------------


@dataclass
class Row:
    """One ticket as loaded, with the timers planned for it. `kind` names its due timer ("" for none)."""

    kind: str
    priority: str
    status: str
    level: str
    created: datetime
    level_entered: datetime
    status_changed: datetime
    first_response_due: datetime
    resolution_due: datetime
    sla_version: int
    responded: datetime | None = None
    paused: datetime | None = None
    resolved: datetime | None = None
    fr_warned: datetime | None = None
    fr_breached: datetime | None = None
    res_warned: datetime | None = None
    res_breached: datetime | None = None
    sla_check_at: datetime | None = None  # the next SLA check while the clock runs
    rule_timers: dict[str, datetime] = field(default_factory=dict)  # rule key -> due instant
    round: int = -1  # the round whose worker run handles its due timer

    @property
    def due_at(self) -> datetime:
        return self.first_response_due if self.responded is None else self.resolution_due


@dataclass(frozen=True)
class Targets:
    first_response: int  # business minutes
    resolution: int

    @staticmethod
    def warning(minutes: int, warning_percent: int) -> int:
        """Business minutes from the start to the warning (sla_clock.check_points)."""
        return minutes - minutes * (100 - warning_percent) // 100


def open_row(
    clock: BusinessClock,
    targets: Targets,
    warning_percent: int,
    priority: str,
    age: int,
    *,
    responded: bool,
    waiting: bool = False,
    development: bool = False,
    kind: str = "",
) -> Row:
    """A new/open/waiting ticket `age` business minutes old in the state the services, the SLA
    checks and the rules would have left it: everything due up to now recorded, except the one
    check point an SLA `kind` is about to record."""
    fr, res = targets.first_response, targets.resolution
    fr_warning, res_warning = Targets.warning(fr, warning_percent), Targets.warning(res, warning_percent)
    created = clock.at(-age)
    responded_at = clock.at(fr // 2 - age) if responded else None
    status = "waiting" if waiting else "open" if responded else "new"
    first_level = age <= ESCALATE_MINUTES or kind in (ESCALATION, P1_ALERT)
    row = Row(
        kind=kind,
        priority=priority,
        status=status,
        level="first" if first_level else "development" if development else "second",
        created=created,
        level_entered=created if first_level else clock.at(ESCALATE_MINUTES - age),
        status_changed=responded_at or created,
        first_response_due=clock.at(fr - age),
        resolution_due=clock.at(res - age),
        sla_version={"new": 1, "open": 2, "waiting": 3}[status],
        responded=responded_at,
        paused=responded_at if waiting else None,
    )
    if waiting:  # paused at the first response, before any warning: nothing recorded, nothing runs
        return row
    points: list[tuple[datetime, str]] = []  # (instant, mark) of the check points, in time order
    if responded_at is None:
        points += [(clock.at(fr_warning - age), "fr_warned"), (row.first_response_due, "fr_breached")]
    points += [(clock.at(res_warning - age), "res_warned"), (row.resolution_due, "res_breached")]
    pending = {FR_WARNING: "fr_warned", RES_WARNING: "res_warned", RES_BREACH: "res_breached"}.get(kind)
    for instant, mark in sorted(points):
        if instant <= clock.now and mark != pending:
            setattr(row, mark, instant)
        elif row.sla_check_at is None:
            row.sla_check_at = instant
    if first_level:
        row.rule_timers[ESCALATE_RULE] = clock.add(row.level_entered, ESCALATE_SECONDS)
    if priority == "p1" and responded_at is None:
        row.rule_timers[P1_RULE] = clock.add(created, P1_SECONDS)
    return row


def resolved_row(
    clock: BusinessClock, targets: Targets, priority: str, resolved_at: datetime, solve: int, kind: str = ""
) -> Row:
    """A ticket resolved at `resolved_at` after `solve` business minutes, awaiting closure."""
    created = clock.add(resolved_at, -solve * 60)
    first_level = solve <= ESCALATE_MINUTES
    return Row(
        kind=kind,
        priority=priority,
        status="resolved",
        level="first" if first_level else "second",
        created=created,
        level_entered=created if first_level else clock.add(created, ESCALATE_MINUTES * 60),
        status_changed=resolved_at,
        first_response_due=clock.add(created, targets.first_response * 60),
        resolution_due=clock.add(created, targets.resolution * 60),
        sla_version=3,
        responded=clock.add(created, targets.first_response // 2 * 60),
        resolved=resolved_at,
        rule_timers={
            REMIND_RULE: clock.add_working_days(resolved_at, REMIND_DAYS),
            CLOSE_RULE: clock.add_working_days(resolved_at, CLOSE_DAYS),
        },
    )


def due_counts(total: int) -> dict[str, int]:
    """`total` split over DUE_MIX, rounded by largest remainder so that the parts add up."""
    raw = {kind: total * share for kind, share in DUE_MIX}
    counts = {kind: int(value) for kind, value in raw.items()}
    for kind in sorted(raw, key=lambda k: raw[k] - counts[k], reverse=True)[: total - sum(counts.values())]:
        counts[kind] += 1
    return counts


def plan_rows(
    clock: BusinessClock,
    targets: dict[str, Targets],
    warning_percent: int,
    tickets: int,
    due: dict[str, int],
    rounds: int,
    rng: random.Random,
) -> list[Row]:
    """The due tickets first (one per due timer and round), then the background up to `tickets`."""
    priorities = list(PRIORITY_WEIGHTS)
    weights = list(PRIORITY_WEIGHTS.values())

    def pick() -> str:
        return rng.choices(priorities, weights)[0]

    rows: list[Row] = []
    for kind, count in [(kind, count) for _round in range(rounds) for kind, count in due.items()]:
        for _ in range(count):
            priority = "p1" if kind == P1_ALERT else pick()
            t = targets[priority]
            fr, res = t.first_response, t.resolution
            if kind == FR_WARNING:
                age = Targets.warning(fr, warning_percent) + 1
                rows.append(open_row(clock, t, warning_percent, priority, age, responded=False, kind=kind))
            elif kind in (RES_WARNING, RES_BREACH):
                age = (Targets.warning(res, warning_percent) if kind == RES_WARNING else res) + 1
                rows.append(open_row(clock, t, warning_percent, priority, age, responded=True, kind=kind))
            elif kind in (ESCALATION, P1_ALERT):
                age = ESCALATE_MINUTES + 1 if kind == ESCALATION else P1_SECONDS // 60 + 1
                responded = kind == ESCALATION and fr // 2 <= age
                rows.append(open_row(clock, t, warning_percent, priority, age, responded=responded, kind=kind))
            else:
                resolved_at = clock.resolved_for(REMIND_DAYS if kind == REMINDER else CLOSE_DAYS)
                solve = rng.randrange(fr // 2 + 1, Targets.warning(res, warning_percent))
                rows.append(resolved_row(clock, t, priority, resolved_at, solve, kind))
    per_round = sum(due.values())
    for index, row in enumerate(rows):
        row.round = index // per_round
    while len(rows) < tickets:
        priority = pick()
        t = targets[priority]
        fr, res = t.first_response, t.resolution
        if rng.random() < RESOLVED_SHARE:
            resolved_at = clock.at(-rng.randrange(RESOLVED_MAX_MINUTES))
            solve = rng.randrange(fr // 2 + 1, Targets.warning(res, warning_percent))
            rows.append(resolved_row(clock, t, priority, resolved_at, solve))
            continue
        age = rng.randrange(min(OPEN_WORKING_DAYS * BUSINESS_MINUTES_PER_DAY, res * 5 // 4))
        if age <= ESCALATE_MINUTES and priority == "p1" and age >= P1_SECONDS // 60:
            age = P1_SECONDS // 60 - 1  # an unanswered P1 that old would be due to alert
        responded = age >= fr // 2
        rows.append(
            open_row(
                clock,
                t,
                warning_percent,
                priority,
                age,
                responded=responded,
                waiting=responded and rng.random() < WAITING_SHARE,
                development=rng.random() < DEVELOPMENT_SHARE,
            )
        )
    return rows


# --- loading -------------------------------------------------------------------------------------------


TICKET_COLUMNS = (
    "number, subject, description, organisation_id, requester_id, channel, level, status, waiting_on, urgency,"
    " impact, priority, due_at, level_entered_at, status_changed_at, paused_at, sla_policy_id, first_response_due,"
    " resolution_due, first_responded_at, sla_paused_seconds, sla_version, first_response_warned_at,"
    " first_response_breached_at, resolution_warned_at, resolution_breached_at, resolution, resolved_at, bug_key,"
    " bug_url, version, created_at, updated_at"
)


def load_tickets(rows: list[Row], pairs: list[tuple[int, int]], policy_id: int) -> list[int]:
    """Insert `rows` (raw executemany, 5,000 a batch, numbers from the counter) and return their ids."""
    from django.db import connection, transaction

    from tierdesk.tickets.services import ticket_number_next

    adapt = connection.ops.adapt_datetimefield_value  # the backend's own format (naive UTC text on SQLite)
    placeholders = ", ".join(["%s"] * len(TICKET_COLUMNS.split(",")))
    with transaction.atomic():
        first = ticket_number_next()
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE tickets_ticketcounter SET value = value + %s WHERE name = %s", [len(rows) - 1, "ticket"]
            )
        for start in range(0, len(rows), 5000):
            values = []
            for i in range(start, min(start + 5000, len(rows))):
                row = rows[i]
                org_id, contact_id = pairs[i % len(pairs)]
                resolution = "Fixed by the bench." if row.resolved else ""
                values.append(
                    (
                        first + i,
                        f"sla bench {i}",
                        "",
                        org_id,
                        contact_id,
                        "mail",
                        row.level,
                        row.status,
                        "customer" if row.paused else "",
                        "medium",
                        "low",
                        row.priority,
                        adapt(row.due_at),
                        adapt(row.level_entered),
                        adapt(row.status_changed),
                        adapt(row.paused),
                        policy_id,
                        adapt(row.first_response_due),
                        adapt(row.resolution_due),
                        adapt(row.responded),
                        0,
                        row.sla_version,
                        adapt(row.fr_warned),
                        adapt(row.fr_breached),
                        adapt(row.res_warned),
                        adapt(row.res_breached),
                        resolution,
                        adapt(row.resolved),
                        "BENCH-1" if row.level == "development" else "",
                        "",
                        1,
                        adapt(row.created),
                        adapt(row.status_changed),
                    )
                )
            with connection.cursor() as cur:
                cur.executemany(f"INSERT INTO tickets_ticket ({TICKET_COLUMNS}) VALUES ({placeholders})", values)
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM tickets_ticket WHERE number >= %s ORDER BY number", [first])
        return [pk for (pk,) in cur.fetchall()]


def load_timers(rows: list[Row], ids: list[int], guard: datetime) -> None:
    """The RuleTimer rows and the future tasks of every ticket except the due timer of a due ticket
    (enqueued later through the task API)."""
    from django_tasks_db.models import DBTaskResult

    from tierdesk.tickets.models import Rule, RuleTimer
    from tierdesk.tickets.tasks import rule_timer_due, sla_check

    rule_ids = dict(Rule.objects.values_list("key", "id"))
    timers: list[RuleTimer] = []
    tasks: list[DBTaskResult] = []

    def task(path: str, args: list[int], run_after: datetime) -> DBTaskResult:
        # What DatabaseBackend.enqueue writes for a task with run_after, in bulk (timers share a priority).
        return DBTaskResult(
            id=uuid.uuid4(),
            args_kwargs={"args": args, "kwargs": {}},
            priority=sla_check.priority,
            task_path=path,
            queue_name="default",
            backend_name="default",
            run_after=max(run_after, guard),
        )

    for row, ticket_id in zip(rows, ids, strict=True):
        if row.sla_check_at is not None and row.kind not in SLA_KINDS:
            tasks.append(task(sla_check.module_path, [ticket_id, row.sla_version], row.sla_check_at))
        for key, due in row.rule_timers.items():
            timers.append(RuleTimer(ticket_id=ticket_id, rule_id=rule_ids[key], due_at=due, token=1))
            if RULE_OF_KIND.get(row.kind) != key:
                tasks.append(task(rule_timer_due.module_path, [ticket_id, rule_ids[key], 1], due))
    RuleTimer.objects.bulk_create(timers, batch_size=2000)
    DBTaskResult.objects.bulk_create(tasks, batch_size=2000)


def seed_people(contacts: int = 50) -> list[tuple[int, int]]:
    """A case manager (who gets the P1 alerts), one organisation and its contacts with addresses."""
    from tierdesk.accounts.choices import Role
    from tierdesk.accounts.services import contact_create, organisation_create, staff_user_create

    manager = staff_user_create(
        username="bench-manager", password=None, role=Role.CASE_MANAGER, email="manager@bench.example"
    )
    org = organisation_create(by=manager, name="Bench Shipping Example")
    return [
        (org.pk, contact_create(by=manager, organisation=org, name=f"Caller {i}", email=f"c{i}@bench.example").pk)
        for i in range(contacts)
    ]


# --- the worker ----------------------------------------------------------------------------------------


def run_worker(env: dict[str, str], log: Path) -> float:
    """One `tierdesk worker --batch` until the queue has nothing ready; its wall time in seconds."""
    tierdesk = shutil.which("tierdesk", path=str(Path(sys.executable).parent)) or "tierdesk"
    started = time.perf_counter()
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [tierdesk, "worker", "--batch", "--no-startup-delay", "--interval", "0"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            status = proc.wait(timeout=WORKER_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise SystemExit(f"the worker did not drain the queue within {WORKER_TIMEOUT} s (log: {log})") from None
    if status != 0:
        raise SystemExit(f"the worker exited with {status}:\n{log.read_text()[-3000:]}")
    return time.perf_counter() - started


@dataclass(frozen=True)
class RunResult:
    wall: float
    span: float  # first claim to last finish, from the task rows
    ran: Counter[str]  # task name (status) -> count, every task the run ran
    busy: dict[str, float]  # task name -> seconds from claim to finish, summed
    later: int  # tasks the run enqueued for later


def worker_run(env: dict[str, str], log: Path) -> RunResult:
    from django.db import connection
    from django.db.models import Max, Min
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    connection.close()  # nothing of ours open while the worker writes (SQLite has one writer)
    since = timezone.now()
    wall = run_worker(env, log)
    ran = DBTaskResult.objects.filter(started_at__gte=since)
    span = ran.aggregate(first=Min("started_at"), last=Max("finished_at"))
    counted: Counter[str] = Counter()
    busy: defaultdict[str, float] = defaultdict(float)
    for path, status, started, finished in ran.values_list("task_path", "status", "started_at", "finished_at"):
        name = path.rsplit(".", 1)[-1] + ("" if status == "SUCCESSFUL" else f" ({status.lower()})")
        counted[name] += 1
        if started is not None and finished is not None:
            busy[name] += (finished - started).total_seconds()
    later = DBTaskResult.objects.filter(enqueued_at__gte=since, status="READY").count()
    seconds = (span["last"] - span["first"]).total_seconds() if span["first"] and span["last"] else 0.0
    connection.close()
    return RunResult(wall, seconds, counted, busy, later)


def startup_seconds(env: dict[str, str], log: Path) -> float:
    """The worker's start-up and exit with nothing ready (the future timers stay), median of a few."""
    from django.db import connection

    connection.close()
    return statistics.median(run_worker(env, log) for _ in range(STARTUP_RUNS))


def enqueue_due(rows: list[Row], ids: list[int], round_: int, rng: random.Random) -> list[str]:
    """Enqueue the round's due timers through the task API, run_after spread over the minute that
    ends now (kinds shuffled); returns the task ids."""
    from django.utils import timezone

    from tierdesk.tickets.models import RuleTimer
    from tierdesk.tickets.tasks import rule_timer_due, sla_check

    due = [(row, ticket_id) for row, ticket_id in zip(rows, ids, strict=True) if row.kind and row.round == round_]
    rng.shuffle(due)
    timers = {
        (ticket_id, key): (rule_id, token)
        for ticket_id, rule_id, key, token in RuleTimer.objects.filter(
            ticket_id__in=[ticket_id for _row, ticket_id in due]
        ).values_list("ticket_id", "rule_id", "rule__key", "token")
    }
    start = timezone.now() - timedelta(seconds=60)
    enqueued: list[str] = []
    for index, (row, ticket_id) in enumerate(due):
        run_after = start + timedelta(seconds=60 * index / len(due))
        if row.kind in SLA_KINDS:
            enqueued.append(sla_check.using(run_after=run_after).enqueue(ticket_id, row.sla_version).id)
        else:
            rule_id, token = timers[(ticket_id, RULE_OF_KIND[row.kind])]
            enqueued.append(rule_timer_due.using(run_after=run_after).enqueue(ticket_id, rule_id, token).id)
    return enqueued


def enqueue_noops(count: int) -> None:
    """The ceiling: `count` SLA checks of tickets that do not exist (the check reads one row and
    returns), run_after spread over the minute that ends now, like the timers."""
    from django.utils import timezone

    from tierdesk.tickets.models import Ticket
    from tierdesk.tickets.tasks import sla_check

    missing = (Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1_000_000
    start = timezone.now() - timedelta(seconds=60)
    for index in range(count):
        sla_check.using(run_after=start + timedelta(seconds=60 * index / count)).enqueue(missing + index, 1)


def claim_seconds(repeat: int = 20) -> float:
    """The worker's claim query as db_worker runs it (every queue, skip locked), without claiming."""
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    tasks = DBTaskResult.objects.ready().filter(backend_name="default")
    started = time.perf_counter()
    for _ in range(repeat):
        with exclusive_transaction(tasks.db):
            tasks.get_locked()
    return (time.perf_counter() - started) / repeat


def queue_probe() -> list[tuple[str, float]]:
    """What one claim costs with the future timers in the queue: nothing ready (an idle worker's
    poll), a due timer first in line, an immediate task (run_after unset: rule evaluations, mails)
    ready. The probe tasks name tickets that do not exist and are deleted again."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from tierdesk.tickets.tasks import rules_evaluate, sla_check

    idle = claim_seconds()
    timer = sla_check.using(run_after=timezone.now() - timedelta(seconds=1)).enqueue(0, 1)
    due_timer = claim_seconds()
    DBTaskResult.objects.filter(id=timer.id).delete()
    immediate = rules_evaluate.enqueue(0, ["changed"])
    immediate_task = claim_seconds()
    # What if the timers shared the immediate tasks' priority? The claim orders by priority first,
    # then run_after, where "no run_after" is stored as the year 9999: behind every waiting timer.
    future = DBTaskResult.objects.filter(status="READY").exclude(id=immediate.id)
    future.update(priority=rules_evaluate.priority)
    same = claim_seconds()
    DBTaskResult.objects.filter(id=immediate.id).delete()
    idle_same = claim_seconds()
    DBTaskResult.objects.filter(status="READY").update(priority=sla_check.priority)
    return [
        ("nothing ready (each poll of an idle worker)", idle),
        ("a due timer ready", due_timer),
        ("an immediate task ready (rule evaluation, mail)", immediate_task),
        ("what if timers shared the immediate tasks' priority: immediate task", same),
        ("what if timers shared the immediate tasks' priority: nothing ready", idle_same),
    ]


def effects(rows: list[Row], ids: list[int], rounds: int) -> list[tuple[str, int, int]]:
    """(kind, due, done) per due kind of the first `rounds` rounds, read from the database: did
    each timer do its work?"""
    from tierdesk.tickets.models import RuleFiring, Ticket

    by_kind: dict[str, list[int]] = {}
    for row, ticket_id in zip(rows, ids, strict=True):
        if row.kind and row.round < rounds:
            by_kind.setdefault(row.kind, []).append(ticket_id)
    done_filters: dict[str, Callable[[list[int]], int]] = {
        FR_WARNING: lambda pks: Ticket.objects.filter(pk__in=pks, first_response_warned_at__isnull=False).count(),
        RES_WARNING: lambda pks: Ticket.objects.filter(pk__in=pks, resolution_warned_at__isnull=False).count(),
        RES_BREACH: lambda pks: Ticket.objects.filter(pk__in=pks, resolution_breached_at__isnull=False).count(),
        ESCALATION: lambda pks: Ticket.objects.filter(pk__in=pks, level="second").count(),
        P1_ALERT: lambda pks: RuleFiring.objects.filter(ticket_id__in=pks, rule__key=P1_RULE, outcome="done").count(),
        REMINDER: lambda pks: RuleFiring.objects.filter(
            ticket_id__in=pks, rule__key=REMIND_RULE, outcome="done"
        ).count(),
        CLOSURE: lambda pks: Ticket.objects.filter(pk__in=pks, status="closed").count(),
    }
    return [(kind, len(pks), done_filters[kind](pks)) for kind, pks in by_kind.items()]


# --- rule evaluation -----------------------------------------------------------------------------------


def micros(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return (
        f"p50 {statistics.median(ordered) * 1e6:8.1f} µs   p99 {p99 * 1e6:8.1f} µs   "
        f"mean {statistics.fmean(ordered) * 1e6:8.1f} µs"
    )


def state_of(row: Row) -> str:
    """What decides the queries of an evaluation: status, first level or above, P1 or not."""
    level = "first level" if row.level == "first" else "above first"
    return f"{row.status} {level}{' P1' if row.priority == 'p1' else ''}"


def timer_state() -> tuple[int, int]:
    """(rule timers, sum of their tokens): what an evaluation that replans a timer changes."""
    from django.db.models import Count, Sum

    from tierdesk.tickets.models import RuleTimer

    totals = RuleTimer.objects.aggregate(count=Count("id"), tokens=Sum("token"))
    return int(totals["count"] or 0), int(totals["tokens"] or 0)


def evaluations(rows: list[Row], ids: list[int], count: int, now: datetime, rng: random.Random) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tierdesk.tickets.automation import engine

    background = [(row, ticket_id) for row, ticket_id in zip(rows, ids, strict=True) if not row.kind]
    sample = rng.sample(background, min(count + 50, len(background)))
    warm_count = min(50, len(sample) // 2)
    warm, timed = sample[:warm_count], sample[warm_count:]
    for _row, ticket_id in warm:  # imports, the connection, the database's page cache for the rules
        engine.evaluate_ticket(ticket_id=ticket_id, actions=["changed"], now=now)

    def raw(ticket_id: int) -> None:
        with connection.cursor() as cur:
            cur.execute("SELECT * FROM tickets_ticket WHERE id = %s", [ticket_id])
            cur.fetchone()
            cur.execute("SELECT id, rule_id, due_at, token FROM tickets_ruletimer WHERE ticket_id = %s", [ticket_id])
            cur.fetchall()

    before = timer_state()
    raw_times: list[float] = []
    eval_times: list[float] = []
    fired = 0
    for index, (_row, ticket_id) in enumerate(timed):
        started = time.perf_counter()
        raw(ticket_id)
        raw_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        fired += len(engine.evaluate_ticket(ticket_id=ticket_id, actions=ACTION_MIX[index % len(ACTION_MIX)], now=now))
        eval_times.append(time.perf_counter() - started)
    after = timer_state()
    print(f"Rule evaluation after a change: {len(timed)} tickets of every state, 1 thread, in-process")
    print(f"  engine.evaluate_ticket          {micros(eval_times)}")
    print(f"  raw SQL (ticket + its timers)   {micros(raw_times)}")
    print(
        f"  an evaluation costs x{statistics.median(eval_times) / statistics.median(raw_times):.1f} the raw reads "
        f"(p50), x{statistics.fmean(eval_times) / statistics.fmean(raw_times):.1f} (mean); rules fired {fired}, "
        f"timers changed {after[0] - before[0]:+d} rows / {after[1] - before[1]:+d} tokens (0 when in step)"
    )
    print("  SQL queries of one evaluation (one ticket of each state; states with the same queries together):")
    states: dict[str, list[str]] = {}
    for row, ticket_id in background:
        state = state_of(row)
        if any(state in names for names in states.values()):
            continue
        with CaptureQueriesContext(connection) as queries:
            engine.evaluate_ticket(ticket_id=ticket_id, actions=["commented"], now=now)
        tables = Counter(query_table(query["sql"]) for query in queries.captured_queries)
        summary = f"{len(queries.captured_queries):2d}: " + ", ".join(f"{t} {n}" for t, n in tables.most_common())
        states.setdefault(summary, []).append(state)
    for summary, names in sorted(states.items()):
        print(f"    {summary}")
        print(f"        {'; '.join(sorted(names))}")


def query_table(sql: str) -> str:
    """The first table a query names (FROM, UPDATE or INTO), for the per-table count."""
    words = sql.replace('"', "").split()
    for keyword in ("FROM", "UPDATE", "INTO"):
        if keyword in words:
            return words[words.index(keyword) + 1]
    return words[0] if words else "?"


# --- main ----------------------------------------------------------------------------------------------


def setup_django(scratch: dict[str, str]) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(scratch)
    import django

    django.setup()


def timer_queries(rows: list[Row], ids: list[int], round_: int) -> None:
    """The SQL of one timer of each kind, run in-process on the spare round's tickets (commit hooks
    included; the follow-up tasks they enqueue are not run)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tierdesk.tickets.models import RuleTimer
    from tierdesk.tickets.tasks import rule_timer_due, sla_check

    print("  SQL queries of one timer, in-process (sla_*: the policy with its targets and calendar):")
    done: set[str] = set()
    for row, ticket_id in zip(rows, ids, strict=True):
        if row.round != round_ or row.kind in done:
            continue
        done.add(row.kind)
        with CaptureQueriesContext(connection) as queries:
            if row.kind in SLA_KINDS:
                outcome: object = sla_check.call(ticket_id, row.sla_version)
            else:
                timer = RuleTimer.objects.get(ticket_id=ticket_id, rule__key=RULE_OF_KIND[row.kind])
                outcome = rule_timer_due.call(ticket_id, timer.rule_id, timer.token)
        tables = Counter(query_table(query["sql"]) for query in queries.captured_queries)
        policy = sum(n for table, n in tables.items() if table.startswith("sla_"))
        writes = sum(1 for query in queries.captured_queries if query["sql"].startswith(("INSERT", "UPDATE")))
        print(
            f"    {row.kind:<24} {len(queries.captured_queries):3d} queries, {writes} writes, sla_* {policy} "
            f"(returned {outcome!r})"
        )


def timer_minute(
    env: dict[str, str], log: Path, rows: list[Row], ids: list[int], due_total: int, rounds: int, rng: random.Random
) -> None:
    """Part 1: per round, the no-op ceiling run, then the round's due timers; medians over the rounds
    (the same work each round, on fresh tickets), so that a busy moment of the machine shows."""
    from django_tasks_db.models import DBTaskResult

    startup = startup_seconds(env, log)
    print(f"  worker start-up and exit, nothing ready (median of {STARTUP_RUNS}): {startup:.2f} s")
    ceilings: list[RunResult] = []
    fresh_connections: list[RunResult] = []
    runs: list[RunResult] = []
    enqueued: list[str] = []
    for round_ in range(rounds):
        enqueue_noops(due_total)
        ceilings.append(worker_run(env, log))
        # The same with a new connection per task: db_worker closes "old" connections around every
        # task, and with DATABASE_CONN_MAX_AGE=0 every connection is old.
        enqueue_noops(due_total)
        fresh_connections.append(worker_run(env | {"DATABASE_CONN_MAX_AGE": "0"}, log))
        enqueued += enqueue_due(rows, ids, round_, rng)
        runs.append(worker_run(env, log))
        print(
            f"  round {round_ + 1}: {due_total} no-ops claim to finish {ceilings[-1].span:5.2f} s "
            f"({fresh_connections[-1].span:5.2f} s with DATABASE_CONN_MAX_AGE=0); {due_total} timers wall "
            f"{runs[-1].wall:5.2f} s, less start-up {runs[-1].wall - startup:5.2f} s, claim to finish "
            f"{runs[-1].span:5.2f} s"
        )
    processing = statistics.median(run.wall - startup for run in runs)
    span = statistics.median(run.span for run in runs)
    noop = statistics.median(run.span for run in ceilings)
    noop_fresh = statistics.median(run.span for run in fresh_connections)
    print(
        f"  median: {due_total} timers in {processing:.2f} s (wall less start-up) = {due_total / processing:.1f} "
        f"timers/s; {processing:.2f} s of 60 s = {processing / 60:.1%} of the minute"
    )
    print(
        f"  claim to finish: timers {span:.2f} s, no-ops {noop:.2f} s ({noop_fresh:.2f} s with a new "
        f"connection per task): the timers take x{span / noop:.1f} the worker's own cost per task "
        f"({due_total / span:.1f} vs {due_total / noop:.1f} tasks/s)"
    )
    ran: Counter[str] = sum((run.ran for run in runs), Counter())
    busy: defaultdict[str, float] = defaultdict(float)
    for run in runs:
        for name, seconds in run.busy.items():
            busy[name] += seconds
    print(
        "  tasks run per round (mean ms claim to finish): "
        + ", ".join(f"{n / rounds:.0f} {name} ({busy[name] / n * 1000:.1f})" for name, n in ran.most_common())
    )
    print(
        "  enqueued for later per round (next SLA checks, replanned timers): "
        f"{statistics.median(run.later for run in runs):g}"
    )
    statuses = Counter(DBTaskResult.objects.filter(id__in=enqueued).values_list("status", flat=True))
    checks = effects(rows, ids, rounds)
    print(
        "  effects in the database, all rounds: "
        + ", ".join(f"{kind} {done}/{count}" for kind, count, done in checks)
        + f"; due tasks {dict(statuses)}"
    )
    if any(done != count for _kind, count, done in checks) or set(statuses) != {"SUCCESSFUL"}:
        print(f"  NOTE: not every timer did its work; see {log} and the counts above")
    timer_queries(rows, ids, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets loaded (default 100000)")
    parser.add_argument(
        "--due-per-minute",
        type=int,
        help=f"timers due in the minute (default: tickets x {TIMERS_PER_TICKET} / "
        f"{OPEN_WORKING_DAYS * BUSINESS_MINUTES_PER_DAY} business minutes)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="worker runs of the minute, each on fresh tickets")
    parser.add_argument("--evaluations", type=int, default=2000, help="evaluate_ticket calls timed (default 2000)")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the load (default 7)")
    parser.add_argument("--postgres", metavar="URL", help="server URL; a scratch database is created and dropped")
    args = parser.parse_args()
    open_minutes = OPEN_WORKING_DAYS * BUSINESS_MINUTES_PER_DAY
    due_total = args.due_per_minute or math.ceil(args.tickets * TIMERS_PER_TICKET / open_minutes)
    rounds = max(1, min(args.rounds, args.tickets // (2 * due_total) - 1))  # at most half the tickets are due ones
    rng = random.Random(args.seed)  # noqa: S311 - test data, not secrets

    with scratch_database(args.postgres) as scratch:
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"} | scratch
        subprocess.run([sys.executable, "-m", "tierdesk", "migrate", "-v0"], env=env, check=True)
        setup_django(scratch)
        from django.db import connection
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        from tierdesk.sla.selectors import DEADLINE_HORIZON, calendar_spec_for_range, policy_for_organisation

        policy = policy_for_organisation(None)
        if policy is None:
            raise SystemExit("no default SLA policy after migrate")
        now = timezone.now()
        clock = BusinessClock(
            calendar_spec_for_range(policy.calendar, now - timedelta(days=60), now + DEADLINE_HORIZON), now
        )
        targets = {t.priority: Targets(t.first_response_minutes, t.resolution_minutes) for t in policy.targets.all()}
        due = due_counts(due_total)
        print(
            f"Tierdesk SLA benchmark on {connection.vendor}, {os.cpu_count()} cores; policy {policy.name!r} on "
            f"{policy.calendar.name!r}, at {now:%Y-%m-%d %H:%M} UTC; load average {os.getloadavg()[0]:.2f}"
        )

        load_started = time.perf_counter()
        pairs = seed_people()
        # One set of due tickets per round, and a spare one for the in-process query counts.
        rows = plan_rows(clock, targets, policy.warning_percent, args.tickets, due, rounds + 1, rng)
        ids = load_tickets(rows, pairs, policy.pk)
        load_timers(rows, ids, now + BACKGROUND_GUARD)
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        statuses = Counter(row.status for row in rows)
        queued = DBTaskResult.objects.filter(status="READY").count()
        print(
            f"Loaded {len(rows):,} tickets ({', '.join(f'{n:,} {s}' for s, n in statuses.most_common())}), "
            f"{sum(len(row.rule_timers) for row in rows):,} rule timers, {queued:,} future timer tasks "
            f"in {time.perf_counter() - load_started:.1f} s"
        )
        print(f"The worker's claim query with {queued:,} future timer tasks queued (READY, run_after ahead):")
        for label, seconds in queue_probe():
            print(f"  {label:<50} {seconds * 1000:8.2f} ms")

        per_minute = (
            "--due-per-minute"
            if args.due_per_minute
            else f"{args.tickets:,} x {TIMERS_PER_TICKET} / {open_minutes:,} business minutes"
        )
        print(
            f"One minute's due timers: {due_total} ({per_minute}), run_after within the minute before the start; "
            f"{rounds} round{'s' if rounds > 1 else ''} of no-op ceiling runs and a timers run"
        )
        print("  " + ", ".join(f"{n} {kind}" for kind, n in due.items()))
        timer_minute(env, Path(scratch["TIERDESK_VAR_DIR"]) / "worker.log", rows, ids, due_total, rounds, rng)

        evaluations(rows, ids, args.evaluations, now, rng)
        print(f"Load average at the end (1 min): {os.getloadavg()[0]:.2f}")
        connection.close()


if __name__ == "__main__":
    main()
