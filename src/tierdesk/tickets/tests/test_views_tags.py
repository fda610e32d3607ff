"""Presentation filters used by the desk templates."""

from __future__ import annotations

import pytest

from tierdesk.tickets.choices import Priority
from tierdesk.tickets.templatetags.tickets_ui import choice_label, field_label, priority_tone, status_tone


@pytest.mark.parametrize(
    ("priority", "tone"),
    [
        (Priority.P1, "critical"),
        (Priority.P2, "high"),
        (Priority.P3, "medium"),
        (Priority.P4, "low"),
        (Priority.P5, "planning"),
        ("p9", "neutral"),
    ],
)
def test_priority_tone(priority, tone):
    assert priority_tone(priority) == tone


def test_status_tone():
    assert [status_tone(s) for s in ("new", "open", "waiting", "resolved", "closed", "odd")] == [
        "new",
        "active",
        "paused",
        "done",
        "closed",
        "neutral",
    ]


def test_choice_label_shows_labels_of_known_fields_and_raw_values_otherwise():
    assert choice_label("second", "level") == "Second level"
    assert choice_label("third_party", "waiting_on") == "Third party"
    assert choice_label("p1", "priority") == "P1 Critical"
    assert choice_label("l2", "assignee") == "l2"
    assert choice_label("unknown", "status") == "unknown"
    assert choice_label("", "status") == ""


def test_field_label():
    assert field_label("waiting_on") == "waiting on"
    assert field_label("bug_key") == "bug reference"
    assert field_label("second_level_request") == "second level request"
