# Placeholder so the parallel workstreams of the agent-workspace issue keep one linear chain;
# the operations of this step go here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0012_history_actions"),
    ]

    operations: list[migrations.operations.base.Operation] = []
