"""The `tierdesk` command, run in-process through `main(argv)`, and `tierdesk serve` as a real
server process on the loopback interface.

Commands that reach Django's management commands close the database connections when they end,
as every command run from a shell does. Inside the `db` fixture's transaction that would throw
the test's transaction away on PostgreSQL, so those tests use `transactional_db`.
"""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import tierdesk
from tierdesk import __main__ as cli
from tierdesk.__main__ import main
from tierdesk.accounts.choices import Role
from tierdesk.accounts.models import ApiToken, AuditEntry, User
from tierdesk.accounts.services import api_token_authenticate, api_token_create, staff_user_create
from tierdesk.accounts.tests.factories import PASSWORD

STRONG_PASSWORD = "Lantern-orbit-91"
SERVER_START_SECONDS = 20


@pytest.fixture
def agent(transactional_db: None) -> User:
    return staff_user_create(username="nora", password=PASSWORD, role=Role.AGENT)


# --- usage errors -------------------------------------------------------------------------------


def test_unknown_command_exits_2_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    # when an unknown command is given
    status = main(["frobnicate"])

    # then it says so on standard error and exits with 2
    assert status == 2
    assert capsys.readouterr().err.splitlines() == [
        "tierdesk: error: unknown command 'frobnicate'",
        "Run 'tierdesk --help' for the list of commands.",
    ]


def test_no_command_prints_the_usage_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("usage: tierdesk <command> [options]\n")


def test_an_option_in_place_of_a_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", "80"]) == 2
    assert capsys.readouterr().err.startswith("tierdesk: error: unknown option '--port'; a command comes first\n")


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    # when help is asked for
    status = main(["--help"])

    # then every own command is listed on standard output
    out = capsys.readouterr().out
    assert status == 0
    commands = re.findall(r"^  (\S+)", out, flags=re.MULTILINE)
    assert commands == ["serve", "worker", "demo", "migrate", "createadmin", "token", "<other>"]


def test_missing_token_action_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token"]) == 2
    assert (
        "tierdesk token: error: the following arguments are required: {create,revoke,list}" in capsys.readouterr().err
    )


