"""The agent workspace at scale (saved views, counts, CSV export, custom-field filters, automatic
assignment, merging), each figure set against raw SQL doing the same work in the same run.

    python bench/workspace.py [--tickets 100000] [--quick] [--reps 7]
    python bench/workspace.py --postgres postgres://postgres@127.0.0.1:5432/postgres   # a scratch DB is created
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/workspace.py  # the same

The database is a temporary SQLite file, or a scratch PostgreSQL database created next to the one
--postgres (else DATABASE_URL) names and dropped at the end: the named database itself is never
written. It is migrated with `tierdesk migrate` in a child process (bench/tickets.py's child_env),
then loaded in bulk (raw SQL): 50 first-level agents (all available; half speak Dutch too), 20
organisations with 5 contacts each, 8 categories, three custom fields on every ticket (a choice
`service_level` of 10 options, a text `asset_tag` unique per ticket, a number `hours_budget`
1-200) and --tickets tickets: 5 % new and unassigned (the queue), 57 % open, 33 % waiting, 3 %
resolved, 2 % closed (no deadline); every ticket but the new ones assigned to one of the 50
agents (so each holds ~1,800 open tickets at 100,000), levels first/second/development at
70/20/10 %, priorities P1-P5 at 2/8/30/40/20 %, ages spread over 400 days. All work runs
in-process on one connection, the raw SQL on the same connection; each pair is timed alternately
(--reps times after one warm-up) and the medians are compared.

1. Saved-view list: `selectors_views.view_tickets` (default columns: organisation joined,
   assignee prefetched) for every sort in view_spec.SORTS, both directions, the first page of 50
   and a deep page (OFFSET --deep-offset, or the last page when fewer rows match), for three
   filters: all tickets, new/open at first level, and "mine" (the viewing agent's). Ceiling: the
   same SELECT written by hand (same ORDER BY, LIMIT/OFFSET) plus the assignees by id; the rows
   are checked to be the same. The plan of each (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on
   PostgreSQL) says whether an index gives the order: "sort" means a temporary B-tree for the
   ORDER BY (SQLite) or a Sort node (PostgreSQL) over every matching row. What-if on SQLite, for
   the new/open filter: the raw page with the filter's columns behind a unary + (no index for
   them), so that the plan walks the sort's index and stops after the page.
2. Sidebar counts: `selectors_views.view_counts` for 10 saved views (one aggregate query, plus one
   definition lookup per custom-field view) against 10 separate raw COUNT(*) queries, and against
   one raw aggregate (COUNT(CASE ...) per view).
3. CSV export (`tickets.export.export_lines`, as the API's export builds it from
   `ticket_list_for`) of every ticket with service_level=gold (~10 %), three custom-field columns:
   rows per second against one raw SELECT of the same columns (custom fields by LEFT JOIN) and
   against that SELECT written to CSV by csv.writer. What-if: the same export without the
   checklist-progress annotation that ticket_list_for adds for staff.
4. Custom-field filters on the list (`ticket_list_for` with `filter_by_custom_fields`, as the
   API's GET /tickets: page of 50 in queue order, its values and assignees prefetched, and the
   count): a common choice (~10 %), a number at least 195 among new/open tickets (~2 % of them),
   and one asset tag (one ticket); against the same page and count in raw SQL with EXISTS, and
   (what-if) with `id IN (SELECT ticket_id ...)` instead, which a planner may drive from the
   value's index.
5. Automatic assignment: `routing.selectors.next_agent` (round robin and least loaded, language
   respected) with 50 agents holding ~1,800 open tickets each, against raw SQL choosing the same
   agent (open tickets counted by a join with the status in its condition, and by a correlated
   subquery), both served by the (assignee, status) index (VACUUM ANALYZE on PostgreSQL after
   the load, as autovacuum would). The
   policy's max_open_tickets is raised past the form's limit (1,000) by an UPDATE, so that these
   agents stay eligible. Then `ticket_auto_assign` end to end (its transaction, locks, history,
   after-commit events) on --assignments queued tickets, against raw SQL doing the minimum an
   assignment writes (locks, selection by the join, ticket, history row, cursor, presence) on as
   many others.
6. Merging: `tickets.services.merge.ticket_merge` of --merges tickets, each with 50 comments, 10
   attachment rows (no files), 20 time entries, 10 checklist items and 5 followers, into another
   ticket of its organisation; against raw SQL moving the same rows in one transaction. Also the
   SQL queries of one merge and of one assignment.

Only the database is contacted (127.0.0.1 for PostgreSQL); every loop is bounded by the counts
above. Prints figures and a summary table; asserts nothing (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from tickets import child_env, scratch_database, setup_django  # bench/tickets.py

AGENTS = 50
ORGANISATIONS = 20
CONTACTS_PER_ORGANISATION = 5
CATEGORIES = ("Printing", "Network", "Mailbox", "Accounts", "Hardware", "Telephony", "Application", "Backup")
TOPICS = (
    "printer", "vpn", "mailbox", "password", "laptop", "monitor", "scanner", "invoice", "licence", "backup",
    "phone", "headset", "calendar", "share", "badge", "wifi", "update", "report", "login", "quota",
)  # fmt: skip
STATUS_WEIGHTS = {"new": 5, "open": 57, "waiting": 33, "resolved": 3, "closed": 2}
ACTIVE = ("new", "open", "waiting")  # tickets.rules.ACTIVE_STATUSES
LEVEL_WEIGHTS = {"first": 70, "second": 20, "development": 10}
PRIORITY_WEIGHTS = {"p1": 2, "p2": 8, "p3": 30, "p4": 40, "p5": 20}
CHANNELS = ("email", "portal", "phone", "api", "web")
SERVICE_LEVELS = ("bronze", "silver", "gold", "platinum", "basic", "extended", "night", "weekend", "onsite", "remote")
PAGE = 50
HISTORY_DAYS = 400
LOAD_BATCH = 5000
MERGE_SHAPE = {"comments": 50, "attachments": 10, "time entries": 20, "checklist items": 10, "followers": 5}
# A policy's maximum is at most 1,000 in the forms; the bench's agents hold more, so the policy
# row is set past it directly (a smallint on PostgreSQL).
BENCH_MAX_OPEN = 32000
TABLES = {
    "Ticket": "tickets_ticket",
    "Organisation": "accounts_organisation",
    "User": "accounts_user",
    "AgentProfile": "accounts_agentprofile",
    "AgentPresence": "routing_agentpresence",
    "AssignmentPolicy": "routing_assignmentpolicy",
    "CustomFieldValue": "tickets_customfieldvalue",
    "Contact": "accounts_contact",
    "Category": "tickets_category",
    "ChecklistItem": "tickets_checklistitem",
    "Comment": "tickets_comment",
    "Attachment": "tickets_attachment",
    "TimeEntry": "tickets_timeentry",
    "TicketWatcher": "tickets_ticketwatcher",
    "HistoryEvent": "tickets_historyevent",
    "RuleTimer": "tickets_ruletimer",
    "SecondLevelRequest": "tickets_secondlevelrequest",
    "Appointment": "tickets_appointment",
}


# --- measuring -------------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def pair(orm: Callable[[], object], raw: Callable[[], object], reps: int) -> tuple[float, float]:
    """Median seconds of `orm` and `raw`, run alternately (so both see the machine's same moments)
    after one warm-up call each."""
    orm()
    raw()
    orm_s, raw_s = [], []
    for _ in range(reps):
        orm_s.append(timed(orm))
        raw_s.append(timed(raw))
    return statistics.median(orm_s), statistics.median(raw_s)


def median_of(fn: Callable[[], object], reps: int) -> float:
    fn()
    return statistics.median(timed(fn) for _ in range(reps))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.2f}"


def ratio(orm: float, raw: float) -> str:
    return f"x{orm / raw:.1f}" if raw > 0 else "-"


@dataclass
class Summary:
    """The rows of the closing table (what, ORM, raw, ratio, note)."""

    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    def add(self, what: str, orm: float, raw: float, note: str = "", unit: str = "ms") -> None:
        if unit == "ms":
            self.rows.append((what, f"{ms(orm)} ms", f"{ms(raw)} ms", ratio(orm, raw), note))
        else:  # a rate: the share of the ceiling
            self.rows.append((what, f"{orm:,.0f} {unit}", f"{raw:,.0f} {unit}", f"{orm / raw:.1%}", note))

    def print(self, vendor: str) -> None:
        print(f"\nSummary ({vendor}), medians; ratio = ORM / raw SQL (rates: share of the raw rate):")
        print("| what | Tierdesk | raw SQL | ratio | note |")
        print("|---|---|---|---|---|")
        for row in self.rows:
            print("| " + " | ".join(row) + " |")


def captured(fn: Callable[[], object]) -> list[str]:
    """The SQL of every query `fn` runs (executable: parameters are inlined on both databases)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        fn()
    return [query["sql"] for query in queries.captured_queries]


def plan(sql: str, params: Sequence[Any] = ()) -> list[str]:
    """The query plan: EXPLAIN QUERY PLAN (SQLite) or EXPLAIN (PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cur:
        # Without parameters the text goes as it is (captured SQL holds literals such as '%printer%').
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, list(params) or None)
            return [str(row[-1]) for row in cur.fetchall()]
        cur.execute("EXPLAIN " + sql, list(params) or None)
        return [str(row[0]) for row in cur.fetchall()]


FULL_SORT = re.compile(r"USE TEMP B-TREE FOR ORDER BY|(^|->\s+)Sort\s+\(")
PARTIAL_SORT = re.compile(r"USE TEMP B-TREE FOR (RIGHT PART|LAST TERM)|Incremental Sort")


def order_from(lines: Sequence[str]) -> str:
    """Whether the plan gets its ORDER BY from an index: "index", "partial" or "sort"."""
    text = "\n".join(line.strip() for line in lines)
    if any(FULL_SORT.search(line.strip()) for line in lines):
        return "sort"
    return "partial" if PARTIAL_SORT.search(text) else "index"


def show_plan(lines: Sequence[str], indent: str = "      ", limit: int = 14) -> None:
    for line in lines[:limit]:
        print(f"{indent}{line}")
    if len(lines) > limit:
        print(f"{indent}... ({len(lines) - limit} more lines)")


# --- the load ----------------------------------------------------------------------------------------


def check_tables() -> None:
    """The raw SQL below names tables: stop early if a model's table is not the one it names."""
    from django.apps import apps

    models = {model.__name__: model for model in apps.get_models()}
    wrong = [
        f"{name}: {models[name]._meta.db_table}"
        for name, table in TABLES.items()
        if models[name]._meta.db_table != table
    ]
    if wrong:
        raise SystemExit("tables changed, update TABLES and the SQL: " + ", ".join(wrong))


def weighted(rng: random.Random, weights: dict[str, int], n: int) -> list[str]:
    return rng.choices(list(weights), weights=list(weights.values()), k=n)


@dataclass
class World:
    """What the load made: the people and definitions the measurements need."""

    admin: Any
    agents: list[Any]
    organisations: list[int]
    contacts: dict[int, list[int]]  # organisation -> contacts
    fields: dict[str, Any]  # key -> CustomField
    first_number: int = 0


def seed_people(rng: random.Random) -> World:
    from tierdesk.accounts.choices import Role
    from tierdesk.accounts.services import contact_create, organisation_create, staff_user_create
    from tierdesk.tickets.choices_custom_fields import FieldType
    from tierdesk.tickets.models import Category, CustomField

    admin = staff_user_create(username="bench-admin", password=None, role=Role.ADMIN)
    agents = [
        staff_user_create(
            username=f"agent-{i:02d}",
            password=None,
            first_name=f"Agent {i:02d}",
            last_name="Example",
            languages=["en", "nl"] if i % 2 else ["en"],
        )
        for i in range(1, AGENTS + 1)
    ]
    organisations, contacts = [], {}
    for i in range(ORGANISATIONS):
        org = organisation_create(
            by=admin, name=f"Bench Works {i:02d} Example", language="nl" if i % 3 == 0 else "en", country="NL"
        )
        organisations.append(org.pk)
        contacts[org.pk] = [
            contact_create(by=admin, organisation=org, name=f"Caller {i}-{j}", email=f"c{i}-{j}@works{i}.example").pk
            for j in range(CONTACTS_PER_ORGANISATION)
        ]
    for name in CATEGORIES:
        Category.objects.create(name=name)
    fields = {
        "service_level": CustomField.objects.create(
            key="service_level", label="Service level", field_type=FieldType.CHOICE, choices=list(SERVICE_LEVELS)
        ),
        "asset_tag": CustomField.objects.create(
            key="asset_tag", label="Asset tag", field_type=FieldType.TEXT, position=1
        ),
        "hours_budget": CustomField.objects.create(
            key="hours_budget", label="Hours budget", field_type=FieldType.NUMBER, position=2
        ),
    }
    return World(admin=admin, agents=agents, organisations=organisations, contacts=contacts, fields=fields)


def load_tickets(world: World, n: int, rng: random.Random) -> None:
    """n tickets and their three custom-field values, in batches of raw executemany."""
    from django.db import connection, transaction

    from tierdesk.tickets.models import Category
    from tierdesk.tickets.services import ticket_number_next

    adapt = connection.ops.adapt_datetimefield_value
    categories = list(Category.objects.values_list("pk", flat=True))
    now = datetime.now(UTC)
    statuses = weighted(rng, STATUS_WEIGHTS, n)
    levels = weighted(rng, LEVEL_WEIGHTS, n)
    priorities = weighted(rng, PRIORITY_WEIGHTS, n)
    agent_ids = [agent.pk for agent in world.agents]
    with transaction.atomic():
        first = ticket_number_next()
        with connection.cursor() as cur:
            cur.execute("UPDATE tickets_ticketcounter SET value = value + %s WHERE name = %s", [n - 1, "ticket"])
    world.first_number = first
    for start in range(0, n, LOAD_BATCH):
        rows = []
        for i in range(start, min(start + LOAD_BATCH, n)):
            org = world.organisations[i % ORGANISATIONS]
            status, level = statuses[i], levels[i]
            created = now - timedelta(days=HISTORY_DAYS) + timedelta(seconds=HISTORY_DAYS * 86400 * i / n)
            updated = created + timedelta(seconds=rng.uniform(0, min(30 * 86400, (now - created).total_seconds())))
            finished = status in ("resolved", "closed")
            rows.append(
                (
                    first + i,
                    f"{TOPICS[i % len(TOPICS)]} trouble {i}",
                    org,
                    rng.choice(world.contacts[org]),
                    CHANNELS[i % len(CHANNELS)],
                    None if i % 5 == 0 else categories[i % len(categories)],
                    level,
                    status,
                    "customer" if status == "waiting" else "",
                    priorities[i],
                    None if status == "new" else agent_ids[i % AGENTS],
                    None if finished else adapt(created + timedelta(hours=rng.randint(4, 240))),
                    adapt(created),
                    adapt(updated),
                    adapt(updated) if finished else None,
                    adapt(updated) if status == "closed" else None,
                    adapt(created),
                    adapt(updated),
                )
            )
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(
                "INSERT INTO tickets_ticket (number, subject, description, organisation_id, requester_id, channel,"
                " category_id, level, status, waiting_on, urgency, impact, priority, assignee_id, due_at,"
                " level_entered_at, status_changed_at, resolved_at, closed_at, resolution, bug_key, bug_url,"
                " version, sla_paused_seconds, sla_version, created_at, updated_at) VALUES (%s, %s, '', %s, %s,"
                " %s, %s, %s, %s, %s, 'medium', 'low', %s, %s, %s, %s, %s, %s, %s, '', '', '', 1, 0, 0, %s, %s)",
                rows,
            )
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM tickets_ticket WHERE number >= %s ORDER BY number", [first])
        ids = [row[0] for row in cur.fetchall()]
    level_field, tag_field, hours_field = (world.fields[k].pk for k in ("service_level", "asset_tag", "hours_budget"))
    for start in range(0, len(ids), LOAD_BATCH):
        values = []
        for i in range(start, min(start + LOAD_BATCH, len(ids))):
            values += [
                (ids[i], level_field, SERVICE_LEVELS[rng.randrange(len(SERVICE_LEVELS))], None),
                (ids[i], tag_field, f"AT-{i:07d}", None),
                (ids[i], hours_field, "", rng.randint(1, 200)),
            ]
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(
                "INSERT INTO tickets_customfieldvalue (ticket_id, field_id, ordinal, value_text, value_number)"
                " VALUES (%s, %s, 0, %s, %s)",
                values,
            )


def set_presence(world: World) -> None:
    from django.utils import timezone

    from tierdesk.routing.models import AgentPresence

    now = timezone.now()
    AgentPresence.objects.bulk_create(
        [AgentPresence(user=agent, status="available", changed_at=now) for agent in world.agents]
    )


def analyze() -> None:
    """Planner statistics; on PostgreSQL also the visibility map that autovacuum would have set
    after a bulk load (index-only scans need it)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")


# --- 1. saved-view lists -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ListFilter:
    name: str
    filters: dict[str, Any]
    where: str  # the same condition in raw SQL on `t`
    params: tuple[Any, ...] = ()
    # What-if (SQLite): the same condition with the filter's columns behind a unary +, which keeps
    # SQLite from using an index for them, so that the plan walks the sort's own index and stops
    # after the page (instead of sorting every matching row). PostgreSQL's planner makes that
    # choice itself (and has no such hint).
    walk: str = ""


def list_filters(viewer: Any) -> list[ListFilter]:
    return [
        ListFilter("all tickets", {}, "1 = 1"),
        ListFilter(
            "new/open, first level",
            {"status": ["new", "open"], "level": ["first"]},
            "t.status IN ('new', 'open') AND t.level IN ('first')",
            walk="+t.status IN ('new', 'open') AND +t.level IN ('first')",
        ),
        ListFilter("mine", {"mine": True}, "t.assignee_id = %s", (viewer.pk,)),
    ]


def raw_order(sort: str, direction: str) -> str:
    from tierdesk.tickets.view_spec import DESC, SORTS

    return ", ".join(f"t.{column} {'DESC' if direction == DESC else 'ASC'}" for column in SORTS[sort])


def raw_page(where: str, params: Sequence[Any], order: str, offset: int) -> tuple[str, list[Any]]:
    sql = (
        f"SELECT t.*, o.* FROM tickets_ticket t INNER JOIN accounts_organisation o ON o.id = t.organisation_id"
        f" WHERE {where} ORDER BY {order} LIMIT {PAGE} OFFSET {offset}"
    )
    return sql, list(params)


def fetch_with_assignees(sql: str, params: Sequence[Any]) -> list[int]:
    """The page's rows and their assignees (one query by id, as the ORM's prefetch); the ticket ids."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        names = [column[0] for column in cur.description]
        rows = cur.fetchall()
        assignee = names.index("assignee_id")
        wanted = sorted({row[assignee] for row in rows if row[assignee] is not None})
        if wanted:
            cur.execute(f"SELECT * FROM accounts_user WHERE id IN ({', '.join(['%s'] * len(wanted))})", wanted)
            cur.fetchall()
    return [row[0] for row in rows]


