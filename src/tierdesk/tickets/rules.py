"""Pure rules of the ticket domain: no ORM, no clock. Exhaustively tested in test_rules.py."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from tierdesk.tickets.choices import Impact, Level, Priority, Status, Urgency

# The ITIL 3x3 matrix: urgency x impact -> priority.
DEFAULT_PRIORITY_MATRIX: Mapping[tuple[Urgency, Impact], Priority] = {
    (Urgency.HIGH, Impact.HIGH): Priority.P1,
    (Urgency.HIGH, Impact.MEDIUM): Priority.P2,
    (Urgency.HIGH, Impact.LOW): Priority.P3,
    (Urgency.MEDIUM, Impact.HIGH): Priority.P2,
    (Urgency.MEDIUM, Impact.MEDIUM): Priority.P3,
    (Urgency.MEDIUM, Impact.LOW): Priority.P4,
    (Urgency.LOW, Impact.HIGH): Priority.P3,
    (Urgency.LOW, Impact.MEDIUM): Priority.P4,
    (Urgency.LOW, Impact.LOW): Priority.P5,
}

# Deadline per priority until SLA policies take over: time from creation to resolution.
DEFAULT_RESOLUTION_TIME: Mapping[Priority, timedelta] = {
    Priority.P1: timedelta(hours=4),
    Priority.P2: timedelta(hours=8),
    Priority.P3: timedelta(days=1),
    Priority.P4: timedelta(days=3),
    Priority.P5: timedelta(days=10),
}

LEVEL_ORDER: tuple[Level, ...] = (Level.FIRST, Level.SECOND, Level.DEVELOPMENT)

# Which status may follow which, whatever the verb that moves it.
ALLOWED_STATUS_CHANGES: Mapping[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.OPEN, Status.WAITING, Status.RESOLVED}),
    Status.OPEN: frozenset({Status.WAITING, Status.RESOLVED}),
    Status.WAITING: frozenset({Status.OPEN, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.OPEN}),
    Status.CLOSED: frozenset({Status.OPEN}),
}

# Statuses in which a ticket is still work to do.
ACTIVE_STATUSES: frozenset[Status] = frozenset({Status.NEW, Status.OPEN, Status.WAITING})


def priority_from(
    urgency: Urgency | str,
    impact: Impact | str,
    matrix: Mapping[tuple[Urgency, Impact], Priority] | None = None,
) -> Priority:
    """The priority for an urgency and an impact, from `matrix` or the ITIL default."""
    key = (Urgency(urgency), Impact(impact))
    table = matrix or DEFAULT_PRIORITY_MATRIX
    return Priority(table.get(key, DEFAULT_PRIORITY_MATRIX[key]))


def can_change_status(current: Status | str, target: Status | str) -> bool:
    return Status(target) in ALLOWED_STATUS_CHANGES[Status(current)]


def is_higher_level(current: Level | str, target: Level | str) -> bool:
    return LEVEL_ORDER.index(Level(target)) > LEVEL_ORDER.index(Level(current))


def resolution_time_for(priority: Priority | str) -> timedelta:
    return DEFAULT_RESOLUTION_TIME[Priority(priority)]


def board_column(status: Status | str, level: Level | str) -> str:
    """The agent board column of a ticket: first, second, waiting, dev, done or closed."""
    status = Status(status)
    if status == Status.CLOSED:
        return "closed"
    if status == Status.RESOLVED:
        return "done"
    if Level(level) == Level.DEVELOPMENT:
        return "dev"  # development's tickets stay in DEV while the fix is under way, waiting or not
    if status == Status.WAITING:
        return "waiting"
    return {Level.FIRST: "first", Level.SECOND: "second"}[Level(level)]
