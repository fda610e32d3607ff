"""Fixtures of the webhooks tests: a real receiver on 127.0.0.1, webhooks made through the
services, and on-commit callbacks run as a real commit would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from tierdesk.tickets.models import Rule
from tierdesk.webhooks.choices import EventType
from tierdesk.webhooks.services import IssuedSecret, webhook_create
from tierdesk.webhooks.tests.receiver import Receiver

ALL_EVENTS = list(EventType.values)


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    """A receiver on the loopback address, which the tests (only) allow webhooks to reach."""
    settings.TIERDESK_WEBHOOKS_ALLOW_PRIVATE = True
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[Any]]) -> Callable[[], Any]:
    """Runs the on-commit callbacks (event handlers, queued tasks) at the end of the block, as a
    real commit would; the test's own transaction never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def make_webhook(personas: Any, receiver: Receiver) -> Callable[..., IssuedSecret]:
    def make(**fields: Any) -> IssuedSecret:
        values: dict[str, Any] = {"name": "Service board sync", "target_url": receiver.url, "event_types": ALL_EVENTS}
        return webhook_create(by=personas.admin, **{**values, **fields})

    return make


@pytest.fixture(autouse=True)
def no_rules(db: None) -> None:
    """Start without the shipped rules (migration 0007 loads them): the events are exactly the
    changes a test makes."""
    Rule.objects.all().delete()
