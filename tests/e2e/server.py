"""A real Tierdesk for browser tests: `tierdesk demo` into a fresh database, then `tierdesk serve
--with-worker` on a free loopback port, stopped when the test ends.

The database is a temporary SQLite file, or, when the suite runs with a PostgreSQL DATABASE_URL, a
fresh PostgreSQL database created and dropped here (never the suite's own test database)."""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
START_TIMEOUT_S = 60


@dataclass(frozen=True)
class LiveDesk:
    base_url: str
    var_dir: Path

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _tierdesk() -> str:
    return shutil.which("tierdesk", path=str(Path(sys.executable).parent)) or "tierdesk"


@contextmanager
def _database(env: dict[str, str]) -> Iterator[dict[str, str]]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg

    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    name = f"tierdesk_e2e_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**env, "DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name}
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _wait_until_up(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"tierdesk serve exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"tierdesk serve did not answer within {START_TIMEOUT_S} s")


@contextmanager
def live_desk(var_dir: Path) -> Iterator[LiveDesk]:
    base_env = {
        **os.environ,
        "TIERDESK_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "tierdesk.config.settings",
        "LOG_LEVEL": "WARNING",
    }
    base_env.pop("EMAIL_BACKEND", None)  # the file backend: mails land in var_dir/mail
    with _database(base_env) as env:
        subprocess.run([_tierdesk(), "demo"], env=env, check=True, capture_output=True, timeout=300)
        port = _free_port()
        env["TIERDESK_BASE_URL"] = f"http://{HOST}:{port}"
        proc = subprocess.Popen(
            [_tierdesk(), "serve", "--with-worker", "--host", HOST, "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_until_up(port, proc)
            yield LiveDesk(base_url=f"http://{HOST}:{port}", var_dir=var_dir)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
