"""Enumerations of the routing domain (string values, stable in the API)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PresenceStatus(models.TextChoices):
    """What an agent says they are doing. Only `available` receives work; the phone floor adds
    system states (ringing, on a call, wrap-up) beside it later, not in place of it."""

    AVAILABLE = "available", _("Available")
    BREAK = "break", _("Break")
    LUNCH = "lunch", _("Lunch")
    MEETING = "meeting", _("Meeting")
    OFFLINE = "offline", _("Offline")


class AssignmentMode(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")
    OFF = "off", _("Off (assign by hand)")