def fetch_orm(qs: Any) -> list[Any]:
    """A fresh evaluation of a sliced queryset (its own result cache stays empty)."""
    return list(qs.all())


def count_where(where: str, params: Sequence[Any]) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM tickets_ticket t WHERE {where}", params)
        return int(cur.fetchone()[0])


@dataclass
class Unordered:
    """The cases of one filter whose plan does not take the order from an index, and the plan of
    the costliest of them (the deep page, else the first)."""

    cases: list[str] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)


def view_lists(viewer: Any, reps: int, deep_offset: int, summary: Summary) -> dict[str, Unordered]:
    """Part 1; returns, by filter, the cases whose ORM plan sorts."""
    from django.db import connection

    from tierdesk.tickets.selectors_views import ViewSpec, view_tickets
    from tierdesk.tickets.view_spec import DIRECTIONS, SORTS

    problems: dict[str, Unordered] = {}
    print(
        f"1. Saved-view list, page of {PAGE} (view_tickets, default columns) vs raw SQL; medians of {reps}; "
        "order: index / partial / sort (ORM plan; raw plan if different)"
    )
    print(
        "   what-if walk: raw SQL whose filter no index serves, so that the plan walks the sort's index "
        "(new/open filter, SQLite only)"
    )
    print(
        f"   {'filter':<24}{'sort':<12}{'dir':<5}{'offset':>7}{'ORM ms':>10}{'raw ms':>10}{'ratio':>8}  "
        f"{'order':<8}{'walk ms':>10}  walk order"
    )
    by_page: dict[str, list[tuple[float, float]]] = {"first": [], "deep": []}
    walks: list[tuple[float, float]] = []
    for item in list_filters(viewer):
        matching = count_where(item.where, item.params)
        deep = max(0, min(deep_offset, matching - PAGE))
        for sort in SORTS:
            for direction in DIRECTIONS:
                spec = ViewSpec(filters=item.filters, sort_field=sort, sort_direction=direction)
                for offset in (0, deep):
                    qs = view_tickets(user=viewer, spec=spec)[offset : offset + PAGE]
                    sql, params = raw_page(item.where, item.params, raw_order(sort, direction), offset)
                    orm_ids = [ticket.pk for ticket in qs]
                    same = orm_ids == fetch_with_assignees(sql, params)
                    orm_s, raw_s = pair(partial(fetch_orm, qs), partial(fetch_with_assignees, sql, params), reps)
                    orm_plan = qs.explain().splitlines()
                    raw_plan = plan(sql, params)
                    order = order_from(orm_plan)
                    raw_order_kind = order_from(raw_plan)
                    shown = order if order == raw_order_kind else f"{order} (raw: {raw_order_kind})"
                    walked = ""
                    if item.walk and connection.vendor == "sqlite":
                        walk_sql, _p = raw_page(item.walk, item.params, raw_order(sort, direction), offset)
                        same = same and orm_ids == fetch_with_assignees(walk_sql, params)
                        walk_s = median_of(partial(fetch_with_assignees, walk_sql, params), reps)
                        walks.append((orm_s, walk_s))
                        walked = f"{ms(walk_s):>10}  {order_from(plan(walk_sql, params))}"
                    print(
                        f"   {item.name:<24}{sort:<12}{direction:<5}{offset:>7,}{ms(orm_s):>10}{ms(raw_s):>10}"
                        f"{ratio(orm_s, raw_s):>8}  {shown:<8}{walked}{'' if same else '  ROWS DIFFER FROM RAW'}"
                    )
                    by_page["first" if offset == 0 else "deep"].append((orm_s, raw_s))
                    if order != "index":
                        found = problems.setdefault(f"{item.name} ({matching:,} rows)", Unordered())
                        found.cases.append(f"{sort} {direction}{f' @{offset:,}' if offset else ''}: {order}")
                        if offset or not found.plan:
                            # Without the SQLite opcode numbers and the PostgreSQL cost estimates.
                            found.plan = [re.sub(r"^\d+ \d+ \d+ |\s*\(cost=.*\)$", "", line) for line in orm_plan]
                    if offset == deep:
                        break  # fewer rows than a page: the deep page is the first
    for page, results in by_page.items():
        if results:
            orm_m = statistics.median(r[0] for r in results)
            raw_m = statistics.median(r[1] for r in results)
            worst = max(results, key=lambda r: r[0])
            summary.add(
                f"view list, {page} page (median of {len(results)} sort/filter cases)",
                orm_m,
                raw_m,
                f"slowest ORM case {ms(worst[0])} ms (raw {ms(worst[1])} ms)",
            )
    if walks:
        summary.add(
            f"what-if: new/open list walking the sort index (median of {len(walks)}; raw column = walk)",
            statistics.median(w[0] for w in walks),
            statistics.median(w[1] for w in walks),
            f"slowest walk {ms(max(w[1] for w in walks))} ms",
        )
    return problems