def test_missing_token_user_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create"]) == 2
    assert "tierdesk token create: error: the following arguments are required: --user" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--port", "99999"], "argument --port: 99999 is not between 1 and 65535"),
        (["--port", "http"], "argument --port: 'http' is not a port number"),
        (["--workers", "0"], "argument --workers: must be 1 or more"),
        (["--bind", "x"], "unrecognized arguments: --bind x"),
    ],
)
def test_serve_rejects_bad_arguments(arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", *arguments]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == f"tierdesk serve: error: {message}"


def test_serve_rejects_a_bad_port_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", "eighty")
    assert main(["serve"]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == "tierdesk serve: error: PORT: 'eighty' is not a port number"


def test_django_commands_pass_through(capsys: pytest.CaptureFixture[str]) -> None:
    # when a Django management command is given
    status = main(["check"])

    # then Django runs it
    assert status == 0
    assert capsys.readouterr().out.startswith("System check identified ")


# --- worker -------------------------------------------------------------------------------------


@pytest.mark.parametrize("arguments", [["worker", "--help"], ["help", "worker"]], ids=["--help", "help"])
def test_worker_help_shows_every_db_worker_option(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    # when the worker's help is asked for
    status = main(arguments)

    # then it describes the worker with its heartbeat, and every option of django-tasks-db's worker is there
    out = capsys.readouterr().out
    assert status == 0
    assert "with a heartbeat; tasks left running by a worker that died are queued again." in " ".join(out.split())
    for option in [
        "--queue-name",
        "--exclude-queues",
        "--interval",
        "--batch",
        "--reload",
        "--backend",
        "--no-startup-delay",
        "--max-tasks",
        "--worker-id",
    ]:
        assert f" {option}" in out, option


@pytest.mark.parametrize(
    ("heartbeat", "dead_after", "message"),
    [
        (10, 20, "TIERDESK_WORKER_DEAD_AFTER_SECONDS must be more than twice TIERDESK_WORKER_HEARTBEAT_SECONDS."),
        (0, 60, "TIERDESK_WORKER_HEARTBEAT_SECONDS must be 1 or more."),
    ],
)
def test_worker_refuses_timings_that_would_call_a_live_worker_dead(
    heartbeat: int, dead_after: int, message: str, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # given the database task queue, and heartbeat timings that leave no room for one late beat
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TIERDESK_WORKER_HEARTBEAT_SECONDS = heartbeat
    settings.TIERDESK_WORKER_DEAD_AFTER_SECONDS = dead_after

    # when the worker starts
    status = main(["worker"])

    # then it stops at once and says why
    assert status == 1
    assert capsys.readouterr().err == f"CommandError: {message}\n"


# --- tokens -------------------------------------------------------------------------------------


def test_token_create_prints_a_token_that_authenticates(agent: User, capsys: pytest.CaptureFixture[str]) -> None:
    # when a token is created for the agent
    status = main(["token", "create", "--user", "nora", "--name", "monitoring"])

    # then the raw token is alone on standard output and authenticates as the agent
    captured = capsys.readouterr()
    raw = captured.out.strip()
    assert status == 0
    assert captured.out == f"{raw}\n"
    assert api_token_authenticate(raw) == agent
    token = ApiToken.objects.get(user=agent)
    assert token.name == "monitoring"
    assert f"Token {token.pk} ('monitoring') for 'nora' created." in captured.err


def test_token_create_for_an_unknown_user_exits_2(transactional_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "create", "--user", "nobody"]) == 2
    assert capsys.readouterr().err == "CommandError: No user named 'nobody'.\n"
    assert ApiToken.objects.count() == 0


def test_token_list_shows_the_users_tokens(agent: User, capsys: pytest.CaptureFixture[str]) -> None:
    # given two tokens, one of them revoked
    kept = api_token_create(user=agent, name="ci")
    revoked = api_token_create(user=agent, name="old")
    main(["token", "revoke", "--id", str(revoked.token.pk)])
    capsys.readouterr()

    # when the agent's tokens are listed
    status = main(["token", "list", "--user", "nora"])

    # then both appear, newest first, with their prefix and status
    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert lines[0].split() == ["ID", "NAME", "PREFIX", "CREATED", "LAST", "USED", "STATUS"]
    assert [line.split()[:3] for line in lines[1:]] == [
        [str(revoked.token.pk), "old", f"{revoked.token.prefix}…"],
        [str(kept.token.pk), "ci", f"{kept.token.prefix}…"],
    ]
    assert lines[1].split()[-3] == "revoked"
    assert lines[2].split()[-1] == "active"


def test_token_revoke_stops_the_token(agent: User, capsys: pytest.CaptureFixture[str]) -> None:
    # given a token in use
    issued = api_token_create(user=agent, name="ci")

    # when it is revoked by id, twice
    first = main(["token", "revoke", "--id", str(issued.token.pk)])
    second = main(["token", "revoke", "--id", str(issued.token.pk)])

    # then it no longer authenticates, and the second revoke changes nothing
    out = capsys.readouterr().out.splitlines()
    assert (first, second) == (0, 0)
    assert out[0] == f"Token {issued.token.pk} ('ci') of 'nora' revoked."
    assert out[1].startswith(f"Token {issued.token.pk} was revoked already on ")
    assert api_token_authenticate(issued.raw) is None
    assert AuditEntry.objects.filter(action="token_revoked").count() == 1


def test_token_revoke_by_another_agent_is_refused(agent: User, capsys: pytest.CaptureFixture[str]) -> None:
    # given a token of one agent and a second agent who is not an admin
    issued = api_token_create(user=agent, name="ci")
    staff_user_create(username="other", password=PASSWORD, role=Role.AGENT)

    # when the second agent is named as the one revoking it
    status = main(["token", "revoke", "--id", str(issued.token.pk), "--by", "other"])

    # then the service refuses and the token still works
    assert status == 2
    assert capsys.readouterr().err == "CommandError: Only the owner or an admin may revoke a token.\n"
    assert api_token_authenticate(issued.raw) == agent


def test_token_revoke_of_an_unknown_id_exits_2(transactional_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "revoke", "--id", "424242"]) == 2
    assert capsys.readouterr().err == "CommandError: No token with id 424242.\n"


# --- createadmin --------------------------------------------------------------------------------


def test_createadmin_with_flags_creates_an_admin(transactional_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    # when an admin is created from flags
    status = main(["createadmin", "--username", "root", "--password", STRONG_PASSWORD, "--email", "root@example.org"])

    # then the user is an administrator with an agent profile and that password
    user = User.objects.select_related("agent").get(username="root")
    assert status == 0
    assert capsys.readouterr().out == f"Administrator 'root' created (id {user.pk}).\n"
    assert (user.role, user.is_staff, user.is_superuser, user.email) == (Role.ADMIN, True, True, "root@example.org")
    assert user.check_password(STRONG_PASSWORD)
    assert user.agent.languages == ["en"]


def test_createadmin_refuses_a_weak_password(transactional_db: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["createadmin", "--username", "root", "--password", "12345678"]) == 2
    assert capsys.readouterr().err == (
        "CommandError: Password rejected: This password is too common. This password is entirely numeric.\n"
    )
    assert not User.objects.filter(username="root").exists()


def test_createadmin_refuses_a_taken_username(agent: User, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["createadmin", "--username", "NORA", "--password", STRONG_PASSWORD]) == 2
    assert capsys.readouterr().err == "CommandError: A user named 'NORA' exists already.\n"
    assert User.objects.count() == 1


def test_createadmin_without_a_terminal_needs_the_flags(
    transactional_db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # given no terminal on standard input (pytest's stdin is not one)
    # when the password flag is missing
    status = main(["createadmin", "--username", "root"])

    # then nothing is asked and nothing created
    assert status == 2
    assert capsys.readouterr().err == "CommandError: --password is required (or run in a terminal to be asked).\n"
    assert User.objects.count() == 0


class TerminalInput(io.StringIO):
    """Typed answers on a standard input that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_createadmin_asks_in_a_terminal(
    transactional_db: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # given a terminal where the operator types a name and an e-mail address, then a mistyped
    # password pair, then a matching pair
    monkeypatch.setattr(sys, "stdin", TerminalInput("deskadmin\nops@example.org\n"))
    typed = iter(["first-Attempt-1", "first-Attempt-2", STRONG_PASSWORD, STRONG_PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))

    # when createadmin runs without flags
    status = main(["createadmin"])

    # then it asked again after the mismatch and created the admin from the answers
    user = User.objects.get(username="deskadmin")
    assert status == 0
    assert capsys.readouterr().err == "The passwords differ; try again.\n"
    assert (user.role, user.email) == (Role.ADMIN, "ops@example.org")
    assert user.check_password(STRONG_PASSWORD)


# --- the server as a process --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_env(var_dir: Path) -> dict[str, str]:
    """Production settings (DEBUG off) on a SQLite file of our own, whatever the test run uses."""
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL", "HOST", "PORT"}}
    src = str(Path(tierdesk.__file__).resolve().parent.parent)
    env.update(
        DJANGO_SETTINGS_MODULE="tierdesk.config.settings",
        TIERDESK_VAR_DIR=str(var_dir),
        DEBUG="0",
        PYTHONPATH=os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")])),
    )
    return env


def get_when_up(url: str, deadline: float) -> tuple[int, bytes]:
    """GET `url`, retrying while the server is still starting, until `deadline`."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return int(response.status), response.read()
        except OSError:  # refused while starting (URLError), or a first request that timed out
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_answers_on_the_loopback_and_stops_with_its_worker(tmp_path: Path) -> None:
    # given a migrated SQLite database in a temporary directory
    env = server_env(tmp_path)
    command = [sys.executable, "-m", "tierdesk"]
    subprocess.run([*command, "migrate", "-v", "0"], env=env, cwd=tmp_path, check=True, timeout=120)
    port = free_port()
    log_path = tmp_path / "serve.log"

    # when the server starts with its task worker
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [*command, "serve", "--with-worker", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            api_status, api_body = get_when_up(f"http://127.0.0.1:{port}/api/v1/openapi.json", deadline)
            static_status, static_body = get_when_up(f"http://127.0.0.1:{port}/static/admin/css/base.css", deadline)
        finally:
            server.terminate()
            server.wait(timeout=30)

    # then the API schema and a static file were served with DEBUG off, and the server took its
    # worker down with it when it stopped
    log_text = log_path.read_text(errors="replace")
    assert (api_status, api_body[:1]) == (200, b"{")
    assert static_status == 200
    assert b"body" in static_body
    assert server.returncode == 0, log_text
    worker_pid = int(re.findall(r"task worker started \(pid (\d+)\)", log_text)[0])
    assert "tierdesk: task worker stopped" in log_text
    with pytest.raises(ProcessLookupError):
        os.kill(worker_pid, 0)


def test_serve_fails_early_on_an_unreachable_database(tmp_path: Path) -> None:
    # given a server pointed at a PostgreSQL port on the loopback where nothing listens
    env = server_env(tmp_path) | {"DATABASE_URL": f"postgres://nobody@127.0.0.1:{free_port()}/nothing"}

    # when it starts
    result = subprocess.run(
        [sys.executable, "-m", "tierdesk", "serve", "--port", str(free_port())],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    # then it stops before binding, with one line that says why
    assert result.returncode == 1
    assert result.stderr.startswith("tierdesk: cannot reach the database: ")


def test_serve_warns_when_the_tables_are_missing(tmp_path: Path) -> None:
    # given an empty SQLite database
    env = server_env(tmp_path)
    port = free_port()
    log_path = tmp_path / "serve.log"

    # when the server starts on it
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "tierdesk", "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            status, _body = get_when_up(f"http://127.0.0.1:{port}/static/admin/css/base.css", time.monotonic() + 20)
        finally:
            server.terminate()
            server.wait(timeout=30)

    # then it serves all the same, after telling the operator what to run
    assert status == 200
    assert re.search(
        r"^tierdesk: \d+ database migrations are not applied; run 'tierdesk migrate'\.$", log_path.read_text(), re.M
    )


@pytest.mark.parametrize(("given", "expected"), [(None, "60"), ("0", "0")])
def test_the_worker_keeps_its_database_connection_unless_told_not_to(
    given: str | None, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the environment with or without DATABASE_CONN_MAX_AGE, and the Django command stubbed out
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", given or "")  # records the original, restored afterwards
    if given is None:
        monkeypatch.delenv("DATABASE_CONN_MAX_AGE")
    seen: list[list[str]] = []
    monkeypatch.setattr(cli, "_django", lambda args: seen.append(args) or 0)
    # when the worker starts
    assert main(["worker", "--batch"]) == 0
    # then it runs our worker command with a kept connection (bench/sla.py), unless the environment says no
    assert seen == [[cli.WORKER_COMMAND, "--queue-name=*", "--batch"]]
    assert os.environ["DATABASE_CONN_MAX_AGE"] == expected
