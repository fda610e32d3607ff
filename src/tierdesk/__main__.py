"""The `tierdesk` command: `serve`, `worker`, `demo`, `migrate`, `createadmin`, `token`, and every
Django management command (`tierdesk check`, `tierdesk shell`, …) passed through.

It owns process start-up only: the web server (uvicorn on the ASGI application), the task worker
beside it, and dispatch to management commands, which hold the actual work. Messages are English,
like Django's own management commands: they are printed before any locale could be chosen.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import warnings
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from types import FrameType
from typing import NoReturn, TextIO

import django
import uvicorn
from django.conf import settings
from django.core.management import ManagementUtility, get_commands
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor

PROG = "tierdesk"
DEFAULT_SETTINGS = "tierdesk.config.settings"
ASGI_APPLICATION = "tierdesk.config.asgi:application"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
EXIT_USAGE = 2
# django-tasks-db's db_worker with a heartbeat and recovery of dead workers' tasks (tierdesk.core.workers).
WORKER_COMMAND = "tierdesk_worker"
# Seconds a worker keeps its database connection between tasks.
WORKER_CONN_MAX_AGE = 60
# How long the task worker may take to finish its current task when the server stops.
WORKER_STOP_SECONDS = 10
# WhiteNoise hands Django's ASGI handler a synchronous file iterator, which Django reads in a
# thread and warns about on every static file. The files are small; the warning is only noise.
SYNC_ITERATOR_WARNING = "StreamingHttpResponse must consume synchronous iterators"

USAGE = f"""usage: {PROG} <command> [options]

Commands:
  serve         run the web server (HTTP and WebSockets); --host, --port, --workers, --with-worker
  worker        run the background task worker (all queues unless --queue-name is given)
  demo          create the database tables, load the demo data and print the demo logins
  migrate       create or update the database tables
  createadmin   create an administrator (asks, or takes --username, --password, --email)
  token         API tokens: create --user NAME [--name LABEL] | revoke --id N | list --user NAME
  <other>       any Django management command: check, shell, dbshell, showmigrations, …

