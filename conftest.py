"""Shared fixtures (personas, a test-started Dovecot) for the tests under src/tierdesk/*/tests and tests/, and one
test-only accommodation for SQLite."""

from __future__ import annotations

import importlib
from typing import Any

from django.db.backends.sqlite3.base import DatabaseOperations

pytest_plugins = ["tests.personas", "tests.mail.dovecot"]

_guard = importlib.import_module("tierdesk.tickets.migrations.0002_history_append_only_and_counter")
_original_execute_sql_flush = DatabaseOperations.execute_sql_flush


def _execute_sql_flush_past_history_guard(self: DatabaseOperations, sql_list: list[str]) -> Any:
    """Transactional tests end with a flush. PostgreSQL flushes with TRUNCATE, which row triggers
    do not see; SQLite flushes with DELETE, which the history's append-only trigger refuses. Lift
    the trigger for the flush alone and put it back at once."""
    with self.connection.cursor() as cursor:
        for statement in _guard.SQLITE_DOWN:
            cursor.execute(statement)
    try:
        return _original_execute_sql_flush(self, sql_list)
    finally:
        with self.connection.cursor() as cursor:
            for statement in _guard.SQLITE_UP:
                cursor.execute(statement)


DatabaseOperations.execute_sql_flush = _execute_sql_flush_past_history_guard  # type: ignore[method-assign]
