"""The ticket page's merge form and the split-off form on each comment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.tickets.models import Ticket
from tierdesk.tickets.selectors_links import ticket_reference_get_for
from tierdesk.tickets.services import ticket_merge, ticket_split_comment

Data = Mapping[str, Any]


def merge(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    target = ticket_reference_get_for(user=request.user, number=data["into"], field="into")
    ticket_merge(
        source=ticket, target=target, by=cast(User, request.user), note=data["note"], expected_version=data["version"]
    )
    return _("#%(source)s was merged into #%(target)s.") % {"source": ticket.number, "target": target.number}


def split(request: HttpRequest, ticket: Ticket, data: Data) -> str:
    new = ticket_split_comment(
        ticket=ticket,
        comment_id=data["comment"],
        by=cast(User, request.user),
        subject=data["subject"],
        expected_version=data["version"],
    )
    return _("The comment is now ticket #%(number)s.") % {"number": new.number}
