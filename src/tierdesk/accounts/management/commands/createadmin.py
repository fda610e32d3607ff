"""`tierdesk createadmin`: create an administrator through `staff_user_create`.

Asks for what is missing when run in a terminal; otherwise every value comes from the flags.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tierdesk.accounts.choices import Role
from tierdesk.accounts.models import User
from tierdesk.accounts.services import staff_user_create
from tierdesk.core.errors import DomainError

EXIT_USAGE = 2
PASSWORD_TRIES = 3


class Command(BaseCommand):
    help = "Create an administrator: every permission in the desk and access to the Django admin site."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="sign-in name (asked for when missing)")
        parser.add_argument(
            "--password",
            help="password (asked for when missing; a flag is visible to other users of the machine)",
        )
        parser.add_argument("--email", default=None, help="e-mail address (optional)")
        parser.add_argument("--first-name", default="", help="first name (optional)")
        parser.add_argument("--last-name", default="", help="last name (optional)")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="language of the user interface",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="never ask; fail when --username or --password is missing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Ask only when someone can answer: CI and scripts have no terminal on stdin.
        interactive = bool(options["interactive"]) and sys.stdin.isatty()
        username = (options["username"] or "").strip()
        if not username and interactive:
            username = input("Username: ").strip()
        if not username:
            raise CommandError("--username is required (or run in a terminal to be asked).", returncode=EXIT_USAGE)
        self._check_username(username)
        email = options["email"]
        if email is None:
            email = input("E-mail (optional): ").strip() if interactive else ""
        candidate = User(
            username=username, email=email, first_name=options["first_name"], last_name=options["last_name"]
        )
        password = options["password"]
        if password is None:
            if not interactive:
                raise CommandError("--password is required (or run in a terminal to be asked).", returncode=EXIT_USAGE)
            password = self._ask_password(candidate)
        else:
            self._check_password(password, candidate)
        try:
            user = staff_user_create(
                username=username,
                password=password,
                role=Role.ADMIN,
                email=email,
                first_name=options["first_name"],
                last_name=options["last_name"],
                language=options["language"],
            )
        except DomainError as exc:
            raise CommandError(exc.message, returncode=EXIT_USAGE) from exc
        self.stdout.write(self.style.SUCCESS(f"Administrator {user.username!r} created (id {user.pk})."))

    def _check_username(self, username: str) -> None:
        try:
            User._meta.get_field("username").clean(username, None)
        except ValidationError as exc:
            raise CommandError(f"Username {username!r}: {' '.join(exc.messages)}", returncode=EXIT_USAGE) from exc
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"A user named {username!r} exists already.", returncode=EXIT_USAGE)

    def _check_password(self, password: str, candidate: User) -> None:
        try:
            validate_password(password, user=candidate)
        except ValidationError as exc:
            raise CommandError(f"Password rejected: {' '.join(exc.messages)}", returncode=EXIT_USAGE) from exc

    def _ask_password(self, candidate: User) -> str:
        for _attempt in range(PASSWORD_TRIES):
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The passwords differ; try again.")
                continue
            try:
                validate_password(password, user=candidate)
            except ValidationError as exc:
                self.stderr.write(f"Password rejected: {' '.join(exc.messages)}")
                continue
            return password
        raise CommandError("No acceptable password given.", returncode=EXIT_USAGE)
