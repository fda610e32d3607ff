"""`tierdesk token create|revoke|list`: API tokens for integrations, through the accounts services.

`create` prints the raw token alone on standard output, once (only its digest is stored), so that
`TOKEN=$(tierdesk token create --user NAME)` works; what it says about it goes to standard error.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tierdesk.accounts.models import ApiToken, User
from tierdesk.accounts.services import api_token_create, api_token_revoke
from tierdesk.core.errors import DomainError

EXIT_USAGE = 2


def _user_named(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named {username!r}.", returncode=EXIT_USAGE)
    return user


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Create, revoke and list API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,revoke,list}")
        create = actions.add_parser("create", help="issue a token and print it once")
        create.add_argument("--user", required=True, help="username the token acts as")
        create.add_argument("--name", default="cli", help="label that tells tokens apart (default: cli)")
        revoke = actions.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("--id", type=int, required=True, dest="token_id", help="the token's id (see list)")
        revoke.add_argument("--by", help="username recorded in the audit log (default: the token's owner)")
        listing = actions.add_parser("list", help="list a user's tokens")
        listing.add_argument("--user", required=True, help="username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                self._create(options)
            elif options["action"] == "revoke":
                self._revoke(options)
            else:
                self._list(options)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=EXIT_USAGE) from exc

    def _create(self, options: dict[str, Any]) -> None:
        user = _user_named(options["user"])
        issued = api_token_create(user=user, name=options["name"])
        self.stdout.write(issued.raw)
        if options["verbosity"] > 0:
            self.stderr.write(
                f"Token {issued.token.pk} ({issued.token.name!r}) for {user.username!r} created. "
                "It is shown only this once: store it now.",
                style_func=self.style.SUCCESS,
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=options["token_id"]).first()
        if token is None:
            raise CommandError(f"No token with id {options['token_id']}.", returncode=EXIT_USAGE)
        if token.revoked_at is not None:
            self.stdout.write(f"Token {token.pk} was revoked already on {_when(token.revoked_at)}.")
            return
        by = _user_named(options["by"]) if options["by"] else token.user
        api_token_revoke(token=token, by=by)
        self.stdout.write(self.style.SUCCESS(f"Token {token.pk} ({token.name!r}) of {token.user.username!r} revoked."))

    def _list(self, options: dict[str, Any]) -> None:
        user = _user_named(options["user"])
        tokens = list(user.api_tokens.order_by("-created_at", "-id"))
        if not tokens:
            self.stdout.write(f"{user.username!r} has no tokens.")
            return
        rows = [("ID", "NAME", "PREFIX", "CREATED", "LAST USED", "STATUS")]
        rows += [
            (
                str(token.pk),
                token.name,
                f"{token.prefix}…",
                _when(token.created_at),
                _when(token.last_used_at),
                f"revoked {_when(token.revoked_at)}" if token.revoked_at else "active",
            )
            for token in tokens
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