# --- 2. sidebar counts -----------------------------------------------------------------------------


def saved_views(world: World, viewer: Any) -> list[tuple[Any, str, tuple[Any, ...]]]:
    """10 views of the viewer with the same condition in raw SQL (on `t`) each."""
    from django.db import connection

    from tierdesk.tickets.models import SavedView
    from tierdesk.tickets.view_spec import clean_filters

    gold = (
        "EXISTS (SELECT 1 FROM tickets_customfieldvalue v WHERE v.ticket_id = t.id AND v.field_id = %s"
        " AND v.value_text IN (%s))"
    )
    like = "t.subject LIKE %s" if connection.vendor == "sqlite" else "UPPER(t.subject) LIKE UPPER(%s)"
    org = world.organisations[3]
    specs: list[tuple[str, dict[str, Any], str, tuple[Any, ...]]] = [
        ("Mine", {"mine": True}, "t.assignee_id = %s", (viewer.pk,)),
        ("Queue", {"unassigned": True, "status": ["new"]}, "t.status IN ('new') AND t.assignee_id IS NULL", ()),
        (
            "Urgent",
            {"priority": ["p1", "p2"], "status": list(ACTIVE)},
            "t.status IN ('new', 'open', 'waiting') AND t.priority IN ('p1', 'p2')",
            (),
        ),
        ("Waiting", {"status": ["waiting"]}, "t.status IN ('waiting')", ()),
        (
            "Second level",
            {"level": ["second"], "status": ["new", "open"]},
            "t.status IN ('new', 'open') AND t.level IN ('second')",
            (),
        ),
        ("Development", {"level": ["development"]}, "t.level IN ('development')", ()),
        ("One customer", {"organisation_ids": [org]}, "t.organisation_id IN (%s)", (org,)),
        ("Printers", {"q": "printer"}, like, ("%printer%",)),
        (
            "Gold, active",
            {"cf_service_level": "gold", "status": list(ACTIVE)},
            "t.status IN ('new', 'open', 'waiting') AND " + gold,
            (world.fields["service_level"].pk, "gold"),
        ),
        ("Resolved", {"status": ["resolved"]}, "t.status IN ('resolved')", ()),
    ]
    views = []
    for position, (name, filters, where, params) in enumerate(specs):
        view = SavedView.objects.create(owner=viewer, name=name, filters=clean_filters(filters), position=position)
        views.append((view, where, params))
    return views


