"""In-process domain events, delivered after the surrounding transaction commits.

Lower layers publish frozen dataclasses; higher layers subscribe in their own `subscriptions.py`.
Handlers never run inside a transaction that may still roll back (convention 3).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction

logger = logging.getLogger(__name__)

E = TypeVar("E")
Handler = Callable[[Any], None]

_handlers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E]) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Register the decorated function as a handler of `event_type` (idempotent)."""

    def register(handler: Callable[[E], None]) -> Callable[[E], None]:
        if handler not in _handlers[event_type]:
            _handlers[event_type].append(handler)
        return handler

    return register


def handlers_for(event_type: type) -> list[Handler]:
    return list(_handlers.get(event_type, []))


def publish(event: object) -> None:
    """Deliver `event` to its handlers once the current transaction commits.

    A failing handler is logged and does not stop the others: the state change has committed
    already, and a lost notification must not hide the next one.
    """

    def deliver() -> None:
        for handler in handlers_for(type(event)):
            try:
                handler(event)
            except Exception:
                logger.exception("event handler %r failed for %r", handler, event)

    transaction.on_commit(deliver, robust=False)