`{PROG} <command> --help` shows a command's options; `{PROG} help --commands` lists every command.
Settings come from the environment (see README.md); DJANGO_SETTINGS_MODULE defaults to
{DEFAULT_SETTINGS}.
"""


class _Stopped(Exception):
    """Raised by our SIGTERM handler once the server has shut down (see `_serve`)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `tierdesk` command and return its exit status (2 for bad arguments)."""
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    try:
        return _dispatch(args)
    except SystemExit as exc:  # argparse and Django's commands exit; callers in-process want a number
        return _exit_status(exc.code)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`tierdesk token list ... | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _say(text: str, stream: TextIO, *, end: str = "\n") -> None:
    stream.write(text + end)
    stream.flush()


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    _say(str(code), sys.stderr)
    return 1


def _usage_error(message: str) -> int:
    _say(f"{PROG}: error: {message}", sys.stderr)
    _say(f"Run '{PROG} --help' for the list of commands.", sys.stderr)
    return EXIT_USAGE


def _dispatch(args: list[str]) -> int:
    if not args:
        _say(USAGE, sys.stderr, end="")
        return EXIT_USAGE
    command, rest = args[0], args[1:]
    if command in {"-h", "--help"} or (command == "help" and not rest):
        _say(USAGE, sys.stdout, end="")
        return 0
    if command == "--version":
        _say(f"{PROG} {version('tierdesk')}", sys.stdout)
        return 0
    if command == "help" and rest[0] == "serve":
        _serve_parser().print_help()
        return 0
    if command.startswith("-"):
        return _usage_error(f"unknown option {command!r}; a command comes first")
    if command == "serve":
        return _serve(rest)
    if command == "worker":
        # The worker runs task after task: a kept connection halves its cost per task (bench/sla.py).
        # DATABASE_CONN_MAX_AGE=0 in the environment still turns it off.
        os.environ.setdefault("DATABASE_CONN_MAX_AGE", str(WORKER_CONN_MAX_AGE))
        # The worker serves every queue unless told otherwise: apps may declare their own queues.
        has_queue = any(arg == "--queue-name" or arg.startswith("--queue-name=") for arg in rest)
        return _django([WORKER_COMMAND, *rest] if has_queue else [WORKER_COMMAND, "--queue-name=*", *rest])
    if command == "help":
        return _django(["help", *([WORKER_COMMAND] if rest == ["worker"] else rest)])
    return _django([command, *rest])


def _django(args: list[str]) -> int:
    """Run a Django management command, as `django-admin` would, under our program name."""
    status = _setup()
    if status:
        return status
    # After setup: get_commands() is cached, and before it knows only Django's own commands.
    if args[0] != "help" and args[0] not in get_commands():
        return _usage_error(f"unknown command {args[0]!r}")
    ManagementUtility([PROG, *args]).execute()
    return 0


def _setup() -> int:
    """Configure Django; a broken environment (e.g. DEBUG=maybe) reads as one line, not a trace."""
    try:
        django.setup()
    except Exception as exc:
        _say(f"{PROG}: cannot load the settings {os.environ['DJANGO_SETTINGS_MODULE']}: {exc}", sys.stderr)
        return 1
    return 0


def _port(raw: str) -> int:
    try:
        port = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a port number") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"{port} is not between 1 and 65535")
    return port


def _positive(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} serve",
        description="Run the web server (uvicorn on the ASGI application: HTTP and WebSockets). "
        "Static files are served by the application itself.",
    )
    parser.add_argument("--host", help=f"address to listen on (env HOST, default {DEFAULT_HOST})")
    parser.add_argument("--port", type=_port, help=f"port to listen on (env PORT, default {DEFAULT_PORT})")
    parser.add_argument("--workers", type=_positive, default=1, help="web server processes (default 1)")
    parser.add_argument(
        "--with-worker",
        action="store_true",
        help="also run the background task worker as a child process, stopped with the server",
    )
    parser.add_argument(
        "--log-level",
        choices=["critical", "error", "warning", "info", "debug"],
        default="info",
        help="server log level",
    )
    return parser


def _serve(args: list[str]) -> int:
    parser = _serve_parser()
    options = parser.parse_args(args)
    host = options.host or os.environ.get("HOST") or DEFAULT_HOST
    port = options.port
    if port is None:
        try:
            port = _port(os.environ.get("PORT") or str(DEFAULT_PORT))
        except argparse.ArgumentTypeError as exc:
            parser.error(f"PORT: {exc}")

    status = _check_database()
    if status:
        return status
    _quiet_static_files()

    worker = _start_worker() if options.with_worker else None
    # uvicorn restores the previous SIGTERM handler after a graceful shutdown and raises the signal
    # again; with the default handler the process would die before the worker is stopped.
    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        uvicorn.run(
            ASGI_APPLICATION,
            host=host,
            port=port,
            workers=options.workers,
            lifespan="off",  # Django's ASGI handler does not speak the lifespan protocol
            log_level=options.log_level,
        )
    except _Stopped:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if worker is not None:
            _stop_worker(worker)
    return 0


def _raise_stopped(signum: int, frame: FrameType | None) -> NoReturn:
    raise _Stopped


def _check_database() -> int:
    """Fail early on an unreachable database and warn about missing tables, before binding."""
    status = _setup()
    if status:
        return status
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        _say(f"{PROG}: cannot reach the database: {exc}", sys.stderr)
        return 1
    finally:
        connections.close_all()
    if plan:
        _say(f"{PROG}: {len(plan)} database migrations are not applied; run '{PROG} migrate'.", sys.stderr)
    return 0


def _quiet_static_files() -> None:
    """Silence the per-file ASGI warning (here and in uvicorn's worker processes), and create
    STATIC_ROOT, which WhiteNoise otherwise warns about on start: files come from the finders."""
    warnings.filterwarnings("ignore", message=SYNC_ITERATOR_WARNING)
    inherited = os.environ.get("PYTHONWARNINGS", "")
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [inherited, f"ignore:{SYNC_ITERATOR_WARNING}"]))
    # A read-only var/ costs one warning at start, nothing else.
    with contextlib.suppress(OSError):
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def _die_with_parent() -> None:
    """In the worker child (Linux): get SIGTERM when the server process dies without cleaning up,
    so that a killed server never leaves a worker holding the database."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the `finally` in _serve still stops the worker on every orderly exit


def _start_worker() -> subprocess.Popen[bytes]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "tierdesk", "worker"],
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    _say(f"{PROG}: task worker started (pid {worker.pid})", sys.stderr)
    return worker


def _stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()  # the worker finishes its current task, then exits
        try:
            worker.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    _say(f"{PROG}: task worker stopped", sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
