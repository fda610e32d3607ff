"""`tierdesk demo`: create the tables, load the demo data (idempotently) and print the demo logins."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tierdesk.core.errors import DomainError
from tierdesk.demo.dataset import DemoLogin, demo_logins
from tierdesk.demo.loader import LoadReport, demo_load

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = "8000"


def base_url(host: str, port: str) -> str:
    """The address a browser uses; a wildcard bind address is reached through the loopback."""
    if host in {"0.0.0.0", ""}:  # noqa: S104 - comparing with the wildcard, not binding to it
        host = DEFAULT_HOST
    elif host == "::":
        host = "[::1]"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def logins_table(logins: list[DemoLogin], sign_in_url: str) -> list[str]:
    rows = [("ROLE", "USERNAME", "PASSWORD", "SIGN IN AT")]
    rows += [
        (
            f"{login.role} ({login.organisation})" if login.organisation else login.role,
            login.username,
            login.password,
            sign_in_url,
        )
        for login in logins
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]


def summary(report: LoadReport) -> str:
    if report.total == 0:
        return "The demo data is loaded already; nothing was added."
    return (
        f"Demo data loaded: {report.organisations} organisations, {report.contacts} contacts, "
        f"{report.users} users, {report.access_notes} access notes, {report.tickets} tickets and "
        f"{report.workspace} workspace settings (shared views, custom fields, e-mail domains, an assignment "
        "policy) added."
    )


class Command(BaseCommand):
    help = "Create the database tables, load the demo data (a second run adds nothing) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", help=f"host shown in the sign-in address (env HOST, default {DEFAULT_HOST})")
        parser.add_argument("--port", help=f"port shown in the sign-in address (env PORT, default {DEFAULT_PORT})")
        parser.add_argument(
            "--no-migrate", action="store_false", dest="migrate", help="do not create or update the tables first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=max(0, options["verbosity"] - 1))
        try:
            report = demo_load()
        except DomainError as exc:
            raise CommandError(f"The demo data could not be loaded: {exc.message}") from exc
        self.stdout.write(self.style.SUCCESS(summary(report)))
        url = base_url(
            options["host"] or os.environ.get("HOST") or DEFAULT_HOST,
            options["port"] or os.environ.get("PORT") or DEFAULT_PORT,
        )
        self.stdout.write("")
        self.stdout.write("Demo logins (every password is demo-<username>):")
        self.stdout.write("")
        for line in logins_table(demo_logins(), f"{url}/login/"):
            self.stdout.write(f"  {line}")
        self.stdout.write("")
        self.stdout.write(f"API documentation: {url}/api/v1/docs")
