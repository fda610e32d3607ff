"""Pure rules: the priority matrix, the status table, level order and board columns."""

from __future__ import annotations

import itertools

import pytest

from tierdesk.tickets.choices import Impact, Level, Priority, Status, Urgency
from tierdesk.tickets.rules import (
    ALLOWED_STATUS_CHANGES,
    board_column,
    can_change_status,
    is_higher_level,
    priority_from,
    resolution_time_for,
)

ITIL = {
    ("high", "high"): "p1",
    ("high", "medium"): "p2",
    ("high", "low"): "p3",
    ("medium", "high"): "p2",
    ("medium", "medium"): "p3",
    ("medium", "low"): "p4",
    ("low", "high"): "p3",
    ("low", "medium"): "p4",
    ("low", "low"): "p5",
}


@pytest.mark.parametrize(("urgency", "impact"), list(ITIL))
def test_default_matrix_is_itil_3x3(urgency, impact):
    assert priority_from(urgency, impact) == ITIL[(urgency, impact)]


def test_matrix_override_wins_for_its_cell_only():
    override = {(Urgency.LOW, Impact.LOW): Priority.P4}
    assert priority_from("low", "low", override) == Priority.P4
    assert priority_from("high", "high", override) == Priority.P1


@pytest.mark.parametrize("bad", [("urgent", "high"), ("high", "everyone"), ("", "")])
def test_unknown_urgency_or_impact_is_rejected(bad):
    with pytest.raises(ValueError):  # noqa: PT011
        priority_from(*bad)


def test_resolution_time_shrinks_with_priority():
    times = [resolution_time_for(p) for p in Priority]
    assert times == sorted(times)
    assert times[0] < times[-1]


@pytest.mark.parametrize(("current", "target"), list(itertools.product(Status, Status)))
def test_status_table(current, target):
    expected = target in ALLOWED_STATUS_CHANGES[current]
    assert can_change_status(current, target) is expected


def test_closed_ticket_can_only_be_reopened():
    assert ALLOWED_STATUS_CHANGES[Status.CLOSED] == frozenset({Status.OPEN})


@pytest.mark.parametrize(
    ("current", "target", "higher"),
    [
        (Level.FIRST, Level.SECOND, True),
        (Level.FIRST, Level.DEVELOPMENT, True),
        (Level.SECOND, Level.DEVELOPMENT, True),
        (Level.SECOND, Level.FIRST, False),
        (Level.DEVELOPMENT, Level.SECOND, False),
        (Level.FIRST, Level.FIRST, False),
    ],
)
def test_level_order(current, target, higher):
    assert is_higher_level(current, target) is higher


@pytest.mark.parametrize(
    ("status", "level", "column"),
    [
        ("new", "first", "first"),
        ("open", "first", "first"),
        ("open", "second", "second"),
        ("waiting", "first", "waiting"),
        ("waiting", "second", "waiting"),
        ("open", "development", "dev"),
        ("waiting", "development", "dev"),
        ("resolved", "second", "done"),
        ("resolved", "development", "done"),
        ("closed", "first", "closed"),
    ],
)
def test_board_columns(status, level, column):
    assert board_column(status, level) == column
