"""Database-level guarantees: the history table refuses UPDATE and DELETE (whatever code runs),
and the ticket counter row exists before the first ticket."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION tickets_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ticket history is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER tickets_history_no_update BEFORE UPDATE OR DELETE ON tickets_historyevent
    FOR EACH ROW EXECUTE FUNCTION tickets_history_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS tickets_history_no_update ON tickets_historyevent;
DROP FUNCTION IF EXISTS tickets_history_append_only();
"""
SQLITE_UP = [
    """CREATE TRIGGER IF NOT EXISTS tickets_history_no_update BEFORE UPDATE ON tickets_historyevent
       BEGIN SELECT RAISE(ABORT, 'ticket history is append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS tickets_history_no_delete BEFORE DELETE ON tickets_historyevent
       BEGIN SELECT RAISE(ABORT, 'ticket history is append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS tickets_history_no_update;",
    "DROP TRIGGER IF EXISTS tickets_history_no_delete;",
]


def install_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def remove_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


def seed_counter(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    counter = apps.get_model("tickets", "TicketCounter")
    # value is the last number handed out; the first ticket gets 100001.
    counter.objects.get_or_create(name="ticket", defaults={"value": 100000})


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [
        migrations.RunPython(install_triggers, remove_triggers),
        migrations.RunPython(seed_counter, migrations.RunPython.noop),
    ]
