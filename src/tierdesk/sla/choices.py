"""Value lists of the sla domain. The priorities mirror the tickets' P1..P5 by value; the sla
layer lies below tickets, so it keeps its own list instead of importing theirs."""

from __future__ import annotations

from django.db import models

PRIORITIES: tuple[str, ...] = ("p1", "p2", "p3", "p4", "p5")


class SlaPriority(models.TextChoices):
    P1 = "p1", "P1"
    P2 = "p2", "P2"
    P3 = "p3", "P3"
    P4 = "p4", "P4"
    P5 = "p5", "P5"