def sidebar_counts(world: World, viewer: Any, reps: int, summary: Summary) -> None:
    from django.db import connection

    from tierdesk.tickets.selectors_views import view_counts

    views = saved_views(world, viewer)
    models = [view for view, _where, _params in views]

    def separate() -> list[int]:
        with connection.cursor() as cur:
            counts = []
            for _view, where, params in views:
                cur.execute(f"SELECT COUNT(*) FROM tickets_ticket t WHERE {where}", params)
                counts.append(int(cur.fetchone()[0]))
            return counts

    one_sql = "SELECT " + ", ".join(f"COUNT(CASE WHEN {where} THEN 1 END)" for _view, where, _params in views)
    one_sql += " FROM tickets_ticket t"
    one_params = [param for _view, _where, params in views for param in params]

    def one() -> list[int]:
        with connection.cursor() as cur:
            cur.execute(one_sql, one_params)
            return [int(n) for n in cur.fetchone()]

    orm_counts = view_counts(user=viewer, views=models)
    same = [orm_counts[view.pk] for view in models] == separate() == one()
    queries = captured(lambda: view_counts(user=viewer, views=models))
    orm_s, raw_s = pair(lambda: view_counts(user=viewer, views=models), separate, reps)
    _orm2, one_s = pair(lambda: view_counts(user=viewer, views=models), one, reps)
    print(f"2. Sidebar counts of {len(views)} saved views (medians of {reps}); counts agree: {same}")
    print("   " + ", ".join(f"{view.name} {orm_counts[view.pk]:,}" for view in models))
    print(
        f"   view_counts: {ms(orm_s)} ms in {len(queries)} queries; 10 raw COUNT(*): {ms(raw_s)} ms "
        f"({ratio(orm_s, raw_s)}); one raw aggregate: {ms(one_s)} ms ({ratio(orm_s, one_s)})"
    )
    print("   plan of the aggregate:")
    show_plan(plan(max(queries, key=len)), limit=10)
    summary.add("sidebar counts, 10 views vs 10 raw COUNT(*)", orm_s, raw_s, f"{len(queries)} queries")
    summary.add("sidebar counts vs one raw aggregate", orm_s, one_s)


