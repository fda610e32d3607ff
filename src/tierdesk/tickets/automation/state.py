"""The state a rule fires once for (RuleFiring.state_key).

A rule's state of a ticket is what its conditions look at: the values of the facts it names,
when the ticket entered the status and level it names (leaving a status and coming back is a new
state), and for numbers, the instant their count starts from (a clock's anchor), never the count
itself, which grows every minute. So "P1 without response for 15 minutes" alerts once per ticket,
"resolved for 5 working days: close" once per resolution, and "30 minutes at first level"
once per time the ticket is at first level."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tierdesk.tickets.automation.conditions import Condition, fields_named
from tierdesk.tickets.automation.facts import TicketFacts
from tierdesk.tickets.automation.fields import EPOCH_OF, FIELDS, Kind

# worked_minutes_at_level counts the time logged since the ticket entered its level.
_NUMBER_ANCHOR = {"worked_minutes_at_level": "level_entered_at"}


def state_key(conditions: Sequence[Condition], facts: TicketFacts) -> str:
    """A SHA-256 hex digest of the ticket's state as these conditions see it."""
    values: dict[str, Any] = {}
    epochs: dict[str, str | None] = {}
    for name in fields_named(conditions):
        spec = FIELDS[name]
        if spec.kind is Kind.NUMBER:
            anchor = spec.clock.anchor if spec.clock is not None else _NUMBER_ANCHOR[name]
            epochs[anchor] = _iso(getattr(facts.ticket, anchor))
            continue
        value = facts.value(name)
        values[name] = sorted(value) if isinstance(value, frozenset) else value
        if name in EPOCH_OF:
            epochs[EPOCH_OF[name]] = _iso(getattr(facts.ticket, EPOCH_OF[name]))
    payload = json.dumps({"values": values, "epochs": epochs}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
