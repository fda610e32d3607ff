"""Backfill the anchors of time rules on existing tickets and load the rules Tierdesk ships."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import F


def forwards(apps: Any, schema_editor: Any) -> None:
    from tierdesk.tickets.automation.seeds import SEED_RULES

    Ticket = apps.get_model("tickets", "Ticket")
    Rule = apps.get_model("tickets", "Rule")
    # The best that is known without reading the history: entered at creation, changed when last saved.
    Ticket.objects.filter(level_entered_at__isnull=True).update(level_entered_at=F("created_at"))
    Ticket.objects.filter(status_changed_at__isnull=True).update(status_changed_at=F("updated_at"))
    for seed in SEED_RULES:
        if not Rule.objects.filter(key=seed["key"]).exists() and not Rule.objects.filter(name=seed["name"]).exists():
            Rule.objects.create(**seed)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_automation_rules")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
