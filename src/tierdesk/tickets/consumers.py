"""WebSocket consumers of the tickets app: who else is on a ticket page (collision detection).

Thin like the views: the session's user is checked through the same selector as the ticket
page, the protocol lives in presence.py, the group is shared through the channel layer."""

from __future__ import annotations

import secrets
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from tierdesk.accounts.models import User
from tierdesk.accounts.permissions import is_staff_member
from tierdesk.core.errors import NotFound
from tierdesk.tickets import presence
from tierdesk.tickets.selectors import ticket_get_for


def viewer_for(user: Any, number: int) -> presence.Viewer | None:
    """The staff member allowed on this ticket's page, or None (customers, strangers, unknown or
    hidden tickets alike)."""
    if not is_staff_member(user):
        return None
    try:
        ticket = ticket_get_for(user=user, number=number)
    except NotFound:
        return None
    return presence.Viewer(user_id=user.pk, name=user.display_name, ticket_id=ticket.pk)


def still_allowed(user_id: int, session: Any, number: int) -> bool:
    """Whether the page may stay: its session still exists (a sign-out deletes it) and its user,
    read afresh, is still active staff who may see the ticket."""
    if session is not None and (session.session_key is None or not session.exists(session.session_key)):
        return False
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return user is not None and viewer_for(user, number) is not None


class TicketPresenceConsumer(AsyncJsonWebsocketConsumer):
    """/ws/desk/tickets/<number>/: announces this page to the ticket's other pages, tells this
    page about theirs, and about new public replies (pushed by tickets/realtime.py)."""

    clock = staticmethod(time.monotonic)  # tests may replace it

    viewer: presence.Viewer | None = None
    group = ""
    connection = ""
    state = presence.VIEWING
    checked_at = 0.0

    async def connect(self) -> None:
        number = self.scope["url_route"]["kwargs"]["number"]
        self.viewer = await database_sync_to_async(viewer_for)(self.scope.get("user"), number)
        if self.viewer is None:
            await self.close()  # before accept: the handshake is refused (HTTP 403)
            return
        self.connection = secrets.token_urlsafe(9)
        self.group = presence.ticket_group(self.viewer.ticket_id)
        self.limit = presence.RateLimit()
        self.checked_at = self.clock()
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(presence.hello(self.connection))
        # "welcome" asks the pages already open to introduce themselves to this one at once,
        # instead of at their next heartbeat.
        await self._announce(welcome=True)

    async def disconnect(self, code: int) -> None:
        if self.viewer is None or not self.group:
            return
        await self.channel_layer.group_send(self.group, {"type": "presence.left", "connection": self.connection})
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        # Parsed here, not by the JSON base class: size and rate come first, and a malformed
        # message is ignored rather than ending the connection with an exception.
        if text_data is None:
            await self.close(code=presence.CLOSE_POLICY_VIOLATION)
            return
        if len(text_data.encode()) > presence.MAX_MESSAGE_BYTES:
            await self.close(code=presence.CLOSE_TOO_BIG)
            return
        if not self.limit.allow(self.clock()):
            await self.close(code=presence.CLOSE_POLICY_VIOLATION)
            return
        if self.clock() - self.checked_at >= presence.RECHECK_SECONDS:
            self.checked_at = self.clock()
            number = self.scope["url_route"]["kwargs"]["number"]
            if self.viewer is None or not await database_sync_to_async(still_allowed)(
                self.viewer.user_id, self.scope.get("session"), number
            ):
                await self.close(code=presence.CLOSE_NO_LONGER_ALLOWED)
                return
        state = presence.parse_state(text_data)
        if state is None:
            return
        self.state = state
        await self._announce(welcome=False)

    async def _announce(self, *, welcome: bool) -> None:
        if self.viewer is not None:
            update = self._update(self.viewer, reply_to=self.channel_name if welcome else "")
            await self.channel_layer.group_send(self.group, update)

    def _update(self, viewer: presence.Viewer, *, reply_to: str) -> dict[str, Any]:
        return {
            "type": "presence.update",
            "connection": self.connection,
            "user_id": viewer.user_id,
            "name": viewer.name,
            "state": self.state,
            "reply_to": reply_to,
        }

    # --- events from the group (method names follow the event types) ------------------------

    async def presence_update(self, event: dict[str, Any]) -> None:
        if event["connection"] == self.connection or self.viewer is None:
            return
        if event["user_id"] == self.viewer.user_id:
            return  # the same person in another tab is no colleague (and would drop our reply)
        if event["reply_to"]:
            await self.channel_layer.send(event["reply_to"], self._update(self.viewer, reply_to=""))
        viewer = presence.Viewer(user_id=event["user_id"], name=event["name"], ticket_id=self.viewer.ticket_id)
        await self.send_json(presence.presence(viewer=viewer, connection=event["connection"], state=event["state"]))

    async def presence_left(self, event: dict[str, Any]) -> None:
        if event["connection"] != self.connection:
            await self.send_json(presence.left(event["connection"]))

    async def ticket_reply_added(self, event: dict[str, Any]) -> None:
        if self.viewer is not None and event["author_id"] == self.viewer.user_id:
            return  # one's own reply is on one's page already
        await self.send_json(
            presence.reply_added(
                comment_id=event["comment_id"], author_id=event["author_id"], author_name=event["author_name"]
            )
        )