# --- 3. export ---------------------------------------------------------------------------------------


def gold_filter() -> Any:
    from tierdesk.tickets.selectors import TicketFilter
    from tierdesk.tickets.selectors_custom_fields import custom_field_filters_from

    return TicketFilter(custom_fields=custom_field_filters_from({"cf_service_level": "gold"}))


def export(world: World, viewer: Any, reps: int, summary: Summary) -> None:
    from django.db import connection

    from tierdesk.tickets.export import export_lines
    from tierdesk.tickets.models import Ticket
    from tierdesk.tickets.selectors import ticket_list_for
    from tierdesk.tickets.selectors_custom_fields import filter_by_custom_fields

    f = world.fields
    sql = (
        "SELECT t.number, t.subject, o.name, c.name, t.status, t.level, t.priority, cat.name, u.first_name,"
        " u.last_name, u.username, t.channel, t.created_at, t.due_at, t.resolved_at, v1.value_text,"
        " v2.value_text, v3.value_number FROM tickets_ticket t"
        " INNER JOIN accounts_organisation o ON o.id = t.organisation_id"
        " LEFT JOIN accounts_contact c ON c.id = t.requester_id"
        " LEFT JOIN tickets_category cat ON cat.id = t.category_id"
        " LEFT JOIN accounts_user u ON u.id = t.assignee_id"
        " LEFT JOIN tickets_customfieldvalue v1 ON v1.ticket_id = t.id AND v1.field_id = %s"
        " LEFT JOIN tickets_customfieldvalue v2 ON v2.ticket_id = t.id AND v2.field_id = %s"
        " LEFT JOIN tickets_customfieldvalue v3 ON v3.ticket_id = t.id AND v3.field_id = %s"
        " WHERE EXISTS (SELECT 1 FROM tickets_customfieldvalue g WHERE g.ticket_id = t.id AND g.field_id = %s"
        " AND g.value_text IN (%s)) ORDER BY t.number"
    )
    params = [f["service_level"].pk, f["asset_tag"].pk, f["hours_budget"].pk, f["service_level"].pk, "gold"]

    def raw() -> int:
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return len(cur.fetchall())

    def raw_csv() -> int:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        with connection.cursor() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall()
        for row in rows:
            writer.writerow(["" if cell is None else str(cell) for cell in row])
        return len(rows)

    def orm(tickets: Callable[[], Any]) -> Callable[[], int]:
        """The export's CSV rows (the request builds the list, then streams it)."""

        def run() -> int:
            return sum(chunk.count("\n") for chunk in export_lines(user=viewer, tickets=tickets())) - 1

        return run

    def as_api() -> Any:
        return ticket_list_for(user=viewer, filters=gold_filter())

    def plain() -> Any:
        return filter_by_custom_fields(Ticket.objects.all(), gold_filter().custom_fields, user=viewer)

    rows = raw()
    orm_rows = orm(as_api)()
    queries = captured(orm(as_api))
    orm_s, raw_s = pair(orm(as_api), raw, reps)
    plain_s, csv_s = pair(orm(plain), raw_csv, reps)
    print(
        f"3. CSV export of {rows:,} tickets (service_level=gold), 3 custom-field columns; medians of {reps}; "
        f"rows agree: {orm_rows == rows}"
    )
    print(
        f"   export_lines (as the API builds it): {ms(orm_s)} ms = {rows / orm_s:,.0f} rows/s in {len(queries)} "
        f"queries; raw SELECT: {ms(raw_s)} ms = {rows / raw_s:,.0f} rows/s ({orm_s / raw_s:.1f}x the time)"
    )
    print(
        f"   what-if, without the checklist-progress annotation: {ms(plain_s)} ms = {rows / plain_s:,.0f} rows/s; "
        f"raw SELECT + csv.writer: {ms(csv_s)} ms = {rows / csv_s:,.0f} rows/s"
    )
    page_sql = next((q for q in queries if "LIMIT" in q), "")
    if page_sql:
        print("   plan of one export page:")
        show_plan(plan(page_sql), limit=12)
    summary.add(f"CSV export, {rows:,} rows, rows/s", rows / orm_s, rows / raw_s, f"{len(queries)} queries", "rows/s")
    summary.add(
        "CSV export without checklist annotation vs raw + csv.writer, rows/s",
        rows / plain_s,
        rows / csv_s,
        "",
        "rows/s",
    )


# --- 4. custom-field filters ---------------------------------------------------------------------------


def custom_field_lists(world: World, viewer: Any, reps: int, summary: Summary) -> None:
    from django.db import connection

    from tierdesk.tickets.selectors import TicketFilter, ticket_list_for
    from tierdesk.tickets.selectors_custom_fields import custom_field_filters_from, with_custom_field_values

    f = world.fields
    exists = "EXISTS (SELECT 1 FROM tickets_customfieldvalue v WHERE v.ticket_id = t.id AND v.field_id = %s AND {})"
    # What-if: the same filter as IN (subquery), which a planner may drive from the value's index.
    within = "t.id IN (SELECT v.ticket_id FROM tickets_customfieldvalue v WHERE v.field_id = %s AND {})"
    one_tag = f"AT-{min(4242, count_where('1 = 1', ()) - 1):07d}"
    cases = [
        ("service_level=gold", {"cf_service_level": "gold"}, (), "", "v.value_text IN (%s)",
         (f["service_level"].pk, "gold")),
        ("hours_budget>=195, new/open", {"cf_hours_budget__gte": "195"}, ("new", "open"),
         "t.status IN ('new', 'open') AND ", "v.value_number >= %s", (f["hours_budget"].pk, 195)),
        (f"asset_tag={one_tag}", {"cf_asset_tag": one_tag}, (), "", "v.value_text IN (%s)",
         (f["asset_tag"].pk, one_tag)),
    ]  # fmt: skip
    checklist = (
        "COALESCE((SELECT COUNT(*) FROM tickets_checklistitem ci WHERE ci.ticket_id = t.id), 0),"
        " COALESCE((SELECT COUNT(*) FROM tickets_checklistitem ci WHERE ci.ticket_id = t.id"
        " AND ci.done_at IS NOT NULL), 0)"
    )
    print(
        f"4. Custom-field filters on the list (ticket_list_for + values, page of {PAGE} in queue order and count) "
        f"vs raw SQL with EXISTS, and (what-if) with IN (subquery); medians of {reps}"
    )

    def page_sql(where: str) -> str:
        return (
            f"SELECT t.*, o.*, c.*, cat.*, {checklist} FROM tickets_ticket t"
            " INNER JOIN accounts_organisation o ON o.id = t.organisation_id"
            " LEFT JOIN accounts_contact c ON c.id = t.requester_id"
            " LEFT JOIN tickets_category cat ON cat.id = t.category_id"
            f" WHERE {where} ORDER BY t.priority, t.due_at, t.created_at, t.id LIMIT {PAGE}"
        )

    for label, params, status, prefix, condition, where_params in cases:
        filters = TicketFilter(status=status, custom_fields=custom_field_filters_from(params))
        where, where_in = prefix + exists.format(condition), prefix + within.format(condition)

        def orm(filters: TicketFilter = filters) -> int:
            # As GET /tickets: the list (its custom-field definitions read), a page and the count.
            qs = with_custom_field_values(ticket_list_for(user=viewer, filters=filters), user=viewer)
            list(qs[:PAGE])
            return int(qs.count())

        def raw(where: str = where, where_params: Sequence[Any] = where_params) -> int:
            ids = fetch_with_assignees(page_sql(where), where_params)
            with connection.cursor() as cur:
                if ids:
                    cur.execute(
                        "SELECT v.*, f.* FROM tickets_customfieldvalue v INNER JOIN tickets_customfield f"
                        f" ON f.id = v.field_id WHERE v.ticket_id IN ({', '.join(['%s'] * len(ids))})"
                        " ORDER BY f.position, v.field_id, v.ordinal",
                        ids,
                    )
                    cur.fetchall()
            return count_where(where, where_params)

        same = orm() == raw() == raw(where_in)
        queries = captured(orm)
        orm_s, raw_s = pair(orm, raw, reps)
        in_s = median_of(partial(raw, where_in), reps)
        orm_plan = plan(next(q for q in queries if "LIMIT" in q))
        print(
            f"   {label:<30} {orm():>7,} tickets  ORM {ms(orm_s):>9} ms ({len(queries)} queries)  raw EXISTS "
            f"{ms(raw_s):>9} ms  {ratio(orm_s, raw_s)}  raw IN {ms(in_s):>9} ms  order: {order_from(orm_plan)}; "
            f"counts agree: {same}"
        )
        show_plan(orm_plan, limit=8)
        if in_s < raw_s / 2:
            print("     plan of the page with IN (subquery):")
            show_plan(plan(page_sql(where_in), where_params), indent="       ", limit=8)
        summary.add(f"custom-field filter {label}, page + count", orm_s, raw_s, f"what-if IN: {ms(in_s)} ms")


