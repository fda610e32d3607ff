# Placeholder so the parallel workstreams of the agent-workspace issue keep one linear chain;
# the operations of this step go here.
# Appointments with the customer (models/appointments.py).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("tickets", "0015_saved_views"),
        ("accounts", "0002_organisation_case_manager"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations: list[migrations.operations.base.Operation] = [
        migrations.CreateModel(
            name="Appointment",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("remote_session", "Remote session"),
                            ("update_call", "Update call"),
                            ("on_site", "On-site visit"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("scheduled", "Scheduled"), ("cancelled", "Cancelled"), ("done", "Done")],
                        default="scheduled",
                        max_length=12,
                        verbose_name="status",
                    ),
                ),
                ("starts_at", models.DateTimeField(verbose_name="starts")),
                ("duration_minutes", models.PositiveSmallIntegerField(verbose_name="duration (minutes)")),
                ("ends_at", models.DateTimeField(editable=False, verbose_name="ends")),
                (
                    "location",
                    models.CharField(
                        blank=True,
                        help_text="The remote session link, a phone number or an address.",
                        max_length=500,
                        verbose_name="where",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note for the customer")),
                ("uid", models.CharField(editable=False, max_length=255, unique=True)),
                ("sequence", models.PositiveIntegerField(default=0, editable=False)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("holds_ticket_since", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "agent",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="agent",
                    ),
                ),
                (
                    "contact",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="accounts.contact",
                        verbose_name="contact",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="appointments", to="tickets.ticket"
                    ),
                ),
            ],
            options={
                "ordering": ["starts_at", "id"],
                "indexes": [
                    models.Index(fields=["agent", "starts_at"], name="appointment_agent_start_idx"),
                    models.Index(fields=["starts_at"], name="appointment_start_idx"),
                    models.Index(fields=["ticket", "starts_at"], name="appointment_ticket_start_idx"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("duration_minutes__gte", 5), ("duration_minutes__lte", 480)),
                        name="appointment_duration_bounded",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))), name="appointment_ends_later"
                    ),
                ],
            },
        ),
    ]
