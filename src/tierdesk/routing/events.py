"""Domain events the routing app publishes (after commit). Routing subscribes to its own
`PresenceChanged` to hand waiting tickets to an agent who became available; the phone floor and
the wallboard (later issues) subscribe to show presence live."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PresenceChanged:
    user_id: int
    old: str
    new: str
    change_id: int  # the PresenceChange row: a stable identity for idempotent handlers
