# Placeholder so the parallel workstreams of the agent-workspace issue keep one linear chain;
# the operations of this step go here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0015_saved_views"),
    ]

    operations: list[migrations.operations.base.Operation] = []
