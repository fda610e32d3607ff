"""Pushes to the open ticket pages: a new public reply, so that an agent writing an answer learns
of it at once (collision detection). Runs after commit (core.events), never for a rolled-back
reply; a channel layer that cannot be reached costs the push, not the reply."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from tierdesk.accounts.models import User
from tierdesk.core.events import subscribe
from tierdesk.tickets.events import TicketPublicReplyAdded
from tierdesk.tickets.presence import ticket_group


@subscribe(TicketPublicReplyAdded)
def push_public_reply(event: TicketPublicReplyAdded) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    author = User.objects.filter(pk=event.by_id).first() if event.by_id is not None else None
    async_to_sync(layer.group_send)(
        ticket_group(event.ticket_id),
        {
            "type": "ticket.reply_added",
            "comment_id": event.comment_id,
            "author_id": event.by_id,
            "author_name": author.display_name if author is not None else "",
        },
    )
