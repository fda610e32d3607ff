"""Ticket throughput and board latency, measured against raw SQL in the same run.

    python bench/tickets.py [--tickets 2000] [--concurrency 8] [--board-rows 100000] [--lists 300]
    python bench/tickets.py --postgres postgres://postgres@127.0.0.1:5432/postgres   # a scratch DB is created

1. Creates --tickets tickets through `POST /api/v1/tickets` (a real `tierdesk serve` process on
   127.0.0.1, bearer token, --concurrency client threads with keep-alive connections) and the same
   number through raw SQL doing the minimum the service must do (bump the counter, insert the ticket
   and its history row, one transaction per ticket, same thread count). Prints tickets/s and
   p50/p99 latency for both and their ratio.
2. Loads --board-rows tickets, then lists the first-level board (`GET /api/v1/tickets?level=first
   &status=new&status=open&limit=50`) --lists times, against the same page and count in raw SQL.

Traffic goes to 127.0.0.1 only; every loop is bounded by the counts above. Prints figures; it
asserts nothing (it is a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def scratch_database(postgres_url: str | None) -> Iterator[dict[str, str]]:
    """Environment for a fresh database: a temporary SQLite file, or a new PostgreSQL database."""
    tmp = Path(tempfile.mkdtemp(prefix="tierdesk-bench-"))
    env = {"TIERDESK_VAR_DIR": str(tmp), "DJANGO_SETTINGS_MODULE": "tierdesk.config.settings"}
    env.pop("DATABASE_URL", None)
    name = ""
    if postgres_url:
        import psycopg

        name = f"tierdesk_bench_{secrets.token_hex(4)}"
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = postgres_url.rsplit("/", 1)[0] + "/" + name
    try:
        yield env
    finally:
        if name:
            import psycopg

            with psycopg.connect(postgres_url, autocommit=True) as conn:  # type: ignore[arg-type]
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return p50 * 1000, p99 * 1000


def run_threads(count: int, concurrency: int, work: Callable[[int], float]) -> tuple[float, list[float]]:
    """Run work(i) for i in range(count) on `concurrency` threads; wall time and per-call latency."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        latencies = list(pool.map(work, range(count)))
    return time.perf_counter() - started, latencies


