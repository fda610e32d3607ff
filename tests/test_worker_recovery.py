"""A killed worker loses nothing, tested with real `tierdesk worker` processes: one is SIGKILLed in
the middle of sending a customer mail, another picks the task up and the mail arrives once.

Each test gets its own database (a temporary SQLite file, or a fresh PostgreSQL database when the
suite runs with a PostgreSQL DATABASE_URL) and an SMTP server on 127.0.0.1 that can hold a client
before it may send any data. Heartbeats, the dead-after limit and the notification lease are set to
seconds, so a test takes about ten. Every wait is bounded; every process is killed in `finally`."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path
from typing import Any, TypeVar

import pytest

import tierdesk

controller_module = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is a dev dependency")

HOST = "127.0.0.1"
COMMAND_SECONDS = 120
WORKER_COMMAND = [sys.executable, "-m", "tierdesk", "worker", "--no-startup-delay", "--interval", "0.2"]
WAIT_SECONDS = 60
NOTIFY_TASK = "tierdesk.mail.tasks.notify_ticket_created"
# django-tasks-db's app label is django_tasks_database.
TASK_QUERY = "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path = %s"
# Fast enough for a test, and in the proportions production needs: dead-after > 2 heartbeats, and a
# lease shorter than the time a dead worker's task takes to be queued again (see ADR 0005).
TIMINGS = {
    "TIERDESK_WORKER_HEARTBEAT_SECONDS": "1",
    "TIERDESK_WORKER_DEAD_AFTER_SECONDS": "3",
    "TIERDESK_NOTIFICATION_LEASE_SECONDS": "2",
}
# A staff member opens a ticket for a contact; the commit enqueues the acknowledgement mail task.
OPEN_TICKET = """
from tierdesk.accounts.choices import Role
from tierdesk.accounts.services import contact_create, organisation_create, staff_user_create
from tierdesk.tickets.services import ticket_create
agent = staff_user_create(username="wren", password=None, role=Role.AGENT)
org = organisation_create(by=agent, name="Saltmarsh Ferry Works", country="NL", language="en")
contact = contact_create(by=agent, organisation=org, name="Tove Marsh", email="tove@saltmarsh.example")
ticket = ticket_create(by=agent, requester=contact, organisation=org, subject="Gate scanner offline")
print(ticket.number)
"""
# The acknowledgement task as a worker that vanished a minute ago left it: RUNNING, never finished.
ORPHAN_THE_TASK = f"""
from datetime import timedelta
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
claimed = DBTaskResult.objects.filter(task_path="{NOTIFY_TASK}").update(
    status="RUNNING", worker_ids=["worker-gone"], started_at=timezone.now() - timedelta(minutes=1)
)
assert claimed == 1
"""

T = TypeVar("T")


class Relay:
    """An aiosmtpd handler that keeps every message it accepts and, until `released`, holds each
    client at MAIL FROM: the client has connected and is mid-send, but no data has been sent."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.client_waiting = threading.Event()
        self.released = threading.Event()

    async def handle_MAIL(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        self.client_waiting.set()
        deadline = time.monotonic() + WAIT_SECONDS * 2
        while not self.released.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"


@contextmanager
def relay_on_loopback(*, held: bool) -> Iterator[tuple[Relay, int]]:
    relay = Relay()
    if not held:
        relay.released.set()
    port = free_port()
    controller = controller_module.Controller(relay, hostname=HOST, port=port)
    controller.start()
    try:
        yield relay, port
    finally:
        relay.released.set()
        controller.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@dataclass
class Desk:
    """A migrated Tierdesk database and the environment of its processes."""

    env: dict[str, str]
    directory: Path
    postgres_url: str = ""

    def tierdesk(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "tierdesk", *args],
            env=self.env,
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=COMMAND_SECONDS,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        """Read the desk's database directly (the processes write it; the test only reads)."""
        if self.postgres_url:
            import psycopg

            with psycopg.connect(self.postgres_url, autocommit=True) as conn:
                return list(conn.execute(sql.encode(), params).fetchall())
        conn = sqlite3.connect(self.directory / "tierdesk.sqlite3", timeout=10)
        try:
            return conn.execute(sql.replace("%s", "?"), params).fetchall()
        finally:
            conn.close()

    def notify_task(self) -> tuple[str, list[str]]:
        """Status and worker ids of the (one) acknowledgement task."""
        [(status, worker_ids)] = self.rows(TASK_QUERY, NOTIFY_TASK)
        return status, json.loads(worker_ids) if isinstance(worker_ids, str) else worker_ids

    def notification(self) -> tuple[str, str]:
        """State and Message-ID of the (one) customer notification."""
        [(state, message_id)] = self.rows("SELECT state, message_id FROM mail_notificationlog")
        return state, message_id

    def heartbeats(self) -> list[str]:
        return [worker_id for (worker_id,) in self.rows("SELECT worker_id FROM core_workerheartbeat")]


def _process_env(directory: Path, smtp_port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    src = str(Path(tierdesk.__file__).resolve().parent.parent)
    env.update(
        TIMINGS,
        DJANGO_SETTINGS_MODULE="tierdesk.config.settings",
        TIERDESK_VAR_DIR=str(directory),
        DEBUG="0",
        LOG_LEVEL="INFO",
        PYTHONPATH=os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")])),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=HOST,
        EMAIL_PORT=str(smtp_port),
        EMAIL_TIMEOUT="30",
    )
    return env


@contextmanager
def desk_database(directory: Path, smtp_port: int) -> Iterator[Desk]:
    """A migrated database of its own: a SQLite file in `directory`, or a fresh PostgreSQL
    database beside the suite's (never the suite's own), dropped afterwards."""
    env = _process_env(directory, smtp_port)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        desk = Desk(env=env, directory=directory)
        desk.tierdesk("migrate", "-v", "0")
        yield desk
        return
    import psycopg

    server = url.rsplit("/", 1)[0]
    name = f"tierdesk_workers_{secrets.token_hex(4)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"'.encode())
    try:
        desk = Desk(
            env={**env, "DATABASE_URL": f"{server}/{name}"}, directory=directory, postgres_url=f"{server}/{name}"
        )
        desk.tierdesk("migrate", "-v", "0")
        yield desk
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


@contextmanager
def worker(desk: Desk, worker_id: str) -> Iterator[subprocess.Popen[bytes]]:
    """`tierdesk worker` as a real process; whatever happens, it is gone when the block ends."""
    log_path = desk.directory / f"{worker_id}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*WORKER_COMMAND, "--worker-id", worker_id],
            env=desk.env,
            cwd=desk.directory,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


def logs(desk: Desk) -> str:
    return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')}" for path in desk.directory.glob("*.log"))


def wait_for(desk: Desk, what: str, probe: Callable[[], T | None], seconds: float = WAIT_SECONDS) -> T:
    """Poll `probe` until it returns something other than None, for at most `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = probe()
        if value is not None:
            return value
        time.sleep(0.2)
    pytest.fail(f"waited {seconds} s for {what}\n{logs(desk)}")


def stop(desk: Desk, process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the worker did not stop on SIGTERM\n{logs(desk)}")


def message_ids(relay: Relay) -> list[str]:
    """The Message-ID of every message received, unfolded."""
    return ["".join(str(message_from_bytes(raw)["Message-ID"]).split()) for raw in relay.messages]


def test_a_worker_killed_mid_send_loses_nothing_and_the_mail_arrives_once(tmp_path: Path) -> None:
    with relay_on_loopback(held=True) as (relay, smtp_port), desk_database(tmp_path, smtp_port) as desk:
        # given a new ticket, whose acknowledgement mail task waits in the queue
        desk.tierdesk("shell", "-c", OPEN_TICKET)
        assert desk.notify_task() == ("READY", [])

        # and worker A, which takes the task and is held by the SMTP server before any data
        with worker(desk, "worker-a") as worker_a:
            if not relay.client_waiting.wait(WAIT_SECONDS):
                pytest.fail(f"worker A never reached the SMTP server\n{logs(desk)}")
            assert worker_a.poll() is None

            # when worker A is killed in the middle of the send
            worker_a.send_signal(signal.SIGKILL)
            assert worker_a.wait(timeout=30) == -signal.SIGKILL

        # then the task is stuck RUNNING under A and the mail is claimed but not sent
        assert desk.notify_task() == ("RUNNING", ["worker-a"])
        assert desk.notification()[0] == "sending"
        assert desk.heartbeats() == ["worker-a"]
        assert relay.messages == []

        # when the SMTP server answers again and worker B starts
        relay.released.set()
        with worker(desk, "worker-b") as worker_b:
            # then B queues A's task again once A has been silent too long, runs it, and sends the mail
            wait_for(desk, "the task to succeed", lambda: True if desk.notify_task()[0] == "SUCCESSFUL" else None)
            assert desk.notify_task() == ("SUCCESSFUL", ["worker-a", "worker-b"])
            state, message_id = desk.notification()
            assert state == "sent"
            assert desk.heartbeats() == ["worker-b"]  # A's stale heartbeat was swept away

            # and B, stopped cleanly, removes its heartbeat
            assert stop(desk, worker_b) == 0
        assert desk.heartbeats() == []

        # and exactly one message reached the SMTP server, under the notification's Message-ID
        assert message_ids(relay) == [message_id], logs(desk)
        assert "queued again: its worker worker-a has not been seen for 3 s" in logs(desk)


def test_a_task_left_running_by_a_vanished_worker_runs_again_once(tmp_path: Path) -> None:
    with relay_on_loopback(held=False) as (relay, smtp_port), desk_database(tmp_path, smtp_port) as desk:
        # given the acknowledgement task RUNNING for a minute under a worker that has no heartbeat
        desk.tierdesk("shell", "-c", OPEN_TICKET)
        desk.tierdesk("shell", "-c", ORPHAN_THE_TASK)
        assert desk.notify_task() == ("RUNNING", ["worker-gone"])

        # when a worker starts
        with worker(desk, "worker-b") as worker_b:
            # then it queues the task again at start, runs it once and sends the mail once
            wait_for(desk, "the task to succeed", lambda: True if desk.notify_task()[0] == "SUCCESSFUL" else None)
            assert stop(desk, worker_b) == 0

        assert desk.notify_task() == ("SUCCESSFUL", ["worker-gone", "worker-b"])
        state, message_id = desk.notification()
        assert state == "sent"
        assert message_ids(relay) == [message_id]
        assert "queued again: its worker worker-gone has not been seen for 3 s" in logs(desk)
