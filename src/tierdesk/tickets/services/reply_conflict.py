"""Collision detection for public replies: the author names the newest public reply they saw;
one that arrived since (from somebody else) stops the reply until the author confirms.

Checked under the ticket's row lock, so of two agents answering at once the second one is asked.
Only public replies count, for public replies: an internal note neither collides nor is stopped."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tierdesk.accounts.models import User
from tierdesk.tickets.errors import ReplyConflict, TicketVersionConflict
from tierdesk.tickets.locks import lock_ticket
from tierdesk.tickets.models import Comment, Ticket


def lock_for_reply(
    *,
    ticket_id: int,
    by: User,
    expected_version: int | None,
    seen_comment_id: int | None,
    confirm_despite_newer: bool,
) -> Ticket:
    """`lock_ticket`, but a newer public reply than `seen_comment_id` raises ReplyConflict,
    also in place of a version conflict: that reply is then the likelier reason, and the more
    useful answer (the desk shows it and keeps the text)."""
    check = seen_comment_id is not None and not confirm_despite_newer
    try:
        ticket = lock_ticket(ticket_id, expected_version=expected_version)
    except TicketVersionConflict:
        if check:
            _raise_if_newer(ticket_id=ticket_id, by=by, seen_comment_id=seen_comment_id)
        raise
    if check:
        _raise_if_newer(ticket_id=ticket_id, by=by, seen_comment_id=seen_comment_id)
    return ticket


def _raise_if_newer(*, ticket_id: int, by: User, seen_comment_id: int | None) -> None:
    # Comments of one ticket are created under its row lock, so their ids grow in commit order.
    # One's own replies are no news to oneself (an API client sending two in a row).
    newer = tuple(
        Comment.objects.filter(ticket_id=ticket_id, is_internal=False, pk__gt=seen_comment_id or 0)
        .exclude(author=by)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not newer:
        return
    version = Ticket.objects.filter(pk=ticket_id).values_list("version", flat=True).get()
    raise ReplyConflict(
        _("A newer public reply was added after the one you saw. Read it, then send yours anyway if it still fits."),
        newer_comment_ids=newer,
        current_version=version,
    )