class ApiClient:
    """One keep-alive HTTP connection per thread."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.local = threading.local()

    def request(self, method: str, path: str, body: dict[str, object] | None = None) -> tuple[int, bytes]:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=self.headers)
        response = conn.getresponse()
        return response.status, response.read()


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def seed(contacts: int = 50) -> tuple[str, list[tuple[int, int]]]:
    """An agent with a token, one organisation and its contacts; returns (token, [(org, contact)])."""
    from tierdesk.accounts.choices import Role
    from tierdesk.accounts.services import api_token_create, contact_create, organisation_create, staff_user_create

    agent = staff_user_create(username="bench-agent", password=None, role=Role.AGENT)
    token = api_token_create(user=agent, name="bench").raw
    org = organisation_create(by=agent, name="Bench Freight Example")
    pairs = [
        (org.pk, contact_create(by=agent, organisation=org, name=f"Caller {i}", email=f"c{i}@bench.example").pk)
        for i in range(contacts)
    ]
    return token, pairs


def raw_create(pairs: list[tuple[int, int]], actor_id: int) -> Callable[[int], float]:
    """The minimum a ticket creation must write, in raw SQL, one transaction per ticket."""
    from django.db import connection, transaction

    def create(i: int) -> float:
        org_id, contact_id = pairs[i % len(pairs)]
        now = datetime.now(UTC)
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE tickets_ticketcounter SET value = value + 1 WHERE name = %s", ["ticket"])
            cur.execute("SELECT value FROM tickets_ticketcounter WHERE name = %s", ["ticket"])
            number = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO tickets_ticket (number, subject, description, organisation_id, requester_id, channel,"
                " level, status, waiting_on, urgency, impact, priority, due_at, first_response_due, resolution_due,"
                " sla_paused_seconds, sla_version, resolution, bug_key, bug_url, version, created_at, updated_at)"
                " VALUES (%s, %s, '', %s, %s, 'api', 'first', 'new', '', 'medium', 'low', 'p4', %s, %s, %s, 0, 1,"
                " '', '', '', 1, %s, %s)",
                [
                    number,
                    f"raw {i}",
                    org_id,
                    contact_id,
                    now + timedelta(hours=8),
                    now + timedelta(hours=8),
                    now + timedelta(days=5),
                    now,
                    now,
                ],
            )
            cur.execute("SELECT id FROM tickets_ticket WHERE number = %s", [number])
            ticket_id = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO tickets_historyevent (ticket_id, actor_id, channel, action, field, old_value,"
                " new_value, note, is_internal, at) VALUES (%s, %s, 'api', 'created', '', '', %s, '', false, %s)",
                [ticket_id, actor_id, str(number), now],
            )
        connection.close()  # each pool thread opens its own; closing keeps PostgreSQL's count low
        return time.perf_counter() - started

    return create


def bulk_load(rows: int, pairs: list[tuple[int, int]]) -> None:
    """Fill the table to `rows` tickets quickly (raw executemany), spread over every column."""
    from django.db import connection, transaction

    from tierdesk.tickets.services import ticket_number_next

    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM tickets_ticket")
        existing = cur.fetchone()[0]
    missing = max(0, rows - existing)
    statuses = ["new", "open", "open", "waiting", "resolved", "closed"]
    levels = ["first", "first", "second", "development"]
    priorities = ["p1", "p2", "p3", "p3", "p4", "p4", "p5"]
    base = datetime.now(UTC) - timedelta(days=400)
    batch = 5000
    with transaction.atomic():
        first = ticket_number_next()
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE tickets_ticketcounter SET value = value + %s WHERE name = %s", [max(missing - 1, 0), "ticket"]
            )
        for start in range(0, missing, batch):
            values = []
            for i in range(start, min(start + batch, missing)):
                org_id, contact_id = pairs[i % len(pairs)]
                created = base + timedelta(minutes=i)
                values.append(
                    (
                        first + i,
                        f"load {i}",
                        org_id,
                        contact_id,
                        levels[i % 4],
                        statuses[i % 6],
                        priorities[i % 7],
                        created + timedelta(days=(i % 10) + 1),
                        created,
                        created,
                    )
                )
            with connection.cursor() as cur:
                cur.executemany(
                    "INSERT INTO tickets_ticket (number, subject, description, organisation_id, requester_id,"
                    " channel, level, status, waiting_on, urgency, impact, priority, due_at, resolution, bug_key,"
                    " bug_url, version, sla_paused_seconds, sla_version, created_at, updated_at) VALUES (%s, %s, '',"
                    " %s, %s, 'api', %s, %s, '', 'medium', 'low', %s, %s, '', '', '', 1, 0, 0, %s, %s)",
                    values,
                )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def raw_board(limit: int) -> Callable[[int], float]:
    from django.db import connection

    def board(_: int) -> float:
        started = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(
                "SELECT COUNT(*) FROM tickets_ticket WHERE level = %s AND status IN (%s, %s)", ["first", "new", "open"]
            )
            cur.fetchone()
            cur.execute(
                "SELECT t.*, o.name, c.name FROM tickets_ticket t JOIN accounts_organisation o ON o.id ="
                " t.organisation_id LEFT JOIN accounts_contact c ON c.id = t.requester_id WHERE t.level = %s AND"
                " t.status IN (%s, %s) ORDER BY t.priority, t.due_at, t.created_at, t.id LIMIT %s",
                ["first", "new", "open", limit],
            )
            cur.fetchall()
        return time.perf_counter() - started

    return board


def child_env(env: dict[str, str], **extra: str) -> dict[str, str]:
    """The environment of a `tierdesk` child process on the scratch database: the caller's own
    DATABASE_URL (or REDIS_URL) must never reach it, or it would migrate and serve that database."""
    inherited = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    return {**inherited, **env, **extra}


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    tierdesk = shutil.which("tierdesk", path=str(Path(sys.executable).parent)) or "tierdesk"
    proc = subprocess.Popen(
        [tierdesk, "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)],
        env=child_env(env, LOG_LEVEL="WARNING"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api/v1/openapi.json")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("the server did not come up within 60 s")


def line(label: str, wall: float, latencies: list[float], count: int) -> tuple[float, float, float]:
    p50, p99 = percentiles(latencies)
    rate = count / wall
    print(f"  {label:<28} {rate:9.1f}/s   p50 {p50:8.2f} ms   p99 {p99:8.2f} ms")
    return rate, p50, p99


def compare(api: tuple[float, float, float], raw: tuple[float, float, float]) -> None:
    print(
        f"  API reaches {api[0] / raw[0]:.1%} of the raw SQL rate; "
        f"p50 x{api[1] / raw[1]:.1f}, p99 x{api[2] / raw[2]:.1f} the raw latency"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--board-rows", type=int, default=100_000)
    parser.add_argument("--lists", type=int, default=300)
    parser.add_argument("--server-workers", type=int, default=2, help="tierdesk serve processes (default 2)")
    parser.add_argument("--postgres", metavar="URL", help="server URL; a scratch database is created and dropped")
    args = parser.parse_args()

    with scratch_database(args.postgres) as env:
        subprocess.run([sys.executable, "-m", "tierdesk", "migrate", "-v0"], env=child_env(env), check=True)
        setup_django(env)
        from django.db import connection

        token, pairs = seed()
        from tierdesk.accounts.models import User

        actor_id = User.objects.get(username="bench-agent").pk
        vendor = connection.vendor
        port = free_port()
        server = start_server(env, port, args.server_workers)
        try:
            client = ApiClient(port, token)

            def api_create(i: int) -> float:
                contact_id = pairs[i % len(pairs)][1]
                started = time.perf_counter()
                status, body = client.request(
                    "POST", "/api/v1/tickets", {"subject": f"api {i}", "requester": contact_id, "impact": "medium"}
                )
                if status != 201:
                    raise SystemExit(f"create failed: {status} {body[:200]!r}")
                return time.perf_counter() - started

            def api_board(_: int) -> float:
                started = time.perf_counter()
                status, body = client.request("GET", "/api/v1/tickets?level=first&status=new&status=open&limit=50")
                if status != 200:
                    raise SystemExit(f"list failed: {status} {body[:200]!r}")
                return time.perf_counter() - started

            print(
                f"Tierdesk ticket benchmark on {vendor}: {args.server_workers} server processes, "
                f"{args.concurrency} client threads, {os.cpu_count()} cores"
            )
            print(f"Create {args.tickets} tickets:")
            api = line("API POST /tickets", *run_threads(args.tickets, args.concurrency, api_create), args.tickets)
            raw = line(
                "raw SQL (ceiling)",
                *run_threads(args.tickets, args.concurrency, raw_create(pairs, actor_id)),
                args.tickets,
            )
            compare(api, raw)

            load_started = time.perf_counter()
            bulk_load(args.board_rows, pairs)
            print(f"Loaded the table to {args.board_rows} tickets in {time.perf_counter() - load_started:.1f} s")
            print(f"List the first-level board (page of 50 + count), {args.lists} times, 1 thread:")
            compare(
                line("API GET /tickets", *run_threads(args.lists, 1, api_board), args.lists),
                line("raw SQL (ceiling)", *run_threads(args.lists, 1, raw_board(50)), args.lists),
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
            connection.close()


if __name__ == "__main__":
    main()
