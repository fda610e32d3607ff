"""The rules Tierdesk ships, enabled on a new installation (migration 0007 loads them; `rules_seed`
puts back any that were deleted). Admins may change or disable them; the key stays."""

from __future__ import annotations

from typing import Any

SEED_RULES: tuple[dict[str, Any], ...] = (
    {
        "key": "p1-no-response-15-minutes",
        "name": "Alert the case manager when a P1 has no response after 15 minutes",
        "description": "A critical ticket nobody has answered within 15 business minutes of its creation.",
        "trigger": "time",
        "events": [],
        "conditions": [
            {"field": "priority", "op": "eq", "value": "p1"},
            {"field": "has_first_response", "op": "eq", "value": False},
            {"field": "status", "op": "in", "value": ["new", "open"]},
            {"field": "minutes_since_created", "op": "gte", "value": 15},
        ],
        "actions": [
            {"type": "notify", "to": "case_manager", "message": "A P1 ticket has had no response for 15 minutes."}
        ],
        "position": 10,
    },
    {
        "key": "escalate-after-30-minutes",
        "name": "Escalate to second level after 30 minutes at first level",
        "description": "A case that takes more than 30 minutes (open or worked) at first level goes to second "
        "level, with a handover note listing what was done.",
        "trigger": "time",
        "events": [],
        "conditions": [
            {"field": "level", "op": "eq", "value": "first"},
            {"field": "status", "op": "in", "value": ["new", "open"]},
            {"field": "worked_or_open_minutes", "op": "gt", "value": 30},
        ],
        "actions": [{"type": "escalate", "to_level": "second"}],
        "position": 20,
    },
    {
        "key": "remind-before-auto-close",
        "name": "Remind the customer 4 working days after resolving",
        "description": "The customer has not confirmed the solution: one reminder, a working day before it closes.",
        "trigger": "time",
        "events": [],
        "conditions": [
            {"field": "status", "op": "eq", "value": "resolved"},
            {"field": "working_days_since_resolved", "op": "gte", "value": 4},
        ],
        "actions": [{"type": "remind_requester"}],
        "position": 30,
    },
    {
        "key": "auto-close-after-5-working-days",
        "name": "Close resolved tickets after 5 working days without an answer",
        "description": "The customer had the last word and did not use it: the ticket closes.",
        "trigger": "time",
        "events": [],
        "conditions": [
            {"field": "status", "op": "eq", "value": "resolved"},
            {"field": "working_days_since_resolved", "op": "gte", "value": 5},
        ],
        "actions": [{"type": "close"}],
        "position": 40,
    },
)