# --- 5. automatic assignment -----------------------------------------------------------------------------


def routing_sql(vendor: str, mode: str, correlated: bool) -> str:
    """The agent round robin / least loaded picks, in raw SQL (parameters: language, level, automation
    user name, channel, [cursor], max open)."""
    if vendor == "sqlite":
        has = "EXISTS (SELECT 1 FROM json_each({}) WHERE json_each.value = %s)"
        empty = "a.channels = '[]'"
    else:
        has = "({} @> jsonb_build_array(%s::text))"
        empty = "a.channels = '[]'::jsonb"
    active = "('new', 'open', 'waiting')"
    if correlated:
        open_count = f"(SELECT COUNT(*) FROM tickets_ticket t WHERE t.assignee_id = u.id AND t.status IN {active})"
        source, group, having = "", "", f" AND {open_count} < %s"
    else:
        open_count = "COUNT(t.id)"
        source = f" LEFT JOIN tickets_ticket t ON t.assignee_id = u.id AND t.status IN {active}"
        group, having = " GROUP BY u.id, a.languages, p.last_assigned_at", " HAVING COUNT(t.id) < %s"
    order = (
        "open_tickets, p.last_assigned_at ASC" + (" NULLS FIRST" if vendor == "postgresql" else "") + ", u.id"
        if mode == "least_loaded"
        else "CASE WHEN u.id > %s THEN 0 ELSE 1 END, u.id"
    )
    where = (
        "u.is_active AND u.role IN ('admin', 'agent', 'case_manager') AND a.level = %s"
        " AND p.status = 'available' AND u.username <> %s AND (" + empty + " OR " + has.format("a.channels") + ")"
    )
    if correlated:
        where += having
        having = ""
    return (
        f"SELECT u.id, {open_count} AS open_tickets, CASE WHEN {has.format('a.languages')} THEN 1 ELSE 0 END AS speaks"
        " FROM accounts_user u INNER JOIN accounts_agentprofile a ON a.user_id = u.id"
        f" INNER JOIN routing_agentpresence p ON p.user_id = u.id{source} WHERE {where}{group}{having}"
        f" ORDER BY speaks DESC, {order} LIMIT 1"
    )


def routing_params(policy: Any, ticket: Any, language: str, mode: str, correlated: bool) -> list[Any]:
    from tierdesk.accounts.choices import AUTOMATION_USERNAME

    # Placeholders in text order: speaks' language, level, automation name, channel, [max open
    # (correlated: in WHERE)], [max open (grouped: HAVING)], [cursor].
    params: list[Any] = [language, policy.level, AUTOMATION_USERNAME, ticket.channel, policy.max_open_tickets]
    if mode != "least_loaded":
        params.append(policy.last_assigned_user_id or 0)
    return params


def raw_next_agent(vendor: str, policy: Any, ticket: Any, language: str, correlated: bool) -> int | None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            routing_sql(vendor, policy.mode, correlated),
            routing_params(policy, ticket, language, policy.mode, correlated),
        )
        row = cur.fetchone()
    return int(row[0]) if row else None


