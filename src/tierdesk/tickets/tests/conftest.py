"""Fixtures shared by the tickets app's tests."""

from __future__ import annotations

import pytest

from tierdesk.tickets.models import Rule


@pytest.fixture
def no_rules(db: None) -> None:
    """Start without the shipped rules (migration 0007 loads them), so counts and firings are exact."""
    Rule.objects.all().delete()
