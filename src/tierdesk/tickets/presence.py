"""Who is on a ticket page right now: the WebSocket protocol of collision detection, as pure
data and functions (consumers.py does the I/O). See docs/realtime.md.

No process keeps a list of who is present: every page announces itself to the ticket's group
(shared through the channel layer, Redis when there are several app processes) and repeats that
every HEARTBEAT_SECONDS; pages forget a colleague not heard of for EXPIRE_SECONDS, or at once
when the colleague's connection says "left"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

VIEWING = "viewing"
TYPING = "typing"
STATES = frozenset({VIEWING, TYPING})

HEARTBEAT_SECONDS = 15
EXPIRE_SECONDS = 35  # two heartbeats missed, with room for a slow network

# What one connection may send: a heartbeat every 15 s and a state change now and then is far
# below this; a client above it is broken or hostile and is closed.
MAX_MESSAGE_BYTES = 200
MAX_MESSAGES_PER_WINDOW = 20
WINDOW_SECONDS = 10.0

CLOSE_POLICY_VIOLATION = 1008  # too many messages, or a binary frame
CLOSE_TOO_BIG = 1009
# The page's session ended (sign-out), its user was deactivated or lost sight of the ticket: the
# consumer checks again every RECHECK_SECONDS, at the next message it gets.
CLOSE_NO_LONGER_ALLOWED = 4403
RECHECK_SECONDS = 60.0


def ticket_group(ticket_id: int) -> str:
    """The channel-layer group of one ticket's open pages."""
    return f"ticket.{ticket_id}"


@dataclass(frozen=True)
class Viewer:
    """Who is behind a connection, taken from the signed-in session, never from the client."""

    user_id: int
    name: str
    ticket_id: int


def parse_state(text: str) -> str | None:
    """The state a client announces ({"type": "presence", "state": "viewing" | "typing"}), or
    None for anything else (unknown types and malformed messages are ignored)."""
    try:
        message = json.loads(text)
    except ValueError:
        return None
    if not isinstance(message, dict) or message.get("type") != "presence":
        return None
    state = message.get("state")
    return state if isinstance(state, str) and state in STATES else None


def hello(connection: str) -> dict[str, Any]:
    """The first message to a client: its own connection id and the timing it must keep."""
    return {
        "type": "hello",
        "connection": connection,
        "heartbeat_seconds": HEARTBEAT_SECONDS,
        "expire_seconds": EXPIRE_SECONDS,
    }


def presence(*, viewer: Viewer, connection: str, state: str) -> dict[str, Any]:
    return {
        "type": "presence",
        "connection": connection,
        "user": {"id": viewer.user_id, "name": viewer.name},
        "state": state,
    }


def left(connection: str) -> dict[str, Any]:
    return {"type": "left", "connection": connection}


def reply_added(*, comment_id: int, author_id: int | None, author_name: str) -> dict[str, Any]:
    author = None if author_id is None else {"id": author_id, "name": author_name}
    return {"type": "reply_added", "comment": comment_id, "author": author}


class RateLimit:
    """A fixed window per connection: at most `limit` messages per `window` seconds."""

    def __init__(self, *, limit: int = MAX_MESSAGES_PER_WINDOW, window: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self.started = float("-inf")
        self.count = 0

    def allow(self, now: float) -> bool:
        if now - self.started >= self.window:
            self.started, self.count = now, 0
        self.count += 1
        return self.count <= self.limit
