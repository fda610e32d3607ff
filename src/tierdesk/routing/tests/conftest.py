"""Fixtures of the routing tests: no shipped rules (their actions would change the tickets the
tests count), and on-commit callbacks run as a real commit would."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from tierdesk.tickets.models import Rule


@pytest.fixture
def no_rules(db: None) -> None:
    """Start without the shipped rules (tickets migration 0007 loads them)."""
    Rule.objects.all().delete()


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]]) -> Callable[[], Any]:
    """Runs the on-commit callbacks (event handlers, queued tasks) at the end of the block, as a
    real commit would; the test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
