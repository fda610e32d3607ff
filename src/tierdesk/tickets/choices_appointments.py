"""Kinds and states of appointments with the customer (models/appointments.py). Pure: no ORM."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppointmentKind(models.TextChoices):
    REMOTE_SESSION = "remote_session", _("Remote session")
    UPDATE_CALL = "update_call", _("Update call")
    ON_SITE = "on_site", _("On-site visit")


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")
