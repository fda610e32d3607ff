"""SQL for the JSON lists of agent profiles (channels, languages), computed in the database on
PostgreSQL and SQLite alike: Django's `contains` on a JSONField is not available on SQLite."""

from __future__ import annotations

import json
from typing import Any

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, F, Func
from django.db.models.sql.compiler import SQLCompiler


class JsonListHas(Func):
    """True when the JSON list in `field` (a path such as "agent__channels") holds the string `value`."""

    output_field = BooleanField()

    def __init__(self, field: str, value: str) -> None:
        super().__init__(F(field))
        self.value = value

    def _column(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return sql, list(params)

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, Any]:
        sql, params = self._column(compiler, connection)
        return f"({sql} @> %s::jsonb)", (*params, json.dumps([self.value]))

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> tuple[str, Any]:
        sql, params = self._column(compiler, connection)
        # `sql` is the compiled column reference; the value travels as a parameter.
        query = f"EXISTS (SELECT 1 FROM json_each({sql}) WHERE json_each.value = %s)"  # noqa: S608
        return query, (*params, self.value)

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, Any]:
        raise NotSupportedError(f"JsonListHas supports PostgreSQL and SQLite, not {connection.vendor}")