def assignment(world: World, reps: int, count: int, summary: Summary) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from tierdesk.routing.models import AssignmentPolicy
    from tierdesk.routing.selectors import agents_in_turn, next_agent, ticket_language, waiting_ticket_ids
    from tierdesk.routing.services import policy_create
    from tierdesk.routing.services_assignment import ticket_auto_assign
    from tierdesk.tickets.models import Ticket

    vendor = connection.vendor
    policy = policy_create(by=world.admin, name="First level", level="first", max_open_tickets=1000)
    AssignmentPolicy.objects.filter(pk=policy.pk).update(
        max_open_tickets=BENCH_MAX_OPEN, last_assigned_user=world.agents[9]
    )
    policy.refresh_from_db()
    queue = waiting_ticket_ids(level="first", limit=2 * count + 2)
    count = (len(queue) - 2) // 2  # a small load has fewer queued tickets
    if count < 1:
        print("5. Automatic assignment: skipped, too few unassigned first-level tickets")
        return
    probe = Ticket.objects.select_related("requester", "organisation").get(pk=queue[0])
    language = ticket_language(probe)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*), MIN(n), MAX(n) FROM (SELECT COUNT(*) AS n FROM tickets_ticket WHERE assignee_id IS NOT"
            " NULL AND status IN ('new', 'open', 'waiting') GROUP BY assignee_id) x"
        )
        holders, low, high = cur.fetchone()
    print(
        f"5. Automatic assignment: {holders} agents hold {low:,}-{high:,} open tickets each; policy first level, "
        f"language respected (ticket in {language!r}); medians of {reps}"
    )

    def selection(label: str = "") -> None:
        for mode in ("round_robin", "least_loaded"):
            policy.mode = mode
            orm_id = next_agent(policy=policy, ticket=probe)
            queries = captured(lambda: next_agent(policy=policy, ticket=probe))
            join_id = raw_next_agent(vendor, policy, probe, language, correlated=False)
            sub_id = raw_next_agent(vendor, policy, probe, language, correlated=True)
            orm_s, join_s = pair(
                lambda: next_agent(policy=policy, ticket=probe),
                lambda: raw_next_agent(vendor, policy, probe, language, correlated=False),
                reps,
            )
            _o, sub_s = pair(
                lambda: next_agent(policy=policy, ticket=probe),
                lambda: raw_next_agent(vendor, policy, probe, language, correlated=True),
                reps,
            )
            best = min(join_s, sub_s)
            agree = orm_id is not None and orm_id.pk == join_id == sub_id
            print(
                f"   {mode + label:<50} next_agent {ms(orm_s):>8} ms; raw: join {ms(join_s):>8} ms, "
                f"correlated count {ms(sub_s):>8} ms; {ratio(orm_s, best)} the faster raw; same agent: {agree}"
            )
            summary.add(f"next agent, {mode.replace('_', ' ')}{label}", orm_s, best, f"{len(queries)} query")
        policy.mode = "round_robin"

    selection()
    orm_plan = agents_in_turn(policy=policy, channel=probe.channel, language=language)[:1].explain().splitlines()
    print("   plan of next_agent (round robin):")
    show_plan(orm_plan, limit=16)

    # End to end: one transaction per ticket, as the task runs it.
    ticket_auto_assign(ticket_id=queue[0])  # warm-up (creates the automation user)
    queries = captured(lambda: ticket_auto_assign(ticket_id=queue[1]))
    orm_times = [timed(partial(ticket_auto_assign, ticket_id=pk)) for pk in queue[2 : 2 + count]]
    assigned = Ticket.objects.filter(pk__in=queue[2 : 2 + count], assignee__isnull=False).count()

    def raw_assign(ticket_id: int) -> None:
        lock = "" if vendor == "sqlite" else " FOR UPDATE"
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                "SELECT id, status, assignee_id, channel, level, category_id FROM tickets_ticket WHERE id = %s" + lock,
                [ticket_id],
            )
            cur.fetchone()
            cur.execute(
                "SELECT id, mode, last_assigned_user_id, max_open_tickets FROM routing_assignmentpolicy"
                " WHERE id = %s" + lock,
                [policy.pk],
            )
            cur.fetchone()
            agent_id = raw_next_agent(vendor, policy, probe, language, correlated=False)
            cur.execute("SELECT id FROM routing_agentpresence WHERE user_id = %s" + lock, [agent_id])
            cur.fetchone()
            cur.execute(
                "UPDATE tickets_ticket SET assignee_id = %s, version = version + 1, updated_at = %s WHERE id = %s",
                [agent_id, now, ticket_id],
            )
            cur.execute(
                "INSERT INTO tickets_historyevent (ticket_id, actor_id, channel, action, field, old_value, new_value,"
                " note, is_internal, at) VALUES (%s, %s, 'system', 'assigned_automatically', 'assignee', '', %s, '',"
                " false, %s)",
                [ticket_id, world.admin.pk, str(agent_id), now],
            )
            cur.execute(
                "UPDATE routing_assignmentpolicy SET last_assigned_user_id = %s, last_assigned_at = %s WHERE id = %s",
                [agent_id, now, policy.pk],
            )
            cur.execute("UPDATE routing_agentpresence SET last_assigned_at = %s WHERE user_id = %s", [now, agent_id])

    raw_times = [timed(partial(raw_assign, pk)) for pk in queue[2 + count : 2 + 2 * count]]
    orm_m, raw_m = statistics.median(orm_times), statistics.median(raw_times)
    writes = sum(1 for q in queries if q.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")))
    print(
        f"   ticket_auto_assign end to end, {len(orm_times)} tickets ({assigned} assigned): {ms(orm_m)} ms per ticket "
        f"(p90 {ms(sorted(orm_times)[int(0.9 * (len(orm_times) - 1))])}), {len(queries)} queries ({writes} writes); "
        f"raw minimum {ms(raw_m)} ms: {ratio(orm_m, raw_m)}"
    )
    summary.add("ticket_auto_assign end to end, per ticket", orm_m, raw_m, f"{len(queries)} queries")


# --- 6. merging ------------------------------------------------------------------------------------------


def merge_pairs(world: World, n: int) -> list[tuple[int, int]]:
    """Up to n (source, target) pairs of open tickets, both of one organisation, each source with
    the rows of MERGE_SHAPE, each target with a few comments and checklist items of its own."""
    from tierdesk.tickets.models import Attachment, ChecklistItem, Comment, Ticket, TicketWatcher, TimeEntry

    pairs: list[tuple[int, int]] = []
    for org in world.organisations:
        ids = list(
            Ticket.objects.filter(organisation_id=org, status="open")
            .order_by("-id")
            .values_list("pk", flat=True)[: 2 * (n - len(pairs))]
        )
        pairs += [(ids[2 * i], ids[2 * i + 1]) for i in range(len(ids) // 2)]
        if len(pairs) >= n:
            break
    agent, others = world.agents[0], world.agents[1:]
    comments, attachments, entries, items, watchers = [], [], [], [], []
    for source, target in pairs:
        comments += [Comment(ticket_id=source, author=agent, body=f"reply {k} " + "text " * 40) for k in range(50)]
        comments += [Comment(ticket_id=target, author=agent, body=f"target reply {k}") for k in range(5)]
        entries += [TimeEntry(ticket_id=source, user=agent, minutes=5 + k) for k in range(20)]
        items += [ChecklistItem(ticket_id=source, text=f"step {k}", position=k) for k in range(10)]
        items += [ChecklistItem(ticket_id=target, text=f"target step {k}", position=k) for k in range(3)]
        watchers += [TicketWatcher(ticket_id=source, user=others[k], added_by=agent) for k in range(5)]
    Comment.objects.bulk_create(comments)
    TimeEntry.objects.bulk_create(entries)
    ChecklistItem.objects.bulk_create(items)
    TicketWatcher.objects.bulk_create(watchers)
    # Each source's attachments hang on one of its comments (any: the merge moves them all).
    first_comment = dict(Comment.objects.filter(ticket_id__in=[s for s, _t in pairs]).values_list("ticket_id", "id"))
    for source, _target in pairs:
        attachments += [
            Attachment(
                ticket_id=source,
                comment_id=first_comment.get(source),
                file=f"attachments/bench/dummy-{source}-{k}.pdf",
                filename=f"scan {k}.pdf",
                content_type="application/pdf",
                size=12345,
                uploaded_by=agent,
            )
            for k in range(10)
        ]
    Attachment.objects.bulk_create(attachments)
    return pairs


def raw_merge(source: int, target: int, actor_id: int) -> None:
    """What a merge must write, by hand, in one transaction (the bench's tickets have no links,
    children, second-level requests, appointments or tags, so neither does this)."""
    from django.db import connection, transaction
    from django.utils import timezone

    lock = "" if connection.vendor == "sqlite" else " FOR UPDATE"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "SELECT id, requester_id, organisation_id, status, merged_into_id, version FROM tickets_ticket"
            " WHERE id IN (%s, %s) ORDER BY id" + lock,
            [source, target],
        )
        rows = {row[0]: row for row in cur.fetchall()}
        for table in ("tickets_comment", "tickets_attachment", "tickets_timeentry"):
            cur.execute(f"UPDATE {table} SET ticket_id = %s WHERE ticket_id = %s", [target, source])
        cur.execute(
            "UPDATE tickets_checklistitem SET ticket_id = %s, position = position + (SELECT COALESCE(MAX(position), 0)"
            " + 1 FROM tickets_checklistitem WHERE ticket_id = %s) WHERE ticket_id = %s",
            [target, target, source],
        )
        cur.execute(
            "INSERT INTO tickets_ticketwatcher (ticket_id, user_id, contact_id, added_by_id, created_at) SELECT %s,"
            " user_id, contact_id, added_by_id, %s FROM tickets_ticketwatcher WHERE ticket_id = %s"
            " ON CONFLICT DO NOTHING",
            [target, now, source],
        )
        cur.execute(
            "INSERT INTO tickets_ticketwatcher (ticket_id, contact_id, added_by_id, created_at) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            [target, rows[source][1], actor_id, now],
        )
        cur.execute("DELETE FROM tickets_ticketwatcher WHERE ticket_id = %s", [source])
        cur.execute("DELETE FROM tickets_ruletimer WHERE ticket_id = %s", [source])
        cur.execute(
            "UPDATE tickets_ticket SET merged_into_id = %s, merged_at = %s, status = 'closed', closed_at = %s,"
            " status_changed_at = %s, paused_at = NULL, waiting_on = '', sla_version = sla_version + 1,"
            " version = version + 1, updated_at = %s WHERE id = %s",
            [target, now, now, now, now, source],
        )
        cur.execute("UPDATE tickets_ticket SET merged_into_id = %s WHERE merged_into_id = %s", [target, source])
        cur.execute("UPDATE tickets_ticket SET version = version + 1, updated_at = %s WHERE id = %s", [now, target])
        cur.executemany(
            "INSERT INTO tickets_historyevent (ticket_id, actor_id, channel, action, field, old_value, new_value,"
            " note, is_internal, at) VALUES (%s, %s, 'web', %s, '', '', %s, '', false, %s)",
            [(source, actor_id, "merged", str(target), now), (target, actor_id, "merged_from", str(source), now)],
        )


def merging(world: World, n: int, summary: Summary) -> None:
    from tierdesk.tickets.models import ChecklistItem, Comment, Ticket
    from tierdesk.tickets.services.merge import ticket_merge

    agent = world.agents[0]
    pairs = merge_pairs(world, 2 * n + 2)
    n = (len(pairs) - 2) // 2  # a small load has fewer open tickets
    if n < 1:
        print("6. Merging: skipped, too few open tickets")
        return

    def merge(source: int, target: int) -> None:
        ticket_merge(source=Ticket.objects.get(pk=source), target=Ticket.objects.get(pk=target), by=agent)

    merge(*pairs[0])  # warm-up
    queries = captured(lambda: merge(*pairs[1]))
    orm_times = [timed(partial(merge, *p)) for p in pairs[2 : 2 + n]]
    raw_times = [timed(partial(raw_merge, p[0], p[1], agent.pk)) for p in pairs[2 + n :]]
    moved = Comment.objects.filter(ticket_id__in=[t for _s, t in pairs]).count()
    steps = ChecklistItem.objects.filter(ticket_id__in=[t for _s, t in pairs]).count()
    merged = Ticket.objects.filter(pk__in=[s for s, _t in pairs], merged_into__isnull=False).count()
    orm_m, raw_m = statistics.median(orm_times), statistics.median(raw_times)
    writes = [q for q in queries if q.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    checklist_updates = sum(1 for q in writes if "tickets_checklistitem" in q[:40])
    shape = ", ".join(f"{v} {k}" for k, v in MERGE_SHAPE.items())
    print(
        f"6. Merging: a ticket with {shape}; {len(orm_times)} ticket_merge and {len(raw_times)} raw merges "
        f"({merged}/{len(pairs)} merged, {moved:,} comments and {steps:,} checklist items on the targets)"
    )
    print(
        f"   ticket_merge {ms(orm_m)} ms per merge (p90 {ms(sorted(orm_times)[int(0.9 * (len(orm_times) - 1))])}), "
        f"{len(queries)} queries ({len(writes)} writes, {checklist_updates} of them on checklist items); "
        f"raw {ms(raw_m)} ms: {ratio(orm_m, raw_m)}"
    )
    summary.add("ticket_merge, per merge", orm_m, raw_m, f"{len(queries)} queries")


# --- main ------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, help="tickets loaded (default 100000; 10000 with --quick)")
    parser.add_argument("--quick", action="store_true", help="10,000 tickets and fewer repetitions")
    parser.add_argument("--reps", type=int, help="timed repetitions per figure (default 7; 3 with --quick)")
    parser.add_argument("--deep-offset", type=int, default=5000, help="OFFSET of the deep page (default 5000)")
    parser.add_argument("--assignments", type=int, help="auto-assignments timed, each way (default 30)")
    parser.add_argument("--merges", type=int, help="merges timed, each way (default 20)")
    parser.add_argument("--seed", type=int, default=11, help="random seed of the load (default 11)")
    parser.add_argument(
        "--postgres", metavar="URL", help="server URL (default: DATABASE_URL if set); a scratch database is used"
    )
    args = parser.parse_args()
    tickets = args.tickets or (10_000 if args.quick else 100_000)
    reps = args.reps or (3 if args.quick else 7)
    assignments = args.assignments or (10 if args.quick else 30)
    merges = args.merges or (8 if args.quick else 20)
    postgres = args.postgres or os.environ.get("DATABASE_URL") or None
    rng = random.Random(args.seed)  # noqa: S311 - test data, not secrets

    with scratch_database(postgres) as env:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tierdesk", "migrate", "-v0"], env=child_env(env), check=True)
        setup_django(env)
        logging.getLogger("tierdesk").setLevel(logging.WARNING)  # the services' info lines per assignment
        from django.db import connection

        check_tables()
        vendor = connection.vendor
        print(
            f"Tierdesk agent-workspace benchmark on {vendor}, {os.cpu_count()} cores, {tickets:,} tickets; "
            f"load average {os.getloadavg()[0]:.2f}"
        )
        load_started = time.perf_counter()
        world = seed_people(rng)
        load_tickets(world, tickets, rng)
        set_presence(world)
        analyze()
        print(
            f"Migrated in {load_started - started:.1f} s; loaded {tickets:,} tickets, {3 * tickets:,} custom-field "
            f"values in {time.perf_counter() - load_started:.1f} s"
        )
        viewer = world.agents[0]
        summary = Summary()
        problems = view_lists(viewer, reps, args.deep_offset, summary)
        sidebar_counts(world, viewer, reps, summary)
        export(world, viewer, max(1, reps // 2), summary)
        custom_field_lists(world, viewer, reps, summary)
        assignment(world, reps, assignments, summary)
        merging(world, merges, summary)
        summary.print(vendor)
        if problems:
            print("\nView-list plans that do not take the order from an index (ORM; the raw SQL's plan is the same):")
            for name, found in problems.items():
                print(f"  {name}, {len(found.cases)} cases: {', '.join(found.cases)}; plan of {found.cases[-1]}:")
                show_plan(found.plan, indent="      ", limit=12)
        print(
            f"\nLoad average at the end (1 min): {os.getloadavg()[0]:.2f}; "
            f"whole run {time.perf_counter() - started:.0f} s"
        )
        connection.close()


if __name__ == "__main__":
    main()
