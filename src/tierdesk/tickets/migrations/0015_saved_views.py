# Saved views of the desk's ticket list (issue 4, point 8), and the indexes its sorts need
# (view_spec.SORTS). Operations generated with `makemigrations --dry-run -v 3`.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import tierdesk.tickets.models.views


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0014_custom_fields"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SavedView",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("is_shared", models.BooleanField(default=False, verbose_name="shared with all staff")),
                ("filters", models.JSONField(blank=True, default=dict, verbose_name="filters")),
                (
                    "columns",
                    models.JSONField(default=tierdesk.tickets.models.views.default_columns, verbose_name="columns"),
                ),
                ("sort_field", models.CharField(default="priority", max_length=20, verbose_name="sort by")),
                (
                    "sort_direction",
                    models.CharField(
                        choices=[("asc", "Ascending"), ("desc", "Descending")],
                        default="asc",
                        max_length=4,
                        verbose_name="sort direction",
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="saved_views",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["position", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="savedview",
            index=models.Index(fields=["owner", "position", "id"], name="saved_view_owner_pos"),
        ),
        migrations.AddIndex(
            model_name="savedview",
            index=models.Index(fields=["is_shared", "position", "id"], name="saved_view_shared_pos"),
        ),
        migrations.AddConstraint(
            model_name="savedview",
            constraint=models.UniqueConstraint(fields=("owner", "name"), name="saved_view_owner_name_unique"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["created_at", "id"], name="ticket_created_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["updated_at", "id"], name="ticket_updated_idx"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["due_at", "id"], name="ticket_due_idx"),
        ),
    ]
